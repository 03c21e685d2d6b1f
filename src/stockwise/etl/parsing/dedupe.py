"""Whole-file key semantics: duplicate keys are errors, or (sales, aggregate=sum) they are summed.

A streaming census before the batches finds every key used on more than one row and its first row,
so each batch knows its duplicates without the reader keeping every key of a large file in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from stockwise.etl.parsing.errors import ERROR_SCHEMA
from stockwise.etl.parsing.values import INTEGER_DIGITS, SCALE, decimal_text

MAX_SCALED = 10**INTEGER_DIGITS * SCALE - 1
_FIRST = "\x1ffirst"
_COUNT = "\x1fcount"


def repeated_keys(valid_keys: pl.LazyFrame, key: Sequence[str]) -> pl.DataFrame:
    """Keys found on more than one row with the first of those rows (one streaming pass)."""
    return (
        valid_keys.group_by(key)
        .agg(pl.col("row").min().alias(_FIRST), pl.len().alias(_COUNT))
        .filter(pl.col(_COUNT) > 1)
        .select(*key, _FIRST)
        .collect(engine="streaming")
    )


def duplicate_errors(keys: pl.DataFrame, repeated: pl.DataFrame, key: Sequence[str]) -> pl.DataFrame:
    """An error (row, column, value, message) for every row of `keys` repeating an earlier row's key."""
    rows = keys.join(repeated, on=key, how="inner").filter(pl.col("row") != pl.col(_FIRST)).sort("row")
    return rows.select(
        "row",
        pl.lit("+".join(key)).alias("column"),
        pl.concat_str([pl.col(name).cast(pl.String) for name in key], separator=" / ").alias("value"),
        pl.format("duplicate of row {}", pl.col(_FIRST)).alias("message"),
    ).cast(ERROR_SCHEMA)


def split_repeated(
    valid: pl.DataFrame, repeated: pl.DataFrame, key: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows whose key is used once in the file, rows whose key is used several times)."""
    keys = repeated.select(key)
    return (
        valid.join(keys, on=key, how="anti", maintain_order="left"),
        valid.join(keys, on=key, how="semi", maintain_order="left"),
    )


class KeySummer:
    """Sums amount columns per key over the whole file; each key keeps its first row in the file.

    Partial sums per batch are kept and merged at the end, in Int128 so that no sum can wrap around;
    a total over 14 integer digits becomes an error on that key's first row. A total is null only
    when every row left that (optional) amount empty.
    """

    def __init__(self, key: Sequence[str], amounts: Sequence[str], order: Sequence[str]) -> None:
        self._key = list(key)
        self._amounts = list(amounts)
        self._order = ["row", *order]
        self._parts: list[pl.DataFrame] = []

    def add(self, valid: pl.DataFrame) -> None:
        self._parts.append(
            valid.group_by(self._key).agg(
                pl.col("row").min(),
                *[pl.col(name).cast(pl.Int128).sum() for name in self._amounts],
                *[pl.col(name).count().alias(name + _COUNT) for name in self._amounts],
            )
        )

    def totals(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(one row per key in first-row order, errors for totals too large)."""
        if not self._parts:
            return pl.DataFrame(), pl.DataFrame(schema=ERROR_SCHEMA)
        merged = (
            pl.concat(self._parts)
            .lazy()
            .group_by(self._key)
            .agg(pl.col("row").min(), pl.exclude("row").sum())
            .sort("row")
            .collect(engine="streaming")
        )
        errors = pl.concat(
            [
                merged.filter(pl.col(name) > MAX_SCALED).select(
                    "row",
                    pl.lit(name).alias("column"),
                    decimal_text(name).alias("value"),
                    pl.lit(f"the total over the file exceeds {INTEGER_DIGITS} integer digits").alias(
                        "message"
                    ),
                )
                for name in self._amounts
            ]
        )
        fits = pl.all_horizontal([pl.col(name) <= MAX_SCALED for name in self._amounts])
        rows = merged.filter(fits).with_columns(
            pl.when(pl.col(name + _COUNT) > 0).then(pl.col(name)).cast(pl.Int64).alias(name)
            for name in self._amounts
        )
        return rows.select(self._order), errors.sort("row", maintain_order=True).cast(ERROR_SCHEMA)
