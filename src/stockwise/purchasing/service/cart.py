"""The acting user's cart. Cart identity is (tenant, user) and is derived in `cart_items` only.

Lines are unique per (product, location, supplier): adding an existing line adds to it. The price
the planner saw is kept on the line and re-checked at checkout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TypeVar

from stockwise.core.errors import Unauthorized, ValidationFailed
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.models import CartItem
from stockwise.purchasing.repository import CartItemRepository
from stockwise.purchasing.rules import line_total, quantity_warnings, round_order_quantity, sum_money
from stockwise.purchasing.schemas import (
    CartGroupRead,
    CartItemCreate,
    CartItemUpdate,
    CartLineRead,
    CartRead,
    LocationRef,
    SupplierRef,
    SupplierTotalRead,
    WarningRead,
)
from stockwise.purchasing.service.catalog import CatalogSnapshot, Error, load_catalog, raise_if_any
from stockwise.tenancy.audit import record_audit, snapshot

K = TypeVar("K")
MAX_CART_LINES = 1000
CART_AUDIT_FIELDS = ("product_id", "location_id", "supplier_id", "quantity", "unit_price")


def cart_items(uow: UnitOfWork) -> CartItemRepository:
    """The one derivation of cart identity: the authenticated principal's user in its tenant."""
    if uow.principal is None:
        raise Unauthorized()
    return CartItemRepository(uow, user_id=uow.principal.user_id)


async def cart_catalog(uow: UnitOfWork, items: Sequence[CartItem]) -> CatalogSnapshot:
    return await load_catalog(
        uow,
        product_ids=[item.product_id for item in items],
        supplier_ids=[item.supplier_id for item in items],
        location_ids=[item.location_id for item in items],
        pairs=[(item.product_id, item.supplier_id) for item in items],
    )


async def add_cart_item(uow: UnitOfWork, *, data: CartItemCreate, round_up: bool = False) -> CartLineRead:
    """Add a quantity of a product for a location from a supplier that supplies it."""
    repo = cart_items(uow)
    catalog = await load_catalog(
        uow,
        product_ids=[data.product_id],
        supplier_ids=[data.supplier_id],
        location_ids=[data.location_id],
        pairs=[(data.product_id, data.supplier_id)],
    )
    raise_if_any(_new_line_errors(catalog, data), "This line cannot be added to the cart")
    condition = catalog.conditions[(data.product_id, data.supplier_id)]
    item_id = await repo.add_quantity(
        product_id=data.product_id,
        location_id=data.location_id,
        supplier_id=data.supplier_id,
        quantity=data.quantity,
        unit_price=condition.unit_price,
    )
    if await repo.count() > MAX_CART_LINES:
        raise ValidationFailed.field(
            ["body"], f"a cart holds at most {MAX_CART_LINES} lines; check out first"
        )
    item = await repo.get(item_id)
    if round_up:
        item.quantity = round_order_quantity(item.quantity, moq=condition.moq, pack_size=condition.pack_size)
        await uow.flush()
    await record_audit(
        uow,
        action="cart.item_added",
        entity_type="cart_item",
        entity_id=item.id,
        after={**snapshot(item, CART_AUDIT_FIELDS), "added": data.quantity},
    )
    return cart_line(item, catalog)


def _new_line_errors(catalog: CatalogSnapshot, data: CartItemCreate) -> list[Error]:
    return [
        *catalog.check_product(data.product_id, ["body", "product_id"]),
        *catalog.check_location(data.location_id, ["body", "location_id"]),
        *catalog.check_supplier(data.supplier_id, ["body", "supplier_id"]),
        *catalog.check_supplies(data.product_id, data.supplier_id, ["body", "supplier_id"]),
    ]


async def update_cart_item(
    uow: UnitOfWork, *, item_id: int, data: CartItemUpdate, round_up: bool = False
) -> CartLineRead:
    """Set a line's quantity (refreshing the price the planner sees)."""
    item = await cart_items(uow).get(item_id, for_update=True)
    catalog = await cart_catalog(uow, [item])
    before = snapshot(item, CART_AUDIT_FIELDS)
    item.quantity = data.quantity
    condition = catalog.condition(item.product_id, item.supplier_id)
    if condition is not None:
        item.unit_price = condition.unit_price
        if round_up:
            item.quantity = round_order_quantity(
                item.quantity, moq=condition.moq, pack_size=condition.pack_size
            )
    await uow.flush()
    await record_audit(
        uow,
        action="cart.item_updated",
        entity_type="cart_item",
        entity_id=item.id,
        before=before,
        after=snapshot(item, CART_AUDIT_FIELDS),
    )
    return cart_line(item, catalog)


async def remove_cart_item(uow: UnitOfWork, *, item_id: int) -> None:
    repo = cart_items(uow)
    item = await repo.get(item_id, for_update=True)
    before = snapshot(item, CART_AUDIT_FIELDS)
    await repo.delete_ids([item.id])
    await record_audit(
        uow, action="cart.item_removed", entity_type="cart_item", entity_id=item_id, before=before
    )


async def clear_cart(uow: UnitOfWork) -> None:
    removed = await cart_items(uow).clear()
    await record_audit(uow, action="cart.cleared", entity_type="cart", before={"line_count": removed})


async def get_cart(uow: UnitOfWork) -> CartRead:
    """Lines grouped by (supplier, location) with totals and MOQ/pack warnings: five statements."""
    items = await cart_items(uow).items()
    catalog = await cart_catalog(uow, items)
    lines = sorted(
        (cart_line(item, catalog) for item in items), key=lambda line: (line.supplier_id, line.location_id)
    )
    groups = [
        CartGroupRead(
            supplier=SupplierRef.model_validate(catalog.suppliers[supplier_id]),
            location=LocationRef.model_validate(catalog.locations[location_id]),
            lines=group,
            total=sum_money(line.line_total for line in group),
        )
        for (supplier_id, location_id), group in _grouped(
            lines, lambda line: (line.supplier_id, line.location_id)
        )
    ]
    totals = [
        SupplierTotalRead(
            supplier_id=supplier_id,
            currency=catalog.suppliers[supplier_id].currency,
            line_count=len(group),
            total=sum_money(line.line_total for line in group),
        )
        for supplier_id, group in _grouped(lines, lambda line: line.supplier_id)
    ]
    return CartRead(groups=groups, supplier_totals=totals, line_count=len(lines))


def _grouped(
    lines: Sequence[CartLineRead], key: Callable[[CartLineRead], K]
) -> list[tuple[K, list[CartLineRead]]]:
    """Consecutive runs of `lines` (already sorted by `key`)."""
    return [(value, list(run)) for value, run in groupby(lines, key=key)]


def cart_line(item: CartItem, catalog: CatalogSnapshot) -> CartLineRead:
    """A cart line as the planner sees it, warning about anything checkout would refuse or adjust."""
    product = catalog.products[item.product_id]
    condition = catalog.condition(item.product_id, item.supplier_id)
    return CartLineRead(
        id=item.id,
        product_id=item.product_id,
        sku=product.sku,
        product_name=product.name,
        unit=product.unit,
        location_id=item.location_id,
        supplier_id=item.supplier_id,
        quantity=item.quantity,
        unit_price=item.unit_price,
        current_unit_price=condition.unit_price if condition else None,
        line_total=line_total(item.quantity, condition.unit_price if condition else item.unit_price),
        moq=condition.moq if condition else None,
        pack_size=condition.pack_size if condition else None,
        lead_time_days=condition.lead_time_days if condition else None,
        warnings=_line_warnings(item, catalog),
    )


def _line_warnings(item: CartItem, catalog: CatalogSnapshot) -> list[WarningRead]:
    loc: list[str | int] = []
    blocking = [
        *catalog.check_product(item.product_id, loc),
        *catalog.check_location(item.location_id, loc),
        *catalog.check_supplier(item.supplier_id, loc),
        *catalog.check_supplies(item.product_id, item.supplier_id, loc),
    ]
    warnings = [WarningRead(code="cannot_order", message=error["msg"]) for error in blocking]
    condition = catalog.condition(item.product_id, item.supplier_id)
    if condition is None:
        return warnings
    if condition.unit_price != item.unit_price:
        warnings.append(WarningRead(code="price_changed", message=f"price is now {condition.unit_price}"))
    rule_warnings = quantity_warnings(item.quantity, moq=condition.moq, pack_size=condition.pack_size)
    return warnings + [WarningRead(code=w.code, message=w.message) for w in rule_warnings]
