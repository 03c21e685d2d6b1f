"""Import runs, their uploads (chunked in the database), saved column mappings and source connections.

An upload lives in `import_upload_chunk` only until its run finishes, so a worker on any machine can
read it. A connection's secret is stored encrypted (SecretBox) and never leaves the server.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stockwise.core.models import Base, Id, TenantScoped, TimestampMixin, tenant_fk, tenant_key
from stockwise.core.types import UTCDateTime


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    REJECTED = "rejected"
    FAILED = "failed"


class ImportRun(TenantScoped, TimestampMixin, Base):
    """One import of one entity, from an upload or a connection; kept (with its report) when rejected."""

    __tablename__ = "import_run"
    __table_args__ = (tenant_key(),)
    __export_exclude__ = frozenset({"error_report"})

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(8))
    on_error: Mapped[str] = mapped_column(String(8))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))
    # No foreign key: the run is history and outlives a deleted connection.
    connection_id: Mapped[int | None] = mapped_column(Id)
    filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.QUEUED)
    job_id: Mapped[int | None] = mapped_column(Id)
    created_by: Mapped[int | None] = mapped_column(Id)
    detected: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    deactivated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(500))
    error_sample: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Loaded only by the report download; raiseload catches an accidental lazy load.
    error_report: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ImportUploadChunk(TenantScoped, Base):
    """A slice of an uploaded file, deleted when its run finishes."""

    __tablename__ = "import_upload_chunk"
    __table_args__ = (
        tenant_fk("import_run_id", "import_run", ondelete="CASCADE"),
        UniqueConstraint("client_id", "import_run_id", "seq"),
    )
    __exportable__ = False

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    import_run_id: Mapped[int] = mapped_column(Id)
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportColumnMapping(TenantScoped, TimestampMixin, Base):
    """The tenant's saved header → column mapping for one entity, used when an import declares none."""

    __tablename__ = "import_column_mapping"
    __table_args__ = (UniqueConstraint("client_id", "entity"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[int | None] = mapped_column(Id)


class EtlConnection(TenantScoped, TimestampMixin, Base):
    """A source to sync from: structured config (never a raw DSN or URL string) and an encrypted secret."""

    __tablename__ = "etl_connection"
    __table_args__ = (tenant_key(), UniqueConstraint("client_id", "name"))
    __export_exclude__ = frozenset({"secret_ciphertext"})

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(Id)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
