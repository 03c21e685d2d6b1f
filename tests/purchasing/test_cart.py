"""The cart through the API: identity, grouping, totals, warnings, validation and roles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from stockwise.catalog.models import Product, ProductSupplier
from stockwise.core.principal import Role
from tests.factories import make_actor, make_user
from tests.purchasing.factories import (
    add_to_cart,
    count_statements,
    link,
    make_offer,
    make_product,
    make_supplier,
    update_row,
)

CART = "/api/v1/cart"


async def test_cart_groups_lines_by_supplier_and_location_with_totals(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    cid = planner.client_id
    a1 = await make_offer(state, client_id=cid, price="2.50")
    a2 = await make_offer(
        state, client_id=cid, supplier_id=a1.supplier_id, location_id=a1.location_id, price="0.3333"
    )
    b1 = await make_offer(state, client_id=cid, location_id=a1.location_id, price="10")
    await add_to_cart(client, planner, a1, "4")
    await add_to_cart(client, planner, a2, "3")
    await add_to_cart(client, planner, b1, "1.5")

    cart = (await client.get(CART, headers=planner.headers)).json()

    assert cart["line_count"] == 3
    groups = {(g["supplier"]["id"], g["location"]["id"]): g for g in cart["groups"]}
    group_a = groups[(a1.supplier_id, a1.location_id)]
    assert sorted(line["product_id"] for line in group_a["lines"]) == sorted([a1.product_id, a2.product_id])
    assert Decimal(group_a["total"]) == Decimal("4") * Decimal("2.50") + (Decimal("3") * Decimal("0.3333"))
    assert Decimal(groups[(b1.supplier_id, b1.location_id)]["total"]) == Decimal("15")
    totals = {t["supplier_id"]: t for t in cart["supplier_totals"]}
    assert Decimal(totals[a1.supplier_id]["total"]) == Decimal(group_a["total"])
    assert totals[a1.supplier_id]["currency"] == "EUR" and totals[a1.supplier_id]["line_count"] == 2


async def test_adding_an_existing_line_adds_to_it(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id)
    first = await add_to_cart(client, planner, offer, "2")
    second = await add_to_cart(client, planner, offer, "3.25")
    assert second["id"] == first["id"]
    assert Decimal(second["quantity"]) == Decimal("5.25")
    assert (await client.get(CART, headers=planner.headers)).json()["line_count"] == 1


async def test_moq_and_pack_warnings_and_rounding(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id, moq="50", pack_size="12")
    line = await add_to_cart(client, planner, offer, "7")
    assert {w["code"] for w in line["warnings"]} == {"below_moq", "not_pack_multiple"}

    rounded = await client.patch(
        f"{CART}/items/{line['id']}",
        json={"quantity": "51"},
        params={"round": "true"},
        headers=planner.headers,
    )
    assert rounded.status_code == 200, rounded.text
    assert Decimal(rounded.json()["quantity"]) == Decimal("60")
    assert rounded.json()["warnings"] == []

    other = await make_offer(state, client_id=planner.client_id, moq="5", pack_size="4")
    added = await add_to_cart(client, planner, other, "1", round="true")
    assert Decimal(added["quantity"]) == Decimal("8")


async def test_supplier_must_supply_the_product(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id)
    stranger = await make_supplier(state, client_id=planner.client_id)
    body = {
        "product_id": offer.product_id,
        "location_id": offer.location_id,
        "supplier_id": stranger,
        "quantity": "1",
    }
    resp = await client.post(f"{CART}/items", json=body, headers=planner.headers)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in resp.json()["errors"]] == [["body", "supplier_id"]]


async def test_unknown_or_inactive_references_name_the_field(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id)
    base = {
        "product_id": offer.product_id,
        "location_id": offer.location_id,
        "supplier_id": offer.supplier_id,
        "quantity": "1",
    }
    missing = await client.post(
        f"{CART}/items", json={**base, "location_id": 999_999}, headers=planner.headers
    )
    assert missing.status_code == 422
    assert [e["loc"] for e in missing.json()["errors"]] == [["body", "location_id"]]
    await update_row(
        state, client_id=planner.client_id, model=Product, row_id=offer.product_id, is_active=False
    )
    inactive = await client.post(f"{CART}/items", json=base, headers=planner.headers)
    assert inactive.status_code == 422
    assert ["body", "product_id"] in [e["loc"] for e in inactive.json()["errors"]]
    bad_quantity = await client.post(
        f"{CART}/items", json={**base, "quantity": "-1"}, headers=planner.headers
    )
    assert bad_quantity.status_code == 422
    assert bad_quantity.json()["errors"][0]["loc"] == ["body", "quantity"]


async def test_other_tenants_product_cannot_be_added(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    foreign = await make_actor(state, role=Role.PLANNER)
    theirs = await make_offer(state, client_id=foreign.client_id)
    mine = await make_offer(state, client_id=planner.client_id)
    body = {
        "product_id": theirs.product_id,
        "location_id": mine.location_id,
        "supplier_id": mine.supplier_id,
        "quantity": "1",
    }
    resp = await client.post(f"{CART}/items", json=body, headers=planner.headers)
    assert resp.status_code == 422
    assert ["body", "product_id"] in [e["loc"] for e in resp.json()["errors"]]


async def test_viewers_cannot_buy(client: httpx.AsyncClient, state: Any) -> None:
    viewer = await make_actor(state, role=Role.VIEWER)
    offer = await make_offer(state, client_id=viewer.client_id)
    body = {
        "product_id": offer.product_id,
        "location_id": offer.location_id,
        "supplier_id": offer.supplier_id,
        "quantity": "1",
    }
    for method, path, json in [
        ("GET", CART, None),
        ("POST", f"{CART}/items", body),
        ("DELETE", CART, None),
        ("POST", f"{CART}/checkout", {}),
        ("POST", "/api/v1/purchase-orders", None),
    ]:
        resp = await client.request(method, path, json=json, headers=viewer.headers)
        assert resp.status_code == 403, (method, path, resp.text)


async def test_cart_identity_is_the_acting_user_on_every_path(client: httpx.AsyncClient, state: Any) -> None:
    alice = await make_actor(state, role=Role.PLANNER)
    bob = await make_user(state, client_id=alice.client_id, role=Role.ADMIN)
    kept = await make_offer(state, client_id=alice.client_id)
    changed = await make_offer(
        state, client_id=alice.client_id, supplier_id=kept.supplier_id, location_id=kept.location_id
    )
    removed = await make_offer(
        state, client_id=alice.client_id, supplier_id=kept.supplier_id, location_id=kept.location_id
    )
    kept_line = await add_to_cart(client, alice, kept, "1")
    changed_line = await add_to_cart(client, alice, changed, "1")
    removed_line = await add_to_cart(client, alice, removed, "1")
    bobs_line = await add_to_cart(client, bob, kept, "99")

    # Bob sees only his own line and cannot touch Alice's, even as an admin of the same tenant.
    bobs_cart = (await client.get(CART, headers=bob.headers)).json()
    assert [line["id"] for g in bobs_cart["groups"] for line in g["lines"]] == [bobs_line["id"]]
    touch = await client.patch(f"{CART}/items/{kept_line['id']}", json={"quantity": "5"}, headers=bob.headers)
    assert touch.status_code == 404
    assert (await client.delete(f"{CART}/items/{removed_line['id']}", headers=bob.headers)).status_code == 404

    patched = await client.patch(
        f"{CART}/items/{changed_line['id']}", json={"quantity": "7"}, headers=alice.headers
    )
    assert patched.status_code == 200
    assert (
        await client.delete(f"{CART}/items/{removed_line['id']}", headers=alice.headers)
    ).status_code == 204
    alices_cart = (await client.get(CART, headers=alice.headers)).json()
    assert {line["product_id"] for g in alices_cart["groups"] for line in g["lines"]} == {
        kept.product_id,
        changed.product_id,
    }

    result = await client.post(f"{CART}/checkout", json={}, headers=alice.headers)
    assert result.status_code == 201, result.text
    (po,) = result.json()["purchase_orders"]
    assert {(line["product_id"], Decimal(line["quantity_ordered"])) for line in po["lines"]} == {
        (kept.product_id, Decimal(1)),
        (changed.product_id, Decimal(7)),
    }
    assert (await client.get(CART, headers=alice.headers)).json()["line_count"] == 0
    assert (await client.get(CART, headers=bob.headers)).json()["line_count"] == 1


async def test_remove_and_clear(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    first = await make_offer(state, client_id=planner.client_id)
    second = await make_offer(state, client_id=planner.client_id)
    line = await add_to_cart(client, planner, first)
    await add_to_cart(client, planner, second)
    assert (await client.delete(f"{CART}/items/{line['id']}", headers=planner.headers)).status_code == 204
    assert (await client.delete(f"{CART}/items/{line['id']}", headers=planner.headers)).status_code == 404
    assert (await client.get(CART, headers=planner.headers)).json()["line_count"] == 1
    assert (await client.delete(CART, headers=planner.headers)).status_code == 204
    assert (await client.get(CART, headers=planner.headers)).json()["line_count"] == 0
    events = await client.get(
        "/api/v1/audit-events",
        params={"entity_type": "cart"},
        headers=(await make_user(state, client_id=planner.client_id)).headers,
    )
    assert [e["action"] for e in events.json()["items"]] == ["cart.cleared"]


async def test_cart_shows_price_changes_and_lines_that_can_no_longer_be_ordered(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    cid = planner.client_id
    offer = await make_offer(state, client_id=cid, price="3")
    await add_to_cart(client, planner, offer, "2")
    async with state.uow.tenant(cid) as uow:
        from sqlalchemy import update

        await uow.session.execute(
            update(ProductSupplier)
            .where(ProductSupplier.product_id == offer.product_id)
            .values(unit_price=Decimal(4))
        )
    (line,) = (await client.get(CART, headers=planner.headers)).json()["groups"][0]["lines"]
    assert Decimal(line["unit_price"]) == 3 and Decimal(line["current_unit_price"]) == 4
    assert Decimal(line["line_total"]) == 8
    assert "price_changed" in {w["code"] for w in line["warnings"]}

    other_product = await make_product(state, client_id=cid)
    await link(state, client_id=cid, product_id=other_product, supplier_id=offer.supplier_id)
    await update_row(state, client_id=cid, model=Product, row_id=offer.product_id, is_active=False)
    (line,) = (await client.get(CART, headers=planner.headers)).json()["groups"][0]["lines"]
    assert "cannot_order" in {w["code"] for w in line["warnings"]}


async def test_reading_the_cart_takes_the_same_statements_whatever_its_size(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    await add_to_cart(client, planner, await make_offer(state, client_id=planner.client_id))
    with count_statements(state) as few:
        assert (await client.get(CART, headers=planner.headers)).json()["line_count"] == 1
    for _ in range(8):
        await add_to_cart(client, planner, await make_offer(state, client_id=planner.client_id))
    with count_statements(state) as many:
        assert (await client.get(CART, headers=planner.headers)).json()["line_count"] == 9
    assert len(many) == len(few)
