"""`ValidBatch`, the unit handed to the database layer, and the vectorised reference lookup.

A batch frame has an Int64 `row` column (the row in the file) and every column of the entity in
spec order. Decimal columns are exact Int64 values scaled by 10^4; `records()` gives `Decimal`s instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from stockwise.etl.parsing.errors import RowError, frame_to_errors
from stockwise.etl.parsing.options import EntityName
from stockwise.etl.parsing.values import FRACTION_DIGITS

_REFERENCE_NAMES = {"location_code": "location", "supplier_code": "supplier"}


@dataclass(frozen=True, slots=True)
class ValidBatch:
    entity: EntityName
    frame: pl.DataFrame
    decimal_columns: tuple[str, ...]

    def __len__(self) -> int:
        return self.frame.height

    def records(self) -> list[dict[str, object]]:
        """Rows as dicts with exact `Decimal` amounts: meant for master data, not for millions of sales."""
        rows = self.frame.to_dicts()
        for row in rows:
            for column in self.decimal_columns:
                scaled = row[column]
                if isinstance(scaled, int):
                    row[column] = Decimal(scaled).scaleb(-FRACTION_DIGITS)
        return rows


def resolve_references(
    batch: ValidBatch, column: str, known: Mapping[str, int], *, max_errors: int = 10_000
) -> tuple[pl.Series, list[RowError]]:
    """Map the codes of `column` to ids (null where unknown) and report unknown codes as row errors.

    At most `max_errors` errors are returned; `ids.null_count()` is the full count of unknown codes.
    """
    codes = batch.frame.get_column(column)
    ids = codes.replace_strict(
        old=list(known.keys()), new=list(known.values()), default=None, return_dtype=pl.Int64
    ).alias(f"{column}_id")
    label = _REFERENCE_NAMES.get(column, column)
    unknown = (
        batch.frame.filter(ids.is_null())
        .head(max_errors)
        .select(
            "row",
            pl.lit(column).alias("column"),
            pl.col(column).alias("value"),
            pl.format(f"unknown {label} '{{}}'", pl.col(column)).alias("message"),
        )
    )
    return ids, frame_to_errors(unknown)
