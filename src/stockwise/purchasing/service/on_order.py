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
    uow: UnitOfWork, *, pairs: Sequence[tuple[int, int]] | None = None
) -> dict[tuple[int, int], Decimal]:
    """Open quantity keyed by (product_id, location_id); only pairs with something on order appear.

    `pairs=None` answers for every SKU-location of the tenant; otherwise one statement per 2,000 pairs.
    """
    if pairs is not None and not pairs:
        return {}
    unique = None if pairs is None else sorted(set(pairs))
    return await PurchaseOrderLineRepository(uow).on_order([status.value for status in ON_ORDER], unique)
