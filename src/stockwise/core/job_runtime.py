"""Runs jobs: Taskiq broker, atomic claim, heartbeats, retries, the sweep and the process pool.

Messages carry only `(client_id, job_id)`. Delivery is at-least-once (a crashed worker's job is
re-claimed once its heartbeat is stale), so claiming is a compare-and-set on the job row and a
stale worker can no longer write once another holds the claim token. CPU work never runs on the
event loop: the in-memory broker runs tasks on the web loop, so handlers send it to our own pool.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import secrets
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import column, func, or_, select, table, update
from taskiq import AsyncBroker, Context, InMemoryBroker, TaskiqDepends

from stockwise.core.errors import DomainError
from stockwise.core.jobs import Job, JobFailed, JobStatus, TransientJobError, handler_for
from stockwise.core.observability import JOB_RUNS
from stockwise.core.types import utcnow
from stockwise.core.unit_of_work import SystemReason, UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)
R = TypeVar("R")
_client = table("client", column("id"))
TASK_NAME = "stockwise.run_job"


async def _run_job_task(client_id: int, job_id: int, context: Context = TaskiqDepends()) -> None:
    runtime: JobRuntime = context.state.runtime
    await runtime.execute(client_id, job_id)


def create_broker(redis_url: str | None) -> AsyncBroker:
    """Redis streams (acknowledged, redelivered) when Redis is configured; in-memory otherwise."""
    if redis_url:
        from taskiq_redis import RedisStreamBroker

        broker: AsyncBroker = RedisStreamBroker(url=redis_url, queue_name="stockwise:jobs")
    else:
        broker = InMemoryBroker()
    broker.register_task(_run_job_task, task_name=TASK_NAME)
    return broker


class JobContext:
    """What a handler may do: open units of work, report progress, run CPU work in the pool."""

    def __init__(self, runtime: JobRuntime, job: Job) -> None:
        self._runtime = runtime
        self.client_id = job.client_id
        self.job_id = job.id
        self.kind = job.kind
        self.payload: dict[str, Any] = dict(job.payload or {})
        self.created_by = job.created_by
        self.attempt = job.attempts
        self._token = job.claim_token or ""

    def unit_of_work(self, *, write: bool = True) -> Any:
        return self._runtime.uow_factory.tenant(self.client_id, write=write)

    async def progress(self, fraction: float, message: str | None = None) -> None:
        await self._runtime.touch(self, progress=max(0.0, min(1.0, fraction)), message=message)

    async def run_cpu(self, fn: Callable[..., R], *args: Any) -> R:
        return await self._runtime.run_cpu(fn, *args)

    @property
    def claim_token(self) -> str:
        return self._token


class JobRuntime:
    """Owns the broker and the process pool of one process (API server in embedded mode, or worker)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        broker: AsyncBroker,
        *,
        pool_workers: int = 2,
        max_running_per_tenant: int = 4,
        heartbeat_seconds: float = 10.0,
        stale_after_seconds: float = 60.0,
    ) -> None:
        self.uow_factory = uow_factory
        self.broker = broker
        self.pool_workers = pool_workers
        self.max_running_per_tenant = max_running_per_tenant
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after = timedelta(seconds=stale_after_seconds)
        self._pool: ProcessPoolExecutor | None = None
        broker.state.runtime = self
        uow_factory.dispatch_job = self.dispatch

    async def start(self) -> None:
        await self.broker.startup()

    async def stop(self) -> None:
        await self.broker.shutdown()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def dispatch(self, client_id: int, job_id: int) -> None:
        await self.broker.find_task(TASK_NAME).kiq(client_id, job_id)  # type: ignore[union-attr]

    async def run_cpu(self, fn: Callable[..., R], *args: Any) -> R:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.pool_workers, mp_context=multiprocessing.get_context("spawn")
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def execute(self, client_id: int, job_id: int) -> None:
        """Claim and run one job; a message for a job that is not claimable is dropped."""
        job = await self._claim(client_id, job_id)
        if job is None:
            return
        ctx = JobContext(self, job)
        heartbeat = asyncio.create_task(self._heartbeat(ctx))
        try:
            result = await self._run_handler(ctx)
        except TransientJobError:
            await self._retry_or_fail(ctx, job.max_attempts, TransientJobError.code)
        except JobFailed as exc:
            logger.warning("job %s failed: %s", job_id, exc)
            await self._finish(ctx, JobStatus.FAILED, error_code=exc.code)
        except DomainError as exc:
            await self._finish(ctx, JobStatus.FAILED, error_code=exc.code, message=exc.detail)
        except Exception:
            logger.exception("job %s (%s) crashed", job_id, job.kind)
            await self._finish(ctx, JobStatus.FAILED, error_code="internal_error")
        else:
            await self._finish(ctx, JobStatus.SUCCEEDED, result=result)
        finally:
            heartbeat.cancel()

    async def _run_handler(self, ctx: JobContext) -> Mapping[str, Any] | None:
        handler = handler_for(ctx.kind)
        if handler is None:
            raise JobFailed("unknown_job_kind", f"no handler for {ctx.kind}")
        return await handler(ctx)

    async def _claim(self, client_id: int, job_id: int) -> Job | None:
        now = utcnow()
        token = secrets.token_hex(16)
        async with self.uow_factory.tenant(client_id) as uow:
            if not await self._below_tenant_cap(uow):
                return None
            claimable = or_(
                (Job.status == JobStatus.QUEUED) & or_(Job.run_after.is_(None), Job.run_after <= now),
                (Job.status == JobStatus.RUNNING)
                & (Job.heartbeat_at < now - self.stale_after)
                & (Job.attempts < Job.max_attempts),
            )
            stmt = (
                update(Job)
                .where(Job.id == job_id, Job.client_id == client_id, claimable)
                .values(
                    status=JobStatus.RUNNING,
                    attempts=Job.attempts + 1,
                    claim_token=token,
                    heartbeat_at=now,
                    started_at=func.coalesce(Job.started_at, now),
                    updated_at=now,
                )
                .returning(Job.id)
                .execution_options(synchronize_session=False)
            )
            claimed = (await uow.session.execute(stmt)).scalar()
            if claimed is None:
                return None
            return await uow.session.get(Job, job_id, populate_existing=True)

    async def _below_tenant_cap(self, uow: UnitOfWork) -> bool:
        if self.uow_factory.db.dialect == "postgresql":
            # Serialise claims per tenant so concurrent workers cannot both pass the cap check.
            await uow.session.execute(
                select(_client.c.id).where(_client.c.id == uow.client_id).with_for_update()
            )
        running = await uow.session.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                Job.client_id == uow.client_id,
                Job.status == JobStatus.RUNNING,
                Job.heartbeat_at >= utcnow() - self.stale_after,
            )
        )
        return int(running or 0) < self.max_running_per_tenant

    async def touch(self, ctx: JobContext, **values: Any) -> bool:
        """Heartbeat (and progress): only the current claim holder may write."""
        async with self.uow_factory.tenant(ctx.client_id) as uow:
            result = await uow.session.execute(
                update(Job)
                .where(Job.id == ctx.job_id, Job.claim_token == ctx.claim_token)
                .values(heartbeat_at=utcnow(), updated_at=utcnow(), **values)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _heartbeat(self, ctx: JobContext) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            await self.touch(ctx)

    async def _finish(self, ctx: JobContext, status: JobStatus, **values: Any) -> None:
        if status is JobStatus.SUCCEEDED:
            values.setdefault("progress", 1.0)
            values["result"] = dict(values.get("result") or {})
        values.setdefault("message", None)
        await self.touch(ctx, status=status, finished_at=utcnow(), claim_token=None, **values)
        JOB_RUNS.labels(ctx.kind, status.value).inc()

    async def _retry_or_fail(self, ctx: JobContext, max_attempts: int, code: str) -> None:
        if ctx.attempt >= max_attempts:
            await self._finish(ctx, JobStatus.FAILED, error_code=code, message="retries exhausted")
            return
        backoff = timedelta(seconds=min(300, 5 * 2 ** (ctx.attempt - 1)))
        await self.touch(
            ctx,
            status=JobStatus.QUEUED,
            run_after=utcnow() + backoff,
            claim_token=None,
            error_code=code,
            message=f"retrying after a transient error (attempt {ctx.attempt} of {max_attempts})",
        )
        JOB_RUNS.labels(ctx.kind, "retried").inc()

    async def sweep(self, *, older_than: timedelta = timedelta(seconds=30), limit: int = 500) -> int:
        """Re-send jobs left queued or abandoned by a dead worker; fail those out of attempts."""
        now = utcnow()
        async with self.uow_factory.system(SystemReason.JOB_SWEEP) as uow:
            stale = (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < now - self.stale_after)
            await uow.session.execute(
                update(Job)
                .where(stale, Job.attempts >= Job.max_attempts)
                .values(status=JobStatus.FAILED, error_code="worker_lost", finished_at=now, claim_token=None)
                .execution_options(synchronize_session=False)
            )
            waiting = (
                (Job.status == JobStatus.QUEUED)
                & or_(Job.run_after.is_(None), Job.run_after <= now)
                & (func.coalesce(Job.dispatched_at, Job.created_at) < now - older_than)
            )
            rows = (
                await uow.session.execute(
                    select(Job.client_id, Job.id).where(or_(waiting, stale)).order_by(Job.id).limit(limit)
                )
            ).all()
            if rows:
                await uow.session.execute(
                    update(Job)
                    .where(Job.id.in_([job_id for _, job_id in rows]))
                    .values(dispatched_at=now)
                    .execution_options(synchronize_session=False)
                )
        for client_id, job_id in rows:
            await self.dispatch(client_id, job_id)
        return len(rows)

    async def sweep_forever(self, interval: float) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                logger.exception("job sweep failed")
            await asyncio.sleep(interval)
