"""Per-user preferences: typed defaults, merging PATCH, 422 on unknown keys and ranges, private per user."""

from __future__ import annotations

import httpx

from stockwise.core.principal import Role
from stockwise.state import AppState
from tests.factories import make_actor, make_user
from tests.tenancy.helpers import assert_problem

DEFAULTS = {
    "default_location_id": None,
    "page_size": 50,
    "theme": "system",
    "date_format": "iso",
    "dashboard_period_days": 30,
    "favourite_product_ids": [],
}


async def test_defaults_then_patch_merges(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state, role=Role.VIEWER)
    assert (await client.get("/api/v1/me/preferences", headers=actor.headers)).json() == DEFAULTS

    first = await client.patch(
        "/api/v1/me/preferences", json={"theme": "dark", "page_size": 100}, headers=actor.headers
    )
    assert first.status_code == 200, first.text
    second = await client.patch("/api/v1/me/preferences", json={"date_format": "dmy"}, headers=actor.headers)
    expected = {**DEFAULTS, "theme": "dark", "page_size": 100, "date_format": "dmy"}
    assert second.json() == expected
    assert (await client.get("/api/v1/me/preferences", headers=actor.headers)).json() == expected

    cleared = await client.patch(
        "/api/v1/me/preferences", json={"default_location_id": None}, headers=actor.headers
    )
    assert cleared.json() == expected


async def test_unknown_key_is_422(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    resp = await client.patch("/api/v1/me/preferences", json={"them": "dark"}, headers=actor.headers)
    body = assert_problem(resp, 422, "validation_error")
    assert [e["loc"] for e in body["errors"]] == [["body", "them"]]
    assert (await client.get("/api/v1/me/preferences", headers=actor.headers)).json() == DEFAULTS


async def test_out_of_range_names_each_field(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    bad = {
        "page_size": 500,
        "dashboard_period_days": 1,
        "theme": "neon",
        "favourite_product_ids": list(range(101)),
    }
    resp = await client.patch("/api/v1/me/preferences", json=bad, headers=actor.headers)
    body = assert_problem(resp, 422)
    assert {e["loc"][1] for e in body["errors"]} == set(bad)
    null_theme = await client.patch("/api/v1/me/preferences", json={"theme": None}, headers=actor.headers)
    assert [e["loc"] for e in assert_problem(null_theme, 422)["errors"]] == [["body", "theme"]]
    assert (await client.get("/api/v1/me/preferences", headers=actor.headers)).json() == DEFAULTS


async def test_preferences_are_private_to_the_user(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    colleague = await make_user(state, client_id=actor.client_id, role=Role.ADMIN)
    stranger = await make_actor(state)
    await client.patch("/api/v1/me/preferences", json={"theme": "light"}, headers=actor.headers)
    for other in (colleague, stranger):
        assert (await client.get("/api/v1/me/preferences", headers=other.headers)).json() == DEFAULTS
    await client.patch("/api/v1/me/preferences", json={"page_size": 10}, headers=colleague.headers)
    mine = (await client.get("/api/v1/me/preferences", headers=actor.headers)).json()
    assert mine == {**DEFAULTS, "theme": "light"}


async def test_preferences_need_authentication(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/me/preferences"), 401)
    assert_problem(await client.patch("/api/v1/me/preferences", json={"theme": "dark"}), 401)
