"""Tenant data export: a job that writes a zip with one CSV per table the tenant owns.

Rows are streamed in batches from one read transaction (a snapshot on PostgreSQL) into CSV files
formatted in the process pool, the zip is built there too, and the file is written once, keyed by
the job and only while this worker holds the job's claim, so a re-run after a crash replaces it.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, select

from stockwise.core.csvsafe import safe_csv_cell
from stockwise.core.errors import Conflict
from stockwise.core.job_runtime import JobContext
from stockwise.core.jobs import Job, enqueue_job, find_active_job, job_handler
from stockwise.core.models import Base
from stockwise.core.repository import TenantRepository
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.tenancy.audit import record_audit
from stockwise.tenancy.models import DataExport

EXPORT_KIND = "tenant_export"
EXPORT_BATCH_ROWS = 10_000


def exportable_tables() -> list[tuple[Table, frozenset[str]]]:
    """Every tenant table (has client_id) not marked unexportable, with its excluded columns."""
    tables = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = mapper.local_table
        if isinstance(table, Table) and "client_id" in table.c and cls.__exportable__:
            tables.append((table, cls.__export_exclude__))
    return sorted(tables, key=lambda entry: entry[0].name)


def export_cell(value: Any) -> str:
    """CSV text for one value: numbers stay numbers (a negative quantity is not a formula), JSON
    stays JSON, and any text a spreadsheet would evaluate is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return safe_csv_cell(value)


def append_csv_rows(path: str, header: Sequence[str] | None, rows: Sequence[tuple[Any, ...]]) -> None:
    """CPU step (process pool): format one batch of rows and append it to a table's CSV file."""
    with open(path, "a", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        if header is not None:
            writer.writerow(header)
        writer.writerows([export_cell(value) for value in row] for row in rows)


def zip_directory(directory: str, names: Sequence[str]) -> bytes:
    """CPU step (process pool): compress the table files into the archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(Path(directory) / f"{name}.csv", arcname=f"{name}.csv")
    return buffer.getvalue()


async def _dump_tables(ctx: JobContext, uow: UnitOfWork, directory: Path) -> dict[str, int]:
    """Stream every table in batches to CSV files: memory stays bounded, formatting runs in the pool."""
    if uow.session.get_bind().dialect.name == "postgresql":
        # One snapshot for every table (SQLite's read transaction already is one).
        await uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    counts: dict[str, int] = {}
    for table, excluded in exportable_tables():
        columns = [col for col in table.c if col.name not in excluded and col.name != "client_id"]
        stmt = select(*columns).where(table.c.client_id == uow.client_id).order_by(*table.primary_key.columns)
        path = str(directory / f"{table.name}.csv")
        await ctx.run_cpu(append_csv_rows, path, [col.name for col in columns], [])
        result = await uow.session.stream(stmt)
        counts[table.name] = 0
        async for batch in result.partitions(EXPORT_BATCH_ROWS):
            await ctx.run_cpu(append_csv_rows, path, None, [tuple(row) for row in batch])
            counts[table.name] += len(batch)
    return counts


@job_handler(EXPORT_KIND)
async def run_tenant_export(ctx: JobContext) -> dict[str, Any]:
    """Read every tenant table in one snapshot, build the zip in the pool, store it once for this job."""
    await ctx.progress(0.05, "reading tables")
    with tempfile.TemporaryDirectory(prefix="stockwise-export-") as directory:
        async with ctx.unit_of_work(write=False) as uow:
            counts = await _dump_tables(ctx, uow, Path(directory))
        await ctx.progress(0.6, "building the archive")
        content = await ctx.run_cpu(zip_directory, directory, sorted(counts))
    await ctx.progress(0.9, "storing the archive")
    async with ctx.unit_of_work() as uow:
        await uow.session.execute(
            delete(DataExport).where(DataExport.client_id == ctx.client_id, DataExport.job_id == ctx.job_id)
        )
        export = DataExportRepository(uow).add(
            DataExport(
                job_id=ctx.job_id,
                filename=f"stockwise-export-{ctx.job_id}.zip",
                size_bytes=len(content),
                content=content,
            )
        )
        await uow.flush()
        export_id = export.id
    return {"export_id": export_id, "size_bytes": len(content), "rows": counts}


class DataExportRepository(TenantRepository[DataExport]):
    model = DataExport
    noun = "export"


async def request_export(uow: UnitOfWork) -> Job:
    """Queue an export; one at a time per tenant (each reads every table), so a second is a 409."""
    pending = await find_active_job(uow, kind=EXPORT_KIND)
    if pending is not None:
        raise Conflict("An export is already in progress", extra={"job_id": pending.id})
    job = await enqueue_job(uow, kind=EXPORT_KIND, max_attempts=2)
    await record_audit(uow, action="export.requested", entity_type="job", entity_id=job.id)
    return job


async def get_export(uow: UnitOfWork, *, export_id: int) -> DataExport:
    return await DataExportRepository(uow).get(export_id)
