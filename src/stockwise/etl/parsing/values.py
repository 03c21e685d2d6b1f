"""Vectorised cell parsers: polars expressions turning trimmed text into typed values plus an error message.

Each parser takes an expression that is null for an empty cell and returns `Parsed(value, error)`;
`error` is null when the cell is fine or empty. Decimals become exact integers scaled by `SCALE` (10^4):
the text is split into digits, never converted through floating point.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from stockwise.etl.parsing.options import DateFormat, DecimalMark

SCALE = 10_000
FRACTION_DIGITS = 4
INTEGER_DIGITS = 14

_GROUPED = {
    ".": r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$",
    ",": r"^[+-]?\d{1,3}(?:[. \x{a0}\x{202f}]\d{3})+(?:,\d*)?$",
}
_GROUP_CHARS = {".": ",", ",": r"[. \x{a0}\x{202f}]"}
_NUMBER = {
    ".": r"^(?P<sign>[+-]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?$",
    ",": r"^(?P<sign>[+-]?)(?P<int>\d*)(?:,(?P<frac>\d*))?$",
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
    value: pl.Expr
    error: pl.Expr


def _only_valid(value: pl.Expr, error: pl.Expr) -> Parsed:
    return Parsed(pl.when(error.is_null()).then(value), error)


def decimal_cell(text: pl.Expr, mark: DecimalMark, *, positive: bool = False) -> Parsed:
    """Exact non-negative decimal (≤14 integer and ≤4 fractional digits) as an Int64 scaled by SCALE."""
    plain = (
        pl.when(text.str.contains(_GROUPED[mark]))
        .then(text.str.replace_all(_GROUP_CHARS[mark], ""))
        .otherwise(text)
    )
    parts = plain.str.extract_groups(_NUMBER[mark])
    sign = parts.struct.field("sign")
    raw_int = parts.struct.field("int").fill_null("")
    raw_frac = parts.struct.field("frac").fill_null("")
    int_digits = raw_int.str.strip_chars_start("0")
    frac_digits = raw_frac.str.strip_chars_end("0")
    is_zero = (int_digits == "") & (frac_digits == "")
    error = (
        pl.when(text.is_null())
        .then(pl.lit(None, pl.String))
        .when(sign.is_null() | ((raw_int == "") & (raw_frac == "")))
        .then(pl.lit("not a number"))
        .when((sign == "-") & ~is_zero)
        .then(pl.lit("negative value not allowed"))
        .when(int_digits.str.len_bytes() > INTEGER_DIGITS)
        .then(pl.lit(f"more than {INTEGER_DIGITS} integer digits"))
        .when(frac_digits.str.len_bytes() > FRACTION_DIGITS)
        .then(pl.lit(f"more than {FRACTION_DIGITS} decimal places"))
        .when(pl.lit(positive) & is_zero)
        .then(pl.lit("must be greater than 0"))
    )
    whole = int_digits.str.pad_start(1, "0").cast(pl.Int64, strict=False)
    fraction = frac_digits.str.pad_end(FRACTION_DIGITS, "0").cast(pl.Int64, strict=False)
    return _only_valid(pl.when(text.is_not_null()).then(whole * SCALE + fraction), error)


def integer_cell(text: pl.Expr, mark: DecimalMark, *, max_value: int) -> Parsed:
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
    return _only_valid((number.value // SCALE).cast(pl.Int32), error)


def bool_cell(text: pl.Expr) -> Parsed:
    value = text.str.to_lowercase().replace_strict(_BOOLS, default=None, return_dtype=pl.Boolean)
    error = pl.when(text.is_not_null() & value.is_null()).then(
        pl.lit("not a boolean: use true/false, yes/no, 1/0 or y/n")
    )
    return Parsed(value, error)


def date_cell(text: pl.Expr, date_format: DateFormat) -> Parsed:
    """ISO dates are always accepted; `date_format` decides how d/m/y-style dates are read."""
    shapes = [text.str.extract_groups(_DATE_PATTERNS["iso"])]
    if date_format != "iso":
        shapes.append(text.str.extract_groups(_DATE_PATTERNS[date_format]))
    year, month, day = (pl.coalesce([shape.struct.field(part) for shape in shapes]) for part in "ymd")
    value = pl.concat_str([year, month, day], separator="-").str.to_date("%Y-%m-%d", strict=False)
    error = (
        pl.when(text.is_not_null() & year.is_null())
        .then(pl.lit(f"not a date (expected {_DATE_HINTS[date_format]})"))
        .when(text.is_not_null() & value.is_null())
        .then(pl.lit("impossible date"))
    )
    return _only_valid(value, error)


def text_cell(text: pl.Expr, max_length: int) -> Parsed:
    error = pl.when(text.str.len_chars() > max_length).then(pl.lit(f"longer than {max_length} characters"))
    return _only_valid(text, error)


def choice_cell(text: pl.Expr, choices: tuple[str, ...]) -> Parsed:
    value = text.str.to_lowercase()
    error = pl.when(text.is_not_null() & ~value.is_in(choices)).then(
        pl.lit(f"must be one of: {', '.join(choices)}")
    )
    return _only_valid(value, error)


def currency_cell(text: pl.Expr) -> Parsed:
    value = text.str.to_uppercase()
    error = pl.when(~value.str.contains(r"^[A-Z]{3}$")).then(
        pl.lit("not an ISO 4217 currency code (3 letters)")
    )
    return _only_valid(value, error)


def email_cell(text: pl.Expr) -> Parsed:
    error = pl.when(~text.str.contains(_EMAIL) | (text.str.len_chars() > 254)).then(
        pl.lit("not a valid email address")
    )
    return _only_valid(text, error)


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
