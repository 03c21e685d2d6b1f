"""PostgreSQL row-level security for tenant tables, and the non-owner role the app connects as.

The table owner (and any superuser) bypasses RLS even when FORCEd, so the app must use another role.
Every migration that creates a tenant table calls `enable_tenant_rls` for it; a test checks the
catalog so that no table with `client_id` is missed.
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy.engine import make_url

from stockwise.config import get_settings

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
POLICY = (
    "client_id = NULLIF(current_setting('app.client_id', true), '')::bigint "
    "OR current_setting('app.system', true) = 'on'"
)


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def app_role() -> str | None:
    """The role named in STOCKWISE_DATABASE_URL, when it differs from the migrating (owner) role."""
    settings = get_settings()
    app_user = make_url(settings.database_url).username
    owner = make_url(settings.owner_url).username
    if not app_user or app_user == owner:
        return None
    if not _IDENT.match(app_user):
        raise ValueError(f"unsupported role name {app_user!r}")
    return app_user


def ensure_app_role() -> None:
    """Create the app's login role once; roles are cluster-wide, so serialise with an advisory lock."""
    role = app_role()
    if not _is_postgresql() or role is None:
        return
    op.execute("SELECT pg_advisory_xact_lock(hashtext('stockwise.create_app_role'))")
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f'THEN CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$'
    )


def grant_app_role() -> None:
    role = app_role()
    if not _is_postgresql() or role is None:
        return
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    op.execute(f'REVOKE ALL ON TABLE alembic_version FROM "{role}"')


def enable_tenant_rls(*tables: str) -> None:
    if not _is_postgresql():
        return
    for table in tables:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON "{table}" USING ({POLICY}) WITH CHECK ({POLICY})')
