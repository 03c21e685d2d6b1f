"""API contracts of imports (options, runs, saved column mappings) and of source connections."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr

from stockwise.core.schemas import IdRef, ReadModel, WriteModel
from stockwise.etl.models import EtlConnection, ImportRun
from stockwise.etl.parsing import EntityName

Mode = Literal["upsert", "replace"]
Scope = Literal["file", "all"]
OnError = Literal["abort", "skip"]
Delimiter = Literal["auto", ",", ";", "\t"]
DecimalMark = Literal["auto", ".", ","]
Encoding = Literal["auto", "utf-8", "cp1252"]
DateFormat = Literal["auto", "iso", "dmy", "mdy"]
Aggregate = Literal["none", "sum"]
ERROR_SAMPLE = 50


class ImportParams(WriteModel):
    """How to import: the same for uploads, connection syncs and the CLI.

    `scope` matters for `replace` of sales and stock only: `file` replaces within the file's locations
    (and, for sales, its date range); `all` replaces every row of the entity.
    """

    entity: EntityName
    mode: Mode = "upsert"
    scope: Scope = "file"
    on_error: OnError = "abort"
    dry_run: bool = False
    delimiter: Delimiter = "auto"
    decimal: DecimalMark = "auto"
    encoding: Encoding = "auto"
    date_format: DateFormat = "auto"
    aggregate: Aggregate = "none"
    column_mapping: dict[str, str] | None = Field(
        default=None, description="File header → column (or 'ignore'); the saved mapping is used when absent."
    )


class SyncRequest(ImportParams):
    """A connection sync: what to import from the connection, with the same options as a file import."""


class ImportCountsRead(BaseModel):
    rows: int
    inserted: int
    updated: int
    unchanged: int
    deleted: int
    deactivated: int
    rejected: int
    errors: int


class RowErrorRead(BaseModel):
    row: int
    column: str
    value: str
    message: str


class ImportRunRead(ReadModel):
    id: int
    entity: str
    mode: Mode
    scope: Scope
    on_error: OnError
    dry_run: bool
    source: Literal["upload", "connection", "cli"]
    connection_id: IdRef | None
    filename: str | None
    size_bytes: int | None
    status: Literal["queued", "running", "succeeded", "rejected", "failed"]
    job_id: IdRef | None
    options: dict[str, Any]
    detected: dict[str, str | None] | None
    counts: ImportCountsRead
    message: str | None = Field(description="Why the file was rejected or the run failed.")
    errors: list[RowErrorRead] = Field(description=f"The first {ERROR_SAMPLE} row errors.")
    report_url: str | None = Field(description="CSV with every row error, when there are any.")
    created_by: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, run: ImportRun) -> ImportRunRead:
        counts = ImportCountsRead(
            rows=run.rows_total,
            inserted=run.inserted,
            updated=run.updated,
            unchanged=run.unchanged,
            deleted=run.deleted,
            deactivated=run.deactivated,
            rejected=run.rejected,
            errors=run.error_count,
        )
        return cls.model_validate(
            {
                **{name: getattr(run, name) for name in _RUN_FIELDS},
                "counts": counts,
                "errors": run.error_sample or [],
                "report_url": report_url(run.id) if run.error_count else None,
            }
        )


_RUN_FIELDS = (
    "id", "entity", "mode", "scope", "on_error", "dry_run", "source", "connection_id", "filename",
    "size_bytes", "status", "job_id", "options", "detected", "message", "created_by", "created_at",
    "started_at", "finished_at",
)  # fmt: skip


def report_url(run_id: int) -> str:
    return f"/api/v1/imports/{run_id}/errors"


class ColumnMappingWrite(WriteModel):
    entity: EntityName
    mapping: dict[str, str] = Field(
        description="File header → column, or 'ignore'. Empty removes the mapping."
    )


class ColumnMappingRead(ReadModel):
    entity: str
    mapping: dict[str, str]
    updated_at: datetime


Query = Annotated[str, Field(min_length=1, max_length=10_000)]
Url = Annotated[str, Field(min_length=1, max_length=2048)]
SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


class PostgresSourceConfig(WriteModel):
    """A PostgreSQL source as structured fields (never a DSN); the password goes in `secret`."""

    kind: Literal["postgresql"]
    host: str = Field(min_length=1, max_length=253)
    port: int = 5432
    database: str = Field(min_length=1, max_length=63)
    user: str = Field(min_length=1, max_length=63)
    sslmode: SslMode = "require"
    queries: dict[EntityName, Query] = Field(min_length=1, description="One SELECT per entity.")


class HttpSourceConfig(WriteModel):
    """An HTTP source: one URL per entity answering CSV or JSON; `secret` is sent in `auth_header`."""

    kind: Literal["http"]
    urls: dict[EntityName, Url] = Field(min_length=1)
    format: Literal["auto", "csv", "json"] = "auto"
    auth_header: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,64}$")


SourceConfig = Annotated[PostgresSourceConfig | HttpSourceConfig, Field(discriminator="kind")]


class EtlConnectionCreate(WriteModel):
    name: str = Field(min_length=1, max_length=120)
    config: SourceConfig
    secret: SecretStr | None = Field(
        default=None, max_length=4096, description="Stored encrypted; never returned."
    )


class EtlConnectionUpdate(WriteModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    config: SourceConfig | None = None
    secret: SecretStr | None = Field(default=None, max_length=4096)
    clear_secret: bool = False
    is_active: bool | None = None


class EtlConnectionRead(ReadModel):
    id: int
    name: str
    kind: str
    config: dict[str, Any] = Field(description="The checked, structured configuration (URLs as parts).")
    has_secret: bool
    is_active: bool
    last_sync_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, connection: EtlConnection) -> EtlConnectionRead:
        fields = ("id", "name", "kind", "config", "is_active", "last_sync_at", "created_at", "updated_at")
        values = {name: getattr(connection, name) for name in fields}
        return cls.model_validate({**values, "has_secret": connection.secret_ciphertext is not None})
