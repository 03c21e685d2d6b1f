"""Purchase order routes: list, direct creation, draft edits (If-Match), lifecycle steps, export."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status

from stockwise.core.errors import problems
from stockwise.core.idempotency import IdempotencyKeyHeader, idempotent
from stockwise.core.schemas import IdFilter, ObjectId, PageNumber, PageRead, PageSize
from stockwise.purchasing import service
from stockwise.purchasing.models import PoStatus, PurchaseOrder
from stockwise.purchasing.schemas import (
    PurchaseOrderCreate,
    PurchaseOrderRead,
    PurchaseOrderSummaryRead,
    PurchaseOrderUpdate,
)
from stockwise.purchasing.service import export
from stockwise.tenancy.dependencies import PlannerUoW, UoW

router = APIRouter(prefix="/purchase-orders")
ITEM = "/{purchase_order_id}"
DOCUMENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def _read(po: PurchaseOrder, response: Response) -> PurchaseOrderRead:
    response.headers["ETag"] = service.etag_of(po)
    return PurchaseOrderRead.model_validate(po)


@router.get("", response_model=PageRead[PurchaseOrderSummaryRead], responses=problems(401, 422))
async def list_purchase_orders(
    uow: UoW,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    status_filter: Annotated[PoStatus | None, Query(alias="status")] = None,
    supplier_id: IdFilter = None,
    location_id: IdFilter = None,
    date_from: Annotated[date | None, Query(description="Order date from (inclusive).")] = None,
    date_to: Annotated[date | None, Query(description="Order date to (inclusive).")] = None,
) -> PageRead[PurchaseOrderSummaryRead]:
    """Purchase orders, newest first, filtered by status, supplier, location and order date."""
    result = await service.list_purchase_orders(
        uow,
        page=page,
        page_size=page_size,
        status=status_filter,
        supplier_id=supplier_id,
        location_id=location_id,
        date_from=date_from,
        date_to=date_to,
    )
    return PageRead[PurchaseOrderSummaryRead].of(result, PurchaseOrderSummaryRead.model_validate)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PurchaseOrderRead,
    responses=problems(401, 403, 409, 422),
)
async def create_purchase_order(
    body: PurchaseOrderCreate, request: Request, uow: PlannerUoW, idempotency_key: IdempotencyKeyHeader = None
) -> Response:
    """Create a draft purchase order with lines (priced from the supplier's conditions by default)."""

    async def produce() -> PurchaseOrderRead:
        return PurchaseOrderRead.model_validate(await service.create_purchase_order(uow, data=body))

    return await idempotent(
        uow,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        payload=body,
        produce=produce,
        status_code=status.HTTP_201_CREATED,
    )


@router.get(ITEM, response_model=PurchaseOrderRead, responses=problems(401, 404))
async def read_purchase_order(purchase_order_id: ObjectId, uow: UoW, response: Response) -> PurchaseOrderRead:
    """One purchase order with its lines; the ETag header is what If-Match needs for edits."""
    return _read(await service.get_purchase_order(uow, purchase_order_id=purchase_order_id), response)


@router.patch(ITEM, response_model=PurchaseOrderRead, responses=problems(401, 403, 404, 409, 412, 422, 428))
async def update_purchase_order(
    purchase_order_id: ObjectId,
    body: PurchaseOrderUpdate,
    uow: PlannerUoW,
    response: Response,
    if_match: Annotated[str | None, Header(description="The ETag you read.")] = None,
) -> PurchaseOrderRead:
    """Edit a draft's lines, expected date or notes; needs If-Match so edits never overwrite each other."""
    po = await service.update_purchase_order(
        uow, purchase_order_id=purchase_order_id, data=body, if_match=if_match
    )
    return _read(po, response)


@router.post(ITEM + "/submit", response_model=PurchaseOrderRead, responses=problems(401, 403, 404, 409))
async def submit_purchase_order(
    purchase_order_id: ObjectId, uow: PlannerUoW, response: Response
) -> PurchaseOrderRead:
    """Submit a draft to the supplier: it is now on order and no longer editable."""
    return _read(await service.submit_purchase_order(uow, purchase_order_id=purchase_order_id), response)


@router.post(ITEM + "/confirm", response_model=PurchaseOrderRead, responses=problems(401, 403, 404, 409))
async def confirm_purchase_order(
    purchase_order_id: ObjectId, uow: PlannerUoW, response: Response
) -> PurchaseOrderRead:
    """Record the supplier's confirmation of a submitted PO."""
    return _read(await service.confirm_purchase_order(uow, purchase_order_id=purchase_order_id), response)


@router.post(ITEM + "/cancel", response_model=PurchaseOrderRead, responses=problems(401, 403, 404, 409))
async def cancel_purchase_order(
    purchase_order_id: ObjectId, uow: PlannerUoW, response: Response
) -> PurchaseOrderRead:
    """Cancel a PO before anything was received; it keeps its number."""
    return _read(await service.cancel_purchase_order(uow, purchase_order_id=purchase_order_id), response)


@router.post(ITEM + "/close", response_model=PurchaseOrderRead, responses=problems(401, 403, 404, 409))
async def close_purchase_order(
    purchase_order_id: ObjectId, uow: PlannerUoW, response: Response
) -> PurchaseOrderRead:
    """Close a partially received PO short: the rest is no longer on order."""
    return _read(await service.close_purchase_order(uow, purchase_order_id=purchase_order_id), response)


@router.get(
    ITEM + "/export",
    response_class=Response,
    responses={200: {"content": {media: {} for media in DOCUMENT_TYPES.values()}}, **problems(401, 404, 422)},
)
async def export_purchase_order(
    purchase_order_id: ObjectId,
    uow: UoW,
    export_format: Annotated[Literal["csv", "pdf"], Query(alias="format")] = "csv",
) -> Response:
    """The PO as a CSV (spreadsheet-safe) or PDF document with supplier, lines and totals."""
    document = await export.load_document(uow, purchase_order_id=purchase_order_id)
    content = export.render_csv(document) if export_format == "csv" else await export.render_pdf(document)
    disposition = f'attachment; filename="{document.filename_stem}.{export_format}"'
    return Response(
        content, media_type=DOCUMENT_TYPES[export_format], headers={"Content-Disposition": disposition}
    )
