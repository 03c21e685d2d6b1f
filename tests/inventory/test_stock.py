"""Stock adjustments write a movement and the level together; lists filter and paginate."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stockwise.core.principal import Role
from stockwise.inventory import service as inventory_service
from tests.catalog.api import API, adjust, make_location, make_product
from tests.factories import Actor, make_actor


async def _setup(client: httpx.AsyncClient, state: object) -> tuple[Actor, dict[str, Any], dict[str, Any]]:
    actor = await make_actor(state, role=Role.PLANNER)  # type: ignore[arg-type]
    return actor, await make_product(client, actor), await make_location(client, actor)


async def _level(client: httpx.AsyncClient, actor: Actor, product_id: int) -> list[dict[str, Any]]:
    resp = await client.get(f"{API}/stock", params={"product_id": product_id}, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def _movements(client: httpx.AsyncClient, actor: Actor, **params: Any) -> list[dict[str, Any]]:
    resp = await client.get(f"{API}/stock/movements", params=params, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def test_delta_and_count_adjustments(client: httpx.AsyncClient, state: object) -> None:
    actor, product, location = await _setup(client, state)
    first = await adjust(
        client, actor, product["id"], location["id"], quantity="10.5", reason="found", note="shelf B"
    )
    assert first.status_code == 201, first.text
    assert first.json()["level"]["on_hand"] == "10.5000"
    assert (
        first.json()["movement"]["quantity"] == "10.5000"
        and first.json()["movement"]["created_by"] == actor.user_id
    )

    damaged = await adjust(client, actor, product["id"], location["id"], quantity="-2", reason="damage")
    assert damaged.json()["level"]["on_hand"] == "8.5000"
    counted = await adjust(client, actor, product["id"], location["id"], set_on_hand="5", reason="count")
    assert counted.json()["movement"]["quantity"] == "-3.5000"

    (level,) = await _level(client, actor, product["id"])
    assert (level["on_hand"], level["allocated"], level["available"]) == ("5.0000", "0.0000", "5.0000")
    assert level["sku"] == product["sku"] and level["location_code"] == location["code"]
    moves = await _movements(client, actor, product_id=product["id"])
    assert [(m["quantity"], m["reason"]) for m in moves] == [
        ("-3.5000", "count"),
        ("-2.0000", "damage"),
        ("10.5000", "found"),
    ]
    assert [m["note"] for m in await _movements(client, actor, reason="found")] == ["shelf B"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"quantity": "1", "reason": None}, ["body", "reason"]),
        ({"quantity": "1", "reason": "stolen-by-aliens"}, ["body", "reason"]),
        ({"quantity": "1", "reason": "receipt"}, ["body", "reason"]),  # system reasons are not for people
        ({"quantity": "0"}, ["body", "quantity"]),
        ({"quantity": "1", "set_on_hand": "2"}, ["body", "quantity"]),
        ({}, ["body", "quantity"]),
        ({"set_on_hand": "-1"}, ["body", "set_on_hand"]),
        ({"quantity": "0.00001"}, ["body", "quantity"]),
    ],
)
async def test_bad_adjustments_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, state: object, body: dict[str, Any], loc: list[str]
) -> None:
    actor, product, location = await _setup(client, state)
    payload = {"product_id": product["id"], "location_id": location["id"], "reason": "count", **body}
    if payload["reason"] is None:
        del payload["reason"]
    resp = await client.post(f"{API}/stock/adjustments", json=payload, headers=actor.headers)
    assert resp.status_code == 422, resp.text
    assert loc in [err["loc"] for err in resp.json()["errors"]]
    assert await _level(client, actor, product["id"]) == []
    assert await _movements(client, actor) == []


async def test_unknown_or_foreign_ids_are_422(client: httpx.AsyncClient, state: object) -> None:
    actor, product, location = await _setup(client, state)
    stranger = await make_actor(state)  # type: ignore[arg-type]
    foreign_location = await make_location(client, stranger)
    resp = await adjust(client, actor, product["id"], foreign_location["id"], quantity="1")
    assert resp.status_code == 422 and resp.json()["errors"][0]["loc"] == ["body", "location_id"]
    resp = await adjust(client, actor, 10**9, location["id"], quantity="1")
    assert resp.status_code == 422 and resp.json()["errors"][0]["loc"] == ["body", "product_id"]
    assert await _movements(client, stranger) == []


async def test_a_failing_adjustment_leaves_nothing(
    client: httpx.AsyncClient, state: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, product, location = await _setup(client, state)
    assert (await adjust(client, actor, product["id"], location["id"], quantity="3")).status_code == 201
    original = inventory_service._apply_locked

    async def apply_then_fail(*args: Any, **kwargs: Any) -> Any:
        await original(*args, **kwargs)  # level updated and movement flushed ...
        raise RuntimeError("disk on fire")  # ... then the request fails

    monkeypatch.setattr(inventory_service, "_apply_locked", apply_then_fail)
    failed = await adjust(client, actor, product["id"], location["id"], quantity="100")
    assert failed.status_code == 500
    assert "disk" not in failed.text
    monkeypatch.undo()
    (level,) = await _level(client, actor, product["id"])
    assert level["on_hand"] == "3.0000"
    assert len(await _movements(client, actor)) == 1


async def test_idempotency_key_applies_once(client: httpx.AsyncClient, state: object) -> None:
    actor, product, location = await _setup(client, state)
    headers = {**actor.headers, "Idempotency-Key": "adj-7f3a"}
    body = {"product_id": product["id"], "location_id": location["id"], "quantity": "4", "reason": "found"}
    first = await client.post(f"{API}/stock/adjustments", json=body, headers=headers)
    again = await client.post(f"{API}/stock/adjustments", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    misuse = await client.post(f"{API}/stock/adjustments", json={**body, "quantity": "5"}, headers=headers)
    assert misuse.status_code == 422
    (level,) = await _level(client, actor, product["id"])
    assert level["on_hand"] == "4.0000"
    assert len(await _movements(client, actor)) == 1


async def test_stock_list_filters(client: httpx.AsyncClient, state: object) -> None:
    actor, product, location = await _setup(client, state)
    other_product, other_location = await make_product(client, actor), await make_location(client, actor)
    await adjust(client, actor, product["id"], location["id"], quantity="-2", reason="loss")
    await adjust(client, actor, product["id"], other_location["id"], quantity="1", reason="found")
    await adjust(client, actor, other_product["id"], location["id"], quantity="5", reason="found")

    async def keys(**params: Any) -> list[tuple[int, int]]:
        resp = await client.get(f"{API}/stock", params=params, headers=actor.headers)
        return [(row["product_id"], row["location_id"]) for row in resp.json()["items"]]

    assert await keys(below_zero="true") == [(product["id"], location["id"])]
    assert len(await keys(below_zero="false")) == 2
    assert sorted(await keys(location_id=location["id"])) == sorted(
        [(product["id"], location["id"]), (other_product["id"], location["id"])]
    )
    page = await client.get(f"{API}/stock", params={"page_size": 2, "page": 2}, headers=actor.headers)
    assert page.json()["total"] == 3 and len(page.json()["items"]) == 1


async def test_viewer_cannot_adjust(client: httpx.AsyncClient, state: object) -> None:
    actor, product, location = await _setup(client, state)
    viewer = await make_actor(state, role=Role.VIEWER, client_id=actor.client_id)  # type: ignore[arg-type]
    resp = await adjust(client, viewer, product["id"], location["id"], quantity="1")
    assert resp.status_code == 403
    assert (await client.get(f"{API}/stock", headers=viewer.headers)).status_code == 200


async def test_apply_stock_movements_batches_in_one_transaction(
    client: httpx.AsyncClient, state: Any
) -> None:
    from decimal import Decimal

    from stockwise.inventory.schemas import MovementReason, StockMovementInput

    actor, product, location = await _setup(client, state)
    second = await make_location(client, actor)
    moves = [
        StockMovementInput(product["id"], second["id"], Decimal(2), MovementReason.RECEIPT, reference="PO-1"),
        StockMovementInput(
            product["id"], location["id"], Decimal(5), MovementReason.RECEIPT, reference="PO-1"
        ),
        StockMovementInput(product["id"], second["id"], Decimal(1), MovementReason.RECEIPT, reference="PO-1"),
    ]
    async with state.uow.tenant(actor.client_id) as uow:
        levels = await inventory_service.apply_stock_movements(uow, moves)
        assert [level.on_hand for level in levels] == [Decimal(3), Decimal(5), Decimal(3)]
    on_hand = {row["location_id"]: row["on_hand"] for row in await _level(client, actor, product["id"])}
    assert on_hand == {location["id"]: "5.0000", second["id"]: "3.0000"}
    assert [m["reference"] for m in await _movements(client, actor, reason="receipt")] == ["PO-1"] * 3
