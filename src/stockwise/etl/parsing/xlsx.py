"""XLSX intake: refuse zip bombs from the archive directory, then stream the first sheet into a CSV.

The CSV gets the sheet's row number as its first column so that errors point at the sheet's rows.
Formulas are never evaluated: cached values are read, and a formula without one is written as
`FORMULA_MARKER` + formula so that validation reports that cell.
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import repeat
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from stockwise.etl.parsing.errors import FileRejected

FORMULA_MARKER = "\x00"  # XML 1.0 cannot hold U+0000, so no real cell text starts with it
ROW_COLUMN = "row"
MAX_MEMBERS = 10_000
RATIO_FLOOR = 1024 * 1024  # small members may compress well without being a threat
_CHUNK = 1024 * 1024
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_XLSX_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
)

Row = Sequence[object]


def check_archive(path: Path, *, max_bytes: int, max_ratio: float) -> None:
    """Refuse archives whose declared sizes exceed the caps; zipfile never inflates past a declared size."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected("file", "not a valid xlsx file") from exc
    if len(members) > MAX_MEMBERS:
        raise FileRejected("file", f"the xlsx holds {len(members)} parts, over the limit of {MAX_MEMBERS}")
    total = sum(member.file_size for member in members)
    if total > max_bytes:
        raise FileRejected("file", f"the xlsx expands to {total} bytes, over the limit of {max_bytes}")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > max_ratio:
            raise FileRejected(
                "file", f"{member.filename} is compressed {ratio:.0f}:1, over the limit of {max_ratio:.0f}:1"
            )


def xlsx_to_csv(path: Path, target: Path, *, max_rows: int) -> list[str]:
    """Write the first sheet's non-empty rows to `target` (row number first); return the header cells."""
    cached = _open(path, data_only=True)
    formulas = _open(path, data_only=False) if _has_formulas(path) else None
    try:
        values = _rows(cached)
        texts: Iterator[Row | None] = _rows(formulas) if formulas is not None else repeat(None)
        first = next(values, None)
        if first is None:
            raise FileRejected("file", "the file is empty")
        next(texts)
        header = [_cell_text(value) for value in first]
        if not any(cell.strip() for cell in header):
            raise FileRejected("file", "no header row: the first row is empty")
        with target.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([ROW_COLUMN, *header])
            _copy_rows(writer.writerow, zip(values, texts, strict=False), len(header), max_rows)
    finally:
        cached.close()
        if formulas is not None:
            formulas.close()
    return header


def _copy_rows(
    write: Callable[[list[object]], object], rows: Iterator[tuple[Row, Row | None]], width: int, max_rows: int
) -> None:
    count = 0
    for number, (row, formula_row) in enumerate(rows, start=2):
        cells = [_cell_text(value) for value in row]
        if formula_row is not None:
            _mark_uncached_formulas(cells, row, formula_row)
        if not any(cells):
            continue
        overflow = next((index for index in range(width, len(cells)) if cells[index]), None)
        if overflow is not None:
            column = get_column_letter(overflow + 1)
            raise FileRejected("columns", f"row {number} has data in column {column}, which has no header")
        count += 1
        if count > max_rows:
            raise FileRejected("rows", f"the file has more than {max_rows} data rows")
        write([number, *cells[:width], *[""] * (width - len(cells))])


def _mark_uncached_formulas(cells: list[str], row: Row, formula_row: Row) -> None:
    for index, (value, formula) in enumerate(zip(row, formula_row, strict=False)):
        text = getattr(formula, "text", formula)
        if value is None and isinstance(text, str) and text.startswith("="):
            cells[index] = FORMULA_MARKER + text


def _open(path: Path, *, data_only: bool) -> Workbook:
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except _XLSX_ERRORS as exc:
        raise FileRejected("file", "not a valid xlsx file") from exc


def _rows(workbook: Workbook) -> Iterator[Row]:
    """Rows of the first worksheet, read past its declared dimension (which writers often get wrong)."""
    if not workbook.worksheets:
        raise FileRejected("file", "the workbook has no worksheet")
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _XLSX_ERRORS as exc:
            raise FileRejected("file", "the xlsx sheet cannot be read") from exc
        yield row


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula; only then is the sheet read a second time for formulas."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as stream:
                    tail = b""
                    while chunk := stream.read(_CHUNK):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-64:]
    return False


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    """Excel keeps 15 significant digits; rounding there drops binary noise such as 2.6749999999999998."""
    if not math.isfinite(value):
        return str(value)
    return format(Decimal(format(value, ".15g")), "f")
