"""API contracts of demand history: sales per product × location, by day, week or month."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from stockwise.catalog.schemas import Exact
from stockwise.core.schemas import IdRef, ReadModel

#: Longest date range one request may cover (three years), so a query's work stays bounded.
MAX_SPAN_DAYS = 3 * 366


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class SalesRead(ReadModel):
    """Demand of one product at one location in one period (periods are clipped to the range asked).

    `period_start` is the day, the first day of the week (the tenant's `week_start`), or the first
    of the month; `days` counts the days with a sale in it.
    """

    product_id: IdRef
    location_id: IdRef
    period_start: date
    quantity: Exact
    revenue: Exact | None
    days: int
