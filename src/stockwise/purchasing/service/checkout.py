"""Checkout: the cart (or one supplier's part of it) becomes one draft PO per (supplier, location).

One transaction: the cart lines are locked, re-checked against today's catalogue and prices, the POs
written and the lines removed — if anything fails, no PO exists and the cart is as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stockwise.core.errors import ValidationFailed
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.models import CartItem, PurchaseOrder
from stockwise.purchasing.schemas import CheckoutRequest, PriceChangeRead
from stockwise.purchasing.service.cart import cart_catalog, cart_items
from stockwise.purchasing.service.catalog import CatalogSnapshot, Error, priced_line, raise_if_any
from stockwise.purchasing.service.documents import PoDraft, create_purchase_orders


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    purchase_orders: list[PurchaseOrder]
    price_changes: list[PriceChangeRead]


async def checkout_cart(uow: UnitOfWork, *, data: CheckoutRequest) -> CheckoutResult:
    """Turn the selected cart lines into draft POs and remove them from the cart."""
    repo = cart_items(uow)
    items = await repo.items(supplier_id=data.supplier_id, location_id=data.location_id, for_update=True)
    if not items:
        loc = ["body", "supplier_id"] if data.supplier_id is not None else ["body"]
        raise ValidationFailed.field(loc, "there are no cart lines to check out")
    catalog = await cart_catalog(uow, items)
    raise_if_any(_line_errors(items, catalog), "Some cart lines cannot be ordered any more")
    drafts = [
        PoDraft(
            supplier=catalog.suppliers[supplier_id],
            location_id=location_id,
            lines=[
                priced_line(
                    catalog,
                    product_id=item.product_id,
                    supplier_id=supplier_id,
                    quantity=item.quantity,
                    unit_price=None,
                )
                for item in group
            ],
            expected_date=data.expected_date,
            notes=data.notes,
        )
        for (supplier_id, location_id), group in _groups(items).items()
    ]
    price_changes = _price_changes(items, catalog)
    await repo.delete_ids([item.id for item in items])  # before numbering, which locks the counter
    purchase_orders = await create_purchase_orders(uow, drafts=drafts, source="checkout")
    return CheckoutResult(purchase_orders=purchase_orders, price_changes=price_changes)


def _groups(items: Sequence[CartItem]) -> dict[tuple[int, int], list[CartItem]]:
    """Cart lines by (supplier, location), in a stable order so PO numbers follow it."""
    groups: dict[tuple[int, int], list[CartItem]] = {}
    for item in sorted(items, key=lambda item: (item.supplier_id, item.location_id, item.id)):
        groups.setdefault((item.supplier_id, item.location_id), []).append(item)
    return groups


def _line_errors(items: Sequence[CartItem], catalog: CatalogSnapshot) -> list[Error]:
    """Each blocking problem names its cart line: ["cart", "items", <id>, <field>]."""
    errors: list[Error] = []
    for item in items:
        loc: list[str | int] = ["cart", "items", item.id]
        errors += [
            *catalog.check_product(item.product_id, [*loc, "product_id"]),
            *catalog.check_location(item.location_id, [*loc, "location_id"]),
            *catalog.check_supplier(item.supplier_id, [*loc, "supplier_id"]),
            *catalog.check_supplies(item.product_id, item.supplier_id, [*loc, "supplier_id"]),
        ]
    return errors


def _price_changes(items: Sequence[CartItem], catalog: CatalogSnapshot) -> list[PriceChangeRead]:
    """Lines whose supplier price moved since the planner last touched them (the new price was taken)."""
    changes = []
    for item in items:
        current = catalog.conditions[(item.product_id, item.supplier_id)].unit_price
        if current != item.unit_price:
            changes.append(
                PriceChangeRead(
                    cart_item_id=item.id,
                    product_id=item.product_id,
                    sku=catalog.products[item.product_id].sku,
                    previous_unit_price=item.unit_price,
                    unit_price=current,
                )
            )
    return changes
