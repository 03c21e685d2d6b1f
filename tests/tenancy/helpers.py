"""Helpers for tests that need an app built with other settings, or several client IPs on one app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from stockwise.app import create_app
from stockwise.config import Settings
from stockwise.state import AppState
from tests.factories import PASSWORD

DEFAULT_IP = "203.0.113.7"


@asynccontextmanager
async def running_app(settings: Settings, **overrides: Any) -> AsyncIterator[FastAPI]:
    """An app (lifespan started) on the test database, with some settings replaced."""
    app = create_app(settings.model_copy(update=overrides))
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def http_client(app: FastAPI, *, ip: str = DEFAULT_IP) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose requests reach the app from `ip` (the ASGI client address)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def state_of(app: FastAPI) -> AppState:
    state: AppState = app.state.stockwise
    return state


def assert_problem(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with every field Stockwise promises, and a request id header."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    body: dict[str, Any] = resp.json()
    for key in ("type", "title", "status", "detail", "instance", "code", "request_id"):
        assert key in body, f"{key} missing from {body}"
    assert body["status"] == status
    assert body["request_id"], body
    assert resp.headers.get("x-request-id") == body["request_id"]
    if code is not None:
        assert body["code"] == code, body
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, *, expect: int = 200
) -> dict[str, Any]:
    """POST /auth/token with the OAuth2 password form; returns the JSON body."""
    resp = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert resp.status_code == expect, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def signup(
    client: httpx.AsyncClient, email: str, *, name: str = "Acme", password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/signup", json={"client_name": name, "email": email, "password": password}
    )
