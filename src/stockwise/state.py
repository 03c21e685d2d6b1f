"""Process-wide services built once from Settings (API server, worker and CLI share this)."""

from __future__ import annotations

from dataclasses import dataclass

from stockwise.config import Settings
from stockwise.core.db import Database, create_database
from stockwise.core.job_runtime import JobRuntime, create_broker
from stockwise.core.netguard import Resolver
from stockwise.core.passwords import PasswordHasher
from stockwise.core.ratelimit import RateLimiter
from stockwise.core.unit_of_work import UnitOfWorkFactory


@dataclass
class AppState:
    settings: Settings
    db: Database
    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    rate_limiter: RateLimiter
    jobs: JobRuntime
    #: DNS for connector hosts; None is the system resolver (tests inject one: there is no public DNS).
    connector_resolver: Resolver | None = None

    async def start(self) -> None:
        await self.jobs.start()

    async def stop(self) -> None:
        await self.jobs.stop()
        await self.db.dispose()


def build_state(settings: Settings) -> AppState:
    db = create_database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    uow = UnitOfWorkFactory(db)
    jobs = JobRuntime(
        uow,
        create_broker(settings.redis_url),
        pool_workers=settings.process_pool_workers,
        max_running_per_tenant=settings.job_max_running_per_tenant,
        heartbeat_seconds=settings.job_heartbeat_seconds,
        stale_after_seconds=settings.job_stale_after_seconds,
    )
    state = AppState(
        settings=settings,
        db=db,
        uow=uow,
        hasher=PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost_kib=settings.argon2_memory_cost_kib,
            max_concurrent=settings.max_concurrent_hashes,
        ),
        rate_limiter=RateLimiter(settings.redis_url),
        jobs=jobs,
    )
    jobs.app_state = state
    return state
