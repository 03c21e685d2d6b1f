"""Session safety net for the tenant boundary.

Every ORM statement touching a tenant table gets `client_id = :tenant` added to it (selects, joins,
relationship loads, `session.get`, ORM bulk update/delete). A session with no tenant and no system
mark that queries a tenant table raises instead of reading every tenant's rows. Flushes refuse rows
stamped with another tenant. On PostgreSQL the tenant is also set for row-level security.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria

from stockwise.core.models import TenantScoped, is_tenant_model

TENANT_KEY = "client_id"
SYSTEM_KEY = "system"


class UnscopedTenantQuery(RuntimeError):
    """A tenant table was queried from a session that has no tenant: a programming error."""


class ForeignTenantWrite(RuntimeError):
    """A flush tried to write a row that belongs to another tenant: a programming error."""


def bind_tenant(session: Session | AsyncSession, client_id: int) -> None:
    session.info[TENANT_KEY] = client_id
    session.info.pop(SYSTEM_KEY, None)


def bind_system(session: Session | AsyncSession) -> None:
    session.info[SYSTEM_KEY] = True
    session.info.pop(TENANT_KEY, None)


def _touches_tenant_table(state: ORMExecuteState) -> bool:
    return any(is_tenant_model(mapper.class_) for mapper in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_column_load or state.is_relationship_load:
        return
    if not _touches_tenant_table(state):
        return
    client_id = state.session.info.get(TENANT_KEY)
    if client_id is None:
        if state.session.info.get(SYSTEM_KEY):
            return
        raise UnscopedTenantQuery("tenant table queried without a tenant in the unit of work")
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.client_id == client_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _refuse_foreign_rows(session: Session, _context: Any, _instances: Any) -> None:
    client_id = session.info.get(TENANT_KEY)
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if client_id is None:
            if obj.client_id is None:
                raise ForeignTenantWrite(f"{type(obj).__name__} written without a tenant")
            continue
        if obj.client_id is None:
            obj.client_id = client_id
        elif obj.client_id != client_id:
            raise ForeignTenantWrite(f"{type(obj).__name__} belongs to another tenant")


@event.listens_for(Session, "after_begin")
def _set_database_tenant(session: Session, _transaction: SessionTransaction, connection: Any) -> None:
    """Row-level security on PostgreSQL reads these transaction-local settings."""
    if connection.dialect.name != "postgresql":
        return
    client_id = session.info.get(TENANT_KEY)
    connection.execute(
        text("select set_config('app.client_id', :cid, true), set_config('app.system', :system, true)"),
        {
            "cid": "" if client_id is None else str(client_id),
            "system": "on" if session.info.get(SYSTEM_KEY) else "",
        },
    )
