"""Product writes and look-ups: SKUs with '/', exact `?sku=`, renames keep history, delete-or-deactivate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx

from stockwise.core.principal import Role
from stockwise.forecasting.models import Sales
from tests.catalog.api import API, adjust, make_location, make_product, make_supplier
from tests.factories import make_actor


async def test_sku_with_slash_is_found_by_query_and_id(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor, sku="CAB/USB-C-1M", name="USB-C cable 1 m", unit_cost="2.5")
    await make_product(client, actor, sku="CAB/USB-C-2M")
    found = await client.get(f"{API}/products", params={"sku": "CAB/USB-C-1M"}, headers=actor.headers)
    assert found.status_code == 200, found.text
    assert [row["id"] for row in found.json()["items"]] == [product["id"]]
    detail = await client.get(f"{API}/products/{product['id']}", headers=actor.headers)
    assert detail.json()["sku"] == "CAB/USB-C-1M"
    assert detail.json()["unit_cost"] == "2.5000"
    assert detail.json()["suppliers"] == [] and detail.json()["stock"] == []


async def test_product_validation_and_duplicates(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    bad = await client.post(
        f"{API}/products",
        json={"sku": "A\x01", "name": "", "unit_cost": "-1", "unit_price": "1.23456"},
        headers=actor.headers,
    )
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {
        ("body", "sku"),
        ("body", "name"),
        ("body", "unit_cost"),
        ("body", "unit_price"),
    }
    await make_product(client, actor, sku="DUP-1")
    dup = await client.post(f"{API}/products", json={"sku": " DUP-1 ", "name": "x"}, headers=actor.headers)
    assert dup.status_code == 409
    assert dup.json()["errors"][0]["loc"] == ["body", "sku"]


async def test_renaming_a_sku_keeps_its_history(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor, sku="OLD-1")
    location = await make_location(client, actor)
    await adjust(client, actor, product["id"], location["id"], quantity="4")
    async with state.uow.tenant(actor.client_id) as uow:  # type: ignore[attr-defined]
        uow.session.add(
            Sales(
                product_id=product["id"],
                location_id=location["id"],
                sale_date=dt.date(2025, 1, 6),
                quantity=Decimal(3),
            )
        )

    renamed = await client.patch(
        f"{API}/products/{product['id']}", json={"sku": "NEW-1"}, headers=actor.headers
    )
    assert renamed.status_code == 200 and renamed.json()["sku"] == "NEW-1"
    sales = await client.get(
        f"{API}/sales",
        params={"from": "2025-01-01", "to": "2025-01-31", "product_id": product["id"]},
        headers=actor.headers,
    )
    assert [row["quantity"] for row in sales.json()["items"]] == ["3.0000"]
    stock = await client.get(f"{API}/stock", params={"product_id": product["id"]}, headers=actor.headers)
    assert [(row["sku"], row["on_hand"]) for row in stock.json()["items"]] == [("NEW-1", "4.0000")]
    assert (await client.get(f"{API}/products", params={"sku": "OLD-1"}, headers=actor.headers)).json()[
        "total"
    ] == 0


async def test_delete_unreferenced_product_takes_its_supplier_links(
    client: httpx.AsyncClient, state: object
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor)
    supplier = await make_supplier(client, actor)
    link = await client.post(
        f"{API}/products/{product['id']}/suppliers",
        json={"supplier_id": supplier["id"], "lead_time_days": 3},
        headers=actor.headers,
    )
    assert link.status_code == 201
    deleted = await client.delete(f"{API}/products/{product['id']}", headers=actor.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"{API}/products/{product['id']}", headers=actor.headers)).status_code == 404
    # the supplier lost its only reference, so it can go too
    assert (
        await client.delete(f"{API}/suppliers/{supplier['id']}", headers=actor.headers)
    ).status_code == 204


async def test_referenced_product_and_supplier_are_deactivated(
    client: httpx.AsyncClient, state: object
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor)
    supplier = await make_supplier(client, actor)
    location = await make_location(client, actor)
    await client.post(
        f"{API}/products/{product['id']}/suppliers",
        json={"supplier_id": supplier["id"], "lead_time_days": 3},
        headers=actor.headers,
    )
    assert (await adjust(client, actor, product["id"], location["id"], quantity="1")).status_code == 201

    kept = await client.delete(f"{API}/products/{product['id']}", headers=actor.headers)
    assert kept.status_code == 200 and kept.json()["is_active"] is False
    detail = await client.get(f"{API}/products/{product['id']}", headers=actor.headers)
    assert detail.json()["is_active"] is False and len(detail.json()["suppliers"]) == 1
    kept_supplier = await client.delete(f"{API}/suppliers/{supplier['id']}", headers=actor.headers)
    assert kept_supplier.status_code == 200 and kept_supplier.json()["is_active"] is False
    reactivated = await client.patch(
        f"{API}/products/{product['id']}", json={"is_active": True}, headers=actor.headers
    )
    assert reactivated.json()["is_active"] is True


async def test_product_roles_and_tenants(client: httpx.AsyncClient, state: object) -> None:
    owner = await make_actor(state, role=Role.PLANNER)  # type: ignore[arg-type]
    viewer = await make_actor(state, role=Role.VIEWER, client_id=owner.client_id)  # type: ignore[arg-type]
    stranger = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, owner)
    assert (await client.get(f"{API}/products/{product['id']}", headers=viewer.headers)).status_code == 200
    denied = await client.patch(f"{API}/products/{product['id']}", json={"name": "x"}, headers=viewer.headers)
    assert denied.status_code == 403
    assert (
        await client.post(f"{API}/products", json={"sku": "V", "name": "V"}, headers=viewer.headers)
    ).status_code == 403
    for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
        resp = await client.request(
            method, f"{API}/products/{product['id']}", json=body, headers=stranger.headers
        )
        assert resp.status_code == 404, (method, resp.text)
    assert (
        await client.get(f"{API}/products", params={"sku": product["sku"]}, headers=stranger.headers)
    ).json()["total"] == 0
