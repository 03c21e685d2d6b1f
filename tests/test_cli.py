"""The `stockwise` command line on a temporary SQLite database: migrate, tenants, users, demo."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from stockwise.cli import DEMO_EMAIL, DEMO_PASSWORD, app
from stockwise.config import Environment, Settings, get_settings

PASSWORD = "cli-password-long-enough"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite file as STOCKWISE_DATABASE_URL, with cheap hashing; settings re-read per test."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("STOCKWISE_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("STOCKWISE_DATABASE_OWNER_URL", raising=False)
    monkeypatch.setenv("STOCKWISE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("STOCKWISE_ARGON2_MEMORY_COST_KIB", "64")
    monkeypatch.setenv("STOCKWISE_LOG_JSON", "false")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, f"{args}: {result.output}\n{result.exception!r}"
    return result.output


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _can_log_in(path: Path, email: str, password: str) -> bool:
    """Log in through the real app on the CLI's database."""
    from stockwise.app import create_app

    async def attempt() -> int:
        settings = Settings(
            _env_file=None,
            env=Environment.TESTING,
            database_url=f"sqlite+aiosqlite:///{path}",  # type: ignore[call-arg]
            argon2_time_cost=1,
            argon2_memory_cost_kib=64,
            log_json=False,
        )
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://cli") as client:
                resp = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
                return resp.status_code

    return asyncio.run(attempt()) == 200


def test_migrate_creates_the_schema(database: Path) -> None:
    assert "up to date" in _run("migrate")
    tables = {name for (name,) in _rows(database, "select name from sqlite_master where type='table'")}
    assert {"client", "user", "client_settings", "audit_event", "alembic_version"} <= tables
    assert "up to date" in _run("migrate")


def test_tenants_and_users_create(database: Path) -> None:
    _run("migrate")
    output = _run(
        "tenants",
        "create",
        "Acme Outdoor",
        "--admin-email",
        "Owner@acme-outdoor.com",
        "--admin-password",
        PASSWORD,
    )
    match = re.search(r"tenant (\d+) created with admin user (\d+)", output)
    assert match, output
    client_id = int(match.group(1))
    assert _rows(database, "select name from client") == [("Acme Outdoor",)]
    assert _rows(database, "select client_id from client_settings") == [(client_id,)]

    output = _run(
        "users",
        "create",
        "--tenant",
        str(client_id),
        "--email",
        "Planner@acme-outdoor.com",
        "--role",
        "planner",
        "--password",
        PASSWORD,
    )
    assert re.search(r"user \d+ created", output), output
    users = _rows(database, "select email, role, client_id from user order by id")
    assert users == [
        ("owner@acme-outdoor.com", "admin", client_id),
        ("planner@acme-outdoor.com", "planner", client_id),
    ]
    assert _can_log_in(database, "planner@acme-outdoor.com", PASSWORD)


def test_users_create_refuses_bad_input(database: Path) -> None:
    _run("migrate")
    output = _run(
        "tenants", "create", "Acme", "--admin-email", "owner@example.com", "--admin-password", PASSWORD
    )
    client_id = output.split("tenant ", 1)[1].split()[0]
    attempts = [
        ["--tenant", "999", "--email", "x@example.com", "--password", PASSWORD],
        ["--tenant", client_id, "--email", "x@example.com", "--password", "short"],
        ["--tenant", client_id, "--email", "not-an-email", "--password", PASSWORD],
        ["--tenant", client_id, "--email", "OWNER@example.com", "--password", PASSWORD],
    ]
    for args in attempts:
        assert CliRunner().invoke(app, ["users", "create", *args]).exit_code != 0, args
    assert _rows(database, "select email from user") == [("owner@example.com",)]


def test_demo_is_idempotent(database: Path) -> None:
    _run("migrate")
    first = _run("demo")
    second = _run("demo")
    assert "created" in first and "already present" in second
    assert DEMO_EMAIL in second and DEMO_PASSWORD in second
    assert _rows(database, "select count(*) from client") == [(1,)]
    assert _rows(database, "select count(*) from user") == [(1,)]
    assert _can_log_in(database, DEMO_EMAIL, DEMO_PASSWORD)
