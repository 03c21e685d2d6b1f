"""Vectorised cell parsers: turn a column of trimmed text (null when blank) into typed values and errors.

A parser returns `Parsed`: `steps` compute intermediate columns (each step one `with_columns`, so that
no regex runs twice — polars would otherwise re-evaluate shared sub-expressions), then `value` and
`error` read them; `error` is null when the cell is fine or blank. Decimals become exact Int64 scaled
by `SCALE` (10^4): the text is split into digits, never converted through floating point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import polars as pl

from stockwise.etl.parsing.options import DateFormat, DecimalMark

SCALE = 10_000
FRACTION_DIGITS = 4
INTEGER_DIGITS = 14

_GROUP_CLASS = {".": ",", ",": r"[. \x{a0}\x{202f}]"}
_SHAPE = {
    ".": r"^[+-]?(?:\d*|\d{1,3}(?:,\d{3})+)(?:\.\d*)?$",
    ",": r"^[+-]?(?:\d*|\d{1,3}(?:[. \x{a0}\x{202f}]\d{3})+)(?:,\d*)?$",
}
_BOOLS = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
}
_DATE_PATTERNS = {
    "iso": r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$",
    "dmy": r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})$",
    "mdy": r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$",
}
_DATE_HINTS = {"iso": "yyyy-mm-dd", "dmy": "dd/mm/yyyy", "mdy": "mm/dd/yyyy"}
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass(frozen=True, slots=True)
class Parsed:
    steps: tuple[tuple[pl.Expr, ...], ...]
    value: pl.Expr
    error: pl.Expr


def non_blank(text: pl.Expr) -> pl.Expr:
    """Cell text without surrounding whitespace; null when nothing is left."""
    trimmed = text.str.strip_chars()
    return pl.when(trimmed != "").then(trimmed)


def evaluate(frame: pl.LazyFrame, parsed: Sequence[Parsed]) -> pl.LazyFrame:
    """Add the intermediate columns of several parsers, step by step, sharing each `with_columns`."""
    depth = max((len(item.steps) for item in parsed), default=0)
    for level in range(depth):
        frame = frame.with_columns(
            expr for item in parsed if level < len(item.steps) for expr in item.steps[level]
        )
    return frame


def _temp(text: str, part: str) -> str:
    return f"{text}\x1f{part}"


def _masked(steps: tuple[tuple[pl.Expr, ...], ...], value: pl.Expr, error: pl.Expr) -> Parsed:
    return Parsed(steps, pl.when(error.is_null()).then(value), error)


def decimal_cell(text: str, mark: DecimalMark, *, positive: bool = False) -> Parsed:
    """Exact non-negative decimal (≤14 integer and ≤4 fractional digits) as an Int64 scaled by SCALE."""
    cell, name = pl.col(text), partial(_temp, text)
    whole, fraction = pl.col(name("int")), pl.col(name("frac"))
    steps = (
        (
            cell.str.contains(_SHAPE[mark]).alias(name("shape")),
            cell.str.contains(r"\d").alias(name("digit")),
            cell.str.replace_all(_GROUP_CLASS[mark], "").alias(name("plain")),
        ),
        (pl.col(name("plain")).str.strip_chars_start("+-").str.split_exact(mark, 1).alias(name("parts")),),
        (
            pl.col(name("parts")).struct.field("field_0").str.strip_chars_start("0").alias(name("int")),
            pl.col(name("parts"))
            .struct.field("field_1")
            .fill_null("")
            .str.strip_chars_end("0")
            .alias(name("frac")),
        ),
    )
    is_zero = (whole == "") & (fraction == "")
    error = (
        pl.when(cell.is_null())
        .then(pl.lit(None, pl.String))
        .when(~pl.col(name("shape")) | ~pl.col(name("digit")))
        .then(pl.lit("not a number"))
        .when(pl.col(name("plain")).str.starts_with("-") & ~is_zero)
        .then(pl.lit("negative value not allowed"))
        .when(whole.str.len_bytes() > INTEGER_DIGITS)
        .then(pl.lit(f"more than {INTEGER_DIGITS} integer digits"))
        .when(fraction.str.len_bytes() > FRACTION_DIGITS)
        .then(pl.lit(f"more than {FRACTION_DIGITS} decimal places"))
        .when(pl.lit(positive) & is_zero)
        .then(pl.lit("must be greater than 0"))
    )
    scaled = whole.str.pad_start(1, "0").cast(pl.Int64, strict=False) * SCALE + fraction.str.pad_end(
        FRACTION_DIGITS, "0"
    ).cast(pl.Int64, strict=False)
    return _masked(steps, pl.when(cell.is_not_null()).then(scaled), error)


def integer_cell(text: str, mark: DecimalMark, *, max_value: int) -> Parsed:
    """Whole number in 0..max_value (a zero fraction such as "7.0" is accepted)."""
    number = decimal_cell(text, mark)
    error = (
        pl.when(number.error.is_not_null())
        .then(number.error)
        .when(number.value % SCALE != 0)
        .then(pl.lit("not a whole number"))
        .when(number.value > max_value * SCALE)
        .then(pl.lit(f"must be between 0 and {max_value}"))
    )
    return _masked(number.steps, (number.value // SCALE).cast(pl.Int32), error)


def bool_cell(text: str) -> Parsed:
    cell, flag = pl.col(text), _temp(text, "bool")
    lookup = cell.str.to_lowercase().replace_strict(_BOOLS, default=None, return_dtype=pl.Boolean)
    error = pl.when(cell.is_not_null() & pl.col(flag).is_null()).then(
        pl.lit("not a boolean: use true/false, yes/no, 1/0 or y/n")
    )
    return Parsed(((lookup.alias(flag),),), pl.col(flag), error)


def date_cell(text: str, date_format: DateFormat) -> Parsed:
    """ISO dates are always accepted; `date_format` decides how d/m/y-style dates are read."""
    cell, name = pl.col(text), partial(_temp, text)
    formats = ("iso",) if date_format == "iso" else ("iso", date_format)
    shapes = tuple(cell.str.extract_groups(_DATE_PATTERNS[form]).alias(name(form)) for form in formats)
    year, month, day = (
        pl.coalesce([pl.col(name(form)).struct.field(part) for form in formats]) for part in "ymd"
    )
    steps = (
        shapes,
        (pl.concat_str([year, month, day], separator="-").alias(name("ymd")),),
        (pl.col(name("ymd")).str.to_date("%Y-%m-%d", strict=False).alias(name("date")),),
    )
    error = (
        pl.when(cell.is_not_null() & pl.col(name("ymd")).is_null())
        .then(pl.lit(f"not a date (expected {_DATE_HINTS[date_format]})"))
        .when(cell.is_not_null() & pl.col(name("date")).is_null())
        .then(pl.lit("impossible date"))
    )
    return _masked(steps, pl.col(name("date")), error)


def text_cell(text: str, max_length: int) -> Parsed:
    cell = pl.col(text)
    error = pl.when(cell.str.len_chars() > max_length).then(pl.lit(f"longer than {max_length} characters"))
    return _masked((), cell, error)


def choice_cell(text: str, choices: tuple[str, ...]) -> Parsed:
    cell = pl.col(text)
    value = cell.str.to_lowercase()
    error = pl.when(cell.is_not_null() & ~value.is_in(choices)).then(
        pl.lit(f"must be one of: {', '.join(choices)}")
    )
    return _masked((), value, error)


def currency_cell(text: str) -> Parsed:
    value = pl.col(text).str.to_uppercase()
    error = pl.when(~value.str.contains(r"^[A-Z]{3}$")).then(
        pl.lit("not an ISO 4217 currency code (3 letters)")
    )
    return _masked((), value, error)


def email_cell(text: str) -> Parsed:
    cell = pl.col(text)
    error = pl.when(~cell.str.contains(_EMAIL) | (cell.str.len_chars() > 254)).then(
        pl.lit("not a valid email address")
    )
    return _masked((), cell, error)


def decimal_text(column: str) -> pl.Expr:
    """Exact text of a scaled decimal column ("12.3400"), e.g. for COPY into a NUMERIC column."""
    scaled = pl.col(column)
    magnitude = scaled.abs()
    return pl.concat_str(
        [
            pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit("")),
            (magnitude // SCALE).cast(pl.String),
            pl.lit("."),
            (magnitude % SCALE).cast(pl.String).str.pad_start(FRACTION_DIGITS, "0"),
        ]
    ).alias(column)
