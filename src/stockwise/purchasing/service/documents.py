"""Writing new purchase orders and their numbers (used by checkout and by direct creation).

Numbers are reserved late in the transaction, after every check passed, from a per-tenant counter row
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`): the row lock serialises concurrent creators, and a
rolled-back transaction gives its numbers back, so numbering is gapless in practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from stockwise.catalog.models import Supplier
from stockwise.core.errors import Conflict
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.models import PoStatus, PurchaseOrder, PurchaseOrderLine
from stockwise.purchasing.repository import (
    PoCounterRepository,
    PurchaseOrderLineRepository,
    PurchaseOrderRepository,
)
from stockwise.purchasing.rules import ZERO, format_po_number, line_total, numbering_period, sum_money
from stockwise.purchasing.service.catalog import PricedLine, tenant_today
from stockwise.tenancy.audit import record_audit, snapshot
from stockwise.tenancy.settings_service import get_client_settings

PO_AUDIT_FIELDS = (
    "po_number",
    "status",
    "supplier_id",
    "location_id",
    "currency",
    "expected_date",
    "notes",
    "total_amount",
    "version",
)
MAX_NUMBER_LENGTH = 64


@dataclass(frozen=True, slots=True)
class PoDraft:
    supplier: Supplier
    location_id: int
    lines: Sequence[PricedLine]
    expected_date: date | None
    notes: str | None


async def create_purchase_orders(
    uow: UnitOfWork, *, drafts: Sequence[PoDraft], source: str
) -> list[PurchaseOrder]:
    """Insert one draft PO per entry, numbered consecutively, each with its lines loaded.

    The counter row stays locked until commit, so callers do their other writes first and everything
    after it is batched: one INSERT for the POs, one for their lines, one for the audit events.
    """
    settings = await get_client_settings(uow)
    today = tenant_today(settings)
    numbers = await allocate_po_numbers(
        uow, number_format=settings.po_number_format, on=today, count=len(drafts)
    )
    repo = PurchaseOrderRepository(uow)
    pos = [
        repo.add(_new_purchase_order(uow, draft=draft, po_number=number, today=today))
        for draft, number in zip(drafts, numbers, strict=True)
    ]
    try:
        await uow.flush()
    except IntegrityError as exc:
        if "po_number" not in str(exc.orig):
            raise
        raise _unusable_format(numbers[0]) from exc
    line_repo = PurchaseOrderLineRepository(uow)
    rows = [
        [line_repo.add(row) for row in _line_rows(po, draft.lines)]
        for po, draft in zip(pos, drafts, strict=True)
    ]
    await uow.flush()
    for po, po_rows in zip(pos, rows, strict=True):
        set_committed_value(po, "lines", po_rows)
        await record_audit(
            uow,
            action="purchase_order.created",
            entity_type="purchase_order",
            entity_id=po.id,
            after={**snapshot(po, PO_AUDIT_FIELDS), "source": source, "line_count": len(po_rows)},
        )
    return pos


async def allocate_po_numbers(uow: UnitOfWork, *, number_format: str, on: date, count: int) -> list[str]:
    """Reserve `count` consecutive numbers of the tenant's format for the period containing `on`."""
    last = await PoCounterRepository(uow).advance(numbering_period(number_format, on), count)
    numbers = [format_po_number(number_format, on=on, seq=seq) for seq in range(last - count + 1, last + 1)]
    too_long = [number for number in numbers if len(number) > MAX_NUMBER_LENGTH]
    if too_long:
        raise _unusable_format(too_long[0])
    return numbers


def _unusable_format(number: str) -> Conflict:
    """Only a changed po_number_format can repeat an earlier number: refuse rather than reuse one."""
    return Conflict(
        f"the po_number_format setting yields an unusable PO number ({number}); change it",
        extra={"setting": "po_number_format"},
    )


def _new_purchase_order(uow: UnitOfWork, *, draft: PoDraft, po_number: str, today: date) -> PurchaseOrder:
    lead_time = max(line.lead_time_days for line in draft.lines)
    return PurchaseOrder(
        po_number=po_number,
        supplier_id=draft.supplier.id,
        location_id=draft.location_id,
        status=PoStatus.DRAFT,
        currency=draft.supplier.currency,
        order_date=today,
        expected_date=draft.expected_date or today + timedelta(days=lead_time),
        notes=draft.notes,
        total_amount=sum_money(line_total(line.quantity, line.unit_price) for line in draft.lines),
        version=1,
        created_by=uow.acting_user_id,
    )


def _line_rows(po: PurchaseOrder, lines: Sequence[PricedLine]) -> list[PurchaseOrderLine]:
    """`po`'s lines, numbered from 1, with their totals (the PO's total is the sum of these)."""
    return [
        PurchaseOrderLine(
            purchase_order_id=po.id,
            line_no=line_no,
            product_id=line.product_id,
            sku=line.sku,
            product_name=line.product_name,
            supplier_sku=line.supplier_sku,
            unit=line.unit,
            quantity_ordered=line.quantity,
            quantity_received=ZERO,
            unit_price=line.unit_price,
            line_total=line_total(line.quantity, line.unit_price),
        )
        for line_no, line in enumerate(lines, start=1)
    ]


async def replace_lines(uow: UnitOfWork, *, po: PurchaseOrder, lines: Sequence[PricedLine]) -> None:
    """Give a draft exactly these lines and the matching total; flushes."""
    repo = PurchaseOrderLineRepository(uow)
    await repo.delete_of(po.id)
    rows = [repo.add(row) for row in _line_rows(po, lines)]
    po.total_amount = sum_money(row.line_total for row in rows)
    await uow.flush()
    set_committed_value(po, "lines", rows)
