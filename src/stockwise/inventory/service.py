"""Stock levels change only together with a movement row, in the caller's transaction.

Writers lock the level rows in (product_id, location_id) order before reading them, so concurrent
adjustments and receipts never lose an update; other domains call `apply_stock_movement(s)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import polars as pl
from sqlalchemy import Select

from stockwise.catalog import service as catalog
from stockwise.catalog.models import Location, Product
from stockwise.catalog.service import CatalogIds
from stockwise.core.errors import NotFound, ValidationFailed
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.inventory.models import StockLevel, StockMovement
from stockwise.inventory.repository import Key, StockLevelRepository, StockMovementRepository
from stockwise.inventory.schemas import (
    MovementReason,
    StockAdjustmentCreate,
    StockAdjustmentRead,
    StockAtLocationRead,
    StockLevelRead,
    StockMovementInput,
    StockMovementRead,
)


async def apply_stock_movements(uow: UnitOfWork, movements: Sequence[StockMovementInput]) -> list[StockLevel]:
    """Apply many movements at once (e.g. a receipt's lines); returns the levels in input order.

    Ids must be the tenant's (the composite foreign keys refuse anything else). Rows are locked in
    (product_id, location_id) order, whatever the input order.
    """
    levels = await StockLevelRepository(uow).lock([(m.product_id, m.location_id) for m in movements])
    await _apply_locked(uow, levels, movements)
    return [levels[(m.product_id, m.location_id)] for m in movements]


async def apply_stock_movement(
    uow: UnitOfWork,
    *,
    product_id: int,
    location_id: int,
    quantity: Decimal,
    reason: MovementReason,
    reference: str | None = None,
    note: str | None = None,
) -> StockLevel:
    """Add `quantity` (signed) to on-hand at one location and record why; returns the new level."""
    movement = StockMovementInput(product_id, location_id, quantity, reason, reference, note)
    (level,) = await apply_stock_movements(uow, [movement])
    return level


async def _apply_locked(
    uow: UnitOfWork, levels: dict[Key, StockLevel], movements: Sequence[StockMovementInput]
) -> list[StockMovement]:
    repo = StockMovementRepository(uow)
    written = []
    for m in movements:
        levels[(m.product_id, m.location_id)].on_hand += m.quantity
        written.append(
            repo.add(
                StockMovement(
                    product_id=m.product_id,
                    location_id=m.location_id,
                    quantity=m.quantity,
                    reason=m.reason,
                    reference=m.reference,
                    note=m.note,
                    created_by=uow.acting_user_id,
                )
            )
        )
    await uow.flush()
    return written


async def adjust_stock(uow: UnitOfWork, *, data: StockAdjustmentCreate) -> StockAdjustmentRead:
    """A manual correction: a signed `quantity`, or `set_on_hand` after a count (movement = difference)."""
    _check_adjustment(data)
    product, location = await _product_and_location(uow, data)
    key = (data.product_id, data.location_id)
    levels = await StockLevelRepository(uow).lock([key])
    entry = StockMovementInput(
        *key, _delta(data, levels[key].on_hand), MovementReason(data.reason), data.reference, data.note
    )
    (movement,) = await _apply_locked(uow, levels, [entry])
    level = StockLevelRead.of(
        levels[key], sku=product.sku, product_name=product.name, location_code=location.code
    )
    return StockAdjustmentRead(movement=StockMovementRead.model_validate(movement), level=level)


def _check_adjustment(data: StockAdjustmentCreate) -> None:
    if (data.quantity is None) == (data.set_on_hand is None):
        raise ValidationFailed.field(["body", "quantity"], "give exactly one of quantity and set_on_hand")
    if data.quantity == 0:
        raise ValidationFailed.field(["body", "quantity"], "must not be zero")


def _delta(data: StockAdjustmentCreate, on_hand: Decimal) -> Decimal:
    if data.quantity is not None:
        return data.quantity
    assert data.set_on_hand is not None
    return data.set_on_hand - on_hand


async def _product_and_location(uow: UnitOfWork, data: StockAdjustmentCreate) -> tuple[Product, Location]:
    """Ids in a body that do not exist (for this tenant) are a 422 naming the field."""
    try:
        product = await catalog.get_product(uow, product_id=data.product_id)
    except NotFound as exc:
        raise ValidationFailed.field(["body", "product_id"], exc.detail) from exc
    try:
        location = await catalog.get_location(uow, location_id=data.location_id)
    except NotFound as exc:
        raise ValidationFailed.field(["body", "location_id"], exc.detail) from exc
    return product, location


async def list_stock(
    uow: UnitOfWork,
    *,
    product_id: int | None = None,
    location_id: int | None = None,
    below_zero: bool | None = None,
    page: int,
    page_size: int,
) -> Page[StockLevelRead]:
    repo = StockLevelRepository(uow)
    stmt = repo.listing(product_id=product_id, location_id=location_id, below_zero=below_zero)
    rows = await repo.paginate_rows(stmt, page=page, page_size=page_size)
    items = [
        StockLevelRead.of(level, sku=sku, product_name=name, location_code=code)
        for level, sku, name, code in rows.items
    ]
    return Page(items=items, total=rows.total, page=rows.page, page_size=rows.page_size)


async def list_stock_movements(
    uow: UnitOfWork,
    *,
    product_id: int | None = None,
    location_id: int | None = None,
    reason: MovementReason | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int,
    page_size: int,
) -> Page[StockMovement]:
    repo = StockMovementRepository(uow)
    stmt = repo.listing(
        product_id=product_id, location_id=location_id, reason=reason, since=since, until=until
    )
    return await repo.paginate(stmt, page=page, page_size=page_size)


async def stock_by_product(
    uow: UnitOfWork, *, product_ids: Sequence[int]
) -> dict[int, list[StockAtLocationRead]]:
    """Stock per location of many products, batch-loaded in one statement."""
    grouped: dict[int, list[StockAtLocationRead]] = defaultdict(list)
    for level, code in await StockLevelRepository(uow).at_locations(product_ids):
        grouped[level.product_id].append(
            StockAtLocationRead(
                location_id=level.location_id,
                location_code=code,
                on_hand=level.on_hand,
                allocated=level.allocated,
                available=level.on_hand - level.allocated,
            )
        )
    return grouped


def products_stocked_at(uow: UnitOfWork, *, location_id: int) -> Select[int]:
    """Subquery of the products ranged at a location, for the product list's location filter."""
    return StockLevelRepository(uow).product_ids_at(location_id)


async def seed_stock(uow: UnitOfWork, *, stock: pl.DataFrame, ids: CatalogIds) -> int:
    """Opening balances of a generated tenant: levels that do not exist yet, each with its movement."""
    frame = stock.select(
        pl.col("sku").replace_strict(ids.products, return_dtype=pl.Int64).alias("product_id"),
        pl.col("location_code").replace_strict(ids.locations, return_dtype=pl.Int64).alias("location_id"),
        pl.col("on_hand").cast(pl.Decimal(18, 4)),
        pl.col("allocated").cast(pl.Decimal(18, 4)),
    )
    rows = frame.to_dicts()
    inserted = set(await StockLevelRepository(uow).insert_missing(rows))
    repo = StockMovementRepository(uow)
    for row in rows:
        if (row["product_id"], row["location_id"]) in inserted and row["on_hand"]:
            repo.add(
                StockMovement(
                    product_id=row["product_id"],
                    location_id=row["location_id"],
                    quantity=row["on_hand"],
                    reason=MovementReason.INITIAL,
                    note="demo opening balance",
                )
            )
    await uow.flush()
    return len(inserted)
