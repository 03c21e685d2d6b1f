"""Stock changes made by receiving: the level (on hand) and a movement row, in the caller's transaction.

Kept here until the inventory service offers batched movements; levels are locked in (product,
location) order, the same order every writer uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from stockwise.core.unit_of_work import UnitOfWork
from stockwise.inventory.models import StockMovement
from stockwise.purchasing.repository import StockLevelRepository


@dataclass(frozen=True, slots=True)
class StockChange:
    product_id: int
    location_id: int
    quantity: Decimal


async def apply_stock_changes(
    uow: UnitOfWork, *, changes: Sequence[StockChange], reason: str, reference: str, note: str | None = None
) -> None:
    levels = await StockLevelRepository(uow).lock_levels([(c.product_id, c.location_id) for c in changes])
    for change in changes:
        levels[(change.product_id, change.location_id)].on_hand += change.quantity
        uow.session.add(
            StockMovement(
                client_id=uow.client_id,
                product_id=change.product_id,
                location_id=change.location_id,
                quantity=change.quantity,
                reason=reason,
                reference=reference,
                note=note,
                created_by=uow.acting_user_id,
            )
        )
    await uow.flush()
