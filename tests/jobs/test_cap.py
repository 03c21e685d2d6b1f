"""A tenant runs at most `max_running_per_tenant` jobs at once; other tenants are not held up."""

from __future__ import annotations

import asyncio

import pytest

from stockwise.core.jobs import JobStatus
from stockwise.state import AppState
from tests.factories import make_tenant
from tests.jobs.support import GATES, RUNS, insert_job, load_job, runs_of, wait_started


async def test_cap_defers_a_tenants_extra_job_but_not_other_tenants(
    state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.jobs, "max_running_per_tenant", 2)
    busy, other = await make_tenant(state), await make_tenant(state)
    gated = [await insert_job(state, busy, payload={"gate": f"g{i}"}) for i in range(2)]
    running = [asyncio.create_task(state.jobs.execute(busy, job_id)) for job_id in gated]
    await wait_started("g0")
    await wait_started("g1")
    extra = await insert_job(state, busy)
    await state.jobs.execute(busy, extra)
    job = await load_job(state, busy, extra)
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    neighbour = await insert_job(state, other)
    await state.jobs.execute(other, neighbour)
    assert (await load_job(state, other, neighbour)).status == JobStatus.SUCCEEDED
    GATES["g0"].set()
    await running[0]
    await state.jobs.execute(busy, extra)  # a slot is free again (the sweep would re-send it)
    assert (await load_job(state, busy, extra)).status == JobStatus.SUCCEEDED
    GATES["g1"].set()
    await running[1]


async def test_concurrent_claims_respect_the_cap(state: AppState, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state.jobs, "max_running_per_tenant", 2)
    client_id = await make_tenant(state)
    job_ids = [await insert_job(state, client_id, payload={"gate": "shared"}) for _ in range(5)]
    tasks = [asyncio.create_task(state.jobs.execute(client_id, job_id)) for job_id in job_ids]
    async with asyncio.timeout(15):
        while sum(task.done() for task in tasks) < 3:
            await asyncio.sleep(0.01)
    assert len(RUNS) == 2
    statuses = [(await load_job(state, client_id, job_id)).status for job_id in job_ids]
    assert sorted(statuses) == [JobStatus.QUEUED] * 3 + [JobStatus.RUNNING] * 2
    GATES["shared"].set()
    await asyncio.gather(*tasks)
    for job_id in job_ids:
        await state.jobs.execute(client_id, job_id)
    assert all(runs_of(job_id) == [1] for job_id in job_ids)
