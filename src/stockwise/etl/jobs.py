"""The import job: materialise the source, validate in the process pool, write once.

Read phase: the upload is reassembled from its chunks (or the connection's config is loaded and the
source fetched, outside any transaction); CPU phase in the pool; write phase in one transaction that
also deletes the upload. A run that cannot finish is marked failed, and its upload deleted too.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from stockwise.core.job_runtime import JobContext
from stockwise.core.jobs import ClaimLost, job_handler
from stockwise.core.netguard import OutboundError
from stockwise.core.secrets import SecretDecryptionError
from stockwise.etl.connections_service import secret_box
from stockwise.etl.connectors import Network, build_connector
from stockwise.etl.imports_service import IMPORT_JOB
from stockwise.etl.models import ImportRun, ImportStatus
from stockwise.etl.parsing import EntityName
from stockwise.etl.pipeline import (
    build_prepare_request,
    mark_running,
    record_failure,
    record_rejection,
    write_import,
)
from stockwise.etl.prepare import prepare_import
from stockwise.etl.repository.runs import EtlConnectionRepository, ImportRunRepository, UploadRepository

_SOURCE_FILE = "source"


@job_handler(IMPORT_JOB)
async def run_import_job(ctx: JobContext) -> dict[str, Any]:
    run_id = int(ctx.payload["import_run_id"])
    try:
        with tempfile.TemporaryDirectory(prefix="stockwise-import-") as work:
            return await _run(ctx, run_id, Path(work))
    except ClaimLost:
        raise
    except Exception:
        async with ctx.unit_of_work() as uow:
            run = await ImportRunRepository(uow).get(run_id)
            record_failure(run, "the import could not be completed; nothing was changed")
            await UploadRepository(uow).delete(run_id)
        raise


async def _run(ctx: JobContext, run_id: int, work: Path) -> dict[str, Any]:
    path = work / _SOURCE_FILE
    async with ctx.unit_of_work() as uow:
        run = await ImportRunRepository(uow).get(run_id)
        if run.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return _result(run)  # a redelivered message for a run already carried out
        # RUNNING: an earlier attempt was interrupted; its only write is the final transaction, so redo it.
        mark_running(run)
        source = None
        if run.source == "connection":
            connection = await EtlConnectionRepository(uow).get(run.connection_id or 0)
            source = _Source(
                cast(EntityName, run.entity), dict(connection.config), connection.secret_ciphertext
            )
        else:
            await UploadRepository(uow).write_to(run_id, path)
        request = await build_prepare_request(uow, run=run, path=path, work_dir=work)
    if source is not None:
        await ctx.progress(0.05, "fetching from the source")
        refusal = await source.fetch(ctx, path, max_rows=request.options.max_rows)
        if refusal is not None:
            return await _reject(ctx, run_id, refusal)
    await ctx.progress(0.1, "validating the file")
    prepared = await ctx.run_cpu(prepare_import, request)
    await ctx.progress(0.6, f"writing {prepared.staged} rows")
    async with ctx.unit_of_work() as uow:
        run = await ImportRunRepository(uow).get(run_id)
        await write_import(uow, run=run, prepared=prepared)
        await UploadRepository(uow).delete(run_id)
        return _result(run)


@dataclass(frozen=True, slots=True)
class _Source:
    """A connection as read in the job's first transaction; fetched after it, outside any transaction."""

    entity: EntityName
    config: dict[str, Any]
    ciphertext: str | None

    async def fetch(self, ctx: JobContext, path: Path, *, max_rows: int) -> tuple[str, str] | None:
        """Fetch into `path`; a refused or failed source is a rejection naming the setting at fault."""
        state = ctx.app_state
        network = Network(
            resolver=state.connector_resolver, allow_loopback=state.settings.connector_allow_loopback
        )
        try:
            secret = secret_box(state.settings).decrypt(self.ciphertext) if self.ciphertext else None
            await build_connector(self.config, secret, network).fetch(self.entity, path, max_rows=max_rows)
        except SecretDecryptionError:
            return "secret", "the stored secret can no longer be decrypted: set it again"
        except OutboundError as exc:
            return getattr(exc, "field", "source"), exc.reason
        return None


async def _reject(ctx: JobContext, run_id: int, refusal: tuple[str, str]) -> dict[str, Any]:
    async with ctx.unit_of_work() as uow:
        run = await ImportRunRepository(uow).get(run_id)
        record_rejection(run, *refusal)
        return _result(run)


def _result(run: ImportRun) -> dict[str, Any]:
    return {"import_run_id": run.id, "status": run.status}
