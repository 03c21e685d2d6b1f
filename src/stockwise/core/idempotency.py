"""Idempotency-Key for POSTs that create things: one stored response per (tenant, user, route, key).

The key row is inserted first, in the request's own transaction, so the change and its stored response
commit or roll back together. A concurrent duplicate blocks on the unique key until the first
transaction ends (PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE) and then replays the
stored response; if it cannot within WAIT_SECONDS it is a 409. Another body under the same key is a
422. Keys expire after 24 h: an expired key is taken over by the next request that uses it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from stockwise.core.errors import Conflict, ValidationFailed
from stockwise.core.models import Base, Id, TenantScoped, tenant_fk, tenant_key
from stockwise.core.repository import TenantRepository
from stockwise.core.types import UTCDateTime, utcnow
from stockwise.core.unit_of_work import UnitOfWork

KEY_TTL = timedelta(hours=24)
WAIT_SECONDS = 10.0
REPLAYED_HEADER = "Idempotent-Replayed"
_LOCK_NOT_AVAILABLE = "55P03"

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[!-~]+$",
        description="Retry-safe key (printable ASCII): the same key and body return the stored response.",
    ),
]


class IdempotencyKey(TenantScoped, Base):
    __tablename__ = "idempotency_key"
    __table_args__ = (
        tenant_key(),
        tenant_fk("user_id", "user", ondelete="CASCADE"),
        UniqueConstraint("client_id", "user_id", "route", "key"),
        Index("ix_idempotency_key_client_expires", "client_id", "expires_at"),
    )
    __exportable__ = False

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Id)
    route: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[Any | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IdempotencyKeyRepository(TenantRepository[IdempotencyKey]):
    model = IdempotencyKey
    noun = "idempotency key"

    async def claim(self, *, user_id: int, route: str, key: str, fingerprint: str) -> int | None:
        """Insert the key (or take over an expired one); None when a live key already exists."""
        now = utcnow()
        fields = {"fingerprint": fingerprint, "created_at": now, "expires_at": now + KEY_TTL}
        insert = self._insert().values(
            client_id=self.client_id, user_id=user_id, route=route, key=key, **fields
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["client_id", "user_id", "route", "key"],
            set_={**fields, "status_code": None, "response": None},
            where=IdempotencyKey.__table__.c.expires_at <= now,
        ).returning(IdempotencyKey.__table__.c.id)
        async with self._bounded_wait():
            return (await self.session.execute(stmt)).scalar()

    async def find_live(self, *, user_id: int, route: str, key: str) -> IdempotencyKey | None:
        stmt = self._select().where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.route == route, IdempotencyKey.key == key
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def store_response(self, key_id: int, *, status_code: int, response: Any) -> None:
        stmt = (
            update(IdempotencyKey)
            .where(IdempotencyKey.client_id == self.client_id, IdempotencyKey.id == key_id)
            .values(status_code=status_code, response=response)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)

    def _bounded_wait(self) -> _LockTimeout:
        return _LockTimeout(self.uow, WAIT_SECONDS)


class _LockTimeout:
    """On PostgreSQL, bound how long the key insert waits for a concurrent duplicate (a 409 after)."""

    def __init__(self, uow: UnitOfWork, seconds: float) -> None:
        self.session = uow.session
        self.milliseconds = str(int(seconds * 1000))
        self.previous: str | None = None

    async def __aenter__(self) -> None:
        if self.session.get_bind().dialect.name != "postgresql":
            return
        row = await self.session.execute(
            text("select current_setting('lock_timeout'), set_config('lock_timeout', :ms, true)"),
            {"ms": self.milliseconds},
        )
        self.previous = row.scalar()

    async def __aexit__(self, exc_type: object, exc: BaseException | None, _tb: object) -> None:
        if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            raise _still_processing() from exc
        if self.previous is not None and exc is None:
            await self.session.execute(
                text("select set_config('lock_timeout', :ms, true)"), {"ms": self.previous}
            )


def _still_processing() -> Conflict:
    error = Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
    error.headers["Retry-After"] = "1"
    return error


def request_fingerprint(payload: BaseModel | dict[str, Any] | None) -> str:
    """A hash of the request as the route understood it (so key order and whitespace do not matter)."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def idempotent(
    uow: UnitOfWork,
    *,
    key: str | None,
    route: str,
    payload: BaseModel | dict[str, Any] | None,
    produce: Callable[[], Awaitable[BaseModel]],
    status_code: int = 200,
) -> JSONResponse:
    """Run `produce` once per key: store its response in this transaction, or replay the stored one."""
    if key is None:
        return JSONResponse((await produce()).model_dump(mode="json"), status_code=status_code)
    if uow.principal is None:
        raise RuntimeError("idempotency keys are scoped to a user")
    repo = IdempotencyKeyRepository(uow)
    user_id, fingerprint = uow.principal.user_id, request_fingerprint(payload)
    key_id = await repo.claim(user_id=user_id, route=route, key=key, fingerprint=fingerprint)
    if key_id is None:
        return await _replay(repo, user_id=user_id, route=route, key=key, fingerprint=fingerprint)
    content = (await produce()).model_dump(mode="json")
    await repo.store_response(key_id, status_code=status_code, response=content)
    return JSONResponse(content, status_code=status_code)


async def _replay(
    repo: IdempotencyKeyRepository, *, user_id: int, route: str, key: str, fingerprint: str
) -> JSONResponse:
    stored = await repo.find_live(user_id=user_id, route=route, key=key)
    if stored is None or stored.status_code is None:
        raise _still_processing()
    if stored.fingerprint != fingerprint:
        raise ValidationFailed.field(
            ["header", "Idempotency-Key"], "this key was already used with a different request body"
        )
    return JSONResponse(stored.response, status_code=stored.status_code, headers={REPLAYED_HEADER: "true"})
