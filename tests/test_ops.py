"""Liveness, readiness, Prometheus metrics by route template, and start-up with Sentry configured."""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sentry_sdk
from fastapi import FastAPI

from stockwise.config import Settings
from tests.factories import make_actor
from tests.tenancy.helpers import assert_problem, http_client, running_app, state_of

SENTRY_DSN = "https://public@o0.ingest.invalid/1"
REDIS_URL = os.environ.get("STOCKWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("STOCKWISE_TEST_REQUIRE_PG") == "1"


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def _unreachable_database(dialect: str, tmp_path: Path) -> str:
    if dialect == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/missing-dir/nothing.db"
    return "postgresql+asyncpg://stockwise_app@127.0.0.1:1/nowhere"


async def test_ready_is_503_when_the_database_is_unreachable(
    settings: Settings, dialect: str, tmp_path: Path
) -> None:
    bad_url = _unreachable_database(dialect, tmp_path)
    async with running_app(settings, database_url=bad_url) as app, http_client(app) as client:
        assert (await client.get("/health")).status_code == 200
        resp = await client.get("/ready")
        body = assert_problem(resp, 503, "service_unavailable")
        assert resp.headers["retry-after"] == "5"
        assert "127.0.0.1:1" not in resp.text and "missing-dir" not in resp.text
        assert body["detail"] == "database unreachable"


def _samples(text: str, route: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if line.startswith("stockwise_http_requests_total{") and route in line
    ]


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient, state: Any) -> None:
    admin = await make_actor(state)
    for user_id in (987_651, 987_652, admin.user_id):
        await client.get(f"/api/v1/users/{user_id}", headers=admin.headers)
    await client.get("/api/v1/definitely-not-a-route-4711")
    resp = await client.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    templated = _samples(text, 'route="/api/v1/users/{user_id}"')
    assert any('method="GET"' in line and 'status="404"' in line for line in templated), templated
    assert any('status="200"' in line for line in templated), templated
    labels = " ".join(line.split("}")[0] for line in text.splitlines() if "route=" in line)
    assert "987651" not in labels
    assert "987652" not in labels
    assert "4711" not in labels
    assert _samples(text, 'route="unmatched"')
    assert "stockwise_http_request_duration_seconds_bucket" in text
    assert "stockwise_job_runs_total" in text


class _RecordingTransport(sentry_sdk.transport.Transport):
    """Keeps envelopes in memory instead of sending them to the (unresolvable) DSN host."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        for item in envelope.items:
            if item.headers.get("type") == "event":
                self.events.append(json.loads(item.payload.get_bytes()))


@pytest.fixture
def sentry_cleanup() -> Iterator[None]:
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.init()


async def test_app_starts_and_serves_with_a_sentry_dsn(settings: Settings, sentry_cleanup: None) -> None:
    async with running_app(settings, sentry_dsn=SENTRY_DSN) as app, http_client(app) as client:
        sentry = sentry_sdk.get_client()
        assert sentry.is_active()
        assert sentry.options["send_default_pii"] is False
        assert sentry.options["include_local_variables"] is False
        assert (await client.get("/health")).status_code == 200
        actor = await make_actor(state_of(app))
        assert (await client.get("/api/v1/me", headers=actor.headers)).status_code == 200

        transport = _RecordingTransport(sentry.options)
        sentry.transport = transport

        marker = uuid.uuid4().hex

        async def explode() -> None:
            local_secret = marker.upper()  # a value that appears in no source line
            raise RuntimeError("boom" + local_secret[:0])

        app.add_api_route("/api/v1/test-only/sentry", explode)
        resp = await client.get("/api/v1/test-only/sentry", headers={"X-Request-ID": "sentry-req-0001"})
        assert_problem(resp, 500)
        sentry.flush(timeout=2)
    assert transport.events, "the unhandled error reached Sentry"
    dumped = json.dumps(transport.events)
    assert marker.upper() not in dumped and marker not in dumped, "no local variables are sent"
    assert "sentry-req-0001" in dumped, "the event carries the request id"


async def test_ready_checks_the_broker_when_configured(app: FastAPI, client: httpx.AsyncClient) -> None:
    """With Redis configured, readiness also pings it (the settings are swapped after start-up)."""
    state = state_of(app)
    base = state.settings
    state.settings = base.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    try:
        resp = await client.get("/ready")
    finally:
        state.settings = base
    body = assert_problem(resp, 503, "service_unavailable")
    assert body["detail"] == "broker unreachable"
    assert "127.0.0.1:1" not in resp.text
    if await _redis_reachable():
        state.settings = base.model_copy(update={"redis_url": REDIS_URL})
        try:
            assert (await client.get("/ready")).status_code == 200
        finally:
            state.settings = base


async def _redis_reachable() -> bool:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await redis.ping()
    except Exception:
        if REQUIRE_SERVICES:
            raise
        return False
    finally:
        await redis.aclose()
    return True


async def test_logs_are_json_with_the_request_id(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    async with running_app(settings, log_json=True, log_level="INFO") as app, http_client(app) as client:
        await client.get("/health", headers={"X-Request-ID": "log-line-req-42"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request" and line.get("route") == "/health"]
    assert access, stream.getvalue()
    assert access[0]["request_id"] == "log-line-req-42"
    assert access[0]["status"] == 200
    assert {"timestamp", "level"} <= set(access[0])
