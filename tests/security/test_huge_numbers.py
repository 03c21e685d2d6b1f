"""Numbers beyond what the database stores are a 4xx, never a 500 (no driver error reaches a client)."""

from __future__ import annotations

from typing import Any

import httpx

from stockwise.core.principal import Role
from tests.factories import make_actor

HUGE = 2**70


async def test_huge_ids_in_bodies_and_filters_are_4xx(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    calls = [
        (
            "POST",
            "/api/v1/cart/items",
            {"product_id": HUGE, "location_id": HUGE, "supplier_id": HUGE, "quantity": "1"},
        ),
        (
            "POST",
            "/api/v1/stock/adjustments",
            {"product_id": HUGE, "location_id": 1, "quantity": "1", "reason": "count"},
        ),
        ("GET", f"/api/v1/stock?product_id={HUGE}", None),
        ("GET", f"/api/v1/products?supplier_id={HUGE}", None),
    ]
    for method, path, body in calls:
        resp = await client.request(method, path, json=body, headers=planner.headers)
        assert 400 <= resp.status_code < 500, f"{method} {path}: {resp.status_code} {resp.text}"
        assert resp.headers["content-type"].startswith("application/problem+json")
