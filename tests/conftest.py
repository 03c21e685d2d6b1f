"""Test harness: every API test runs on SQLite and on PostgreSQL, each in its own database.

A database per dialect is migrated once (per xdist worker) and cloned per test: a file copy for
SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL. On PostgreSQL the app connects as the
non-owner role `stockwise_app`, so row-level security is live in every test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config

from stockwise.config import Environment, Settings

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("STOCKWISE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
APP_ROLE = "stockwise_app"
REQUIRE_PG = os.environ.get("STOCKWISE_TEST_REQUIRE_PG") == "1"
DIALECTS = [d for d in os.environ.get("STOCKWISE_TEST_DIALECTS", "sqlite,postgresql").split(",") if d]
RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _pg_url(database: str, *, user: str | None = None, driver: str = "postgresql+asyncpg") -> str:
    base = PG_BASE.split("://", 1)[1]
    creds, host = base.split("@", 1)
    return f"{driver}://{user or creds}@{host}/{database}"


def _pg_available() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(_pg_url("postgres", driver="postgresql"), timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


PG_AVAILABLE = "postgresql" in DIALECTS and _pg_available()
if REQUIRE_PG and not PG_AVAILABLE:
    raise RuntimeError(
        "PostgreSQL is required for this test run (STOCKWISE_TEST_REQUIRE_PG=1) but unreachable"
    )


def _in_thread(fn: Callable[..., T], *args: object) -> T:
    """Session fixtures may be set up inside the running event loop: do blocking set-up beside it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def _migrate(url: str, owner_url: str) -> None:
    os.environ["STOCKWISE_DATABASE_URL"] = url
    os.environ["STOCKWISE_DATABASE_OWNER_URL"] = owner_url
    from stockwise.config import get_settings

    get_settings.cache_clear()
    try:
        _in_thread(command.upgrade, Config(str(ROOT / "alembic.ini")), "head")
    finally:
        get_settings.cache_clear()
        del os.environ["STOCKWISE_DATABASE_URL"], os.environ["STOCKWISE_DATABASE_OWNER_URL"]


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(_pg_url("postgres", driver="postgresql"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    _migrate(url, url)
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_AVAILABLE:
        pytest.skip("PostgreSQL not reachable")
    name = f"sw_tmpl_{RUN_ID}"
    _in_thread(asyncio.run, _pg_admin(f'CREATE DATABASE "{name}"'))
    _migrate(_pg_url(name, user=APP_ROLE), _pg_url(name))
    yield name
    _in_thread(asyncio.run, _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_AVAILABLE:
        pytest.skip("PostgreSQL not reachable")
    if request.param == "sqlite" and request.node.get_closest_marker("postgres_only"):
        pytest.skip("PostgreSQL-only test")
    return str(request.param)


@pytest.fixture
async def database_urls(
    dialect: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """(app URL, owner URL) of a fresh, migrated database for this test."""
    if dialect == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
        yield url, url
        return
    template = request.getfixturevalue("pg_template")
    name = f"sw_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _pg_url(name, user=APP_ROLE), _pg_url(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_urls: tuple[str, str]) -> Settings:
    app_url, owner_url = database_urls
    return Settings(
        env=Environment.TESTING,
        database_url=app_url,
        database_owner_url=owner_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",  # type: ignore[arg-type]
        argon2_time_cost=1,
        argon2_memory_cost_kib=64,
        log_json=False,
        log_level="WARNING",
        process_pool_workers=1,
        job_sweep_seconds=3600,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    from stockwise.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("203.0.113.7", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def state(app: object) -> object:
    return app.state.stockwise  # type: ignore[attr-defined]
