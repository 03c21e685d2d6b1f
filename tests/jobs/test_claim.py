"""At-least-once delivery, at-most-once running: the claim is a compare-and-set with a claim token."""

from __future__ import annotations

import asyncio

import pytest

from stockwise.core.job_runtime import JobContext, JobRuntime, create_broker
from stockwise.core.jobs import ClaimLost, JobStatus
from stockwise.core.types import utcnow
from stockwise.state import AppState
from tests.factories import make_tenant
from tests.jobs.support import (
    GATES,
    WRITES,
    Run,
    insert_job,
    load_job,
    make_stale,
    runs_of,
    set_job,
    wait_for_job,
    wait_started,
)

DEAD_TOKEN = "d" * 32


async def test_duplicate_delivery_runs_once(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id)
    await state.jobs.execute(client_id, job_id)
    await state.jobs.execute(client_id, job_id)
    job = await load_job(state, client_id, job_id)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.attempts, runs_of(job_id)) == (1, [1])


async def test_concurrent_duplicate_deliveries_run_once(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id)
    await asyncio.gather(*(state.jobs.execute(client_id, job_id) for _ in range(5)))
    job = await load_job(state, client_id, job_id)
    assert job.status == JobStatus.SUCCEEDED
    assert (job.attempts, runs_of(job_id)) == (1, [1])


async def test_message_naming_another_tenant_claims_nothing(state: AppState) -> None:
    owner, other = await make_tenant(state), await make_tenant(state)
    job_id = await insert_job(state, owner)
    await state.jobs.execute(other, job_id)
    assert (await load_job(state, owner, job_id)).status == JobStatus.QUEUED
    assert runs_of(job_id) == []


async def test_running_job_with_a_fresh_heartbeat_is_not_taken_over(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id)
    await set_job(state, client_id, job_id, status=JobStatus.RUNNING, heartbeat_at=utcnow(), attempts=1)
    await state.jobs.execute(client_id, job_id)
    assert (await load_job(state, client_id, job_id)).status == JobStatus.RUNNING
    assert runs_of(job_id) == []


async def test_job_of_a_dead_worker_is_reclaimed_once_its_heartbeat_is_stale(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id)
    await make_stale(state, client_id, job_id, attempts=1, claim_token=DEAD_TOKEN)
    await state.jobs.execute(client_id, job_id)
    job = await load_job(state, client_id, job_id)
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"attempt": 2})
    assert job.claim_token is None
    assert runs_of(job_id) == [2]


async def test_sweep_resends_abandoned_jobs_and_fails_those_out_of_attempts(state: AppState) -> None:
    client_id = await make_tenant(state)
    retry_id = await insert_job(state, client_id)
    lost_id = await insert_job(state, client_id, max_attempts=3)
    await make_stale(state, client_id, retry_id, attempts=1, claim_token=DEAD_TOKEN)
    await make_stale(state, client_id, lost_id, attempts=3, claim_token=DEAD_TOKEN)
    await state.jobs.execute(client_id, lost_id)  # a redelivered message cannot revive it either
    assert await state.jobs.sweep() == 1
    assert (await wait_for_job(state, client_id, retry_id)).status == JobStatus.SUCCEEDED
    lost = await load_job(state, client_id, lost_id)
    assert (lost.status, lost.error_code, lost.claim_token) == (JobStatus.FAILED, "worker_lost", None)
    assert lost.finished_at is not None
    assert runs_of(lost_id) == []


async def test_stale_worker_cannot_write_after_its_claim_was_taken_over(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(
        state, client_id, payload={"gate": "first", "gate_attempts": [1], "write": True}
    )
    first = asyncio.create_task(state.jobs.execute(client_id, job_id))
    await wait_started("first")
    await make_stale(state, client_id, job_id)  # the first worker stalls long enough to look dead
    await state.jobs.execute(client_id, job_id)
    GATES["first"].set()
    await first
    job = await load_job(state, client_id, job_id)
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"attempt": 2})
    assert runs_of(job_id) == [1, 2]
    assert [Run(job_id, 2)] == WRITES  # the first run's result write was refused


async def test_context_with_a_superseded_token_cannot_write(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id)
    await set_job(
        state, client_id, job_id, status=JobStatus.RUNNING, heartbeat_at=utcnow(), claim_token="a" * 32
    )
    job = await load_job(state, client_id, job_id)
    job.claim_token = DEAD_TOKEN
    ctx = JobContext(state.jobs, job)
    with pytest.raises(ClaimLost):
        await ctx.progress(0.5, "should not land")
    with pytest.raises(ClaimLost):
        async with ctx.unit_of_work():
            pytest.fail("a write unit of work was opened on a stale claim")
    assert await state.jobs.touch(ctx, progress=0.9) is False
    after = await load_job(state, client_id, job_id)
    assert (after.progress, after.message, after.claim_token) == (0.0, None, "a" * 32)


async def test_stopping_runtime_hands_its_running_job_back_to_the_queue(state: AppState) -> None:
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id, payload={"gate": "held"})
    runtime = JobRuntime(state.uow, create_broker(None))
    running = asyncio.create_task(runtime.execute(client_id, job_id))
    await wait_started("held")
    await runtime.stop()
    assert running.cancelled()
    job = await load_job(state, client_id, job_id)
    assert (job.status, job.attempts, job.claim_token) == (JobStatus.QUEUED, 0, None)
    GATES["held"].set()
    await state.jobs.execute(client_id, job_id)
    assert (await load_job(state, client_id, job_id)).status == JobStatus.SUCCEEDED


async def test_progress_and_nested_writes_inside_a_write_unit_of_work_are_refused(state: AppState) -> None:
    """Both would wait forever on the job row the open unit of work has locked (PostgreSQL)."""
    client_id = await make_tenant(state)
    job_id = await insert_job(state, client_id)
    await set_job(
        state, client_id, job_id, status=JobStatus.RUNNING, heartbeat_at=utcnow(), claim_token="a" * 32
    )
    ctx = JobContext(state.jobs, await load_job(state, client_id, job_id))
    async with asyncio.timeout(10):
        async with ctx.unit_of_work():
            with pytest.raises(RuntimeError, match="outside"):
                await ctx.progress(0.3)
            with pytest.raises(RuntimeError, match="nested"):
                async with ctx.unit_of_work():
                    pytest.fail("nested write unit of work opened")
        await ctx.progress(0.3, "after the write")
    job = await load_job(state, client_id, job_id)
    assert (job.progress, job.message) == (0.3, "after the write")
