"""Validate one batch of raw text cells against an entity spec, column by column, with polars expressions.

Input: `row` plus the file's canonical columns as text. Blank rows are skipped; a row with any bad cell
is left out of `valid` and yields one error per bad cell. Absent optional columns get their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from stockwise.etl.parsing.entities import ColumnSpec, EntitySpec, Kind
from stockwise.etl.parsing.options import DateFormat, DecimalMark
from stockwise.etl.parsing.values import (
    Parsed,
    bool_cell,
    choice_cell,
    currency_cell,
    date_cell,
    decimal_cell,
    email_cell,
    evaluate,
    integer_cell,
    non_blank,
    text_cell,
)
from stockwise.etl.parsing.xlsx import FORMULA_MARKER

_ERROR = "\x1ferror"
_TEXT = "\x1ftext"
_FILLED = "\x1ffilled"


@dataclass(frozen=True, slots=True)
class Checked:
    """`valid`: rows without errors; `errors`: one per bad cell; `keys`: rows whose key cells are valid."""

    valid: pl.DataFrame
    errors: pl.DataFrame
    keys: pl.DataFrame


@dataclass(frozen=True, slots=True)
class BatchValidator:
    spec: EntitySpec
    present: tuple[str, ...]
    decimal: DecimalMark
    date_format: DateFormat
    default_currency: str
    from_xlsx: bool

    def check(self, raw: pl.DataFrame) -> Checked:
        present = pl.any_horizontal([pl.col(name + _TEXT).is_not_null() for name in self.present])
        checked = self._parsed(raw.lazy(), self.spec.columns).filter(present).collect(engine="in-memory")
        errors = [name + _ERROR for name in self.spec.names]
        return Checked(
            valid=checked.filter(pl.all_horizontal(pl.col(errors).is_null())).select("row", *self.spec.names),
            errors=self._long_errors(checked),
            keys=checked.select(self._key_rows()),
        )

    def valid_keys(self, raw: pl.LazyFrame) -> pl.LazyFrame:
        """Row and parsed key of every row whose key cells are valid (other cells are not looked at)."""
        columns = [self.spec.column(name) for name in self.spec.key]
        return self._parsed(raw, columns).select(self._key_rows())

    def _key_rows(self) -> list[pl.Expr]:
        key_ok = pl.all_horizontal(pl.col([name + _ERROR for name in self.spec.key]).is_null())
        return [pl.col("row", *self.spec.key).filter(key_ok)]

    def _parsed(self, raw: pl.LazyFrame, columns: Sequence[ColumnSpec]) -> pl.LazyFrame:
        """Text, error and value columns for `columns`; a row's cell value is null when its error is not."""
        texts = [self._text(column.name).alias(column.name + _TEXT) for column in columns]
        frame = raw.select(pl.col("row").cast(pl.Int64), *texts).with_columns(
            self._with_default(column).alias(column.name + _FILLED) for column in columns
        )
        parsers = {column.name: self._parser(column, column.name + _FILLED) for column in columns}
        frame = evaluate(frame, list(parsers.values()))
        errors = [self._error(column, parsers[column.name]).alias(column.name + _ERROR) for column in columns]
        values = [
            pl.when(pl.col(name + _ERROR).is_null()).then(parser.value).alias(name)
            for name, parser in parsers.items()
        ]
        return frame.with_columns(errors).with_columns(values)

    def _text(self, name: str) -> pl.Expr:
        """Trimmed cell text, null when blank; a column the file lacks is all null."""
        if name not in self.present:
            return pl.lit(None, pl.String)
        return non_blank(pl.col(name))

    def _with_default(self, column: ColumnSpec) -> pl.Expr:
        text = pl.col(column.name + _TEXT)
        default = self.default_currency if column.kind is Kind.CURRENCY else column.default
        return text if default is None else text.fill_null(pl.lit(default))

    def _error(self, column: ColumnSpec, parsed: Parsed) -> pl.Expr:
        text = pl.col(column.name + _TEXT)
        return (
            pl.when(pl.lit(self.from_xlsx) & text.str.starts_with(FORMULA_MARKER))
            .then(pl.lit("formula without a cached value; export values"))
            .when(pl.lit(column.required) & text.is_null())
            .then(pl.lit("required value is missing"))
            .otherwise(parsed.error)
        )

    def _parser(self, column: ColumnSpec, text: str) -> Parsed:
        match column.kind:
            case Kind.DECIMAL:
                return decimal_cell(text, self.decimal, positive=column.positive)
            case Kind.INTEGER:
                return integer_cell(text, self.decimal, max_value=column.max_value or 0)
            case Kind.BOOL:
                return bool_cell(text)
            case Kind.DATE:
                return date_cell(text, self.date_format)
            case Kind.CHOICE:
                return choice_cell(text, column.choices)
            case Kind.CURRENCY:
                return currency_cell(text)
            case Kind.EMAIL:
                return email_cell(text)
            case Kind.CODE | Kind.TEXT:
                return text_cell(text, column.max_length)

    def _long_errors(self, checked: pl.DataFrame) -> pl.DataFrame:
        """One (row, column, value, message) per bad cell, in row order then column order."""
        parts = [
            checked.filter(pl.col(name + _ERROR).is_not_null()).select(
                "row",
                pl.lit(name).alias("column"),
                pl.col(name + _TEXT).str.strip_prefix(FORMULA_MARKER).fill_null("").alias("value"),
                pl.col(name + _ERROR).alias("message"),
            )
            for name in self.spec.names
        ]
        return pl.concat(parts).sort("row", maintain_order=True)
