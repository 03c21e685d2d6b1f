"""One unit of work per request or job: one session, one transaction, one tenant.

Services flush, never commit. The owner of the unit of work (the request dependency, a job runner,
a CLI command) commits once; callbacks registered with `after_commit` (e.g. sending a job to the
broker) run only after the commit succeeded, so a rolled-back request never starts a job.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from stockwise.core.db import Database
from stockwise.core.principal import Principal
from stockwise.core.tenant_guard import bind_system, bind_tenant

logger = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
#: Sends (client_id, job_id) to the broker; set by whoever runs jobs for this process.
JobDispatcher = Callable[[int, int], Awaitable[None]]


class SystemReason(StrEnum):
    """The only kinds of work allowed to cross tenants (see tests/security/test_system_uow.py)."""

    SIGNUP = "signup"
    AUTHENTICATION = "authentication"
    TENANT_ADMIN_CLI = "tenant-admin-cli"
    DEMO_SEED = "demo-seed"
    JOB_SWEEP = "job-sweep"


class UnitOfWork:
    """A session bound to one tenant (or, explicitly, to system work) plus post-commit callbacks."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        client_id: int | None,
        principal: Principal | None = None,
        dispatch_job: JobDispatcher | None = None,
    ) -> None:
        self.session = session
        self.dispatch_job = dispatch_job
        self._client_id = client_id
        self.principal = principal
        self._after_commit: list[AfterCommit] = []

    @property
    def client_id(self) -> int:
        if self._client_id is None:
            raise RuntimeError("system unit of work has no tenant")
        return self._client_id

    @property
    def acting_user_id(self) -> int | None:
        return self.principal.user_id if self.principal else None

    def after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    async def flush(self) -> None:
        await self.session.flush()

    async def _run_after_commit(self) -> None:
        for callback in self._after_commit:
            try:
                await callback()
            except Exception:
                # The work is committed; a lost notification is recovered by the job sweep.
                logger.exception("after-commit callback failed")


class UnitOfWorkFactory:
    """Opens units of work on one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dispatch_job: JobDispatcher | None = None

    @asynccontextmanager
    async def tenant(
        self, client_id: int, *, principal: Principal | None = None, write: bool = True
    ) -> AsyncIterator[UnitOfWork]:
        session = self.db.session(write=write)
        bind_tenant(session, client_id)
        async with self._transaction(
            UnitOfWork(session, client_id=client_id, principal=principal, dispatch_job=self.dispatch_job)
        ) as uow:
            yield uow

    @asynccontextmanager
    async def system(self, reason: SystemReason) -> AsyncIterator[UnitOfWork]:
        """Cross-tenant work; allowed only for the reasons in SystemReason."""
        session = self.db.session(write=True)
        bind_system(session)
        session.info["system_reason"] = SystemReason(reason)
        async with self._transaction(
            UnitOfWork(session, client_id=None, dispatch_job=self.dispatch_job)
        ) as uow:
            yield uow

    @asynccontextmanager
    async def _transaction(self, uow: UnitOfWork) -> AsyncIterator[UnitOfWork]:
        try:
            async with uow.session.begin():
                yield uow
        finally:
            await uow.session.close()
        await uow._run_after_commit()
