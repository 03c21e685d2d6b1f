"""Races on PostgreSQL: numbering under concurrent checkouts, duplicate requests, concurrent receipts."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select

from stockwise.config import Settings
from stockwise.core.principal import Role
from stockwise.inventory.models import StockLevel
from tests.factories import make_actor, make_user
from tests.purchasing.factories import add_to_cart, make_offer, ordered_po

pytestmark = pytest.mark.postgres_only
CHECKOUT = "/api/v1/cart/checkout"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_pool_size": 30})


def _sequence(numbers: list[str]) -> list[int]:
    return sorted(int(number.rsplit("-", 1)[1]) for number in numbers)


async def test_concurrent_checkouts_get_distinct_consecutive_numbers(
    client: httpx.AsyncClient, state: Any
) -> None:
    first = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=first.client_id)
    planners = [first] + [
        await make_user(state, client_id=first.client_id, role=Role.PLANNER) for _ in range(99)
    ]
    for planner in planners:
        await add_to_cart(client, planner, offer, "1")

    responses = await asyncio.gather(*(client.post(CHECKOUT, json={}, headers=p.headers) for p in planners))

    assert [r.status_code for r in responses] == [201] * 100, [
        r.text for r in responses if r.status_code != 201
    ]
    numbers = [r.json()["purchase_orders"][0]["po_number"] for r in responses]
    assert _sequence(numbers) == list(range(1, 101))


async def test_two_tenants_number_independently(client: httpx.AsyncClient, state: Any) -> None:
    tenants = [await make_actor(state, role=Role.PLANNER) for _ in range(2)]
    planners = [
        user
        for tenant in tenants
        for user in [tenant]
        + [await make_user(state, client_id=tenant.client_id, role=Role.PLANNER) for _ in range(14)]
    ]
    offers = {tenant.client_id: await make_offer(state, client_id=tenant.client_id) for tenant in tenants}
    for planner in planners:
        await add_to_cart(client, planner, offers[planner.client_id], "1")

    responses = await asyncio.gather(*(client.post(CHECKOUT, json={}, headers=p.headers) for p in planners))

    by_tenant: dict[int, list[str]] = {}
    for planner, resp in zip(planners, responses, strict=True):
        assert resp.status_code == 201, resp.text
        by_tenant.setdefault(planner.client_id, []).append(resp.json()["purchase_orders"][0]["po_number"])
    assert [_sequence(numbers) for numbers in by_tenant.values()] == [list(range(1, 16))] * 2


async def test_concurrent_duplicates_with_one_key_create_one_set(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    for _ in range(3):
        await add_to_cart(client, planner, await make_offer(state, client_id=planner.client_id), "2")
    headers = {**planner.headers, "Idempotency-Key": "one-click"}

    responses = await asyncio.gather(*(client.post(CHECKOUT, json={}, headers=headers) for _ in range(20)))

    assert [r.status_code for r in responses] == [201] * 20, [
        r.text for r in responses if r.status_code != 201
    ]
    assert len({r.content for r in responses}) == 1
    assert len(responses[0].json()["purchase_orders"]) == 3
    listing = (await client.get("/api/v1/purchase-orders", headers=planner.headers)).json()
    assert listing["total"] == 3


async def test_duplicate_gets_409_when_the_first_does_not_finish(
    client: httpx.AsyncClient, state: Any, database_urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockwise.core import idempotency

    planner = await make_actor(state, role=Role.PLANNER)
    route = f"POST {CHECKOUT}"
    owner = await asyncpg.connect(database_urls[1].replace("+asyncpg", ""))
    try:
        transaction = owner.transaction()
        await transaction.start()
        await owner.execute(
            "insert into idempotency_key (client_id, user_id, route, key, fingerprint, created_at, "
            "expires_at) values ($1, $2, $3, 'stuck', 'x', now(), now() + interval '1 day')",
            planner.client_id,
            planner.user_id,
            route,
        )
        monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
        resp = await client.post(CHECKOUT, json={}, headers={**planner.headers, "Idempotency-Key": "stuck"})
        await transaction.rollback()
    finally:
        await owner.close()
    assert resp.status_code == 409 and resp.headers["Retry-After"] == "1"


async def test_concurrent_receipts_never_exceed_the_ordered_quantity(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("10", "10"))
    lines = [{"line_id": line["id"], "quantity": "3"} for line in po["lines"]]
    url = f"/api/v1/purchase-orders/{po['id']}/receipts"

    responses = await asyncio.gather(
        *(
            client.post(url, json={"lines": lines[:: 1 if i % 2 else -1]}, headers=planner.headers)
            for i in range(12)
        )
    )

    assert sorted(r.status_code for r in responses) == [201] * 3 + [422] * 9
    final = (await client.get(f"/api/v1/purchase-orders/{po['id']}", headers=planner.headers)).json()
    assert [Decimal(line["quantity_received"]) for line in final["lines"]] == [Decimal(9), Decimal(9)]
    async with state.uow.tenant(planner.client_id) as uow:
        levels = (await uow.session.execute(select(StockLevel))).scalars().all()
    assert sorted(level.on_hand for level in levels) == [Decimal(9), Decimal(9)]


async def test_concurrent_edits_with_one_etag_let_exactly_one_win(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, submit=False)
    url = f"/api/v1/purchase-orders/{po['id']}"
    etag = (await client.get(url, headers=planner.headers)).headers["ETag"]

    responses = await asyncio.gather(
        *(
            client.patch(url, json={"notes": f"edit {i}"}, headers={**planner.headers, "If-Match": etag})
            for i in range(8)
        )
    )

    assert sorted(r.status_code for r in responses) == [200] + [412] * 7
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    assert (await client.get(url, headers=planner.headers)).json()["notes"] == winner["notes"]
