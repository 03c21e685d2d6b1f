"""Checkout through the API: one draft PO per (supplier, location), re-checked, atomic, idempotent."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from stockwise.catalog.models import ProductSupplier, Supplier
from stockwise.core.principal import Role
from stockwise.purchasing.service import documents
from tests.factories import make_actor, make_user
from tests.purchasing.factories import add_to_cart, checkout, make_offer, update_row

CART = "/api/v1/cart"
POS = "/api/v1/purchase-orders"


async def _po_count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get(POS, headers=headers)).json()["total"])


async def test_one_draft_po_per_supplier_and_location(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    cid = planner.client_id
    s1 = await make_offer(state, client_id=cid, lead_time_days=5, price="1.25")
    s1b = await make_offer(
        state,
        client_id=cid,
        supplier_id=s1.supplier_id,
        location_id=s1.location_id,
        lead_time_days=12,
        price="2",
    )
    s1_other_location = await make_offer(state, client_id=cid, supplier_id=s1.supplier_id, lead_time_days=3)
    s2 = await make_offer(state, client_id=cid, location_id=s1.location_id)
    await update_row(state, client_id=cid, model=Supplier, row_id=s2.supplier_id, currency="USD")
    for offer in (s1, s1b, s1_other_location, s2):
        await add_to_cart(client, planner, offer, "4")

    result = await checkout(client, planner)

    pos = {(po["supplier_id"], po["location_id"]): po for po in result["purchase_orders"]}
    assert set(pos) == {
        (s1.supplier_id, s1.location_id),
        (s1.supplier_id, s1_other_location.location_id),
        (s2.supplier_id, s2.location_id),
    }
    main = pos[(s1.supplier_id, s1.location_id)]
    assert main["status"] == "draft" and main["currency"] == "EUR"
    assert pos[(s2.supplier_id, s2.location_id)]["currency"] == "USD"
    assert Decimal(main["total_amount"]) == Decimal("4") * Decimal("1.25") + Decimal("4") * Decimal("2")
    order_date = date.fromisoformat(main["order_date"])
    assert date.fromisoformat(main["expected_date"]) == order_date + timedelta(days=12)
    assert all(re.fullmatch(rf"PO-{order_date.year}-\d{{6}}", po["po_number"]) for po in pos.values())
    assert (await client.get(CART, headers=planner.headers)).json()["line_count"] == 0
    detail = (await client.get(f"{POS}/{main['id']}", headers=planner.headers)).json()
    assert detail == main


async def test_checkout_of_one_supplier_group_keeps_the_rest(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    chosen = await make_offer(state, client_id=planner.client_id)
    other = await make_offer(state, client_id=planner.client_id)
    await add_to_cart(client, planner, chosen)
    await add_to_cart(client, planner, other)
    result = await checkout(
        client, planner, supplier_id=chosen.supplier_id, notes="urgent", expected_date="2031-01-02"
    )
    (po,) = result["purchase_orders"]
    assert po["supplier_id"] == chosen.supplier_id
    assert po["notes"] == "urgent" and po["expected_date"] == "2031-01-02"
    cart = (await client.get(CART, headers=planner.headers)).json()
    assert [g["supplier"]["id"] for g in cart["groups"]] == [other.supplier_id]


async def test_changed_price_is_taken_and_shown(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id, price="3")
    line = await add_to_cart(client, planner, offer, "2")
    async with state.uow.tenant(planner.client_id) as uow:
        condition = (
            await uow.session.execute(
                ProductSupplier.__table__.select().where(ProductSupplier.product_id == offer.product_id)
            )
        ).first()
    await update_row(
        state,
        client_id=planner.client_id,
        model=ProductSupplier,
        row_id=condition.id,
        unit_price=Decimal("3.5"),
    )
    result = await checkout(client, planner)
    assert result["price_changes"] == [
        {
            "cart_item_id": line["id"],
            "product_id": offer.product_id,
            "sku": line["sku"],
            "previous_unit_price": "3.0000",
            "unit_price": "3.5000",
        }
    ]
    (po,) = result["purchase_orders"]
    assert Decimal(po["lines"][0]["unit_price"]) == Decimal("3.5") and Decimal(po["total_amount"]) == 7


async def test_lines_that_cannot_be_ordered_are_named_and_nothing_changes(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    good = await make_offer(state, client_id=planner.client_id)
    dropped = await make_offer(state, client_id=planner.client_id)
    await add_to_cart(client, planner, good)
    dropped_line = await add_to_cart(client, planner, dropped)
    async with state.uow.tenant(planner.client_id) as uow:
        condition = (
            await uow.session.execute(
                ProductSupplier.__table__.select().where(ProductSupplier.product_id == dropped.product_id)
            )
        ).first()
    await update_row(
        state, client_id=planner.client_id, model=ProductSupplier, row_id=condition.id, is_active=False
    )
    before = (await client.get(CART, headers=planner.headers)).json()

    resp = await client.post(f"{CART}/checkout", json={}, headers=planner.headers)

    assert resp.status_code == 422
    assert [e["loc"] for e in resp.json()["errors"]] == [["cart", "items", dropped_line["id"], "supplier_id"]]
    assert await _po_count(client, planner.headers) == 0
    assert (await client.get(CART, headers=planner.headers)).json() == before


async def test_empty_cart_is_a_422(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    resp = await client.post(f"{CART}/checkout", headers=planner.headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["loc"] == ["body"]


async def test_failure_after_the_first_po_leaves_no_po_and_the_cart_as_it_was(
    client: httpx.AsyncClient, state: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    for _ in range(3):
        await add_to_cart(client, planner, await make_offer(state, client_id=planner.client_id))
    before = (await client.get(CART, headers=planner.headers)).json()
    inserted: list[int] = []

    async def fail_once_pos_exist(uow: Any, **event: Any) -> None:
        inserted.append(int(event["entity_id"]))  # the PO row exists in this transaction
        raise RuntimeError("boom: secret-connection-string")

    monkeypatch.setattr(documents, "record_audit", fail_once_pos_exist)
    resp = await client.post(f"{CART}/checkout", json={}, headers=planner.headers)

    assert inserted, "the first PO was inserted before the failure"
    assert resp.status_code == 500
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "boom" not in resp.text and "secret" not in resp.text
    monkeypatch.undo()
    assert await _po_count(client, planner.headers) == 0
    assert (await client.get(f"{POS}/{inserted[0]}", headers=planner.headers)).status_code == 404
    assert (await client.get(CART, headers=planner.headers)).json() == before
    # The numbers were given back with the rollback: the next checkout starts at 1.
    result = await checkout(client, planner)
    assert sorted(po["po_number"][-6:] for po in result["purchase_orders"]) == ["000001", "000002", "000003"]


async def test_same_idempotency_key_replays_and_another_body_is_refused(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id)
    await add_to_cart(client, planner, offer)
    headers = {**planner.headers, "Idempotency-Key": "checkout-0001"}

    first = await client.post(f"{CART}/checkout", json={"notes": "x"}, headers=headers)
    await add_to_cart(client, planner, offer)  # a retry must not check this new line out
    again = await client.post(f"{CART}/checkout", json={"notes": "x"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await _po_count(client, planner.headers) == 1
    other_body = await client.post(f"{CART}/checkout", json={"notes": "y"}, headers=headers)
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    # Keys are per user: a colleague's identical key is a different request.
    colleague = await make_user(state, client_id=planner.client_id, role=Role.PLANNER)
    await add_to_cart(client, colleague, offer)
    theirs = await client.post(
        f"{CART}/checkout",
        json={"notes": "x"},
        headers={**colleague.headers, "Idempotency-Key": "checkout-0001"},
    )
    assert theirs.status_code == 201 and theirs.json() != first.json()
    assert await _po_count(client, planner.headers) == 2


async def test_expired_idempotency_key_runs_again(client: httpx.AsyncClient, state: Any) -> None:
    from sqlalchemy import update

    from stockwise.core.idempotency import IdempotencyKey
    from stockwise.core.types import utcnow

    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id)
    headers = {**planner.headers, "Idempotency-Key": "old-key"}
    await add_to_cart(client, planner, offer)
    first = await client.post(f"{CART}/checkout", json={}, headers=headers)
    async with state.uow.tenant(planner.client_id) as uow:
        await uow.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    await add_to_cart(client, planner, offer)
    second = await client.post(f"{CART}/checkout", json={}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["purchase_orders"][0]["id"] != first.json()["purchase_orders"][0]["id"]


async def test_bad_idempotency_key_is_a_422(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    resp = await client.post(
        f"{CART}/checkout", json={}, headers={**planner.headers, "Idempotency-Key": "x" * 201}
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_number_format_comes_from_settings_and_cancelled_pos_keep_numbers(
    client: httpx.AsyncClient, state: Any
) -> None:
    admin = await make_actor(state, role=Role.ADMIN)
    resp = await client.patch(
        "/api/v1/settings",
        json={"po_number_format": "ACME/{year}{month:02d}/{seq:04d}"},
        headers=admin.headers,
    )
    assert resp.status_code == 200, resp.text
    await add_to_cart(client, admin, await make_offer(state, client_id=admin.client_id))
    (first,) = (await checkout(client, admin))["purchase_orders"]
    cancelled = await client.post(f"{POS}/{first['id']}/cancel", headers=admin.headers)
    assert cancelled.json()["po_number"] == first["po_number"]
    await add_to_cart(client, admin, await make_offer(state, client_id=admin.client_id))
    (second,) = (await checkout(client, admin))["purchase_orders"]
    day = date.fromisoformat(first["order_date"])
    assert first["po_number"] == f"ACME/{day.year}{day.month:02d}/0001"
    assert second["po_number"] == f"ACME/{day.year}{day.month:02d}/0002"


async def test_checkout_is_audited(client: httpx.AsyncClient, state: Any) -> None:
    admin = await make_actor(state, role=Role.ADMIN)
    await add_to_cart(client, admin, await make_offer(state, client_id=admin.client_id))
    (po,) = (await checkout(client, admin))["purchase_orders"]
    events = (
        await client.get(
            "/api/v1/audit-events", params={"entity_type": "purchase_order"}, headers=admin.headers
        )
    ).json()["items"]
    (created,) = events
    assert created["action"] == "purchase_order.created" and created["entity_id"] == str(po["id"])
    assert created["actor_user_id"] == admin.user_id
    assert created["after"]["po_number"] == po["po_number"] and created["after"]["source"] == "checkout"


async def test_a_format_that_repeats_an_old_number_is_a_409_and_changes_nothing(
    client: httpx.AsyncClient, state: Any
) -> None:
    admin = await make_actor(state, role=Role.ADMIN)
    await add_to_cart(client, admin, await make_offer(state, client_id=admin.client_id))
    (first,) = (await checkout(client, admin))["purchase_orders"]
    year = date.fromisoformat(first["order_date"]).year
    # The year written out by hand starts a new counter that renders the same numbers again.
    changed = await client.patch(
        "/api/v1/settings", json={"po_number_format": f"PO-{year}-{{seq:06d}}"}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    await add_to_cart(client, admin, await make_offer(state, client_id=admin.client_id))
    before = (await client.get(CART, headers=admin.headers)).json()

    resp = await client.post(f"{CART}/checkout", json={}, headers=admin.headers)

    assert resp.status_code == 409, resp.text
    assert resp.json()["setting"] == "po_number_format" and first["po_number"] in resp.json()["detail"]
    assert await _po_count(client, admin.headers) == 1
    assert (await client.get(CART, headers=admin.headers)).json() == before
