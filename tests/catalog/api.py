"""Helpers for catalogue, stock and sales tests: create objects through the API as an actor."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.factories import Actor

API = "/api/v1"
_seq = itertools.count(1)


async def create(client: httpx.AsyncClient, actor: Actor, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post(f"{API}{path}", json=body, headers=actor.headers)
    assert resp.status_code == 201, resp.text
    result: dict[str, Any] = resp.json()
    return result


async def make_location(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    n = next(_seq)
    return await create(client, actor, "/locations", {"code": f"LOC-{n}", "name": f"Location {n}", **fields})


async def make_supplier(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    n = next(_seq)
    return await create(client, actor, "/suppliers", {"code": f"SUP-{n}", "name": f"Supplier {n}", **fields})


async def make_product(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    n = next(_seq)
    return await create(client, actor, "/products", {"sku": f"SKU-{n}", "name": f"Product {n}", **fields})


async def link_supplier(
    client: httpx.AsyncClient, actor: Actor, product_id: int, supplier_id: int, **fields: Any
) -> dict[str, Any]:
    body = {"supplier_id": supplier_id, "lead_time_days": 7, **fields}
    return await create(client, actor, f"/products/{product_id}/suppliers", body)


async def adjust(
    client: httpx.AsyncClient, actor: Actor, product_id: int, location_id: int, **fields: Any
) -> httpx.Response:
    body = {"product_id": product_id, "location_id": location_id, "reason": "count", **fields}
    return await client.post(f"{API}/stock/adjustments", json=body, headers=actor.headers)
