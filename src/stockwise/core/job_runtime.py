"""Runs jobs: Taskiq broker, atomic claim, heartbeats, retries, the sweep and the process pool.

Messages carry only `(client_id, job_id)`. Delivery is at-least-once (a crashed worker's job is
re-claimed once its heartbeat is stale), so claiming is a compare-and-set on the job row and every
write of a job — progress, results, the final status — checks the claim token in its transaction,
so a stale worker can no longer write once another holds the claim. CPU work never runs on the
event loop: the in-memory broker runs tasks on the web loop, so handlers send it to our own pool.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import column, func, or_, select, table, update
from taskiq import AsyncBroker, Context, InMemoryBroker, TaskiqDepends

from stockwise.core.errors import DomainError
from stockwise.core.jobs import ClaimLost, Job, JobFailed, JobStatus, TransientJobError, handler_for
from stockwise.core.observability import JOB_RUNS
from stockwise.core.types import utcnow
from stockwise.core.unit_of_work import SystemReason, UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)
R = TypeVar("R")
_client = table("client", column("id"))
TASK_NAME = "stockwise.run_job"
DEFAULT_QUEUE = "stockwise:jobs"


async def _run_job_task(client_id: int, job_id: int, context: Context = TaskiqDepends()) -> None:
    runtime: JobRuntime = context.state.runtime
    await runtime.execute(client_id, job_id)


def create_broker(redis_url: str | None, *, queue_name: str = DEFAULT_QUEUE) -> AsyncBroker:
    """Redis streams (acknowledged, redelivered) when Redis is configured; in-memory otherwise."""
    if redis_url:
        from taskiq_redis import RedisStreamBroker

        # A lock left by a killed worker expires; the stream is trimmed (the sweep re-sends any
        # queued job whose message was trimmed away, since the job row is the source of truth).
        broker: AsyncBroker = RedisStreamBroker(
            url=redis_url, queue_name=queue_name, unacknowledged_lock_timeout=30, maxlen=100_000
        )
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
        self.claim_token = job.claim_token or ""
        #: Set while a write unit of work holds the job row's lock (see claimed_unit_of_work).
        self.writing = False

    def unit_of_work(self, *, write: bool = True) -> AbstractAsyncContextManager[UnitOfWork]:
        """A tenant unit of work; a writing one first proves (and locks) this worker's claim."""
        if write:
            return self._runtime.claimed_unit_of_work(self)
        return self._runtime.uow_factory.tenant(self.client_id, write=False)

    async def progress(self, fraction: float, message: str | None = None) -> None:
        """Record progress; raises ClaimLost when another worker has taken the job over."""
        if self.writing:
            raise RuntimeError(
                "report progress outside ctx.unit_of_work(): its transaction locks the job row"
            )
        if not await self._runtime.touch(self, progress=max(0.0, min(1.0, fraction)), message=message):
            raise ClaimLost(self.job_id)

    async def run_cpu(self, fn: Callable[..., R], *args: Any) -> R:
        return await self._runtime.run_cpu(fn, *args)

    @property
    def app_state(self) -> Any:
        """The process's AppState: settings and shared services (e.g. the connector resolver)."""
        return self._runtime.app_state


class JobRuntime:
    """Owns the broker and the process pool of one process (API server in embedded mode, or worker).

    It dispatches only between start() and stop(): a CLI command that builds the state without
    starting it leaves its jobs queued for the sweep of the server or worker that runs them.
    """

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
        self.resend_after = timedelta(seconds=30)
        self.retry_base_seconds = 5.0
        self.retry_max_seconds = 300.0
        self._pool: ProcessPoolExecutor | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        #: The process's AppState (set by build_state), for handlers that need settings or services.
        self.app_state: Any = None
        broker.state.runtime = self

    async def start(self) -> None:
        await self.broker.startup()
        self.uow_factory.dispatch_job = self.dispatch

    async def stop(self) -> None:
        """Stop dispatching, hand running jobs back to the queue, then close broker and pool."""
        if self.uow_factory.dispatch_job == self.dispatch:
            self.uow_factory.dispatch_job = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.broker.shutdown()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def dispatch(self, client_id: int, job_id: int) -> None:
        await self.broker.find_task(TASK_NAME).kiq(client_id, job_id)  # type: ignore[union-attr]

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch_later(self, delay: float, client_id: int, job_id: int) -> None:
        await asyncio.sleep(delay)
        try:
            await self.dispatch(client_id, job_id)
        except Exception:
            logger.exception("re-sending job %s failed; the sweep will", job_id)

    async def run_cpu(self, fn: Callable[..., R], *args: Any) -> R:
        """Run `fn` in the process pool; a pool whose worker died is replaced and the job retried."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.pool_workers, mp_context=multiprocessing.get_context("spawn")
            )
        pool = self._pool
        try:
            # submit() may start a pool process (fork/exec, pipe writes): keep even that off the loop.
            future = await asyncio.to_thread(pool.submit, fn, *args)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            if self._pool is pool:
                self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise TransientJobError("process pool worker died") from exc

    async def execute(self, client_id: int, job_id: int) -> None:
        """Claim and run one job; a message for a job that is not claimable is dropped."""
        job = await self._claim(client_id, job_id)
        if job is None:
            return
        ctx = JobContext(self, job)
        running = asyncio.current_task()
        if running is not None:
            self._tasks.add(running)  # so stop() can hand the job back to the queue
        heartbeat = asyncio.create_task(self._heartbeat(ctx))
        try:
            await self._run_and_record(ctx, job.max_attempts)
        except asyncio.CancelledError:
            await asyncio.shield(self._release(ctx))
            raise
        finally:
            heartbeat.cancel()
            if running is not None:
                self._tasks.discard(running)

    async def _run_and_record(self, ctx: JobContext, max_attempts: int) -> None:
        """Run the handler and record its outcome; only codes (never exception text) reach the tenant."""
        try:
            result = await self._run_handler(ctx)
        except ClaimLost:
            logger.warning("job %s was taken over by another worker; this run stops", ctx.job_id)
        except TransientJobError:
            logger.warning("job %s hit a transient error", ctx.job_id, exc_info=True)
            await self._retry_or_fail(ctx, max_attempts, TransientJobError.code)
        except JobFailed as exc:
            logger.warning("job %s failed: %s", ctx.job_id, exc)
            await self._finish(ctx, JobStatus.FAILED, error_code=exc.code)
        except DomainError as exc:
            await self._finish(ctx, JobStatus.FAILED, error_code=exc.code, message=exc.detail[:500])
        except Exception:
            logger.exception("job %s (%s) crashed", ctx.job_id, ctx.kind)
            await self._finish(ctx, JobStatus.FAILED, error_code="internal_error")
        else:
            await self._finish(ctx, JobStatus.SUCCEEDED, result=result)

    async def _run_handler(self, ctx: JobContext) -> Mapping[str, Any] | None:
        handler = handler_for(ctx.kind)
        if handler is None:
            raise JobFailed("unknown_job_kind", f"no handler for {ctx.kind}")
        return await handler(ctx)

    async def _claim(self, client_id: int, job_id: int) -> Job | None:
        now = utcnow()
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
                    claim_token=secrets.token_hex(16),
                    heartbeat_at=now,
                    started_at=func.coalesce(Job.started_at, now),
                    updated_at=now,
                )
                .returning(Job.id)
                .execution_options(synchronize_session=False)
            )
            if (await uow.session.execute(stmt)).scalar() is None:
                return None
            return await uow.session.get(Job, job_id, populate_existing=True)

    async def _below_tenant_cap(self, uow: UnitOfWork) -> bool:
        if uow.session.get_bind().dialect.name == "postgresql":
            # Serialise claims per tenant so concurrent workers cannot both pass the cap check
            # (SQLite write transactions are already serial: BEGIN IMMEDIATE).
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

    async def _hold_claim(self, uow: UnitOfWork, ctx: JobContext, **values: Any) -> bool:
        """Heartbeat (plus `values`) if this worker still holds the claim; locks the row until commit."""
        now = utcnow()
        result = await uow.session.execute(
            update(Job)
            .where(Job.id == ctx.job_id, Job.claim_token == ctx.claim_token)
            .values(heartbeat_at=now, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def touch(self, ctx: JobContext, **values: Any) -> bool:
        """Heartbeat (and progress, status): only the current claim holder may write."""
        async with self.uow_factory.tenant(ctx.client_id) as uow:
            return await self._hold_claim(uow, ctx, **values)

    @asynccontextmanager
    async def claimed_unit_of_work(self, ctx: JobContext) -> AsyncIterator[UnitOfWork]:
        """A write unit of work that commits only while this worker holds the job's claim.

        It locks the job row until commit, so progress or a second write unit of work opened inside
        it would wait for it forever (on PostgreSQL): both are refused instead.
        """
        if ctx.writing:
            raise RuntimeError("a job's write units of work cannot be nested")
        async with self.uow_factory.tenant(ctx.client_id) as uow:
            if not await self._hold_claim(uow, ctx):
                raise ClaimLost(ctx.job_id)
            ctx.writing = True
            try:
                yield uow
            finally:
                ctx.writing = False

    async def _heartbeat(self, ctx: JobContext) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                if not await self.touch(ctx):
                    return  # taken over: the handler's next write raises ClaimLost
            except Exception:
                logger.exception("heartbeat of job %s failed", ctx.job_id)

    async def _finish(self, ctx: JobContext, status: JobStatus, **values: Any) -> None:
        if status is JobStatus.SUCCEEDED:
            values.update(progress=1.0, error_code=None, result=dict(values.get("result") or {}))
        values.setdefault("message", None)
        if await self.touch(ctx, status=status, finished_at=utcnow(), claim_token=None, **values):
            JOB_RUNS.labels(ctx.kind, status.value).inc()

    async def _retry_or_fail(self, ctx: JobContext, max_attempts: int, code: str) -> None:
        if ctx.attempt >= max_attempts:
            await self._finish(ctx, JobStatus.FAILED, error_code=code, message="retries exhausted")
            return
        backoff = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** (ctx.attempt - 1))
        retried = await self.touch(
            ctx,
            status=JobStatus.QUEUED,
            run_after=utcnow() + timedelta(seconds=backoff),
            claim_token=None,
            error_code=code,
            message=f"retrying after a transient error (attempt {ctx.attempt} of {max_attempts})",
        )
        if retried:
            JOB_RUNS.labels(ctx.kind, "retried").inc()
            self._spawn(self._dispatch_later(backoff, ctx.client_id, ctx.job_id))

    async def _release(self, ctx: JobContext) -> None:
        """A stopping process hands its job back to the queue; the interrupted run is not counted."""
        try:
            await self.touch(
                ctx,
                status=JobStatus.QUEUED,
                claim_token=None,
                attempts=Job.attempts - 1,
                message="interrupted",
            )
        except Exception:
            logger.exception(
                "could not release job %s; it is re-claimed when its heartbeat is stale", ctx.job_id
            )

    async def sweep(self, *, older_than: timedelta | None = None, limit: int = 500) -> int:
        """Re-send jobs left queued or abandoned by a dead worker; fail those out of attempts."""
        now = utcnow()
        older_than = self.resend_after if older_than is None else older_than
        async with self.uow_factory.system(SystemReason.JOB_SWEEP) as uow:
            stale = (Job.status == JobStatus.RUNNING) & (Job.heartbeat_at < now - self.stale_after)
            lost = await uow.session.scalars(
                update(Job)
                .where(stale, Job.attempts >= Job.max_attempts)
                .values(status=JobStatus.FAILED, error_code="worker_lost", finished_at=now, claim_token=None)
                .returning(Job.kind)
                .execution_options(synchronize_session=False)
            )
            for kind in lost.all():
                JOB_RUNS.labels(kind, "worker_lost").inc()
            waiting = (
                (Job.status == JobStatus.QUEUED)
                & or_(Job.run_after.is_(None), Job.run_after <= now)
                & (func.coalesce(Job.dispatched_at, Job.created_at) <= now - older_than)
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
        """Sweep every `interval` seconds; the first sweep takes every queued job (e.g. from the CLI)."""
        older_than = timedelta(0)
        while True:
            try:
                await self.sweep(older_than=older_than)
            except Exception:
                logger.exception("job sweep failed")
            older_than = self.resend_after
            await asyncio.sleep(interval)
