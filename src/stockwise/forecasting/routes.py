"""HTTP routes of demand history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from stockwise.core.errors import problems
from stockwise.core.schemas import IdFilter, PageNumber, PageRead, PageSize
from stockwise.forecasting import service
from stockwise.forecasting.schemas import MAX_SPAN_DAYS, Granularity, SalesRead
from stockwise.tenancy.dependencies import State, UoW

router = APIRouter(tags=["forecasting"])


@router.get("/sales", response_model=PageRead[SalesRead], responses=problems(401, 422, 429))
async def list_sales(
    uow: UoW,
    state: State,
    date_from: Annotated[date, Query(alias="from", description="First day (inclusive)")],
    date_to: Annotated[
        date, Query(alias="to", description=f"Last day (inclusive); at most {MAX_SPAN_DAYS} days")
    ],
    product_id: IdFilter = None,
    location_id: IdFilter = None,
    granularity: Granularity = Granularity.DAY,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> PageRead[SalesRead]:
    """Demand history per product and location by day, week (tenant's week start) or month."""
    if product_id is None:  # a whole-tenant aggregation is expensive: rate-limited per user
        await state.rate_limiter.check(
            [(state.settings.rate_limit_expensive, ("sales", str(uow.client_id), str(uow.acting_user_id)))]
        )
    result = await service.list_sales(
        uow,
        date_from=date_from,
        date_to=date_to,
        product_id=product_id,
        location_id=location_id,
        granularity=granularity,
        page=page,
        page_size=page_size,
    )
    return PageRead[SalesRead].of(result, SalesRead.model_validate)
