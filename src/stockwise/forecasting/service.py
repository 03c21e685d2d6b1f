"""Demand history: read it aggregated by period, and bulk-load it (the demo tenant, re-runnable)."""

from __future__ import annotations

from datetime import date

import polars as pl

from stockwise.core.errors import ValidationFailed
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.forecasting.repository import SalesRepository
from stockwise.forecasting.schemas import MAX_SPAN_DAYS, Granularity, SalesRead
from stockwise.tenancy.settings_service import get_client_settings


async def list_sales(
    uow: UnitOfWork,
    *,
    date_from: date,
    date_to: date,
    product_id: int | None = None,
    location_id: int | None = None,
    granularity: Granularity = Granularity.DAY,
    page: int,
    page_size: int,
) -> Page[SalesRead]:
    """Sales per product, location and period in [date_from, date_to], aggregated in the database."""
    if date_from > date_to:
        raise ValidationFailed.field(["query", "from"], "must not be after 'to'")
    if (date_to - date_from).days >= MAX_SPAN_DAYS:
        raise ValidationFailed.field(["query", "to"], f"the range may span at most {MAX_SPAN_DAYS} days")
    settings = await get_client_settings(uow)
    repo = SalesRepository(uow)
    stmt = repo.aggregated(
        date_from=date_from,
        date_to=date_to,
        product_id=product_id,
        location_id=location_id,
        granularity=granularity,
        week_start=settings.week_start,
    )
    rows = await repo.paginate_rows(stmt, page=page, page_size=page_size)
    items = [SalesRead.model_validate(row._mapping) for row in rows.items]
    return Page(items=items, total=rows.total, page=rows.page, page_size=rows.page_size)


async def seed_sales(uow: UnitOfWork, *, sales: pl.DataFrame) -> None:
    """Insert sales days that are not stored yet (product_id, location_id, sale_date, quantity, revenue)."""
    await SalesRepository(uow).insert_missing(sales)


async def count_sales(uow: UnitOfWork) -> int:
    return await SalesRepository(uow).count()
