"""Signup, login, access-token checks, refresh rotation and logout — through the HTTP API."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from stockwise.config import Settings
from stockwise.core.principal import Role
from stockwise.core.types import utcnow
from stockwise.state import AppState
from stockwise.tenancy.tokens import ALGORITHM, AUDIENCE, mint_access_token
from tests.factories import PASSWORD, access_token_for, make_actor, make_user
from tests.tenancy.helpers import assert_problem, bearer, http_client, login, running_app, signup, state_of


async def test_signup_creates_tenant_admin_and_settings(client: httpx.AsyncClient) -> None:
    resp = await signup(client, "Founder@Example.COM", name="Acme Outdoor")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["client"]["name"] == "Acme Outdoor"
    assert body["user"]["email"] == "founder@example.com"
    assert body["user"]["role"] == "admin"
    assert body["user"]["is_active"] is True
    assert "password" not in resp.text and "hash" not in resp.text

    headers = bearer((await login(client, "founder@example.com"))["access_token"])
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["client"]["id"] == body["client"]["id"]
    settings = await client.get("/api/v1/settings", headers=headers)
    assert settings.status_code == 200
    assert settings.json()["service_level_target"] == 0.95
    users = await client.get("/api/v1/users", headers=headers)
    assert [u["id"] for u in users.json()["items"]] == [body["user"]["id"]]


async def test_signup_duplicate_email_is_409_whatever_the_case(client: httpx.AsyncClient) -> None:
    assert (await signup(client, "dup@example.com")).status_code == 201
    again = await signup(client, "DUP@example.com", name="Other Co")
    assert_problem(again, 409, "conflict")


async def test_signup_disabled_by_settings_is_403(settings: Settings) -> None:
    async with running_app(settings, signup_enabled=False) as app, http_client(app) as client:
        resp = await signup(client, "nobody@example.com")
        assert_problem(resp, 403, "forbidden")
        assert (await login(client, "nobody@example.com", expect=401))["code"] == "unauthorized"


async def test_signup_short_password_names_the_field_and_is_not_echoed(client: httpx.AsyncClient) -> None:
    resp = await signup(client, "weak@example.com", password="hunter2-xyz")
    body = assert_problem(resp, 422, "validation_error")
    assert [err["loc"] for err in body["errors"]] == [["body", "password"]]
    assert set(body["errors"][0]) == {"loc", "msg", "type"}
    assert "hunter2-xyz" not in resp.text
    bad_email = await signup(client, "not-an-email")
    assert [err["loc"] for err in assert_problem(bad_email, 422)["errors"]] == [["body", "email"]]


async def test_token_returns_access_and_refresh(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    body = await login(client, actor.email.upper())
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == state.settings.access_token_ttl_seconds
    assert body["refresh_token"]
    me = await client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == actor.user_id
    assert me.json()["last_login_at"] is not None


async def test_token_wrong_password_and_unknown_user_answer_alike(
    client: httpx.AsyncClient, state: AppState
) -> None:
    actor = await make_actor(state)
    wrong = await client.post(
        "/api/v1/auth/token", data={"username": actor.email, "password": "wrong-password-123"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", data={"username": "ghost@example.com", "password": PASSWORD}
    )
    wrong_body, unknown_body = assert_problem(wrong, 401), assert_problem(unknown, 401)
    for body in (wrong_body, unknown_body):
        del body["request_id"]
    assert wrong_body == unknown_body
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


async def test_token_requires_the_oauth2_form(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/auth/token", json={"username": "a@example.com", "password": PASSWORD})
    locs = {tuple(err["loc"]) for err in assert_problem(resp, 422)["errors"]}
    assert ("body", "username") in locs


async def test_disabled_user_cannot_log_in(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    planner = await make_user(state, client_id=admin.client_id, role=Role.PLANNER)
    resp = await client.patch(
        f"/api/v1/users/{planner.user_id}", json={"is_active": False}, headers=admin.headers
    )
    assert resp.status_code == 200, resp.text
    assert_problem(
        await client.post("/api/v1/auth/token", data={"username": planner.email, "password": PASSWORD}), 401
    )


async def test_expired_access_token_is_401(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    expired = mint_access_token(
        secret=state.settings.secret_key.get_secret_value(),
        user_id=actor.user_id,
        client_id=actor.client_id,
        token_version=0,
        ttl=timedelta(minutes=15),
        now=utcnow() - timedelta(hours=1),
    )
    body = assert_problem(await client.get("/api/v1/me", headers=bearer(expired)), 401, "unauthorized")
    assert body["detail"] == "Token expired"


def _forged_tokens(state: AppState, user_id: int, client_id: int) -> dict[str, str]:
    good = access_token_for(state, user_id=user_id, client_id=client_id)
    head, payload, signature = good.split(".")
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    claims = {
        "sub": str(user_id),
        "cid": client_id,
        "ver": 0,
        "aud": AUDIENCE,
        "typ": "access",
        "iat": int(utcnow().timestamp()),
        "exp": int((utcnow() + timedelta(minutes=5)).timestamp()),
    }
    return {
        "flipped signature": f"{head}.{payload}.{flipped}",
        "wrong secret": jwt.encode(claims, "another-secret-key-that-is-long-enough!!", algorithm=ALGORITHM),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "refresh-type claim": jwt.encode(
            {**claims, "typ": "refresh"}, state.settings.secret_key.get_secret_value(), algorithm=ALGORITHM
        ),
        "other audience": jwt.encode(
            {**claims, "aud": "elsewhere"}, state.settings.secret_key.get_secret_value(), algorithm=ALGORITHM
        ),
        "garbage": "not.a.jwt",
    }


async def test_tampered_tokens_are_401(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    assert (await client.get("/api/v1/me", headers=actor.headers)).status_code == 200
    for name, token in _forged_tokens(state, actor.user_id, actor.client_id).items():
        resp = await client.get("/api/v1/me", headers=bearer(token))
        assert resp.status_code == 401, f"{name}: {resp.status_code} {resp.text}"
        assert_problem(resp, 401, "unauthorized")
    assert_problem(await client.get("/api/v1/me"), 401)


async def test_token_for_another_tenant_claim_is_refused(client: httpx.AsyncClient, state: AppState) -> None:
    """A token claiming tenant B for a user of tenant A finds no such user in B."""
    actor = await make_actor(state)
    other = await make_actor(state)
    forged = access_token_for(state, user_id=actor.user_id, client_id=other.client_id)
    assert_problem(await client.get("/api/v1/me", headers=bearer(forged)), 401)


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_and_reuse_revokes_the_family(
    client: httpx.AsyncClient, state: AppState
) -> None:
    actor = await make_actor(state)
    first = await login(client, actor.email)
    second = await _refresh(client, first["refresh_token"])
    assert second.status_code == 200, second.text
    newest = second.json()
    assert newest["refresh_token"] != first["refresh_token"]
    assert (await client.get("/api/v1/me", headers=bearer(newest["access_token"]))).status_code == 200

    assert_problem(await _refresh(client, first["refresh_token"]), 401)
    # The reuse revoked the whole family: the newest refresh token of that login fails too.
    assert_problem(await _refresh(client, newest["refresh_token"]), 401)


async def test_refresh_reuse_leaves_other_logins_alone(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    stolen = await login(client, actor.email)
    other_device = await login(client, actor.email)
    assert (await _refresh(client, stolen["refresh_token"])).status_code == 200
    assert_problem(await _refresh(client, stolen["refresh_token"]), 401)
    assert (await _refresh(client, other_device["refresh_token"])).status_code == 200


async def test_refresh_unknown_token_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await _refresh(client, "made-up-token"), 401)


async def test_refresh_of_disabled_user_is_401(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    planner = await make_user(state, client_id=admin.client_id, role=Role.PLANNER)
    tokens = await login(client, planner.email)
    await client.patch(f"/api/v1/users/{planner.user_id}", json={"is_active": False}, headers=admin.headers)
    assert_problem(await _refresh(client, tokens["refresh_token"]), 401)


async def test_logout_revokes_the_refresh_family(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    session = await login(client, actor.email)
    rotated = (await _refresh(client, session["refresh_token"])).json()
    other = await login(client, actor.email)
    resp = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": session["refresh_token"]},
        headers=bearer(rotated["access_token"]),
    )
    assert resp.status_code == 204, resp.text
    assert_problem(await _refresh(client, rotated["refresh_token"]), 401)
    assert (await _refresh(client, other["refresh_token"])).status_code == 200


async def test_logout_ignores_another_users_refresh_token(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    colleague = await make_user(state, client_id=actor.client_id, role=Role.PLANNER)
    theirs = await login(client, colleague.email)
    resp = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": theirs["refresh_token"]}, headers=actor.headers
    )
    assert resp.status_code == 204
    assert (await _refresh(client, theirs["refresh_token"])).status_code == 200


async def test_logout_all_sessions_kills_access_and_refresh_tokens(
    client: httpx.AsyncClient, state: AppState
) -> None:
    actor = await make_actor(state)
    laptop = await login(client, actor.email)
    phone = await login(client, actor.email)
    resp = await client.post(
        "/api/v1/auth/logout", json={"all_sessions": True}, headers=bearer(laptop["access_token"])
    )
    assert resp.status_code == 204, resp.text
    for tokens in (laptop, phone):
        assert_problem(await client.get("/api/v1/me", headers=bearer(tokens["access_token"])), 401)
        assert_problem(await _refresh(client, tokens["refresh_token"]), 401)
    assert_problem(await client.get("/api/v1/me", headers=actor.headers), 401)
    fresh = await login(client, actor.email)
    assert (await client.get("/api/v1/me", headers=bearer(fresh["access_token"]))).status_code == 200


async def test_me_returns_the_caller_and_tenant(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state, role=Role.VIEWER)
    resp = await client.get("/api/v1/me", headers=actor.headers)
    assert resp.status_code == 200
    body = resp.json()
    assert (body["id"], body["email"], body["role"]) == (actor.user_id, actor.email, "viewer")
    assert body["client"]["id"] == actor.client_id
    assert "password_hash" not in body and "token_version" not in body


async def test_password_hashing_runs_outside_any_transaction(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 is slow: while it runs no connection is held and other writers proceed (SQLite's lock)."""
    async with running_app(settings, sqlite_busy_timeout_ms=200) as app, http_client(app) as client:
        state = state_of(app)
        actor = await make_actor(state)
        colleague = await make_user(state, client_id=actor.client_id, role=Role.PLANNER)
        for method, call in (
            (
                "verify",
                client.post("/api/v1/auth/token", data={"username": actor.email, "password": PASSWORD}),
            ),
            ("hash", signup(client, "slow-hash@example.com")),
        ):
            started, release = asyncio.Event(), asyncio.Event()
            original = getattr(state.hasher, method)

            async def gated(
                *args: Any, _original: Any = original, _started: Any = started, _release: Any = release
            ) -> Any:
                _started.set()
                await _release.wait()
                return await _original(*args)

            monkeypatch.setattr(state.hasher, method, gated)
            pending = asyncio.ensure_future(call)
            await asyncio.wait_for(started.wait(), timeout=30)
            try:
                assert state.db.engine.pool.checkedout() == 0, f"a connection is held during {method}"
                write = await client.patch(
                    "/api/v1/me/preferences", json={"theme": "dark"}, headers=colleague.headers
                )
                assert write.status_code == 200, write.text
            finally:
                release.set()
                result = await pending
            assert result.status_code in (200, 201), result.text
            monkeypatch.undo()


async def test_concurrent_signups_with_one_email_give_one_tenant(client: httpx.AsyncClient) -> None:
    results = await asyncio.gather(*(signup(client, "race@example.com", name=f"Racer {n}") for n in range(3)))
    assert sorted(r.status_code for r in results) == [201, 409, 409], [r.text for r in results]
    for resp in results:
        if resp.status_code == 409:
            assert_problem(resp, 409, "conflict")
