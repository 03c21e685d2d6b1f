"""Every error the app returns is RFC 9457 problem+json with a code and a request id; nothing leaks."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session

from stockwise.config import Settings
from stockwise.core.principal import Role
from stockwise.state import AppState
from stockwise.tenancy.dependencies import UoW
from tests.factories import make_actor, make_user
from tests.tenancy.helpers import assert_problem, http_client, running_app, signup, state_of

FAKE_SECRET = "postgresql://admin:s3cr3t-Pa55w0rd@db.internal/prod"


async def test_401_missing_and_bad_token(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/users"), 401, "unauthorized")
    assert body["type"] == "/problems/unauthorized"
    assert body["instance"] == "/api/v1/users"
    assert_problem(await client.get("/api/v1/users", headers={"Authorization": "Bearer nope"}), 401)


async def test_403_role(client: httpx.AsyncClient, state: AppState) -> None:
    viewer = await make_actor(state, role=Role.VIEWER)
    assert_problem(await client.patch("/api/v1/settings", json={}, headers=viewer.headers), 403, "forbidden")


async def test_404_object_and_unknown_route(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    assert_problem(await client.get("/api/v1/users/999999", headers=admin.headers), 404, "not_found")
    unknown = assert_problem(await client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert unknown["instance"] == "/api/v1/no-such-thing"
    assert_problem(await client.get("/"), 404)


async def test_405_method_not_allowed(client: httpx.AsyncClient) -> None:
    resp = await client.delete("/api/v1/auth/token")
    assert_problem(resp, 405, "method_not_allowed")
    assert "POST" in resp.headers["allow"]


async def test_409_conflict(client: httpx.AsyncClient) -> None:
    await signup(client, "twice@example.com")
    assert_problem(await signup(client, "twice@example.com"), 409, "conflict")


async def test_413_declared_and_streamed_bodies(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    limit = state.settings.max_request_bytes
    declared = await client.post(
        "/api/v1/auth/signup", content=b"x" * (limit + 1), headers={"Content-Type": "application/json"}
    )
    assert_problem(declared, 413, "payload_too_large")

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"theme": "'
        for _ in range(limit // 4096 + 2):
            yield b"d" * 4096
        yield b'"}'

    streamed = await client.patch(
        "/api/v1/me/preferences",
        content=chunks(),
        headers={**actor.headers, "Content-Type": "application/json"},
    )
    assert "content-length" not in streamed.request.headers
    assert_problem(streamed, 413, "payload_too_large")


async def test_422_lists_fields_without_echoing_input(client: httpx.AsyncClient, state: AppState) -> None:
    secret_password = "tiny-Secret"
    resp = await client.post(
        "/api/v1/auth/signup",
        json={"client_name": "", "email": "nobody", "password": secret_password, "extra": 1},
    )
    body = assert_problem(resp, 422, "validation_error")
    assert {tuple(e["loc"]) for e in body["errors"]} == {
        ("body", "client_name"),
        ("body", "email"),
        ("body", "password"),
        ("body", "extra"),
    }
    assert all(set(e) == {"loc", "msg", "type"} for e in body["errors"])
    assert secret_password not in resp.text
    broken = await client.post(
        "/api/v1/auth/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(broken, 422)
    admin = await make_actor(state)
    query = await client.get("/api/v1/users?page=0&page_size=1000", headers=admin.headers)
    assert {tuple(e["loc"]) for e in assert_problem(query, 422)["errors"]} == {
        ("query", "page"),
        ("query", "page_size"),
    }


async def test_429_rate_limited(settings: Settings) -> None:
    async with running_app(settings, rate_limit_signup_per_ip="1/minute") as app, http_client(app) as client:
        assert (await signup(client, "first@example.com")).status_code == 201
        resp = await signup(client, "second@example.com")
        assert_problem(resp, 429, "rate_limited")
        assert int(resp.headers["retry-after"]) >= 1


def _add_failing_route(app: FastAPI) -> None:
    async def explode(uow: UoW) -> dict[str, str]:
        raise RuntimeError(f"could not connect to {FAKE_SECRET}")

    app.add_api_route("/api/v1/test-only/explode", explode, methods=["POST"])


async def test_500_leaks_nothing_and_keeps_the_request_id(
    app: FastAPI, client: httpx.AsyncClient, state: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    _add_failing_route(app)
    actor = await make_actor(state)
    with caplog.at_level(logging.ERROR):
        resp = await client.post(
            "/api/v1/test-only/explode", headers={**actor.headers, "X-Request-ID": "req-abcdef123"}
        )
    body = assert_problem(resp, 500, "internal_error")
    assert body["request_id"] == "req-abcdef123"
    assert FAKE_SECRET not in resp.text and "s3cr3t" not in resp.text and "RuntimeError" not in resp.text
    assert any(record.exc_info for record in caplog.records), "the traceback goes to the log"


@contextmanager
def _failing_commits() -> Iterator[None]:
    """Make every tenant unit of work fail at commit, as a lost connection or a deferred constraint would."""

    def refuse(session: Session) -> None:
        if session.info.get("client_id") is not None:
            raise RuntimeError(f"commit failed talking to {FAKE_SECRET}")

    event.listen(Session, "before_commit", refuse)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", refuse)


async def test_failing_commit_is_an_error_response_and_nothing_is_stored(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await make_actor(state)
    with _failing_commits():
        prefs = await client.patch("/api/v1/me/preferences", json={"theme": "dark"}, headers=admin.headers)
        settings = await client.patch("/api/v1/settings", json={"currency": "USD"}, headers=admin.headers)
    for resp in (prefs, settings):
        assert_problem(resp, 500, "internal_error")
        assert "s3cr3t" not in resp.text
    assert (await client.get("/api/v1/me/preferences", headers=admin.headers)).json()["theme"] == "system"
    assert (await client.get("/api/v1/settings", headers=admin.headers)).json()["currency"] == "EUR"
    assert (await client.get("/api/v1/audit-events", headers=admin.headers)).json()["total"] == 0


async def test_sqlite_lock_timeout_is_503_with_retry_after(settings: Settings, dialect: str) -> None:
    if dialect != "sqlite":
        pytest.skip("SQLite file locking")
    path = settings.database_url.split("///", 1)[1]
    async with running_app(settings, sqlite_busy_timeout_ms=50) as app, http_client(app) as client:
        actor = await make_user(state_of(app), client_id=(await make_actor(state_of(app))).client_id)
        holder = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            resp = await client.patch("/api/v1/me/preferences", json={"theme": "dark"}, headers=actor.headers)
            reads = await client.get("/api/v1/me/preferences", headers=actor.headers)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert_problem(resp, 503, "database_busy")
        assert resp.headers["retry-after"] == "1"
        assert reads.status_code == 200, "WAL readers are not blocked by a writer"
        again = await client.patch("/api/v1/me/preferences", json={"theme": "dark"}, headers=actor.headers)
        assert again.status_code == 200


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/health", headers={"X-Request-ID": "trace-0123456789"})
    assert given.headers["x-request-id"] == "trace-0123456789"
    forged = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    generated: Any = forged.headers["x-request-id"]
    assert generated != "bad id\twith spaces" and len(generated) == 32
