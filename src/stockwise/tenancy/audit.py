"""Audit trail: every change to users, settings, connectors, imports and purchasing writes an event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from stockwise.core.observability import current_request_id
from stockwise.core.repository import Page, TenantRepository
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.tenancy.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class AuditEventRepository(TenantRepository[AuditEvent]):
    model = AuditEvent
    noun = "audit event"


async def record_audit(
    uow: UnitOfWork,
    *,
    action: str,
    entity_type: str,
    entity_id: object = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Write one audit event in the caller's transaction (so it commits or rolls back with the change)."""
    AuditEventRepository(uow).add(
        AuditEvent(
            actor_user_id=uow.acting_user_id,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            request_id=current_request_id(),
        )
    )


async def list_audit_events(
    uow: UnitOfWork, *, page: int, page_size: int, entity_type: str | None = None, action: str | None = None
) -> Page[AuditEvent]:
    repo = AuditEventRepository(uow)
    stmt = repo._select().order_by(AuditEvent.id.desc())
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return await repo.paginate(stmt, page=page, page_size=page_size)


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _jsonable(getattr(obj, field)) for field in fields}
