"""PostgreSQL row-level security is the second layer under the ORM guard."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.factories import make_actor

pytestmark = pytest.mark.postgres_only


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_every_tenant_table_has_forced_rls_and_a_policy(settings: Any) -> None:
    conn = await asyncpg.connect(_dsn(settings.owner_url))
    try:
        rows = await conn.fetch(
            """
            select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   exists(select 1 from pg_policy p where p.polrelid = c.oid) as has_policy
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind = 'r'
              and exists(select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'client_id'
                         and not a.attisdropped)
            """
        )
    finally:
        await conn.close()
    assert len(rows) >= 10
    unprotected = [
        r["relname"]
        for r in rows
        if not (r["relrowsecurity"] and r["relforcerowsecurity"] and r["has_policy"])
    ]
    assert unprotected == []


async def test_app_role_is_not_owner_and_cannot_bypass(settings: Any) -> None:
    conn = await asyncpg.connect(_dsn(settings.database_url))
    try:
        role = await conn.fetchrow("select rolsuper, rolbypassrls from pg_roles where rolname = current_user")
        owners = await conn.fetch("select distinct tableowner from pg_tables where schemaname = 'public'")
        me = await conn.fetchval("select current_user")
    finally:
        await conn.close()
    assert not role["rolsuper"] and not role["rolbypassrls"]
    assert me not in {r["tableowner"] for r in owners}


async def test_raw_select_without_tenant_setting_returns_no_rows(settings: Any, state: Any) -> None:
    tenant_a = await make_actor(state)
    tenant_b = await make_actor(state)
    conn = await asyncpg.connect(_dsn(settings.database_url))
    try:
        assert await conn.fetchval('select count(*) from "user"') == 0
        assert await conn.fetchval("select count(*) from client_settings") == 0
        async with conn.transaction():
            await conn.execute("select set_config('app.client_id', $1, true)", str(tenant_a.client_id))
            visible = await conn.fetch('select client_id from "user"')
        assert {r["client_id"] for r in visible} == {tenant_a.client_id}
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("select set_config('app.client_id', $1, true)", str(tenant_a.client_id))
                await conn.execute(
                    "insert into client_settings (client_id, service_level_target, service_level_type,"
                    " review_period_days, holding_cost_rate, default_ordering_cost, currency,"
                    " forecast_horizon_days, history_window_days, abc_cutoff_a, abc_cutoff_b, timezone,"
                    " week_start, po_number_format, receipt_tolerance_pct, created_at, updated_at)"
                    " values ($1, 0.9, 'cycle', 7, 0.2, 1, 'EUR', 30, 365, 0.8, 0.95, 'UTC', 'monday',"
                    " 'PO-{seq}', 0, now(), now())",
                    tenant_b.client_id,
                )
    finally:
        await conn.close()
