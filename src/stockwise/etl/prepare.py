"""CPU phase of an import: parse and validate the file, resolve codes to ids, write staging files.

Pure (no database, picklable in and out): small uploads run it in a thread, jobs in the process pool.
Everything is checked here before the database is written, so all-or-nothing needs no rollback.
Staging files hold the target table's columns in order: CSV for PostgreSQL COPY, Arrow IPC for SQLite.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from stockwise.etl.parsing import (
    FileRejected,
    ImportOptions,
    ParsedImport,
    RowError,
    ValidBatch,
    open_import,
    resolve_references,
)
from stockwise.etl.targets import TARGETS, EntityTarget, ReferenceKind

StageFormat = Literal["csv", "ipc"]
#: Called with (rows staged so far, data rows in the file) after each batch.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PrepareRequest:
    path: str
    options: ImportOptions
    #: code → id per kind, only the kinds the entity references, only this tenant's rows.
    references: Mapping[ReferenceKind, Mapping[str, int]]
    out_dir: str
    stage_format: StageFormat


@dataclass(slots=True)
class Prepared:
    """What the writer needs, and what the run reports; `file_error` set means the file is rejected."""

    rows_total: int = 0
    staged: int = 0
    rejected: int = 0
    present: tuple[str, ...] = ()
    stage_files: list[str] = field(default_factory=list)
    detected: dict[str, str | None] | None = None
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0
    file_error: tuple[str, str] | None = None


def prepare_import(request: PrepareRequest, on_progress: Progress | None = None) -> Prepared:
    """Vet the whole file and stage its valid rows; file-level problems come back as `file_error`."""
    target = TARGETS[request.options.entity]
    try:
        with open_import(request.path, request.options, work_dir=Path(request.out_dir)) as parsed:
            prepared = _stage(parsed, target, request, on_progress)
    except FileRejected as exc:
        return Prepared(file_error=(exc.field, exc.message))
    return prepared


def _stage(
    parsed: ParsedImport, target: EntityTarget, request: PrepareRequest, on_progress: Progress | None
) -> Prepared:
    prepared = Prepared(
        rows_total=parsed.row_count,
        present=target.present(parsed.columns),
        detected={
            key: str(value) if value else None for key, value in dataclasses.asdict(parsed.detected).items()
        },
    )
    primaries = _PrimaryCheck() if "is_primary" in target.column_names else None
    for number, batch in enumerate(parsed.batches()):
        frame, errors, unknown = _resolve(batch, target, request)
        if primaries is not None:
            frame, duplicates = primaries.check(frame)
            errors += duplicates
            unknown += len(duplicates)
        parsed.errors.extend(errors, total=unknown)
        prepared.stage_files.append(_write(frame, target, request, number))
        prepared.staged += frame.height
        if on_progress is not None:
            on_progress(prepared.staged, prepared.rows_total)
    log = parsed.errors
    prepared.errors = sorted(log.errors, key=lambda error: (error.row, error.column))
    prepared.error_total = log.total
    prepared.rejected = _rejected_rows(prepared, request.options)
    return prepared


def _resolve(
    batch: ValidBatch, target: EntityTarget, request: PrepareRequest
) -> tuple[pl.DataFrame, list[RowError], int]:
    """Code columns → id columns; rows with an unknown code become errors and leave the batch."""
    frame = batch.frame
    errors: list[RowError] = []
    unknown = 0
    for reference in target.references:
        ids, found = resolve_references(
            batch, reference.source, request.references[reference.kind], max_errors=request.options.max_errors
        )
        frame = frame.with_columns(ids.alias(reference.column))
        errors += found
        unknown += ids.null_count()
    if target.references:
        frame = frame.filter(pl.all_horizontal(pl.col(ref.column).is_not_null() for ref in target.references))
    return frame.rename(target.renames, strict=False), errors, unknown


class _PrimaryCheck:
    """At most one primary supplier per product in a file; later claims are row errors."""

    def __init__(self) -> None:
        self._first: dict[int, int] = {}

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[RowError]]:
        errors: list[RowError] = []
        claims = frame.filter(pl.col("is_primary")).select("row", "product_id", "sku")
        for row, product_id, sku in claims.iter_rows():
            first = self._first.setdefault(product_id, row)
            if first != row:
                message = f"sku '{sku}' already has a primary supplier in row {first}"
                errors.append(RowError(row=row, column="is_primary", value="true", message=message))
        if not errors:
            return frame, errors
        return frame.filter(~pl.col("row").is_in([error.row for error in errors])), errors


def _write(frame: pl.DataFrame, target: EntityTarget, request: PrepareRequest, number: int) -> str:
    staged = frame.select(target.column_names)
    path = Path(request.out_dir) / f"stage-{number:05d}.{request.stage_format}"
    if request.stage_format == "csv":
        staged.write_csv(path, include_header=False)
    else:
        # SQLite stores dates as ISO text; the driver adapts bools and ints itself.
        staged.with_columns(pl.col(pl.Date).cast(pl.String)).write_ipc(path)
    return str(path)


def _rejected_rows(prepared: Prepared, options: ImportOptions) -> int:
    """Rows left out. With aggregate=sum, staged rows are summed keys, so count the erroneous rows."""
    if options.aggregate == "none":
        return prepared.rows_total - prepared.staged
    return len({error.row for error in prepared.errors})
