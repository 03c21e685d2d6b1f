"""Locations and suppliers: CRUD, validation, unique codes, delete-or-deactivate, roles and tenants."""

from __future__ import annotations

import httpx

from stockwise.core.principal import Role
from tests.catalog.api import API, adjust, make_location, make_product, make_supplier
from tests.factories import make_actor


async def test_location_crud_roundtrip(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    created = await make_location(client, actor, code="DC-01", name="Central", kind="warehouse")
    assert created["code"] == "DC-01" and created["is_active"] is True

    patched = await client.patch(
        f"{API}/locations/{created['id']}", json={"name": "Main DC"}, headers=actor.headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Main DC" and patched.json()["code"] == "DC-01"

    listed = await client.get(f"{API}/locations", params={"q": "main"}, headers=actor.headers)
    assert [row["id"] for row in listed.json()["items"]] == [created["id"]]

    deleted = await client.delete(f"{API}/locations/{created['id']}", headers=actor.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"{API}/locations/{created['id']}", headers=actor.headers)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")


async def test_validation_names_the_fields(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    resp = await client.post(
        f"{API}/suppliers",
        json={"code": "", "name": "X", "currency": "euro", "color": "red"},
        headers=actor.headers,
    )
    assert resp.status_code == 422
    locs = {tuple(err["loc"]) for err in resp.json()["errors"]}
    assert {("body", "code"), ("body", "currency"), ("body", "color")} <= locs

    supplier = await make_supplier(client, actor)
    nulled = await client.patch(
        f"{API}/suppliers/{supplier['id']}", json={"name": None}, headers=actor.headers
    )
    assert nulled.status_code == 422
    assert nulled.json()["errors"][0]["loc"] == ["body", "name"]


async def test_supplier_currency_is_normalised_and_email_clearable(
    client: httpx.AsyncClient, state: object
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    supplier = await make_supplier(client, actor, currency="usd", email="orders@example.com")
    assert supplier["currency"] == "USD" and supplier["email"] == "orders@example.com"
    cleared = await client.patch(
        f"{API}/suppliers/{supplier['id']}", json={"email": None}, headers=actor.headers
    )
    assert cleared.status_code == 200 and cleared.json()["email"] is None


async def test_duplicate_codes_conflict_per_tenant(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    other = await make_actor(state)  # type: ignore[arg-type]
    first = await make_supplier(client, actor, code="ACME")
    dup = await client.post(f"{API}/suppliers", json={"code": "ACME", "name": "Again"}, headers=actor.headers)
    assert dup.status_code == 409
    assert dup.json()["errors"][0]["loc"] == ["body", "code"]
    await make_supplier(client, other, code="ACME")  # another tenant may use the same code

    second = await make_supplier(client, actor, code="BETA")
    renamed = await client.patch(
        f"{API}/suppliers/{second['id']}", json={"code": "ACME"}, headers=actor.headers
    )
    assert renamed.status_code == 409
    same = await client.patch(f"{API}/suppliers/{first['id']}", json={"code": "ACME"}, headers=actor.headers)
    assert same.status_code == 200


async def test_referenced_location_is_deactivated_not_deleted(
    client: httpx.AsyncClient, state: object
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    location = await make_location(client, actor)
    product = await make_product(client, actor)
    assert (await adjust(client, actor, product["id"], location["id"], quantity="5")).status_code == 201

    resp = await client.delete(f"{API}/locations/{location['id']}", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["is_active"] is False
    still = await client.get(f"{API}/locations/{location['id']}", headers=actor.headers)
    assert still.status_code == 200 and still.json()["is_active"] is False
    inactive = await client.get(f"{API}/locations", params={"active": "false"}, headers=actor.headers)
    assert [row["id"] for row in inactive.json()["items"]] == [location["id"]]


async def test_viewer_reads_but_cannot_write(client: httpx.AsyncClient, state: object) -> None:
    admin = await make_actor(state)  # type: ignore[arg-type]
    viewer = await make_actor(state, role=Role.VIEWER, client_id=admin.client_id)  # type: ignore[arg-type]
    planner = await make_actor(state, role=Role.PLANNER, client_id=admin.client_id)  # type: ignore[arg-type]
    supplier = await make_supplier(client, planner)
    assert (await client.get(f"{API}/suppliers/{supplier['id']}", headers=viewer.headers)).status_code == 200
    for method, path, body in (
        ("POST", "/suppliers", {"code": "V", "name": "V"}),
        ("PATCH", f"/suppliers/{supplier['id']}", {"name": "V"}),
        ("DELETE", f"/suppliers/{supplier['id']}", None),
        ("DELETE", "/suppliers/999999", None),
    ):
        resp = await client.request(method, f"{API}{path}", json=body, headers=viewer.headers)
        assert resp.status_code == 403, (method, path, resp.text)


async def test_another_tenants_objects_are_not_found(client: httpx.AsyncClient, state: object) -> None:
    owner = await make_actor(state)  # type: ignore[arg-type]
    stranger = await make_actor(state)  # type: ignore[arg-type]
    location = await make_location(client, owner)
    for method, body in (("GET", None), ("PATCH", {"name": "Mine"}), ("DELETE", None)):
        resp = await client.request(
            method, f"{API}/locations/{location['id']}", json=body, headers=stranger.headers
        )
        assert resp.status_code == 404, (method, resp.text)
    listed = await client.get(f"{API}/locations", headers=stranger.headers)
    assert listed.json()["total"] == 0
    unchanged = await client.get(f"{API}/locations/{location['id']}", headers=owner.headers)
    assert unchanged.json()["name"] == location["name"]
