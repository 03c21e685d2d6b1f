"""Row-error report as CSV (row, column, value, message), safe to open in a spreadsheet.

Every cell goes through `safe_csv_cell`: a value copied from the upload such as `=HYPERLINK(...)`
must reach the user as text, never as a live formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from stockwise.core.csvsafe import safe_csv_cell
from stockwise.etl.parsing.errors import RowError

REPORT_HEADER = ("row", "column", "value", "message")


def write_error_report(errors: Iterable[RowError], stream: TextIO, *, omitted: int = 0) -> None:
    """Write the report to a text stream (open it with newline=""); `omitted` errors get a closing note."""
    writer = csv.writer(stream)
    writer.writerow(REPORT_HEADER)
    for error in errors:
        writer.writerow(
            [safe_csv_cell(cell) for cell in (error.row, error.column, error.value, error.message)]
        )
    if omitted:
        writer.writerow(["", "", "", f"{omitted} more errors not listed"])
