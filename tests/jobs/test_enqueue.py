"""A job row is written in the caller's transaction and sent to the broker only after it commits."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from stockwise.core.jobs import Job, JobStatus, enqueue_job
from stockwise.state import AppState, build_state
from tests.factories import make_tenant
from tests.jobs.support import PROBE, RUNS, load_job, runs_of, wait_for_job


class Rollback(Exception):
    """Raised inside a unit of work to make it roll back."""


async def _count_jobs(state: AppState, client_id: int) -> int:
    async with state.uow.tenant(client_id, write=False) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Job)) or 0)


def _record_dispatches(state: AppState, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    sent: list[tuple[int, int]] = []
    real = state.jobs.dispatch

    async def dispatch(client_id: int, job_id: int) -> None:
        sent.append((client_id, job_id))
        await real(client_id, job_id)

    monkeypatch.setattr(state.uow, "dispatch_job", dispatch)
    return sent


async def test_rolled_back_enqueue_never_runs(state: AppState, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _record_dispatches(state, monkeypatch)
    client_id = await make_tenant(state)
    with pytest.raises(Rollback):
        async with state.uow.tenant(client_id) as uow:
            job = await enqueue_job(uow, kind=PROBE)
            assert job.id is not None  # the row existed inside the transaction
            raise Rollback
    await state.jobs.sweep(older_than=timedelta(0))
    await asyncio.sleep(0.05)
    assert await _count_jobs(state, client_id) == 0
    assert sent == []
    assert RUNS == []


async def test_committed_enqueue_is_dispatched_once_and_runs(
    state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _record_dispatches(state, monkeypatch)
    client_id = await make_tenant(state)
    async with state.uow.tenant(client_id) as uow:
        job = await enqueue_job(uow, kind=PROBE, payload={"note": "x"})
        assert sent == []  # nothing leaves before the commit
    assert sent == [(client_id, job.id)]
    done = await wait_for_job(state, client_id, job.id)
    assert done.status == JobStatus.SUCCEEDED
    assert done.result == {"attempt": 1}
    assert runs_of(job.id) == [1]


async def test_unknown_kind_is_refused(state: AppState) -> None:
    client_id = await make_tenant(state)
    with pytest.raises(ValueError, match="unknown job kind"):
        async with state.uow.tenant(client_id) as uow:
            await enqueue_job(uow, kind="no.such.kind")
    assert await _count_jobs(state, client_id) == 0


async def test_job_queued_by_a_cli_process_starts_with_the_first_sweep(state: AppState) -> None:
    """A CLI builds the state without starting a job runtime: its jobs wait for the server's sweep."""
    cli = build_state(state.settings)
    try:
        assert cli.uow.dispatch_job is None
        client_id = await make_tenant(cli)
        async with cli.uow.tenant(client_id) as uow:
            job_id = (await enqueue_job(uow, kind=PROBE)).id
    finally:
        await cli.db.dispose()
    await asyncio.sleep(0.05)
    assert (await load_job(state, client_id, job_id)).status == JobStatus.QUEUED
    assert await state.jobs.sweep() == 0  # a periodic sweep leaves a fresh job to its own message
    sweeper = asyncio.create_task(state.jobs.sweep_forever(3600))
    try:
        done = await wait_for_job(state, client_id, job_id, timeout=10)
    finally:
        sweeper.cancel()
    assert done.status == JobStatus.SUCCEEDED
    assert runs_of(job_id) == [1]
