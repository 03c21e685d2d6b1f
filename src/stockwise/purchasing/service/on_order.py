"""On-order quantities per SKU-location, for inventory metrics and the stock and product views.

On order = ordered − received (never below zero per line) on open POs: submitted, confirmed and
partially received. Drafts are not on order (nothing was sent to the supplier yet), and neither is
the unreceived rest of a closed or cancelled PO.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.repository import PurchaseOrderLineRepository
from stockwise.purchasing.rules import ON_ORDER


async def on_order_quantities(
    uow: UnitOfWork,
    *,
    pairs: Sequence[tuple[int, int]] | None = None,
    product_ids: Sequence[int] | None = None,
) -> dict[tuple[int, int], Decimal]:
    """Open quantity keyed by (product_id, location_id); only SKU-locations with something on order.

    Give the (product, location) pairs you show, or product ids (every location of those products),
    or neither (the whole tenant). One statement per 2,000 keys, whatever the page size.
    """
    keys = sorted(set(pairs)) if pairs is not None else None
    ids = sorted(set(product_ids)) if product_ids is not None else None
    if keys == [] or ids == []:
        return {}
    statuses = [status.value for status in ON_ORDER]
    return await PurchaseOrderLineRepository(uow).on_order(statuses, pairs=keys, product_ids=ids)
