"""Concurrent adjustments of one stock level on PostgreSQL: row locks keep the exact sum."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from tests.catalog.api import API, adjust, make_location, make_product
from tests.factories import make_actor

pytestmark = pytest.mark.postgres_only


async def test_concurrent_adjustments_lose_no_update(app: object, state: object) -> None:
    transports = [
        httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(f"203.0.113.{i}", 50000))  # type: ignore[arg-type]
        for i in (1, 2)
    ]
    async with (
        httpx.AsyncClient(transport=transports[0], base_url="http://testserver") as first,
        httpx.AsyncClient(transport=transports[1], base_url="http://testserver") as second,
    ):
        actor = await make_actor(state)  # type: ignore[arg-type]
        product, location = await make_product(first, actor), await make_location(first, actor)
        deltas = [Decimal(i) / 4 for i in range(1, 31)]
        calls = [
            adjust(first if i % 2 else second, actor, product["id"], location["id"], quantity=str(delta))
            for i, delta in enumerate(deltas)
        ]
        responses = await asyncio.gather(*calls)
        assert [r.status_code for r in responses] == [201] * len(deltas), [
            r.text for r in responses if r.status_code != 201
        ]

        stock = await first.get(f"{API}/stock", params={"product_id": product["id"]}, headers=actor.headers)
        (level,) = stock.json()["items"]
        assert Decimal(level["on_hand"]) == sum(deltas)
        moves = await first.get(f"{API}/stock/movements", params={"page_size": 200}, headers=actor.headers)
        assert moves.json()["total"] == len(deltas)
        # each answer saw its change on top of all earlier ones: with positive deltas, all distinct
        assert len({r.json()["level"]["on_hand"] for r in responses}) == len(deltas)
