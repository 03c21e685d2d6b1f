"""CSV formula-injection guard for every CSV we hand back to users (error reports, exports).

A spreadsheet treats a cell starting with `= + - @` (or tab/CR) as a formula; prefixing a single
quote makes it plain text. Numbers passed as numbers cannot carry a formula and are left as they are.
"""

from __future__ import annotations

from decimal import Decimal

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_cell(value: object) -> str:
    """Render `value` as CSV cell text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text
