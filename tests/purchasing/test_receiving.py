"""Receiving through the API: receipts move stock and status together, never over-receive, reverse cleanly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from stockwise.core.principal import Role
from stockwise.purchasing.service import receiving
from tests.factories import make_actor
from tests.purchasing.factories import ordered_po

POS = "/api/v1/purchase-orders"


async def on_hand(client: httpx.AsyncClient, actor: Any, product_id: int, location_id: int) -> Decimal:
    params = {"product_id": product_id, "location_id": location_id}
    levels = (await client.get("/api/v1/stock", params=params, headers=actor.headers)).json()["items"]
    return Decimal(levels[0]["on_hand"]) if levels else Decimal(0)


async def movements(client: httpx.AsyncClient, actor: Any) -> list[tuple[int, Decimal, str, str | None]]:
    """The tenant's stock movements, oldest first."""
    page = (await client.get("/api/v1/stock/movements", headers=actor.headers)).json()["items"]
    return [(m["product_id"], Decimal(m["quantity"]), m["reason"], m["reference"]) for m in reversed(page)]


async def receive(
    client: httpx.AsyncClient, actor: Any, po: dict[str, Any], *quantities: str, key: str | None = None
) -> httpx.Response:
    lines = [
        {"line_id": line["id"], "quantity": q} for line, q in zip(po["lines"], quantities, strict=False) if q
    ]
    headers = {**actor.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post(f"{POS}/{po['id']}/receipts", json={"lines": lines}, headers=headers)


async def test_partial_then_full_receipt_moves_stock_and_status(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("10", "4"))
    first, second = po["lines"]

    partial = await receive(client, planner, po, "6", "4")
    assert partial.status_code == 201, partial.text
    assert partial.json()["purchase_order"]["status"] == "partially_received"
    assert [line["quantity_open"] for line in partial.json()["purchase_order"]["lines"]] == [
        "4.0000",
        "0.0000",
    ]
    assert await on_hand(client, planner, first["product_id"], po["location_id"]) == 6
    full = await receive(client, planner, po, "4")
    assert full.json()["purchase_order"]["status"] == "received"
    assert await on_hand(client, planner, first["product_id"], po["location_id"]) == 10
    assert await on_hand(client, planner, second["product_id"], po["location_id"]) == 4
    assert await movements(client, planner) == [
        (first["product_id"], Decimal(6), "receipt", po["po_number"]),
        (second["product_id"], Decimal(4), "receipt", po["po_number"]),
        (first["product_id"], Decimal(4), "receipt", po["po_number"]),
    ]
    receipts = (await client.get(f"{POS}/{po['id']}/receipts", headers=planner.headers)).json()
    assert [[line["quantity"] for line in r["lines"]] for r in receipts] == [["6.0000", "4.0000"], ["4.0000"]]
    assert (await receive(client, planner, po, "1")).status_code == 409


async def test_over_receipt_is_refused_unless_within_tolerance(client: httpx.AsyncClient, state: Any) -> None:
    admin = await make_actor(state, role=Role.ADMIN)
    po = await ordered_po(client, state, admin, quantities=("10",))
    over = await receive(client, admin, po, "10.5")
    assert over.status_code == 422
    assert over.json()["errors"][0]["loc"] == ["body", "lines", 0, "quantity"]
    assert await on_hand(client, admin, po["lines"][0]["product_id"], po["location_id"]) == 0

    await client.patch("/api/v1/settings", json={"receipt_tolerance_pct": 0.05}, headers=admin.headers)
    assert (await receive(client, admin, po, "10.5")).status_code == 201
    assert (await receive(client, admin, po, "0.0001")).status_code == 409  # now fully received


async def test_receipt_lines_must_belong_to_the_po(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner)
    other = await ordered_po(client, state, planner)
    body = {
        "lines": [
            {"line_id": other["lines"][0]["id"], "quantity": "1"},
            {"line_id": po["lines"][0]["id"], "quantity": "1"},
            {"line_id": po["lines"][0]["id"], "quantity": "1"},
        ]
    }
    resp = await client.post(f"{POS}/{po['id']}/receipts", json=body, headers=planner.headers)
    assert resp.status_code == 422
    assert [e["loc"] for e in resp.json()["errors"]] == [
        ["body", "lines", 0, "line_id"],
        ["body", "lines", 2, "line_id"],
    ]


async def test_drafts_and_cancelled_pos_cannot_be_received(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    draft = await ordered_po(client, state, planner, submit=False)
    resp = await receive(client, planner, draft, "1")
    assert resp.status_code == 409 and resp.json()["current_status"] == "draft"


async def test_retried_receipt_with_idempotency_key_adds_stock_once(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("10",))
    first = await receive(client, planner, po, "3", key="delivery-77")
    retry = await receive(client, planner, po, "3", key="delivery-77")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert await on_hand(client, planner, po["lines"][0]["product_id"], po["location_id"]) == 3
    assert len(await movements(client, planner)) == 1


async def test_reversal_compensates_and_happens_once(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("5",))
    await client.post(f"{POS}/{po['id']}/confirm", headers=planner.headers)
    receipt = (await receive(client, planner, po, "5")).json()["receipt"]
    product_id = po["lines"][0]["product_id"]

    reversed_ = await client.post(
        f"{POS}/{po['id']}/receipts/{receipt['id']}/reverse",
        json={"note": "wrong PO"},
        headers=planner.headers,
    )

    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["receipt"]["reverses_receipt_id"] == receipt["id"]
    assert reversed_.json()["receipt"]["lines"][0]["quantity"] == "-5.0000"
    assert reversed_.json()["purchase_order"]["status"] == "confirmed"
    assert await on_hand(client, planner, product_id, po["location_id"]) == 0
    assert [m[1:3] for m in await movements(client, planner)] == [
        (Decimal(5), "receipt"),
        (Decimal(-5), "receipt_reversal"),
    ]
    twice = await client.post(f"{POS}/{po['id']}/receipts/{receipt['id']}/reverse", headers=planner.headers)
    assert twice.status_code == 409
    reversal_id = reversed_.json()["receipt"]["id"]
    of_reversal = await client.post(
        f"{POS}/{po['id']}/receipts/{reversal_id}/reverse", headers=planner.headers
    )
    assert of_reversal.status_code == 409
    other = await ordered_po(client, state, planner)
    wrong_po = await client.post(
        f"{POS}/{other['id']}/receipts/{receipt['id']}/reverse", headers=planner.headers
    )
    assert wrong_po.status_code == 404
    assert (await receive(client, planner, po, "5")).json()["purchase_order"]["status"] == "received"


async def test_close_short_takes_the_rest_off_order(client: httpx.AsyncClient, state: Any) -> None:
    from stockwise.purchasing.service import on_order_quantities

    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("10",))
    draft = await ordered_po(client, state, planner, submit=False)
    pair = (po["lines"][0]["product_id"], po["location_id"])
    draft_pair = (draft["lines"][0]["product_id"], draft["location_id"])

    async def on_order(**selection: Any) -> dict[tuple[int, int], Decimal]:
        async with state.uow.tenant(planner.client_id) as uow:
            return await on_order_quantities(uow, **selection)

    by_product = {"product_ids": [pair[0], draft_pair[0]]}
    assert await on_order(pairs=[pair, draft_pair]) == {pair: Decimal(10)}
    assert await on_order() == await on_order(**by_product) == {pair: Decimal(10)}
    assert await on_order(pairs=[]) == {}
    await receive(client, planner, po, "4")
    assert await on_order(pairs=[pair]) == {pair: Decimal(6)}
    closed = await client.post(f"{POS}/{po['id']}/close", headers=planner.headers)
    assert closed.json()["status"] == "closed"
    assert await on_order() == {}


async def test_failure_mid_receipt_leaves_stock_and_po_unchanged(
    client: httpx.AsyncClient, state: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("10", "5"))
    real_apply = receiving.apply_stock_movements

    async def apply_then_fail(*args: Any, **kwargs: Any) -> None:
        await real_apply(*args, **kwargs)
        raise RuntimeError("disk on fire at /var/lib/secret")

    monkeypatch.setattr(receiving, "apply_stock_movements", apply_then_fail)
    resp = await receive(client, planner, po, "10", "5")
    monkeypatch.undo()

    assert resp.status_code == 500 and "secret" not in resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert await on_hand(client, planner, po["lines"][0]["product_id"], po["location_id"]) == 0
    assert await movements(client, planner) == []
    after = (await client.get(f"{POS}/{po['id']}", headers=planner.headers)).json()
    assert after["status"] == "submitted" and after["version"] == po["version"]
    assert [line["quantity_received"] for line in after["lines"]] == ["0.0000", "0.0000"]
    assert (await client.get(f"{POS}/{po['id']}/receipts", headers=planner.headers)).json() == []
