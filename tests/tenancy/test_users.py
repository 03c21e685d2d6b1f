"""Admin-only user management: roles, disabling, the last-admin rule and its audit trail."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from stockwise.core.principal import Role
from stockwise.state import AppState
from tests.factories import make_actor, make_user
from tests.tenancy.helpers import assert_problem, bearer, login

NEW_PASSWORD = "a-brand-new-password-42"


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], email: str, role: str = "planner"
) -> httpx.Response:
    body = {"email": email, "password": NEW_PASSWORD, "full_name": "New Person", "role": role}
    return await client.post("/api/v1/users", json=body, headers=headers)


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VIEWER])
async def test_users_endpoints_are_admin_only(client: httpx.AsyncClient, state: AppState, role: Role) -> None:
    admin = await make_actor(state)
    actor = await make_user(state, client_id=admin.client_id, role=role)
    assert_problem(await client.get("/api/v1/users", headers=actor.headers), 403, "forbidden")
    assert_problem(await _create(client, actor.headers, "sneaky@example.com"), 403)
    assert_problem(await client.get(f"/api/v1/users/{admin.user_id}", headers=actor.headers), 403)
    assert_problem(
        await client.patch(f"/api/v1/users/{actor.user_id}", json={"role": "admin"}, headers=actor.headers),
        403,
    )
    assert_problem(await client.get("/api/v1/audit-events", headers=actor.headers), 403)
    assert (await client.get("/api/v1/me", headers=actor.headers)).json()["role"] == role.value


async def test_create_list_get_user(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    resp = await _create(client, admin.headers, "New.Person@Example.com", role="viewer")
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert (created["email"], created["role"], created["is_active"]) == (
        "new.person@example.com",
        "viewer",
        True,
    )
    assert "password" not in resp.text

    listing = (await client.get("/api/v1/users", headers=admin.headers)).json()
    assert listing["total"] == 2
    assert {u["id"] for u in listing["items"]} == {admin.user_id, created["id"]}
    one = await client.get(f"/api/v1/users/{created['id']}", headers=admin.headers)
    assert one.json()["full_name"] == "New Person"
    tokens = await login(client, "new.person@example.com", NEW_PASSWORD)
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).json()["role"] == "viewer"


async def test_create_user_validates_and_rejects_duplicates(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await make_actor(state)
    other_tenant = await make_actor(state)
    assert_problem(await _create(client, admin.headers, admin.email), 409, "conflict")
    # Emails are unique across tenants: one in another tenant is a conflict too, not a 500.
    assert_problem(await _create(client, admin.headers, other_tenant.email.upper()), 409, "conflict")
    bad = await client.post(
        "/api/v1/users",
        json={"email": "x@example.com", "password": "short", "role": "owner"},
        headers=admin.headers,
    )
    body = assert_problem(bad, 422)
    assert {tuple(e["loc"]) for e in body["errors"]} == {("body", "password"), ("body", "role")}
    assert '"short"' not in bad.text


async def test_list_users_filters_by_active(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    gone = await make_user(state, client_id=admin.client_id, role=Role.VIEWER)
    await client.patch(f"/api/v1/users/{gone.user_id}", json={"is_active": False}, headers=admin.headers)
    active = (await client.get("/api/v1/users?active=true", headers=admin.headers)).json()
    inactive = (await client.get("/api/v1/users?active=false", headers=admin.headers)).json()
    assert [u["id"] for u in active["items"]] == [admin.user_id]
    assert [u["id"] for u in inactive["items"]] == [gone.user_id]


async def test_role_change_applies_to_existing_tokens(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    viewer = await make_user(state, client_id=admin.client_id, role=Role.VIEWER)
    assert_problem(await client.get("/api/v1/users", headers=viewer.headers), 403)
    resp = await client.patch(
        f"/api/v1/users/{viewer.user_id}", json={"role": "admin"}, headers=admin.headers
    )
    assert resp.json()["role"] == "admin"
    assert (await client.get("/api/v1/users", headers=viewer.headers)).status_code == 200


async def test_disabled_user_tokens_stop_at_once(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    planner = await make_user(state, client_id=admin.client_id, role=Role.PLANNER)
    assert (await client.get("/api/v1/me", headers=planner.headers)).status_code == 200
    resp = await client.patch(
        f"/api/v1/users/{planner.user_id}", json={"is_active": False}, headers=admin.headers
    )
    assert resp.status_code == 200
    assert resp.json()["is_active"] is False
    assert_problem(await client.get("/api/v1/me", headers=planner.headers), 401)
    # Re-enabling does not resurrect the old tokens (the token version moved on).
    await client.patch(f"/api/v1/users/{planner.user_id}", json={"is_active": True}, headers=admin.headers)
    assert_problem(await client.get("/api/v1/me", headers=planner.headers), 401)
    tokens = await login(client, planner.email)
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 200


async def test_last_active_admin_cannot_be_demoted_or_disabled(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await make_actor(state)
    for change in ({"role": "planner"}, {"is_active": False}, {"role": "viewer", "is_active": False}):
        resp = await client.patch(f"/api/v1/users/{admin.user_id}", json=change, headers=admin.headers)
        assert_problem(resp, 409, "conflict")
    me = (await client.get("/api/v1/me", headers=admin.headers)).json()
    assert (me["role"], me["is_active"]) == ("admin", True)

    second = await make_user(state, client_id=admin.client_id, role=Role.ADMIN)
    resp = await client.patch(
        f"/api/v1/users/{admin.user_id}", json={"role": "planner"}, headers=second.headers
    )
    assert resp.status_code == 200, resp.text
    assert_problem(
        await client.patch(
            f"/api/v1/users/{second.user_id}", json={"is_active": False}, headers=second.headers
        ),
        409,
    )


async def test_disabled_admin_does_not_count_as_active(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    other = await make_user(state, client_id=admin.client_id, role=Role.ADMIN)
    assert (
        await client.patch(f"/api/v1/users/{other.user_id}", json={"is_active": False}, headers=admin.headers)
    ).status_code == 200
    assert_problem(
        await client.patch(f"/api/v1/users/{admin.user_id}", json={"role": "viewer"}, headers=admin.headers),
        409,
    )


@pytest.mark.postgres_only
async def test_two_admins_demoting_each_other_at_once_keep_one_admin(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin_a = await make_actor(state)
    admin_b = await make_user(state, client_id=admin_a.client_id, role=Role.ADMIN)
    results = await asyncio.gather(
        client.patch(f"/api/v1/users/{admin_b.user_id}", json={"role": "planner"}, headers=admin_a.headers),
        client.patch(f"/api/v1/users/{admin_a.user_id}", json={"role": "planner"}, headers=admin_b.headers),
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses in ([200, 403], [200, 409]), [r.text for r in results]
    fresh = await make_user(state, client_id=admin_a.client_id, role=Role.ADMIN)
    users = (await client.get("/api/v1/users?active=true", headers=fresh.headers)).json()["items"]
    assert sum(u["role"] == "admin" for u in users if u["id"] != fresh.user_id) == 1


async def test_other_tenants_users_are_404(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    stranger = await make_actor(state)
    assert_problem(
        await client.get(f"/api/v1/users/{stranger.user_id}", headers=admin.headers), 404, "not_found"
    )
    resp = await client.patch(
        f"/api/v1/users/{stranger.user_id}", json={"role": "viewer"}, headers=admin.headers
    )
    assert_problem(resp, 404)
    assert (await client.get("/api/v1/me", headers=stranger.headers)).json()["role"] == "admin"


async def test_user_changes_are_audited(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    created = (await _create(client, admin.headers, "audited@example.com")).json()
    await client.patch(f"/api/v1/users/{created['id']}", json={"role": "viewer"}, headers=admin.headers)
    resp = await client.get("/api/v1/audit-events?entity_type=user", headers=admin.headers)
    assert resp.status_code == 200
    events = resp.json()["items"]
    assert [e["action"] for e in events] == ["user.updated", "user.created"]
    updated, creation = events
    assert updated["entity_id"] == str(created["id"])
    assert updated["actor_user_id"] == admin.user_id
    assert (updated["before"]["role"], updated["after"]["role"]) == ("planner", "viewer")
    assert creation["after"]["email"] == "audited@example.com"
    assert updated["request_id"]
    assert "password" not in resp.text

    outsider = await make_actor(state)
    assert (await client.get("/api/v1/audit-events", headers=outsider.headers)).json()["total"] == 0
