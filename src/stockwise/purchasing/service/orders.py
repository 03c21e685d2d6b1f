"""Purchase orders: direct creation, draft edits guarded by ETag, the lifecycle, reads.

Every state change locks the PO row first (so concurrent edits queue), bumps `version` (the ETag)
and writes an audit event with before/after.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from stockwise.catalog.models import Supplier
from stockwise.core.errors import PreconditionFailed, ValidationFailed
from stockwise.core.repository import Page
from stockwise.core.types import utcnow
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.errors import IllegalTransition, PreconditionRequired
from stockwise.purchasing.models import PoStatus, PurchaseOrder
from stockwise.purchasing.repository import PurchaseOrderRepository
from stockwise.purchasing.rules import TRANSITIONS
from stockwise.purchasing.schemas import PurchaseOrderCreate, PurchaseOrderLineInput, PurchaseOrderUpdate
from stockwise.purchasing.service.catalog import Error, PricedLine, load_catalog, priced_line, raise_if_any
from stockwise.purchasing.service.documents import (
    PO_AUDIT_FIELDS,
    PoDraft,
    create_purchase_orders,
    replace_lines,
)
from stockwise.tenancy.audit import record_audit, snapshot


def etag_of(po: PurchaseOrder) -> str:
    return f'"{po.version}"'


async def create_purchase_order(uow: UnitOfWork, *, data: PurchaseOrderCreate) -> PurchaseOrder:
    """A draft PO with the given lines, priced from the supplier's conditions unless a price is given."""
    supplier, lines = await _priced_lines(
        uow, supplier_id=data.supplier_id, location_id=data.location_id, lines=data.lines
    )
    draft = PoDraft(
        supplier=supplier,
        location_id=data.location_id,
        lines=lines,
        expected_date=data.expected_date,
        notes=data.notes,
    )
    (po,) = await create_purchase_orders(uow, drafts=[draft], source="direct")
    return po


async def update_purchase_order(
    uow: UnitOfWork, *, purchase_order_id: int, data: PurchaseOrderUpdate, if_match: str | None
) -> PurchaseOrder:
    """Edit a draft's lines, expected date or notes, only if the caller saw its current version."""
    po = await PurchaseOrderRepository(uow).get(purchase_order_id, for_update=True)
    _check_if_match(po, if_match)
    if po.status != PoStatus.DRAFT:
        raise IllegalTransition(po_number=po.po_number, status=po.status, action="edit")
    before = snapshot(po, PO_AUDIT_FIELDS)
    changes = data.model_dump(exclude_unset=True, exclude={"lines"})
    if changes.get("expected_date", po.expected_date) is None:
        raise ValidationFailed.field(["body", "expected_date"], "may not be null")
    for field, value in changes.items():
        setattr(po, field, value)
    if data.lines is not None:
        _, lines = await _priced_lines(
            uow, supplier_id=po.supplier_id, location_id=po.location_id, lines=data.lines
        )
        await replace_lines(uow, po=po, lines=lines)
    po.version += 1
    await uow.flush()
    await record_audit(
        uow,
        action="purchase_order.updated",
        entity_type="purchase_order",
        entity_id=po.id,
        before=before,
        after=snapshot(po, PO_AUDIT_FIELDS),
    )
    return await get_purchase_order(uow, purchase_order_id=po.id)


def _check_if_match(po: PurchaseOrder, if_match: str | None) -> None:
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the ETag of the version you edited")
    if etag_of(po) not in {tag.strip() for tag in if_match.split(",")}:
        raise PreconditionFailed(
            f"purchase order {po.po_number} changed since you read it (now version {po.version})"
        )


async def _priced_lines(
    uow: UnitOfWork, *, supplier_id: int, location_id: int, lines: Sequence[PurchaseOrderLineInput]
) -> tuple[Supplier, list[PricedLine]]:
    product_ids = [line.product_id for line in lines]
    catalog = await load_catalog(
        uow,
        product_ids=product_ids,
        supplier_ids=[supplier_id],
        location_ids=[location_id],
        pairs=[(product_id, supplier_id) for product_id in product_ids],
    )
    errors: list[Error] = [
        *catalog.check_supplier(supplier_id, ["body", "supplier_id"]),
        *catalog.check_location(location_id, ["body", "location_id"]),
    ]
    for index, line in enumerate(lines):
        loc: list[str | int] = ["body", "lines", index, "product_id"]
        if line.product_id in product_ids[:index]:
            errors.append({"loc": loc, "msg": "product appears on more than one line", "type": "value_error"})
        errors += catalog.check_product(line.product_id, loc) + catalog.check_supplies(
            line.product_id, supplier_id, loc
        )
    raise_if_any(errors, "Some lines cannot be ordered")
    priced = [
        priced_line(
            catalog,
            product_id=line.product_id,
            supplier_id=supplier_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line in lines
    ]
    return catalog.suppliers[supplier_id], priced


async def _transition(uow: UnitOfWork, *, purchase_order_id: int, action: str) -> PurchaseOrder:
    allowed_from, target = TRANSITIONS[action]
    po = await PurchaseOrderRepository(uow).get(purchase_order_id, for_update=True)
    if po.status not in allowed_from:
        raise IllegalTransition(po_number=po.po_number, status=po.status, action=action)
    before = snapshot(po, PO_AUDIT_FIELDS)
    po.status = target
    if target == PoStatus.SUBMITTED:
        po.submitted_at = utcnow()
    elif target == PoStatus.CONFIRMED:
        po.confirmed_at = utcnow()
    po.version += 1
    await uow.flush()
    await record_audit(
        uow,
        action=f"purchase_order.{target.value}",
        entity_type="purchase_order",
        entity_id=po.id,
        before=before,
        after=snapshot(po, PO_AUDIT_FIELDS),
    )
    return await get_purchase_order(uow, purchase_order_id=po.id)


async def submit_purchase_order(uow: UnitOfWork, *, purchase_order_id: int) -> PurchaseOrder:
    """Send a draft to the supplier: from now on it is on order and no longer editable."""
    return await _transition(uow, purchase_order_id=purchase_order_id, action="submit")


async def confirm_purchase_order(uow: UnitOfWork, *, purchase_order_id: int) -> PurchaseOrder:
    return await _transition(uow, purchase_order_id=purchase_order_id, action="confirm")


async def cancel_purchase_order(uow: UnitOfWork, *, purchase_order_id: int) -> PurchaseOrder:
    """Cancel before anything arrived; the PO keeps its number."""
    return await _transition(uow, purchase_order_id=purchase_order_id, action="cancel")


async def close_purchase_order(uow: UnitOfWork, *, purchase_order_id: int) -> PurchaseOrder:
    """Close short: the unreceived rest is no longer on order."""
    return await _transition(uow, purchase_order_id=purchase_order_id, action="close")


async def get_purchase_order(uow: UnitOfWork, *, purchase_order_id: int) -> PurchaseOrder:
    """A PO with its lines (two statements)."""
    return await PurchaseOrderRepository(uow).get_with_lines(purchase_order_id)


async def list_purchase_orders(
    uow: UnitOfWork,
    *,
    page: int,
    page_size: int,
    status: PoStatus | None = None,
    supplier_id: int | None = None,
    location_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Page[PurchaseOrder]:
    """POs newest first, filtered by status, supplier, location and order-date range (two statements)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationFailed.field(["query", "date_from"], "date_from must not be after date_to")
    return await PurchaseOrderRepository(uow).list(
        page=page,
        page_size=page_size,
        status=status,
        supplier_id=supplier_id,
        location_id=location_id,
        date_from=date_from,
        date_to=date_to,
    )
