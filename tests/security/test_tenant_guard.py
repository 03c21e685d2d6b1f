"""The ORM guard: unscoped tenant queries raise, foreign rows are refused, system work is explicit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stockwise.core.tenant_guard import ForeignTenantWrite, UnscopedTenantQuery
from stockwise.tenancy.models import AuditEvent, User
from tests.factories import make_actor

SRC = Path(__file__).resolve().parents[2] / "src" / "stockwise"
#: The only modules allowed to open a cross-tenant (system) unit of work, and why.
SYSTEM_UOW_ALLOWED = {
    "tenancy/routes/auth.py",  # signup, login and refresh: the tenant is unknown until the user is found
    "tenancy/provisioning.py",  # CLI tenant creation and demo seeding
    "core/job_runtime.py",  # the job sweep
}


async def test_unscoped_query_on_tenant_table_raises(state: Any) -> None:
    session = state.db.session(write=False)
    try:
        with pytest.raises(UnscopedTenantQuery):
            await session.execute(select(User))
    finally:
        await session.close()


async def test_tenant_session_sees_only_its_rows(state: Any) -> None:
    a = await make_actor(state)
    b = await make_actor(state)
    async with state.uow.tenant(a.client_id, write=False) as uow:
        emails = (await uow.session.execute(select(User.email))).scalars().all()
        by_get = await uow.session.get(User, b.user_id)
    assert emails == [a.email]
    assert by_get is None


async def test_flush_refuses_a_row_of_another_tenant(state: Any) -> None:
    a = await make_actor(state)
    b = await make_actor(state)
    with pytest.raises(ForeignTenantWrite):
        async with state.uow.tenant(a.client_id) as uow:
            uow.session.add(AuditEvent(client_id=b.client_id, action="x", entity_type="y"))
            await uow.flush()
    async with state.uow.tenant(b.client_id, write=False) as uow:
        assert (await uow.session.execute(select(AuditEvent))).scalars().all() == []


def test_system_units_of_work_only_where_allowed() -> None:
    users = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"\.system\(\s*SystemReason\.", path.read_text())
    }
    assert users <= SYSTEM_UOW_ALLOWED, (
        f"cross-tenant work outside the allow-list: {users - SYSTEM_UOW_ALLOWED}"
    )
