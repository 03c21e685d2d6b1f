"""A failing job records an error code the tenant can read, never the exception's text."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from stockwise.core.jobs import JobStatus
from stockwise.core.types import utcnow
from stockwise.state import AppState
from tests.factories import make_actor
from tests.jobs.support import insert_job, load_job, runs_of, set_job, wait_for_job


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ("job_failed", "source_rejected", None),
        ("domain", "conflict", "The plan changed while the job ran"),
        ("crash", "internal_error", None),
    ],
)
async def test_failure_records_its_code_and_leaks_nothing(
    client: httpx.AsyncClient, state: AppState, error: str, code: str, message: str | None
) -> None:
    actor = await make_actor(state)
    job_id = await insert_job(state, actor.client_id, payload={"raise": error})
    await state.jobs.execute(actor.client_id, job_id)
    resp = await client.get(f"/api/v1/jobs/{job_id}", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["error_code"], body["message"]) == ("failed", code, message)
    assert body["finished_at"] is not None
    for secret in ("internal detail", "hunter2", "postgresql://", "RuntimeError", "Traceback"):
        assert secret not in resp.text
    assert runs_of(job_id) == [1]  # a definite failure is not retried


async def test_job_of_an_unknown_kind_fails_cleanly(state: AppState) -> None:
    actor = await make_actor(state)
    job_id = await insert_job(state, actor.client_id, kind="retired.kind")
    await state.jobs.execute(actor.client_id, job_id)
    job = await load_job(state, actor.client_id, job_id)
    assert (job.status, job.error_code) == (JobStatus.FAILED, "unknown_job_kind")


async def _run_attempt(state: AppState, client_id: int, job_id: int) -> float:
    """Deliver the job once its backoff has passed; returns the next backoff in seconds (0 if none)."""
    await set_job(state, client_id, job_id, run_after=utcnow() - timedelta(seconds=1))
    await state.jobs.execute(client_id, job_id)
    job = await load_job(state, client_id, job_id)
    if job.status != JobStatus.QUEUED:
        return 0.0
    assert job.run_after is not None
    return (job.run_after - utcnow()).total_seconds()


async def test_transient_error_is_retried_with_backoff_then_fails(state: AppState) -> None:
    actor = await make_actor(state)
    job_id = await insert_job(state, actor.client_id, payload={"raise": "transient"}, max_attempts=3)
    await state.jobs.execute(actor.client_id, job_id)
    job = await load_job(state, actor.client_id, job_id)
    assert (job.status, job.attempts, job.error_code) == (JobStatus.QUEUED, 1, "transient_error")
    assert job.run_after is not None
    first_backoff = (job.run_after - utcnow()).total_seconds()
    assert 3 < first_backoff <= state.jobs.retry_base_seconds
    await state.jobs.execute(actor.client_id, job_id)  # an early redelivery waits for the backoff
    assert runs_of(job_id) == [1]
    second_backoff = await _run_attempt(state, actor.client_id, job_id)
    assert second_backoff > first_backoff * 1.5  # exponential, not fixed
    assert await _run_attempt(state, actor.client_id, job_id) == 0.0
    job = await load_job(state, actor.client_id, job_id)
    assert (job.status, job.attempts, job.error_code) == (JobStatus.FAILED, 3, "transient_error")
    assert job.message == "retries exhausted"
    assert runs_of(job_id) == [1, 2, 3]


async def test_transient_error_is_retried_automatically_and_can_succeed(
    state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.jobs, "retry_base_seconds", 0.05)
    actor = await make_actor(state)
    job_id = await insert_job(state, actor.client_id, payload={"raise": "transient", "raise_until": 1})
    await state.jobs.execute(actor.client_id, job_id)
    job = await wait_for_job(state, actor.client_id, job_id, timeout=10)
    assert (job.status, job.attempts, job.error_code) == (JobStatus.SUCCEEDED, 2, None)
    assert job.result == {"attempt": 2}
    assert runs_of(job_id) == [1, 2]


async def test_transient_errors_exhaust_attempts_without_help(
    state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state.jobs, "retry_base_seconds", 0.02)
    actor = await make_actor(state)
    job_id = await insert_job(state, actor.client_id, payload={"raise": "transient"}, max_attempts=4)
    await state.jobs.execute(actor.client_id, job_id)
    job = await wait_for_job(state, actor.client_id, job_id, timeout=10)
    assert (job.status, job.attempts, job.error_code) == (JobStatus.FAILED, 4, "transient_error")
    assert runs_of(job_id) == [1, 2, 3, 4]
