"""HTTP routes of the etl domain: file imports, their runs and reports, mappings, templates, connections."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from stockwise.core.errors import ValidationFailed, problem_response, problems
from stockwise.core.schemas import ObjectId, PageNumber, PageRead, PageSize
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.etl import connections_service, imports_service
from stockwise.etl.connectors import Network
from stockwise.etl.models import ImportRun, ImportStatus
from stockwise.etl.parsing import EntityName
from stockwise.etl.schemas import (
    Aggregate,
    ColumnMappingRead,
    ColumnMappingWrite,
    DateFormat,
    DecimalMark,
    Delimiter,
    Encoding,
    EtlConnectionCreate,
    EtlConnectionRead,
    EtlConnectionUpdate,
    ImportParams,
    ImportRunRead,
    Mode,
    OnError,
    Scope,
    SyncRequest,
    report_url,
)
from stockwise.state import AppState
from stockwise.tenancy.dependencies import AdminUoW, PlannerUoW, State, UoW

router = APIRouter(tags=["etl"])
CSV = "text/csv; charset=utf-8"
_ROW_ERRORS_IN_PROBLEM = 20


def import_form(
    entity: Annotated[EntityName, Form()],
    mode: Annotated[Mode, Form()] = "upsert",
    scope: Annotated[
        Scope, Form(description="replace of sales/stock: the file's locations/dates, or all")
    ] = "file",
    on_error: Annotated[
        OnError, Form(description="abort: all or nothing; skip: load the valid rows")
    ] = "abort",
    dry_run: Annotated[bool, Form()] = False,
    delimiter: Annotated[Delimiter, Form()] = "auto",
    decimal: Annotated[DecimalMark, Form()] = "auto",
    encoding: Annotated[Encoding, Form()] = "auto",
    date_format: Annotated[
        DateFormat, Form(description="needed when dd/mm and mm/dd are ambiguous")
    ] = "auto",
    aggregate: Annotated[
        Aggregate, Form(description="sum: add up sales rows of one sku/location/day")
    ] = "none",
    column_mapping: Annotated[str | None, Form(description="JSON object: file header → column")] = None,
) -> ImportParams:
    """The import options of a multipart form, validated like a JSON body (422 names the field)."""
    fields: dict[str, Any] = {
        "entity": entity, "mode": mode, "scope": scope, "on_error": on_error, "dry_run": dry_run,
        "delimiter": delimiter, "decimal": decimal, "encoding": encoding, "date_format": date_format,
        "aggregate": aggregate,
    }  # fmt: skip
    if column_mapping:
        try:
            fields["column_mapping"] = json.loads(column_mapping)
        except ValueError as exc:
            raise ValidationFailed.field(("body", "column_mapping"), "must be a JSON object") from exc
    try:
        return ImportParams.model_validate(fields)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc) from exc


async def _limit(state: AppState, uow: UnitOfWork, action: str) -> None:
    """Imports are expensive: rate-limited per tenant and user."""
    await state.rate_limiter.check(
        [(state.settings.rate_limit_expensive, (action, str(uow.client_id), str(uow.acting_user_id)))]
    )


def _network(state: AppState) -> Network:
    return Network(resolver=state.connector_resolver, allow_loopback=state.settings.connector_allow_loopback)


def _rejected(request: Request, run: ImportRun) -> JSONResponse:
    """422 problem+json for a rejected file; the run (with its report) is committed all the same."""
    errors = [
        {"loc": ["file", error["row"], error["column"]] if error["row"] else ["body", error["column"]],
         "msg": error["message"], "type": "import_error"}
        for error in (run.error_sample or [])[:_ROW_ERRORS_IN_PROBLEM]
    ]  # fmt: skip
    extra = {"import_run_id": run.id, "report_url": report_url(run.id), "errors": errors}
    return problem_response(
        request, status=422, code="import_rejected", title="Import rejected", detail=run.message, extra=extra
    )


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportRunRead,
    responses={
        202: {"model": ImportRunRead, "description": "Queued as a job"},
        **problems(401, 403, 413, 422, 429),
    },
)
async def create_import(
    request: Request,
    response: Response,
    uow: PlannerUoW,
    state: State,
    params: Annotated[ImportParams, Depends(import_form)],
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or cp1252) or XLSX")],
    save_mapping: Annotated[bool, Form(description="Save column_mapping for this entity")] = False,
) -> Any:
    """Import a CSV or XLSX file: now if small, else as a job (202); a rejected file is a 422 with its run."""
    await _limit(state, uow, "import")
    if save_mapping and params.column_mapping:
        await imports_service.save_column_mapping(
            uow, data=ColumnMappingWrite(entity=params.entity, mapping=params.column_mapping)
        )
    upload = imports_service.Upload(file.filename, file.size or 0, file.read)
    run = await imports_service.import_upload(uow, params=params, upload=upload, settings=state.settings)
    if run.status == ImportStatus.REJECTED:
        return _rejected(request, run)
    response.headers["Location"] = f"/api/v1/imports/{run.id}"
    if run.status == ImportStatus.QUEUED:
        response.status_code = status.HTTP_202_ACCEPTED
    return ImportRunRead.of(run)


@router.get("/imports", response_model=PageRead[ImportRunRead], responses=problems(401, 422))
async def list_imports(
    uow: UoW,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    entity: EntityName | None = None,
    status_: Annotated[ImportStatus | None, Query(alias="status")] = None,
) -> PageRead[ImportRunRead]:
    """The tenant's import runs, newest first."""
    result = await imports_service.list_imports(
        uow, page=page, page_size=page_size, entity=entity, status=status_
    )
    return PageRead[ImportRunRead].of(result, ImportRunRead.of)


@router.get(
    "/imports/templates",
    response_class=Response,
    responses={200: {"content": {CSV: {}}}, **problems(401, 422)},
)
async def get_template(uow: UoW, entity: EntityName) -> Response:
    """A CSV template for an entity: every column and an example row."""
    headers = {"Content-Disposition": f'attachment; filename="{entity}-template.csv"'}
    return Response(imports_service.get_template(entity), media_type=CSV, headers=headers)


@router.get("/imports/mappings", response_model=list[ColumnMappingRead], responses=problems(401))
async def list_mappings(uow: UoW) -> list[ColumnMappingRead]:
    """Saved column mappings, one per entity at most."""
    return [ColumnMappingRead.model_validate(m) for m in await imports_service.list_column_mappings(uow)]


@router.put("/imports/mappings", response_model=ColumnMappingRead | None, responses=problems(401, 403, 422))
async def save_mapping(body: ColumnMappingWrite, uow: PlannerUoW) -> ColumnMappingRead | None:
    """Save the column mapping used by imports of an entity that declare none (empty removes it)."""
    saved = await imports_service.save_column_mapping(uow, data=body)
    return ColumnMappingRead.model_validate(saved) if saved is not None else None


@router.get("/imports/{import_id}", response_model=ImportRunRead, responses=problems(401, 404))
async def get_import(import_id: ObjectId, uow: UoW) -> ImportRunRead:
    """One import run: status, counts, detected format and the first row errors."""
    return ImportRunRead.of(await imports_service.get_import(uow, import_id=import_id))


@router.get(
    "/imports/{import_id}/errors",
    response_class=Response,
    responses={200: {"content": {CSV: {}}}, **problems(401, 404)},
)
async def get_error_report(import_id: ObjectId, uow: UoW) -> Response:
    """Every row error of a run as CSV (row, column, value, message), safe to open in a spreadsheet."""
    report = await imports_service.get_error_report(uow, import_id=import_id)
    headers = {"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'}
    return Response(report, media_type=CSV, headers=headers)


@router.get("/etl/connections", response_model=PageRead[EtlConnectionRead], responses=problems(401, 403, 422))
async def list_connections(
    uow: AdminUoW, page: PageNumber = 1, page_size: PageSize = 50
) -> PageRead[EtlConnectionRead]:
    """Source connections of the tenant (admins only); secrets are never returned."""
    result = await connections_service.list_connections(uow, page=page, page_size=page_size)
    return PageRead[EtlConnectionRead].of(result, EtlConnectionRead.of)


@router.post(
    "/etl/connections",
    status_code=status.HTTP_201_CREATED,
    response_model=EtlConnectionRead,
    responses=problems(401, 403, 409, 422),
)
async def create_connection(body: EtlConnectionCreate, uow: AdminUoW, state: State) -> EtlConnectionRead:
    """Add a PostgreSQL or HTTP source; its destination is checked now and again at every sync."""
    box = connections_service.secret_box(state.settings)
    connection = await connections_service.create_connection(uow, data=body, box=box, network=_network(state))
    return EtlConnectionRead.of(connection)


@router.get(
    "/etl/connections/{connection_id}", response_model=EtlConnectionRead, responses=problems(401, 403, 404)
)
async def get_connection(connection_id: ObjectId, uow: AdminUoW) -> EtlConnectionRead:
    """One source connection."""
    return EtlConnectionRead.of(await connections_service.get_connection(uow, connection_id=connection_id))


@router.patch(
    "/etl/connections/{connection_id}",
    response_model=EtlConnectionRead,
    responses=problems(401, 403, 404, 409, 422),
)
async def update_connection(
    connection_id: ObjectId, body: EtlConnectionUpdate, uow: AdminUoW, state: State
) -> EtlConnectionRead:
    """Change a connection's name, config, secret or active flag; audited."""
    box = connections_service.secret_box(state.settings)
    connection = await connections_service.update_connection(
        uow, connection_id=connection_id, data=body, box=box, network=_network(state)
    )
    return EtlConnectionRead.of(connection)


@router.delete(
    "/etl/connections/{connection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(401, 403, 404),
)
async def delete_connection(connection_id: ObjectId, uow: AdminUoW) -> Response:
    """Delete a connection (its import runs stay as history)."""
    await connections_service.delete_connection(uow, connection_id=connection_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/etl/connections/{connection_id}/sync",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportRunRead,
    responses=problems(401, 403, 404, 409, 422, 429),
)
async def sync_connection(
    connection_id: ObjectId, body: SyncRequest, uow: AdminUoW, state: State, response: Response
) -> ImportRunRead:
    """Import an entity from the connection as a job; follow the run (same validation, modes and report)."""
    await _limit(state, uow, "import")
    run = await connections_service.request_sync(uow, connection_id=connection_id, params=body)
    response.headers["Location"] = f"/api/v1/imports/{run.id}"
    return ImportRunRead.of(run)
