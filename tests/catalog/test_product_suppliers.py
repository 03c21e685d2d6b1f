"""Supplier conditions per product: at most one primary, unique links, validation, scoping."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from stockwise.catalog.models import ProductSupplier
from tests.catalog.api import API, link_supplier, make_product, make_supplier
from tests.factories import make_actor


async def _primaries(client: httpx.AsyncClient, headers: dict[str, str], product_id: int) -> list[int]:
    resp = await client.get(f"{API}/products/{product_id}/suppliers", headers=headers)
    assert resp.status_code == 200, resp.text
    return [row["supplier_id"] for row in resp.json() if row["is_primary"]]


async def test_a_new_primary_demotes_the_old_one(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor)
    first, second, third = [await make_supplier(client, actor) for _ in range(3)]
    link1 = await link_supplier(
        client, actor, product["id"], first["id"], is_primary=True, moq="12", pack_size="6"
    )
    assert link1["supplier_code"] == first["code"] and link1["moq"] == "12.0000"
    await link_supplier(client, actor, product["id"], second["id"], is_primary=True)
    assert await _primaries(client, actor.headers, product["id"]) == [second["id"]]

    link3 = await link_supplier(client, actor, product["id"], third["id"])
    promoted = await client.patch(
        f"{API}/products/{product['id']}/suppliers/{link3['id']}",
        json={"is_primary": True},
        headers=actor.headers,
    )
    assert promoted.status_code == 200 and promoted.json()["is_primary"] is True
    assert await _primaries(client, actor.headers, product["id"]) == [third["id"]]

    cleared = await client.patch(
        f"{API}/products/{product['id']}/suppliers/{link3['id']}",
        json={"is_primary": False},
        headers=actor.headers,
    )
    assert cleared.status_code == 200
    assert await _primaries(client, actor.headers, product["id"]) == []


async def test_database_refuses_two_primaries(client: httpx.AsyncClient, state: object) -> None:
    """The partial unique index is the backstop if a writer bypassed the service."""
    actor = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor)
    first, second = [await make_supplier(client, actor) for _ in range(2)]
    await link_supplier(client, actor, product["id"], first["id"], is_primary=True)
    with pytest.raises(IntegrityError):
        async with state.uow.tenant(actor.client_id) as uow:  # type: ignore[attr-defined]
            uow.session.add(
                ProductSupplier(
                    product_id=product["id"], supplier_id=second["id"], lead_time_days=1, is_primary=True
                )
            )
            await uow.flush()


async def test_link_validation_duplicates_and_unknown_supplier(
    client: httpx.AsyncClient, state: object
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    stranger = await make_actor(state)  # type: ignore[arg-type]
    product = await make_product(client, actor)
    supplier = await make_supplier(client, actor)
    foreign_supplier = await make_supplier(client, stranger)
    path = f"{API}/products/{product['id']}/suppliers"

    bad = await client.post(
        path,
        json={"supplier_id": supplier["id"], "lead_time_days": -1, "pack_size": "0"},
        headers=actor.headers,
    )
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {
        ("body", "lead_time_days"),
        ("body", "pack_size"),
    }
    missing = await client.post(path, json={"lead_time_days": 3}, headers=actor.headers)
    assert missing.json()["errors"][0]["loc"] == ["body", "supplier_id"]

    unknown = await client.post(
        path, json={"supplier_id": foreign_supplier["id"], "lead_time_days": 3}, headers=actor.headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "supplier_id"]

    await link_supplier(client, actor, product["id"], supplier["id"])
    dup = await client.post(
        path, json={"supplier_id": supplier["id"], "lead_time_days": 9}, headers=actor.headers
    )
    assert dup.status_code == 409
    assert dup.json()["errors"][0]["loc"] == ["body", "supplier_id"]


async def test_link_belongs_to_its_product(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    stranger = await make_actor(state)  # type: ignore[arg-type]
    product, other_product = await make_product(client, actor), await make_product(client, actor)
    supplier = await make_supplier(client, actor)
    link = await link_supplier(
        client, actor, product["id"], supplier["id"], unit_price="9.99", supplier_sku="X-1"
    )

    wrong_parent = await client.get(
        f"{API}/products/{other_product['id']}/suppliers/{link['id']}", headers=actor.headers
    )
    assert wrong_parent.status_code == 404
    for method, body in (("GET", None), ("PATCH", {"moq": "1"}), ("DELETE", None)):
        resp = await client.request(
            method,
            f"{API}/products/{product['id']}/suppliers/{link['id']}",
            json=body,
            headers=stranger.headers,
        )
        assert resp.status_code == 404, (method, resp.text)

    patched = await client.patch(
        f"{API}/products/{product['id']}/suppliers/{link['id']}",
        json={"supplier_sku": None, "lead_time_std_days": "1.5"},
        headers=actor.headers,
    )
    assert patched.status_code == 200
    assert patched.json()["supplier_sku"] is None and patched.json()["lead_time_std_days"] == "1.5000"
    removed = await client.delete(
        f"{API}/products/{product['id']}/suppliers/{link['id']}", headers=actor.headers
    )
    assert removed.status_code == 204
    assert (await client.get(f"{API}/products/{product['id']}/suppliers", headers=actor.headers)).json() == []
