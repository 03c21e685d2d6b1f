"""Receiving goods against a PO, and reversing a receipt — each in one transaction.

Locks are taken in a fixed order (the PO row, its lines by id, stock levels by product and location),
so two concurrent receipts queue and the second sees what the first received: together they can
never exceed ordered × (1 + tolerance). Receipts are never edited; a reversal is a compensating
receipt with negative quantities and a matching stock movement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy.orm.attributes import set_committed_value

from stockwise.core.errors import Conflict
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.inventory.schemas import MovementReason, StockMovementInput
from stockwise.inventory.service import apply_stock_movements
from stockwise.purchasing.errors import IllegalTransition
from stockwise.purchasing.models import PoStatus, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from stockwise.purchasing.repository import (
    PurchaseOrderLineRepository,
    PurchaseOrderRepository,
    ReceiptRepository,
)
from stockwise.purchasing.rules import RECEIVABLE, REVERSIBLE, receipt_limit, status_after_receipt
from stockwise.purchasing.schemas import ReceiptCreate, ReceiptLineInput
from stockwise.purchasing.service.catalog import Error, raise_if_any
from stockwise.purchasing.service.documents import PO_AUDIT_FIELDS
from stockwise.purchasing.service.orders import get_purchase_order
from stockwise.tenancy.audit import record_audit, snapshot
from stockwise.tenancy.settings_service import get_client_settings


async def receive_purchase_order(
    uow: UnitOfWork, *, purchase_order_id: int, data: ReceiptCreate
) -> tuple[Receipt, PurchaseOrder]:
    """Record goods received on some lines: receipt, received quantities, stock and PO status together."""
    po = await PurchaseOrderRepository(uow).get(purchase_order_id, for_update=True)
    if po.status not in RECEIVABLE:
        raise IllegalTransition(po_number=po.po_number, status=po.status, action="receive")
    lines = {
        line.id: line for line in await PurchaseOrderLineRepository(uow).lines_of(po.id, for_update=True)
    }
    tolerance = (await get_client_settings(uow)).receipt_tolerance_pct
    raise_if_any(_receipt_errors(data.lines, lines, tolerance), "This receipt cannot be recorded")
    quantities = [(lines[entry.line_id], entry.quantity) for entry in data.lines]
    receipt = await _record_receipt(
        uow, po=po, lines=lines.values(), quantities=quantities, note=data.note, reverses=None
    )
    return receipt, await get_purchase_order(uow, purchase_order_id=po.id)


async def reverse_receipt(
    uow: UnitOfWork, *, purchase_order_id: int, receipt_id: int, note: str | None
) -> tuple[Receipt, PurchaseOrder]:
    """Undo a receipt with a compensating one (negative quantities, stock taken back out)."""
    po = await PurchaseOrderRepository(uow).get(purchase_order_id, for_update=True)
    receipts = ReceiptRepository(uow)
    original = await receipts.get_of(po.id, receipt_id)
    if original.reverses_receipt_id is not None:
        raise Conflict(f"receipt {receipt_id} is itself a reversal")
    if await receipts.find_reversal_of(original.id) is not None:
        raise Conflict(f"receipt {receipt_id} was already reversed")
    if po.status not in REVERSIBLE:
        raise IllegalTransition(po_number=po.po_number, status=po.status, action="reverse a receipt")
    lines = {
        line.id: line for line in await PurchaseOrderLineRepository(uow).lines_of(po.id, for_update=True)
    }
    quantities = [(lines[entry.purchase_order_line_id], -entry.quantity) for entry in original.lines]
    receipt = await _record_receipt(
        uow, po=po, lines=lines.values(), quantities=quantities, note=note, reverses=original.id
    )
    return receipt, await get_purchase_order(uow, purchase_order_id=po.id)


async def list_receipts(uow: UnitOfWork, *, purchase_order_id: int) -> Sequence[Receipt]:
    """A PO's receipts with their lines, oldest first (three statements)."""
    po = await PurchaseOrderRepository(uow).get(purchase_order_id)
    return await ReceiptRepository(uow).receipts_of(po.id)


def _receipt_errors(
    entries: Sequence[ReceiptLineInput], lines: dict[int, PurchaseOrderLine], tolerance: float
) -> list[Error]:
    errors: list[Error] = []
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        loc: list[str | int] = ["body", "lines", index]
        line = lines.get(entry.line_id)
        if line is None or entry.line_id in seen:
            msg = (
                "not a line of this purchase order" if line is None else "line appears twice in this receipt"
            )
            errors.append({"loc": [*loc, "line_id"], "msg": msg, "type": "value_error"})
            continue
        seen.add(entry.line_id)
        limit = receipt_limit(line.quantity_ordered, tolerance)
        if line.quantity_received + entry.quantity > limit:
            room = max(limit - line.quantity_received, Decimal(0))
            msg = f"over-receipt: at most {room.normalize():f} more may be received on line {line.line_no}"
            errors.append({"loc": [*loc, "quantity"], "msg": msg, "type": "over_receipt"})
    return errors


async def _record_receipt(
    uow: UnitOfWork,
    *,
    po: PurchaseOrder,
    lines: Iterable[PurchaseOrderLine],
    quantities: Sequence[tuple[PurchaseOrderLine, Decimal]],
    note: str | None,
    reverses: int | None,
) -> Receipt:
    """The receipt row and its lines, the received quantities, the stock, then the PO's status."""
    before = snapshot(po, PO_AUDIT_FIELDS)
    receipt = await _insert_receipt(uow, po=po, quantities=quantities, note=note, reverses=reverses)
    for line, quantity in quantities:
        line.quantity_received += quantity
    reason = MovementReason.RECEIPT if reverses is None else MovementReason.RECEIPT_REVERSAL
    await apply_stock_movements(
        uow,
        [
            StockMovementInput(line.product_id, po.location_id, quantity, reason, po.po_number, note)
            for line, quantity in quantities
        ],
    )
    fallback = PoStatus.CONFIRMED if po.confirmed_at is not None else PoStatus.SUBMITTED
    po.status = status_after_receipt(
        ((line.quantity_ordered, line.quantity_received) for line in lines), fallback=fallback
    )
    po.version += 1
    await uow.flush()
    await record_audit(
        uow,
        action="receipt.created" if reverses is None else "receipt.reversed",
        entity_type="purchase_order",
        entity_id=po.id,
        before=before,
        after={
            **snapshot(po, PO_AUDIT_FIELDS),
            "receipt_id": receipt.id,
            "reverses_receipt_id": reverses,
            "lines": {str(line.id): quantity for line, quantity in quantities},
        },
    )
    return receipt


async def _insert_receipt(
    uow: UnitOfWork,
    *,
    po: PurchaseOrder,
    quantities: Sequence[tuple[PurchaseOrderLine, Decimal]],
    note: str | None,
    reverses: int | None,
) -> Receipt:
    receipt = ReceiptRepository(uow).add(
        Receipt(
            purchase_order_id=po.id, reverses_receipt_id=reverses, note=note, created_by=uow.acting_user_id
        )
    )
    await uow.flush()
    rows = [
        ReceiptLine(
            client_id=uow.client_id,
            receipt_id=receipt.id,
            purchase_order_line_id=line.id,
            product_id=line.product_id,
            quantity=quantity,
        )
        for line, quantity in quantities
    ]
    uow.session.add_all(rows)
    set_committed_value(receipt, "lines", rows)
    return receipt
