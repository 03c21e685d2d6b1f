"""Production wiring: the API enqueues into a Redis stream, a separate worker consumes and runs the job.

Uses STOCKWISE_TEST_REDIS_URL (default redis://127.0.0.1:6379/15) and a stream of its own per test.
Skipped when Redis is unreachable, unless STOCKWISE_TEST_REQUIRE_PG=1 (CI), where that is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from stockwise.app import create_app
from stockwise.config import Settings
from stockwise.core.job_runtime import JobRuntime, create_broker
from stockwise.state import AppState, build_state
from stockwise.tenancy.models import DataExport
from stockwise.worker import consume
from tests.factories import make_actor
from tests.jobs.support import load_job, wait_for_job

REDIS_URL = os.environ.get("STOCKWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRED = os.environ.get("STOCKWISE_TEST_REQUIRE_PG") == "1"


def _redis_available() -> bool:
    try:
        with SyncRedis.from_url(REDIS_URL, socket_connect_timeout=2) as probe:
            return bool(probe.ping())
    except RedisError:
        return False


@pytest.fixture(scope="module")
def redis_url() -> str:
    if not _redis_available():
        if REQUIRED:
            pytest.fail(f"Redis is required for this run but {REDIS_URL} is unreachable")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[str]:
    name = f"stockwise:test:{uuid.uuid4().hex}"
    yield name
    async with Redis.from_url(redis_url) as redis:
        await redis.delete(name)


def _on_queue(state: AppState, queue: str) -> AppState:
    """Point a state's job runtime at this test's own stream (before it is started)."""
    settings = state.settings
    state.jobs = JobRuntime(
        state.uow,
        create_broker(settings.redis_url, queue_name=queue),
        pool_workers=1,
        heartbeat_seconds=settings.job_heartbeat_seconds,
        stale_after_seconds=settings.job_stale_after_seconds,
    )
    state.jobs.app_state = state
    return state


@contextlib.asynccontextmanager
async def _worker(settings: Settings, queue: str) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        consume(_on_queue(build_state(settings), queue), concurrency=2, finished=stop, drain_seconds=5)
    )
    try:
        yield task
    finally:
        stop.set()
        async with asyncio.timeout(30):
            await task


async def _stream_drained(redis_url: str, queue: str) -> None:
    """Wait until the worker's consumer group has read and acknowledged every message."""
    async with Redis.from_url(redis_url) as redis, asyncio.timeout(20):
        while True:
            groups = await redis.xinfo_groups(queue)
            if groups and all(group["pending"] == 0 and group["lag"] == 0 for group in groups):
                return
            await asyncio.sleep(0.05)


async def test_api_enqueues_and_a_redis_worker_runs_the_job(
    settings: Settings, redis_url: str, queue: str
) -> None:
    settings = settings.model_copy(update={"redis_url": redis_url})
    app = create_app(settings)
    api_state = _on_queue(app.state.stockwise, queue)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        _worker(settings, queue) as worker,
    ):
        admin = await make_actor(api_state)
        started = await client.post("/api/v1/exports", headers=admin.headers)
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        await api_state.jobs.dispatch(admin.client_id, job_id)  # a duplicate message: runs once all the same
        job = await wait_for_job(api_state, admin.client_id, job_id, timeout=60)
        assert (job.status, job.attempts, job.error_code) == ("succeeded", 1, None)
        await _stream_drained(redis_url, queue)
        assert not worker.done()
        assert (await load_job(api_state, admin.client_id, job_id)).attempts == 1
        async with api_state.uow.tenant(admin.client_id, write=False) as uow:
            assert await uow.session.scalar(select(func.count()).select_from(DataExport)) == 1
        assert job.result is not None
        download = await client.get(
            f"/api/v1/exports/{job.result['export_id']}/download", headers=admin.headers
        )
        assert download.status_code == 200
        assert download.content.startswith(b"PK")
