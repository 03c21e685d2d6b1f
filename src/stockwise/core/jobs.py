"""Job records, the API that domains use to ask for background work, and the tenant's job queries.

A `job` row is written in the same transaction as the business change that asks for it and is sent
to the broker only after that transaction commits. Handlers are registered per kind; they receive a
JobContext to report progress, open units of work and run CPU work in the process pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from stockwise.core.models import Base, Id, TenantScoped, TimestampMixin, tenant_key
from stockwise.core.repository import Page, TenantRepository
from stockwise.core.types import UTCDateTime
from stockwise.core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from stockwise.core.job_runtime import JobContext


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(TenantScoped, TimestampMixin, Base):
    __tablename__ = "job"
    __table_args__ = (
        tenant_key(),
        Index("ix_job_client_status", "client_id", "status"),
        # The sweep looks across tenants for queued and stale running jobs.
        Index("ix_job_status", "status"),
    )
    #: The claim token is worker plumbing, not tenant data.
    __export_exclude__ = frozenset({"claim_token"})

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[int | None] = mapped_column(Id)
    run_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TransientJobError(Exception):
    """Raised by a handler for failures worth retrying (with backoff) — e.g. a source timed out."""

    code = "transient_error"


class JobFailed(Exception):
    """Raised by a handler for a definite failure; `code` is shown to the tenant, the text is logged."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


class ClaimLost(Exception):
    """This worker's claim on the job was taken over (its heartbeat went stale): it must stop writing."""

    def __init__(self, job_id: int) -> None:
        super().__init__(f"job {job_id} is claimed by another worker")
        self.job_id = job_id


JobHandler = Callable[["JobContext"], Awaitable[Mapping[str, Any] | None]]
_HANDLERS: dict[str, JobHandler] = {}


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the coroutine that runs jobs of `kind`."""

    def register(handler: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not handler:
            raise RuntimeError(f"job kind {kind!r} registered twice")
        _HANDLERS[kind] = handler
        return handler

    return register


def handler_for(kind: str) -> JobHandler | None:
    return _HANDLERS.get(kind)


async def enqueue_job(
    uow: UnitOfWork, *, kind: str, payload: Mapping[str, Any] | None = None, max_attempts: int = 3
) -> Job:
    """Record a job in this unit of work; it is sent to the broker only if the transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        client_id=uow.client_id,
        kind=kind,
        payload=dict(payload or {}),
        max_attempts=max_attempts,
        created_by=uow.acting_user_id,
        status=JobStatus.QUEUED,
        progress=0.0,
        attempts=0,
    )
    uow.session.add(job)
    await uow.flush()
    if uow.dispatch_job is not None:
        uow.after_commit(partial(uow.dispatch_job, uow.client_id, job.id))
    return job


class JobRepository(TenantRepository[Job]):
    model = Job
    noun = "job"


async def list_jobs(
    uow: UnitOfWork, *, page: int, page_size: int, kind: str | None = None, status: JobStatus | None = None
) -> Page[Job]:
    """The tenant's jobs, newest first, optionally of one kind or status."""
    repo = JobRepository(uow)
    stmt = repo._select().order_by(Job.id.desc())
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if status:
        stmt = stmt.where(Job.status == status)
    return await repo.paginate(stmt, page=page, page_size=page_size)


async def get_job(uow: UnitOfWork, *, job_id: int) -> Job:
    """One of the tenant's jobs; another tenant's job is NotFound."""
    return await JobRepository(uow).get(job_id)


async def find_active_job(uow: UnitOfWork, *, kind: str) -> Job | None:
    """A queued or running job of `kind` in this tenant, if any (to refuse piling up heavy jobs)."""
    repo = JobRepository(uow)
    stmt = repo._select().where(Job.kind == kind, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
    return await uow.session.scalar(stmt.order_by(Job.id).limit(1))
