"""Turn an uploaded file (CSV in UTF-8 or cp1252, or XLSX) into a UTF-8 CSV that polars can stream.

UTF-8 CSVs are read in place; cp1252 CSVs and XLSX sheets are rewritten into `work_dir` first.
The file kind comes from its first bytes, never from its name.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from stockwise.etl.parsing.errors import FileRejected
from stockwise.etl.parsing.options import Delimiter, Encoding, ImportOptions
from stockwise.etl.parsing.sniff import detect_encoding, read_header, transcode_to_utf8
from stockwise.etl.parsing.xlsx import check_archive, xlsx_to_csv

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True, slots=True)
class CsvSource:
    """A UTF-8 CSV; for an XLSX its first column holds each row's number in the sheet."""

    path: Path
    delimiter: Delimiter
    header: list[str]
    encoding: Encoding
    is_xlsx: bool

    def scan(self) -> pl.LazyFrame:
        """All cells as text, columns renamed to positions (c0, c1, ...) so header text cannot clash."""
        return pl.scan_csv(
            self.path,
            separator=self.delimiter,
            has_header=True,
            infer_schema=False,
            quote_char='"',
            with_column_names=lambda names: [f"c{index}" for index in range(len(names))],
            row_index_name=None if self.is_xlsx else "row",
            row_index_offset=2,
        )

    def position(self, header_index: int) -> str:
        """The scanned column name of header cell `header_index`."""
        return f"c{header_index + 1}" if self.is_xlsx else f"c{header_index}"

    def row_number(self) -> pl.Expr:
        return (pl.col("c0") if self.is_xlsx else pl.col("row")).cast(pl.Int64).alias("row")

    def malformed(self) -> FileRejected:
        """A file-level error for a CSV polars could not split, naming the row when it is a ragged one."""
        width = len(self.header)
        with self.path.open(encoding="utf-8-sig", newline="") as stream:
            try:
                for number, record in enumerate(csv.reader(stream, delimiter=self.delimiter), start=1):
                    if len(record) > width:
                        return FileRejected(
                            "file", f"row {number} has {len(record)} fields, the header {width}"
                        )
            except csv.Error as csv_exc:
                return FileRejected("file", f"malformed CSV: {csv_exc}")
        # The parser's own message is library text: log-worthy, not client-worthy.
        return FileRejected("file", "malformed CSV: check the quoting and the delimiter")


def prepare_source(path: Path, options: ImportOptions, work_dir: Path) -> CsvSource:
    with path.open("rb") as stream:
        magic = stream.read(4)
    if magic == _OLE_MAGIC:
        raise FileRejected("file", "legacy .xls files are not supported: save as .xlsx or CSV")
    if magic == _ZIP_MAGIC:
        return _from_xlsx(path, options, work_dir)
    encoding = detect_encoding(path, options.encoding)
    if encoding != "utf-8":
        utf8 = work_dir / "transcoded.csv"
        transcode_to_utf8(path, utf8, encoding)
        path = utf8
    delimiter, header = read_header(path, options.delimiter)
    return CsvSource(path, delimiter, header, encoding, is_xlsx=False)


def _from_xlsx(path: Path, options: ImportOptions, work_dir: Path) -> CsvSource:
    check_archive(path, max_bytes=options.xlsx_max_uncompressed_bytes, max_ratio=options.xlsx_max_ratio)
    if path.suffix.lower() != ".xlsx":
        # openpyxl judges a path by its extension; the kind came from the bytes (an upload has no name).
        named = work_dir / "upload.xlsx"
        shutil.copyfile(path, named)
        path = named
    target = work_dir / "sheet.csv"
    header = xlsx_to_csv(path, target, max_rows=options.max_rows)
    return CsvSource(target, ",", header, "utf-8", is_xlsx=True)
