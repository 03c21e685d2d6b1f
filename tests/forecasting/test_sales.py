"""Demand history: aggregation by day, week (tenant's week start) and month, filters, validation."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest

from stockwise.forecasting.models import Sales
from stockwise.forecasting.schemas import MAX_SPAN_DAYS
from tests.catalog.api import API, make_location, make_product
from tests.factories import Actor, make_actor

START = dt.date(2024, 12, 20)
DAYS = 80
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Row = tuple[int, int, dt.date, Decimal, Decimal]


async def _history(client: httpx.AsyncClient, state: Any, actor: Actor) -> list[Row]:
    """Random sparse daily sales of 2 products at 2 locations, written straight to the table."""
    products = [(await make_product(client, actor))["id"] for _ in range(2)]
    locations = [(await make_location(client, actor))["id"] for _ in range(2)]
    rng = random.Random(7)
    rows = [
        (
            p,
            loc,
            START + dt.timedelta(days=d),
            Decimal(rng.randint(1, 9_000)) / 1000,
            Decimal(rng.randint(1, 99)),
        )
        for p in products
        for loc in locations
        for d in range(DAYS)
        if rng.random() < 0.6
    ]
    async with state.uow.tenant(actor.client_id) as uow:
        uow.session.add_all(
            [
                Sales(product_id=p, location_id=loc, sale_date=day, quantity=q, revenue=r)
                for p, loc, day, q, r in rows
            ]
        )
    return rows


def _period(day: dt.date, granularity: str, week_start: str) -> dt.date:
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "week":
        return day - dt.timedelta(days=(day.weekday() - WEEKDAYS.index(week_start)) % 7)
    return day


def _expected(
    rows: list[Row], granularity: str, week_start: str, lo: dt.date, hi: dt.date
) -> list[tuple[Any, ...]]:
    sums: dict[tuple[int, int, dt.date], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0)]
    )
    for p, loc, day, q, r in rows:
        if lo <= day <= hi:
            acc = sums[(p, loc, _period(day, granularity, week_start))]
            acc[0] += q
            acc[1] += r
            acc[2] += 1
    return sorted(
        ((period, p, loc, f"{q:.4f}", f"{r:.4f}", int(n)) for (p, loc, period), (q, r, n) in sums.items()),
    )


async def _fetch(client: httpx.AsyncClient, actor: Actor, **params: Any) -> list[tuple[Any, ...]]:
    resp = await client.get(f"{API}/sales", params={"page_size": 200, **params}, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["items"])
    return [
        (
            dt.date.fromisoformat(r["period_start"]),
            r["product_id"],
            r["location_id"],
            r["quantity"],
            r["revenue"],
            r["days"],
        )
        for r in body["items"]
    ]


@pytest.mark.parametrize(
    ("granularity", "week_start"),
    [("day", "monday"), ("week", "monday"), ("week", "sunday"), ("week", "thursday"), ("month", "monday")],
)
async def test_aggregation_matches_the_rows(
    client: httpx.AsyncClient, state: object, granularity: str, week_start: str
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    rows = await _history(client, state, actor)
    settings = await client.patch(f"{API}/settings", json={"week_start": week_start}, headers=actor.headers)
    assert settings.status_code == 200, settings.text
    lo, hi = START + dt.timedelta(days=3), START + dt.timedelta(days=70)
    got = await _fetch(
        client, actor, **{"from": lo.isoformat(), "to": hi.isoformat(), "granularity": granularity}
    )
    assert got == _expected(rows, granularity, week_start, lo, hi)
    if granularity == "week":
        assert {period.strftime("%A").lower() for period, *_ in got} - {lo.strftime("%A").lower()} <= {
            week_start
        }


async def test_week_start_spot_check_and_filters(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    rows = await _history(client, state, actor)
    product_id, location_id = rows[0][0], rows[0][1]
    # 2025-01-05 is a Sunday and 2025-01-06 a Monday: Monday weeks split them, Sunday weeks do not
    params = {"from": "2025-01-05", "to": "2025-01-06", "granularity": "week", "product_id": product_id}
    monday = await _fetch(client, actor, **params, location_id=location_id)
    await client.patch(f"{API}/settings", json={"week_start": "sunday"}, headers=actor.headers)
    sunday = await _fetch(client, actor, **params, location_id=location_id)
    days = [
        day
        for p, loc, day, *_ in rows
        if (p, loc) == (product_id, location_id) and day.isoformat() in params.values()
    ]
    assert sum(row[-1] for row in monday) == sum(row[-1] for row in sunday) == len(days)
    assert {row[0] for row in sunday} <= {dt.date(2025, 1, 5)}
    assert {row[0] for row in monday} <= {dt.date(2024, 12, 30), dt.date(2025, 1, 6)}
    filtered = await _fetch(client, actor, **params)
    assert {row[1] for row in filtered} == {product_id}


async def test_other_tenants_sales_are_invisible(client: httpx.AsyncClient, state: object) -> None:
    owner, stranger = await make_actor(state), await make_actor(state)  # type: ignore[arg-type]
    rows = await _history(client, state, owner)
    window = {"from": START.isoformat(), "to": (START + dt.timedelta(days=DAYS)).isoformat()}
    assert await _fetch(client, stranger, **window) == []
    assert await _fetch(client, stranger, **window, product_id=rows[0][0]) == []


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"to": "2025-01-01"}, ["query", "from"]),
        ({"from": "2025-02-01", "to": "2025-01-01"}, ["query", "from"]),
        (
            {
                "from": "2020-01-01",
                "to": (dt.date(2020, 1, 1) + dt.timedelta(days=MAX_SPAN_DAYS)).isoformat(),
            },
            ["query", "to"],
        ),
        ({"from": "2025-01-01", "to": "2025-02-30"}, ["query", "to"]),
        ({"from": "2025-01-01", "to": "2025-01-02", "granularity": "year"}, ["query", "granularity"]),
    ],
)
async def test_bad_ranges_name_the_parameter(
    client: httpx.AsyncClient, state: object, params: dict[str, str], loc: list[str]
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    resp = await client.get(f"{API}/sales", params=params, headers=actor.headers)
    assert resp.status_code == 422, resp.text
    assert loc in [err["loc"] for err in resp.json()["errors"]]
