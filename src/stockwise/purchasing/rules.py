"""Pure purchasing rules: order-quantity rounding, line warnings, money, the PO lifecycle and numbering.

No database here: everything is Decimal in, Decimal out, so totals are identical on every database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from stockwise.purchasing.models import PoStatus

MONEY_QUANTUM = Decimal("0.0001")
ZERO = Decimal(0).quantize(MONEY_QUANTUM)

#: Which statuses each action may start from, and the status it leads to.
TRANSITIONS: dict[str, tuple[frozenset[PoStatus], PoStatus]] = {
    "submit": (frozenset({PoStatus.DRAFT}), PoStatus.SUBMITTED),
    "confirm": (frozenset({PoStatus.SUBMITTED}), PoStatus.CONFIRMED),
    "cancel": (frozenset({PoStatus.DRAFT, PoStatus.SUBMITTED, PoStatus.CONFIRMED}), PoStatus.CANCELLED),
    "close": (frozenset({PoStatus.PARTIALLY_RECEIVED}), PoStatus.CLOSED),
}
RECEIVABLE = frozenset({PoStatus.SUBMITTED, PoStatus.CONFIRMED, PoStatus.PARTIALLY_RECEIVED})
REVERSIBLE = frozenset({PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED})
#: Open POs count as "on order". Drafts do not: nothing has been sent to the supplier yet.
ON_ORDER = frozenset({PoStatus.SUBMITTED, PoStatus.CONFIRMED, PoStatus.PARTIALLY_RECEIVED})


@dataclass(frozen=True, slots=True)
class LineWarning:
    code: str
    message: str


def round_order_quantity(quantity: Decimal, *, moq: Decimal, pack_size: Decimal) -> Decimal:
    """Raise `quantity` to the minimum order quantity, then up to a whole number of packs."""
    rounded = max(quantity, moq)
    if pack_size > 0:
        packs = (rounded / pack_size).to_integral_value(rounding=ROUND_CEILING)
        rounded = packs * pack_size
    return rounded


def quantity_warnings(quantity: Decimal, *, moq: Decimal, pack_size: Decimal) -> list[LineWarning]:
    """Why the supplier might refuse or adjust this quantity (MOQ, pack size)."""
    warnings = []
    if quantity < moq:
        warnings.append(LineWarning("below_moq", f"below the minimum order quantity {moq.normalize():f}"))
    if pack_size > 0 and quantity % pack_size != 0:
        warnings.append(
            LineWarning("not_pack_multiple", f"not a multiple of the pack size {pack_size.normalize():f}")
        )
    return warnings


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def sum_money(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0)).quantize(MONEY_QUANTUM)


def receipt_limit(ordered: Decimal, tolerance_pct: float) -> Decimal:
    """The most that may be received on a line: ordered plus the tenant's over-receipt tolerance."""
    return ordered * (1 + Decimal(str(tolerance_pct)))


def status_after_receipt(lines: Iterable[tuple[Decimal, Decimal]], *, fallback: PoStatus) -> PoStatus:
    """Status from (ordered, received) per line; `fallback` applies when nothing is received any more."""
    pairs = list(lines)
    if all(received >= ordered for ordered, received in pairs):
        return PoStatus.RECEIVED
    if any(received > 0 for _, received in pairs):
        return PoStatus.PARTIALLY_RECEIVED
    return fallback


def numbering_period(number_format: str, on: date) -> str:
    """The counter period of a PO number format: a month, a year, or one sequence for ever."""
    if "{month" in number_format:
        return f"{on.year:04d}-{on.month:02d}"
    if "{year" in number_format:
        return f"{on.year:04d}"
    return "all"


def format_po_number(number_format: str, *, on: date, seq: int) -> str:
    return number_format.format(year=on.year, month=on.month, seq=seq)
