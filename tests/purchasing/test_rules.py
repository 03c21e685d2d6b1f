"""Pure purchasing rules: rounding, warnings, money, receipt limits, statuses and numbering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stockwise.purchasing.models import PoStatus
from stockwise.purchasing.rules import (
    format_po_number,
    line_total,
    numbering_period,
    quantity_warnings,
    receipt_limit,
    round_order_quantity,
    status_after_receipt,
    sum_money,
)

D = Decimal


@pytest.mark.parametrize(
    ("quantity", "moq", "pack", "expected"),
    [
        ("7", "50", "12", "60"),  # MOQ first, then whole packs
        ("61", "50", "12", "72"),
        ("48", "0", "12", "48"),  # already a whole number of packs
        ("0.5", "0", "0.25", "0.5"),
        ("3", "5", "0", "5"),  # no pack size: MOQ only
        ("1.1", "0", "1", "2"),
    ],
)
def test_round_order_quantity(quantity: str, moq: str, pack: str, expected: str) -> None:
    assert round_order_quantity(D(quantity), moq=D(moq), pack_size=D(pack)) == D(expected)


def test_quantity_warnings() -> None:
    assert [w.code for w in quantity_warnings(D(7), moq=D(50), pack_size=D(12))] == [
        "below_moq",
        "not_pack_multiple",
    ]
    assert quantity_warnings(D(60), moq=D(50), pack_size=D(12)) == []
    assert [w.code for w in quantity_warnings(D(61), moq=D(50), pack_size=D(0))] == []


def test_money_is_exact_and_rounded_half_up() -> None:
    assert line_total(D("3"), D("0.3333")) == D("0.9999")
    assert line_total(D("0.5"), D("0.0001")) == D("0.0001")  # 0.00005 rounds up
    assert sum_money([D("0.1")] * 10) == D("1.0000")
    assert sum_money([]) == D("0.0000")


def test_receipt_limit_uses_the_tolerance() -> None:
    assert receipt_limit(D(10), 0.0) == D(10)
    assert receipt_limit(D(10), 0.05) == D("10.5")


@pytest.mark.parametrize(
    ("lines", "fallback", "expected"),
    [
        ([("10", "10"), ("5", "6")], PoStatus.CONFIRMED, PoStatus.RECEIVED),
        ([("10", "3"), ("5", "0")], PoStatus.CONFIRMED, PoStatus.PARTIALLY_RECEIVED),
        ([("10", "0")], PoStatus.CONFIRMED, PoStatus.CONFIRMED),
        ([("10", "0")], PoStatus.SUBMITTED, PoStatus.SUBMITTED),
    ],
)
def test_status_after_receipt(lines: list[tuple[str, str]], fallback: PoStatus, expected: PoStatus) -> None:
    assert status_after_receipt(((D(o), D(r)) for o, r in lines), fallback=fallback) == expected


@pytest.mark.parametrize(
    ("fmt", "period", "number"),
    [
        ("PO-{year}-{seq:06d}", "2026", "PO-2026-000042"),
        ("{year}/{month:02d}/{seq}", "2026-03", "2026/03/42"),
        ("ORD{seq:05d}", "all", "ORD00042"),
    ],
)
def test_numbering(fmt: str, period: str, number: str) -> None:
    day = date(2026, 3, 9)
    assert numbering_period(fmt, day) == period
    assert format_po_number(fmt, on=day, seq=42) == number
