"""etl tables: import runs, upload chunks, saved column mappings, source connections

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_rls import enable_tenant_rls, grant_app_role

import stockwise.core.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLES = ("etl_connection", "import_column_mapping", "import_run", "import_upload_chunk")


def _tenant_columns(table: str, *, timestamps: bool = True) -> list[Any]:
    items: list[Any] = [
        sa.Column("client_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f(f"fk_{table}_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]
    if timestamps:
        items += [
            sa.Column("created_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
            sa.Column("updated_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        ]
    return items


def upgrade() -> None:
    op.create_table(
        "etl_connection",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", _ID, nullable=True),
        sa.Column("last_sync_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=True),
        *_tenant_columns("etl_connection"),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_etl_connection_client_id_id")),
        sa.UniqueConstraint("client_id", "name", name=op.f("uq_etl_connection_client_id_name")),
    )
    op.create_table(
        "import_column_mapping",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_by", _ID, nullable=True),
        *_tenant_columns("import_column_mapping"),
        sa.UniqueConstraint("client_id", "entity", name=op.f("uq_import_column_mapping_client_id_entity")),
    )
    op.create_table(
        "import_run",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("on_error", sa.String(length=8), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("connection_id", _ID, nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", _ID, nullable=True),
        sa.Column("created_by", _ID, nullable=True),
        sa.Column("detected", sa.JSON(), nullable=True),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "rows_total",
                "inserted",
                "updated",
                "unchanged",
                "deleted",
                "deactivated",
                "rejected",
                "error_count",
            )
        ],
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("error_sample", sa.JSON(), nullable=True),
        sa.Column("error_report", sa.LargeBinary(), nullable=True),
        sa.Column("started_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=True),
        *_tenant_columns("import_run"),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_import_run_client_id_id")),
    )
    op.create_table(
        "import_upload_chunk",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("import_run_id", _ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        *_tenant_columns("import_upload_chunk", timestamps=False),
        sa.ForeignKeyConstraint(
            ["client_id", "import_run_id"],
            ["import_run.client_id", "import_run.id"],
            name=op.f("fk_import_upload_chunk_client_id_import_run_id_import_run"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "client_id",
            "import_run_id",
            "seq",
            name=op.f("uq_import_upload_chunk_client_id_import_run_id_seq"),
        ),
    )
    enable_tenant_rls(*_TABLES)
    grant_app_role()


def downgrade() -> None:
    for table in reversed(_TABLES):
        op.drop_table(table)
