"""An import run end to end: build the CPU request, and write its outcome once in one transaction.

The request path (small uploads), the job handler and the CLI all call these two steps; they differ
only in where the CPU phase runs (a thread or the process pool) and in how units of work are opened.
A rejected file writes nothing but the run (status, counts, error report).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from stockwise.core.types import utcnow
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.etl.models import ImportRun, ImportStatus
from stockwise.etl.parsing import ImportOptions, RowError, write_error_report
from stockwise.etl.prepare import Prepared, PrepareRequest, StageFormat
from stockwise.etl.repository.effects import MovementStamp, merge_stage
from stockwise.etl.repository.merge import MergeCounts, MergePlan
from stockwise.etl.repository.references import load_reference_codes
from stockwise.etl.repository.staging import (
    StageProgress,
    create_stage,
    drop_stage,
    load_stage,
    stage_table,
    target_table,
)
from stockwise.etl.schemas import ERROR_SAMPLE
from stockwise.etl.targets import TARGETS
from stockwise.tenancy.audit import record_audit


def dialect_of(uow: UnitOfWork) -> str:
    return uow.session.get_bind().dialect.name


def import_options(run: ImportRun) -> ImportOptions:
    """The parser options a run was created with (validated when the run was created)."""
    return ImportOptions(entity=run.entity, **run.options)


async def build_prepare_request(
    uow: UnitOfWork, *, run: ImportRun, path: Path, work_dir: Path
) -> PrepareRequest:
    """Everything the CPU phase needs, read in this unit of work (the tenant's codes included)."""
    target = TARGETS[run.entity]  # type: ignore[index]
    references = await load_reference_codes(uow, {reference.kind for reference in target.references})
    stage_format: StageFormat = "csv" if dialect_of(uow) == "postgresql" else "ipc"
    return PrepareRequest(str(path), import_options(run), references, str(work_dir), stage_format)


def mark_running(run: ImportRun) -> None:
    run.status = ImportStatus.RUNNING
    run.started_at = utcnow()


async def write_import(
    uow: UnitOfWork, *, run: ImportRun, prepared: Prepared, on_file: StageProgress | None = None
) -> None:
    """Apply a prepared import to `run` in this unit of work, or record why the file is rejected."""
    # No valid row at all is a rejection even with on_error=skip: a replace must never swap in nothing.
    if (
        prepared.file_error is not None
        or not prepared.staged
        or (prepared.error_total and run.on_error == "abort")
    ):
        _record(run, prepared, MergeCounts(), ImportStatus.REJECTED, _rejection(prepared))
        return
    counts = await _merge(uow, run=run, prepared=prepared, on_file=on_file)
    _record(run, prepared, counts, ImportStatus.SUCCEEDED, None)
    if not run.dry_run:
        await record_audit(
            uow,
            action="import.applied",
            entity_type="import_run",
            entity_id=run.id,
            after={"entity": run.entity, "mode": run.mode, "scope": run.scope, **_counts_of(run)},
        )


def record_failure(run: ImportRun, message: str) -> None:
    """A run that could not complete (source unreachable, crash): nothing was written."""
    run.status = ImportStatus.FAILED
    run.message = message[:500]
    run.finished_at = utcnow()


def record_rejection(run: ImportRun, field: str, message: str) -> None:
    """A source refused before parsing (e.g. an unsafe destination): a rejection naming the field."""
    _record(
        run,
        Prepared(file_error=(field, message)),
        MergeCounts(),
        ImportStatus.REJECTED,
        f"{field}: {message}",
    )


async def _merge(
    uow: UnitOfWork, *, run: ImportRun, prepared: Prepared, on_file: StageProgress | None
) -> MergeCounts:
    target = TARGETS[run.entity]  # type: ignore[index]
    session = uow.session
    stage = stage_table(target)
    await create_stage(session, stage, target.key)
    await load_stage(session, stage, prepared.stage_files, on_file)
    plan = MergePlan(
        target=target,
        table=target_table(target),
        stage=stage,
        client_id=uow.client_id,
        dialect=dialect_of(uow),
        present=prepared.present,
        replace=run.mode == "replace",
        scope=run.scope,  # type: ignore[arg-type]
        now=utcnow(),
    )
    stamp = MovementStamp(reference=f"import:{run.id}", user_id=run.created_by)
    counts = await merge_stage(session, plan, dry_run=run.dry_run, stamp=stamp)
    await drop_stage(session, stage)
    return counts


def _rejection(prepared: Prepared) -> str:
    if prepared.file_error is not None:
        field, message = prepared.file_error
        return f"{field}: {message}"
    return f"{prepared.error_total} errors in {prepared.rejected} rows; nothing was imported"


def _record(
    run: ImportRun, prepared: Prepared, counts: MergeCounts, status: ImportStatus, message: str | None
) -> None:
    run.status = status
    run.message = message[:500] if message else None
    run.detected = prepared.detected
    run.rows_total = prepared.rows_total
    run.rejected = prepared.rejected
    run.inserted, run.updated, run.unchanged = counts.inserted, counts.updated, counts.unchanged
    run.deleted, run.deactivated = counts.deleted, counts.deactivated
    errors, total = _errors_of(prepared)
    run.error_count = total
    run.error_sample = [dataclasses.asdict(error) for error in errors[:ERROR_SAMPLE]]
    run.error_report = _report(errors, total) if total else None
    run.finished_at = utcnow()


def _errors_of(prepared: Prepared) -> tuple[list[RowError], int]:
    """Row errors, or the file-level one as row 0 (the file as a whole), so every rejection has a report."""
    if prepared.file_error is not None:
        field, message = prepared.file_error
        return [RowError(row=0, column=field, value="", message=message)], 1
    return prepared.errors, prepared.error_total


def _report(errors: list[RowError], total: int) -> bytes:
    buffer = io.StringIO(newline="")
    write_error_report(errors, buffer, omitted=total - len(errors))
    return buffer.getvalue().encode("utf-8")


def _counts_of(run: ImportRun) -> dict[str, int]:
    names = ("rows_total", "inserted", "updated", "unchanged", "deleted", "deactivated", "rejected")
    return {name: getattr(run, name) for name in names}
