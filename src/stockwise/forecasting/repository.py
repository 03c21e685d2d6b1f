"""Queries of demand history: the only place that builds SQL for the sales table.

Periods are computed in SQL, one expression per dialect (the same dates on both), so aggregation
never loads raw rows into Python.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Date, Integer, Select, cast, extract, func, select, text

from stockwise.core.repository import TenantRepository
from stockwise.forecasting.models import Sales
from stockwise.forecasting.schemas import Granularity

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_PG_INSERT_MISSING = text(
    """
    INSERT INTO sales (client_id, product_id, location_id, sale_date, quantity, revenue)
    SELECT :client_id, * FROM unnest(
        CAST(:product_id AS bigint[]), CAST(:location_id AS bigint[]), CAST(:sale_date AS date[]),
        CAST(:quantity AS numeric[]), CAST(:revenue AS numeric[])
    )
    ON CONFLICT DO NOTHING
    """
)


def period_start(dialect: str, day: Any, granularity: Granularity, week_start: str) -> ColumnElement[date]:
    """The first day of the period containing `day`; weeks start on the tenant's `week_start`."""
    if granularity is Granularity.DAY:
        return day
    if dialect == "postgresql":
        if granularity is Granularity.MONTH:
            return cast(func.date_trunc("month", day), Date)
        weekday = cast(extract("isodow", day), Integer) - 1  # Monday = 0
        return day - (weekday + 7 - WEEKDAYS.index(week_start)) % 7
    if granularity is Granularity.MONTH:
        return func.date(day, "start of month", type_=Date)
    weekday = (cast(func.strftime("%w", day), Integer) + 6) % 7  # SQLite: Sunday = 0
    back = (weekday + 7 - WEEKDAYS.index(week_start)) % 7
    return func.date(day, func.printf("-%d days", back), type_=Date)


class SalesRepository(TenantRepository[Sales]):
    model = Sales
    noun = "sales"

    def aggregated(
        self,
        *,
        date_from: date,
        date_to: date,
        product_id: int | None,
        location_id: int | None,
        granularity: Granularity,
        week_start: str,
    ) -> Select[Any]:
        """Quantity, revenue and selling days per product, location and period, by period."""
        period = period_start(self._dialect(), Sales.sale_date, granularity, week_start).label("period_start")
        inner = select(Sales.product_id, Sales.location_id, period, Sales.quantity, Sales.revenue).where(
            Sales.client_id == self.client_id, Sales.sale_date >= date_from, Sales.sale_date <= date_to
        )
        if product_id is not None:
            inner = inner.where(Sales.product_id == product_id)
        if location_id is not None:
            inner = inner.where(Sales.location_id == location_id)
        rows = inner.subquery()
        keys = (rows.c.period_start, rows.c.product_id, rows.c.location_id)
        return (
            select(
                rows.c.product_id,
                rows.c.location_id,
                rows.c.period_start,
                func.sum(rows.c.quantity).label("quantity"),
                func.sum(rows.c.revenue).label("revenue"),
                func.count().label("days"),
            )
            .group_by(*keys)
            .order_by(*keys)
        )

    async def insert_missing(self, frame: pl.DataFrame) -> None:
        """Insert sales days not stored yet. Frame: product_id, location_id, sale_date, quantity, revenue.

        PostgreSQL takes the chunk as five arrays in one statement (unnest), ~1.5x faster than
        executemany; SQLite, which has no arrays, gets executemany in the same transaction.
        """
        if self._dialect() == "postgresql":
            params = {name: frame[name].to_list() for name in frame.columns}
            await self.session.execute(_PG_INSERT_MISSING, {"client_id": self.client_id, **params})
            return
        rows = frame.with_columns(pl.lit(self.client_id).alias("client_id")).to_dicts()
        await self.session.execute(self._insert().on_conflict_do_nothing(), rows)

    async def count(self) -> int:
        stmt = select(func.count()).select_from(Sales).where(Sales.client_id == self.client_id)
        return int(await self.session.scalar(stmt) or 0)

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name
