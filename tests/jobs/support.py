"""Test-only job kinds and helpers: jobs whose behaviour each test chooses through the payload.

`test.probe` records every run, can report progress, wait on a named gate (only on the attempts
listed) and raise the error the test asks for; `test.cpu` burns CPU through `ctx.run_cpu`.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from stockwise.core.errors import Conflict
from stockwise.core.job_runtime import JobContext
from stockwise.core.jobs import Job, JobFailed, JobStatus, TransientJobError, job_handler
from stockwise.core.types import utcnow
from stockwise.state import AppState
from tests.jobs.cpu import burn

PROBE = "test.probe"
CPU = "test.cpu"
FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


@dataclass(frozen=True)
class Run:
    job_id: int
    attempt: int


RUNS: list[Run] = []
WRITES: list[Run] = []
GATES: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
STARTED: dict[str, asyncio.Event] = defaultdict(asyncio.Event)


def _raise(kind: str) -> None:
    if kind == "job_failed":
        raise JobFailed("source_rejected", "the source said no: internal detail")
    if kind == "domain":
        raise Conflict("The plan changed while the job ran")
    if kind == "crash":
        raise RuntimeError("connect to postgresql://admin:hunter2@10.0.0.5/db failed")
    if kind == "transient":
        raise TransientJobError("timed out")


@job_handler(PROBE)
async def probe(ctx: JobContext) -> dict[str, Any]:
    """Behaviour from the payload: progress, gate, raise (on attempts up to `raise_until`)."""
    RUNS.append(Run(ctx.job_id, ctx.attempt))
    options = ctx.payload
    if "progress" in options:
        await ctx.progress(options["progress"], "halfway there")
    gate = options.get("gate")
    if gate and ctx.attempt in options.get("gate_attempts", [ctx.attempt]):
        STARTED[gate].set()
        await GATES[gate].wait()
    if "raise" in options and ctx.attempt <= options.get("raise_until", 99):
        _raise(options["raise"])
    if options.get("write"):
        async with ctx.unit_of_work() as uow:
            WRITES.append(Run(ctx.job_id, ctx.attempt))
            await uow.session.execute(select(Job.id).where(Job.id == ctx.job_id))
    return {"attempt": ctx.attempt}


@job_handler(CPU)
async def cpu(ctx: JobContext) -> dict[str, Any]:
    """A CPU-bound job: the spinning happens in the process pool, never on the event loop."""
    loops = await ctx.run_cpu(burn, float(ctx.payload["seconds"]))
    return {"loops": loops}


def reset() -> None:
    RUNS.clear()
    WRITES.clear()
    GATES.clear()
    STARTED.clear()


def runs_of(job_id: int) -> list[int]:
    return [run.attempt for run in RUNS if run.job_id == job_id]


async def insert_job(
    state: AppState,
    client_id: int,
    *,
    kind: str = PROBE,
    payload: dict[str, Any] | None = None,
    **columns: Any,
) -> int:
    """A job row written directly (nothing dispatched), so the test decides who delivers it."""
    async with state.uow.tenant(client_id) as uow:
        job = Job(client_id=client_id, kind=kind, payload=payload or {}, status=JobStatus.QUEUED, **columns)
        uow.session.add(job)
        await uow.flush()
        return job.id


async def load_job(state: AppState, client_id: int, job_id: int) -> Job:
    async with state.uow.tenant(client_id, write=False) as uow:
        job = await uow.session.get(Job, job_id)
        assert job is not None
        return job


async def set_job(state: AppState, client_id: int, job_id: int, **values: Any) -> None:
    async with state.uow.tenant(client_id) as uow:
        await uow.session.execute(update(Job).where(Job.id == job_id).values(**values))


async def make_stale(state: AppState, client_id: int, job_id: int, **values: Any) -> None:
    """What a dead worker leaves behind: running, with a heartbeat older than the stale limit."""
    past = utcnow() - state.jobs.stale_after - timedelta(seconds=5)
    await set_job(state, client_id, job_id, status=JobStatus.RUNNING, heartbeat_at=past, **values)


async def wait_for_job(state: AppState, client_id: int, job_id: int, *, timeout: float = 30.0) -> Job:
    """Poll the row (as the API would) until the job has finished."""
    async with asyncio.timeout(timeout):
        while True:
            job = await load_job(state, client_id, job_id)
            if job.status in FINISHED:
                return job
            await asyncio.sleep(0.02)


async def wait_started(gate: str, *, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        await STARTED[gate].wait()
