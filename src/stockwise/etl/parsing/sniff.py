"""Detection of a CSV's encoding, delimiter, header, decimal mark and date format.

Byte-level checks stream the file in 1 MiB chunks. An explicit option always wins; an undecidable
choice rejects the file and names the option to set.
"""

from __future__ import annotations

import codecs
import csv
import shutil
from pathlib import Path
from typing import Literal

import polars as pl

from stockwise.etl.parsing.errors import FileRejected
from stockwise.etl.parsing.options import DateFormat, DecimalMark, Delimiter, Encoding
from stockwise.etl.parsing.values import date_cell, evaluate

CHUNK = 1024 * 1024
_DELIMITERS: tuple[Delimiter, ...] = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
COMMA_DECIMAL = r"^[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+),\d+$"
COMMA_GROUPED_DOT_DECIMAL = r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$"


def detect_encoding(path: Path, requested: Literal["auto"] | Encoding) -> Encoding:
    """UTF-8 (BOM or not) when every byte decodes as UTF-8, else cp1252 (unless UTF-8 was asked for)."""
    with path.open("rb") as stream:
        head = stream.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        raise FileRejected("encoding", "UTF-16 files are not supported: save the file as CSV UTF-8")
    if requested != "cp1252":
        offset = _first_undecodable(path, "utf-8")
        if offset is None:
            return "utf-8"
        if requested == "utf-8":
            raise FileRejected(
                "encoding", f"the file is not valid UTF-8 (near byte {offset}): set encoding to cp1252"
            )
    offset = _first_undecodable(path, "cp1252")
    if offset is not None:
        raise FileRejected("encoding", f"undecodable bytes near byte {offset}: save the file as CSV UTF-8")
    return "cp1252"


def _first_undecodable(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def transcode_to_utf8(source: Path, target: Path, encoding: Encoding) -> None:
    """Copy `source` as UTF-8 so that the CSV reader, which reads UTF-8 only, can stream it."""
    with (
        source.open(encoding=encoding, newline="") as reader,
        target.open("w", encoding="utf-8", newline="") as writer,
    ):
        shutil.copyfileobj(reader, writer, CHUNK)


def read_header(path: Path, requested: Literal["auto"] | Delimiter) -> tuple[Delimiter, list[str]]:
    """The delimiter (sniffed from the first line unless given) and the header cells of a UTF-8 file."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        first_line = stream.readline(CHUNK)
        if not first_line.strip() and not stream.read(CHUNK).strip():
            raise FileRejected("file", "the file is empty")
    delimiter = sniff_delimiter(first_line) if requested == "auto" else requested
    with path.open(encoding="utf-8-sig", newline="") as stream:
        try:
            header = next(csv.reader(stream, delimiter=delimiter), [])
        except csv.Error as exc:
            raise FileRejected("file", f"cannot read the header row: {exc}") from exc
    if not any(cell.strip() for cell in header):
        raise FileRejected("file", "no header row: the first row is empty")
    return delimiter, header


def sniff_delimiter(line: str) -> Delimiter:
    """The delimiter occurring most often outside quotes; a tie is refused rather than guessed."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts.values())
    winners = [delimiter for delimiter, count in counts.items() if count == best]
    if best == 0:
        return ","
    if len(winners) > 1:
        names = " and ".join(_DELIMITER_NAMES[delimiter] for delimiter in winners)
        raise FileRejected("delimiter", f"the header line has as many {names} separators: set delimiter")
    return winners[0]


def choose_decimal(
    requested: Literal["auto"] | DecimalMark, delimiter: Delimiter, *, comma_seen: bool, dot_seen: bool
) -> DecimalMark:
    """Decimal comma only when columns are not comma-separated and numbers look like 1,5 or 1.234,50."""
    if requested != "auto":
        return requested
    if delimiter != "," and comma_seen and not dot_seen:
        return ","
    return "."


def detect_date_format(values: pl.Series) -> DateFormat:
    """Pick iso/dmy/mdy from every distinct date text in the file; refuse when dmy and mdy both fit."""
    forms: tuple[DateFormat, ...] = ("iso", "dmy", "mdy")
    readings = {form: date_cell(form, form) for form in forms}  # one copy of the text per reading
    texts = pl.LazyFrame({"text": values.cast(pl.String)}).with_columns(
        pl.col("text").alias(form) for form in forms
    )
    frame = evaluate(texts, list(readings.values()))
    parsed = (
        frame.filter(readings["iso"].value.is_null())
        .select("text", dmy=readings["dmy"].value, mdy=readings["mdy"].value)
        .sort("text")
        .collect()
    )
    if parsed.is_empty():
        return "iso"
    dmy_count = parsed.height - parsed["dmy"].null_count()
    mdy_count = parsed.height - parsed["mdy"].null_count()
    if dmy_count != mdy_count:
        return "dmy" if dmy_count > mdy_count else "mdy"
    if dmy_count == 0:
        return "iso"
    clash = parsed.filter(pl.col("dmy") != pl.col("mdy"))
    if dmy_count == parsed.height and clash.is_empty():
        return "dmy"
    example = (clash if not clash.is_empty() else parsed)["text"][0]
    raise FileRejected(
        "date_format",
        f"cannot tell dd/mm/yyyy from mm/dd/yyyy (e.g. {example!r}): set date_format to dmy or mdy",
    )
