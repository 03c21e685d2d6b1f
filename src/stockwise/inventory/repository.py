"""Queries of stock levels and movements: the only place that builds SQL for them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, tuple_

from stockwise.catalog.models import Location, Product
from stockwise.core.jobs import Job
from stockwise.core.repository import TenantRepository
from stockwise.inventory.models import StockLevel, StockMovement

Key = tuple[int, int]
BULK_CHUNK = 2_000


class StockLevelRepository(TenantRepository[StockLevel]):
    model = StockLevel
    noun = "stock level"

    async def lock(self, keys: Sequence[Key]) -> dict[Key, StockLevel]:
        """Create the missing (product, location) rows at zero, then lock every row in key order.

        One fixed lock order for every writer means two transactions touching the same rows queue
        instead of deadlocking. SQLite ignores FOR UPDATE: its write transactions are serial anyway.
        """
        ordered = sorted(set(keys))
        await self.insert_missing(
            [{"product_id": p, "location_id": loc, "on_hand": 0, "allocated": 0} for p, loc in ordered]
        )
        stmt = (
            self._select()
            .where(tuple_(StockLevel.product_id, StockLevel.location_id).in_(ordered))
            .order_by(StockLevel.product_id, StockLevel.location_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        levels = (await self.session.execute(stmt)).scalars().all()
        return {(level.product_id, level.location_id): level for level in levels}

    async def insert_missing(self, rows: Sequence[Mapping[str, Any]]) -> list[Key]:
        """Insert levels not there yet; returns the keys actually inserted (the others existed)."""
        stmt = (
            self._insert().on_conflict_do_nothing().returning(StockLevel.product_id, StockLevel.location_id)
        )
        inserted: list[Key] = []
        for start in range(0, len(rows), BULK_CHUNK):
            chunk = [{**row, "client_id": self.client_id} for row in rows[start : start + BULK_CHUNK]]
            result = await self.session.execute(stmt, chunk)
            inserted.extend((p, loc) for p, loc in result)
        return inserted

    def listing(
        self, *, product_id: int | None, location_id: int | None, below_zero: bool | None
    ) -> Select[StockLevel, str, str, str]:
        """Levels with the product's SKU and name and the location's code, by SKU then location."""
        stmt = (
            select(StockLevel, Product.sku, Product.name, Location.code)
            .join(
                Product, (Product.client_id == StockLevel.client_id) & (Product.id == StockLevel.product_id)
            )
            .join(
                Location,
                (Location.client_id == StockLevel.client_id) & (Location.id == StockLevel.location_id),
            )
            .where(StockLevel.client_id == self.client_id)
        )
        if product_id is not None:
            stmt = stmt.where(StockLevel.product_id == product_id)
        if location_id is not None:
            stmt = stmt.where(StockLevel.location_id == location_id)
        if below_zero is True:
            stmt = stmt.where(StockLevel.on_hand < 0)
        elif below_zero is False:
            stmt = stmt.where(StockLevel.on_hand >= 0)
        return stmt.order_by(Product.sku, Location.code)

    async def at_locations(self, product_ids: Sequence[int]) -> list[tuple[StockLevel, str]]:
        """Every level of these products with its location code, in one statement."""
        stmt = (
            select(StockLevel, Location.code)
            .join(
                Location,
                (Location.client_id == StockLevel.client_id) & (Location.id == StockLevel.location_id),
            )
            .where(StockLevel.client_id == self.client_id, StockLevel.product_id.in_(product_ids))
            .order_by(StockLevel.product_id, Location.code)
        )
        return [(level, code) for level, code in await self.session.execute(stmt)]

    def product_ids_at(self, location_id: int) -> Select[int]:
        """Products ranged at a location (they have a stock level there), as a subquery."""
        return select(StockLevel.product_id).where(
            StockLevel.client_id == self.client_id, StockLevel.location_id == location_id
        )


class StockMovementRepository(TenantRepository[StockMovement]):
    model = StockMovement
    noun = "stock movement"

    def listing(
        self,
        *,
        product_id: int | None,
        location_id: int | None,
        reason: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Select[tuple[StockMovement]]:
        """Movements newest first."""
        stmt = self._select()
        if product_id is not None:
            stmt = stmt.where(StockMovement.product_id == product_id)
        if location_id is not None:
            stmt = stmt.where(StockMovement.location_id == location_id)
        if reason is not None:
            stmt = stmt.where(StockMovement.reason == reason)
        if since is not None:
            stmt = stmt.where(StockMovement.created_at >= since)
        if until is not None:
            stmt = stmt.where(StockMovement.created_at < until)
        return stmt.order_by(StockMovement.id.desc())


class JobLookupRepository(TenantRepository[Job]):
    """The latest job of a kind, to decide whether one-off work (the demo seed) is done or under way."""

    model = Job
    noun = "job"

    async def latest(self, kind: str) -> Job | None:
        stmt = self._select().where(Job.kind == kind).order_by(Job.id.desc()).limit(1)
        return (await self.session.execute(stmt)).scalars().first()
