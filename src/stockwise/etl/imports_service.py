"""File imports: start one (now for small uploads, as a job above the threshold), read runs and reports,
saved column mappings and templates.

A small upload is parsed in a thread (never on the event loop) and written in the request's own
transaction; a large one is stored in the database in chunks and imported by a job on any worker.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stockwise.config import Settings
from stockwise.core.errors import PayloadTooLarge, ValidationFailed
from stockwise.core.jobs import enqueue_job
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork, UnitOfWorkFactory
from stockwise.etl.models import ImportColumnMapping, ImportRun, ImportStatus
from stockwise.etl.parsing import ENTITIES, EntityName, ImportOptions, template_csv
from stockwise.etl.pipeline import build_prepare_request, mark_running, record_failure, write_import
from stockwise.etl.prepare import Progress, prepare_import
from stockwise.etl.repository.runs import ColumnMappingRepository, ImportRunRepository, UploadRepository
from stockwise.etl.repository.staging import StageProgress
from stockwise.etl.schemas import ColumnMappingWrite, ImportParams
from stockwise.tenancy.audit import record_audit
from stockwise.tenancy.settings_service import get_client_settings

IMPORT_JOB = "etl_import"
CHUNK_BYTES = 4 * 1024 * 1024
_IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file as the service sees it: a name, a size and a way to read it in pieces."""

    filename: str | None
    size: int
    read: Callable[[int], Awaitable[bytes]]

    async def chunks(self) -> AsyncIterator[bytes]:
        while data := await self.read(CHUNK_BYTES):
            yield data


async def import_upload(
    uow: UnitOfWork, *, params: ImportParams, upload: Upload, settings: Settings
) -> ImportRun:
    """Import now (small files) or queue a job; a rejected file still returns its run (status rejected)."""
    if upload.size > settings.max_upload_bytes:
        raise PayloadTooLarge(f"The file exceeds the limit of {settings.max_upload_bytes} bytes")
    run = await create_run(uow, params=params, source="upload", filename=upload.filename, size=upload.size)
    if upload.size > settings.import_job_threshold_bytes:
        await UploadRepository(uow).store(run.id, upload.chunks())
        job = await enqueue_job(uow, kind=IMPORT_JOB, payload={"import_run_id": run.id}, max_attempts=3)
        run.job_id = job.id
        await uow.flush()
        return run
    with tempfile.TemporaryDirectory(prefix="stockwise-upload-") as work:
        path = Path(work) / "upload"
        await _save(upload, path)
        mark_running(run)
        request = await build_prepare_request(uow, run=run, path=path, work_dir=Path(work))
        prepared = await asyncio.to_thread(prepare_import, request)
        await write_import(uow, run=run, prepared=prepared)
    await uow.flush()
    return run


async def create_run(
    uow: UnitOfWork, *, params: ImportParams, source: str, filename: str | None, size: int | None
) -> ImportRun:
    """A queued run holding every option the import needs, so any worker can carry it out."""
    run = ImportRun(
        entity=params.entity,
        mode=params.mode,
        scope=params.scope,
        on_error=params.on_error,
        dry_run=params.dry_run,
        source=source,
        filename=(filename or "")[:255] or None,
        size_bytes=size,
        options=await _parser_options(uow, params),
        status=ImportStatus.QUEUED,
        created_by=uow.acting_user_id,
    )
    ImportRunRepository(uow).add(run)
    await uow.flush()
    return run


async def _parser_options(uow: UnitOfWork, params: ImportParams) -> dict[str, Any]:
    if params.aggregate == "sum" and params.entity != "sales":
        raise ValidationFailed.field(("body", "aggregate"), "aggregate=sum applies to sales imports only")
    mapping = params.column_mapping
    if mapping is not None:
        _check_mapping(params.entity, mapping, ("body", "column_mapping"))
    else:
        saved = await ColumnMappingRepository(uow).find_for(params.entity)
        mapping = dict(saved.mapping) if saved else {}
    options: dict[str, Any] = {
        **params.model_dump(include={"delimiter", "decimal", "encoding", "date_format", "aggregate"}),
        "column_mapping": mapping,
        "default_currency": (await get_client_settings(uow)).currency,
    }
    try:
        ImportOptions(entity=params.entity, **options)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc) from exc
    return options


def _check_mapping(entity: EntityName, mapping: dict[str, str], loc: tuple[str, ...]) -> None:
    allowed = {*ENTITIES[entity].names, _IGNORE}
    for header, column in mapping.items():
        if column not in allowed:
            raise ValidationFailed.field((*loc, header), f"must be one of: {', '.join(sorted(allowed))}")


async def _save(upload: Upload, path: Path) -> None:
    with path.open("wb") as stream:
        async for data in upload.chunks():
            await asyncio.to_thread(stream.write, data)


async def list_imports(
    uow: UnitOfWork, *, page: int, page_size: int, entity: str | None = None, status: str | None = None
) -> Page[ImportRun]:
    return await ImportRunRepository(uow).list_runs(
        page=page, page_size=page_size, entity=entity, status=status
    )


async def get_import(uow: UnitOfWork, *, import_id: int) -> ImportRun:
    return await ImportRunRepository(uow).get(import_id)


async def get_error_report(uow: UnitOfWork, *, import_id: int) -> bytes:
    """The run's error report as CSV (just the header when the run had no errors)."""
    repo = ImportRunRepository(uow)
    await repo.get(import_id)
    return await repo.error_report(import_id) or b"row,column,value,message\r\n"


def get_template(entity: EntityName) -> bytes:
    return template_csv(entity)


async def list_column_mappings(uow: UnitOfWork) -> list[ImportColumnMapping]:
    return await ColumnMappingRepository(uow).list_all()


async def save_column_mapping(uow: UnitOfWork, *, data: ColumnMappingWrite) -> ImportColumnMapping | None:
    """Save (or, with an empty mapping, remove) the tenant's mapping for an entity; audited."""
    _check_mapping(data.entity, data.mapping, ("body", "mapping"))
    repo = ColumnMappingRepository(uow)
    saved = await repo.find_for(data.entity)
    before = dict(saved.mapping) if saved else None
    if not data.mapping:
        if saved is not None:
            await uow.session.delete(saved)
        saved = None
    elif saved is None:
        saved = repo.add(
            ImportColumnMapping(entity=data.entity, mapping=data.mapping, updated_by=uow.acting_user_id)
        )
    else:
        saved.mapping, saved.updated_by = dict(data.mapping), uow.acting_user_id
    await uow.flush()
    await record_audit(
        uow, action="import_mapping.saved", entity_type="import_column_mapping", entity_id=data.entity,
        before={"mapping": before} if before is not None else None, after={"mapping": data.mapping},
    )  # fmt: skip
    return saved


async def import_local_file(
    uow_factory: UnitOfWorkFactory,
    *,
    client_id: int,
    path: Path,
    size: int,
    params: ImportParams,
    on_rows: Progress | None = None,
    on_file: StageProgress | None = None,
) -> ImportRun:
    """The CLI's import: the API's run, validation and write, in a read and a write transaction."""
    with tempfile.TemporaryDirectory(prefix="stockwise-import-") as work:
        async with uow_factory.tenant(client_id) as uow:
            run = await create_run(uow, params=params, source="cli", filename=path.name, size=size)
            mark_running(run)
            request = await build_prepare_request(uow, run=run, path=path, work_dir=Path(work))
        try:
            prepared = await asyncio.to_thread(prepare_import, request, on_rows)
            async with uow_factory.tenant(client_id) as uow:
                run = await ImportRunRepository(uow).get(run.id)
                await write_import(uow, run=run, prepared=prepared, on_file=on_file)
        except Exception:
            async with uow_factory.tenant(client_id) as uow:
                record_failure(
                    await ImportRunRepository(uow).get(run.id), "the import could not be completed"
                )
            raise
    return run
