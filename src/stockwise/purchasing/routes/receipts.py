"""Receiving routes: receipts against a PO and their reversal (Idempotency-Key: never stock twice)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from stockwise.core.errors import problems
from stockwise.core.idempotency import IdempotencyKeyHeader, idempotent
from stockwise.core.schemas import ObjectId
from stockwise.purchasing import service
from stockwise.purchasing.models import PurchaseOrder, Receipt
from stockwise.purchasing.schemas import (
    PurchaseOrderRead,
    ReceiptCreate,
    ReceiptRead,
    ReceiptResultRead,
    ReceiptReverse,
)
from stockwise.tenancy.dependencies import PlannerUoW, UoW

router = APIRouter(prefix="/purchase-orders/{purchase_order_id}/receipts")


def _result(outcome: tuple[Receipt, PurchaseOrder]) -> ReceiptResultRead:
    receipt, po = outcome
    return ReceiptResultRead(
        receipt=ReceiptRead.model_validate(receipt), purchase_order=PurchaseOrderRead.model_validate(po)
    )


@router.get("", response_model=list[ReceiptRead], responses=problems(401, 404))
async def list_receipts(purchase_order_id: ObjectId, uow: UoW) -> list[ReceiptRead]:
    """Receipts of a PO with their lines, oldest first (reversals included)."""
    receipts = await service.list_receipts(uow, purchase_order_id=purchase_order_id)
    return [ReceiptRead.model_validate(receipt) for receipt in receipts]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptResultRead,
    responses=problems(401, 403, 404, 409, 422),
)
async def receive_goods(
    purchase_order_id: ObjectId,
    body: ReceiptCreate,
    request: Request,
    uow: PlannerUoW,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Record goods received per line: stock, received quantities and PO status change together."""

    async def produce() -> ReceiptResultRead:
        return _result(
            await service.receive_purchase_order(uow, purchase_order_id=purchase_order_id, data=body)
        )

    return await idempotent(
        uow,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        payload=body,
        produce=produce,
        status_code=status.HTTP_201_CREATED,
    )


@router.post(
    "/{receipt_id}/reverse",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptResultRead,
    responses=problems(401, 403, 404, 409, 422),
)
async def reverse_receipt(
    purchase_order_id: ObjectId,
    receipt_id: ObjectId,
    request: Request,
    uow: PlannerUoW,
    idempotency_key: IdempotencyKeyHeader = None,
    body: ReceiptReverse | None = None,
) -> Response:
    """Reverse a receipt with a compensating one (stock is taken back out); receipts are never edited."""
    data = body or ReceiptReverse()

    async def produce() -> ReceiptResultRead:
        outcome = await service.reverse_receipt(
            uow, purchase_order_id=purchase_order_id, receipt_id=receipt_id, note=data.note
        )
        return _result(outcome)

    return await idempotent(
        uow,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        payload=data,
        produce=produce,
        status_code=status.HTTP_201_CREATED,
    )
