"""File-level rejection and row-level errors of a tenant data import.

Row numbers are what a person sees when opening the file: the header is row 1, the first data row 2
(for XLSX, the sheet's own row number). The error log keeps at most `limit` errors and counts the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

MAX_VALUE_CHARS = 200
ERROR_SCHEMA = pl.Schema(
    {"row": pl.Int64(), "column": pl.String(), "value": pl.String(), "message": pl.String()}
)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


class FileRejected(Exception):
    """The file as a whole cannot be imported; `field` names the option or part of the file at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class ErrorLog:
    """Row errors in the order found, capped so that a file full of mistakes stays cheap to report."""

    limit: int
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def omitted(self) -> int:
        """How many errors were counted but not kept."""
        return self.total - len(self.errors)

    def extend(self, errors: Iterable[RowError], *, total: int | None = None) -> None:
        """Add errors; `total` counts errors the caller already dropped (e.g. capped reference errors)."""
        added = 0
        for error in errors:
            added += 1
            if len(self.errors) < self.limit:
                self.errors.append(error)
        self.total += max(added, total or 0)

    def extend_frame(self, frame: pl.DataFrame) -> None:
        """Add errors from a (row, column, value, message) frame; only the kept ones become objects."""
        room = max(self.limit - len(self.errors), 0)
        self.extend(frame_to_errors(frame.head(room)), total=frame.height)


def frame_to_errors(frame: pl.DataFrame) -> list[RowError]:
    """Turn an error frame (row, column, value, message) into RowError objects."""
    return [
        RowError(row=row, column=column, value=_short(value), message=message)
        for row, column, value, message in frame.select("row", "column", "value", "message").iter_rows()
    ]


def _short(value: str | None) -> str:
    if value is None:
        return ""
    return value if len(value) <= MAX_VALUE_CHARS else value[:MAX_VALUE_CHARS] + "…"
