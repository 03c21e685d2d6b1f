"""Cart routes: the acting user's own cart (planners and admins), and checkout into draft POs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response, status

from stockwise.core.errors import problems
from stockwise.core.idempotency import IdempotencyKeyHeader, idempotent
from stockwise.core.schemas import ObjectId
from stockwise.purchasing import service
from stockwise.purchasing.schemas import (
    CartItemCreate,
    CartItemUpdate,
    CartLineRead,
    CartRead,
    CheckoutRead,
    CheckoutRequest,
    PurchaseOrderRead,
)
from stockwise.tenancy.dependencies import PlannerUoW

router = APIRouter(prefix="/cart")
RoundUp = Annotated[bool, Query(alias="round", description="Round the quantity up to the MOQ and pack size.")]


@router.get("", response_model=CartRead, responses=problems(401, 403))
async def read_cart(uow: PlannerUoW) -> CartRead:
    """Your cart, grouped by supplier and deliver-to location, with totals and MOQ/pack warnings."""
    return await service.get_cart(uow)


@router.post(
    "/items",
    status_code=status.HTTP_201_CREATED,
    response_model=CartLineRead,
    responses=problems(401, 403, 422),
)
async def add_cart_item(body: CartItemCreate, uow: PlannerUoW, round_up: RoundUp = False) -> CartLineRead:
    """Add a product for a location from a supplier that supplies it (adds to an existing line)."""
    return await service.add_cart_item(uow, data=body, round_up=round_up)


@router.patch("/items/{cart_item_id}", response_model=CartLineRead, responses=problems(401, 403, 404, 422))
async def update_cart_item(
    cart_item_id: ObjectId, body: CartItemUpdate, uow: PlannerUoW, round_up: RoundUp = False
) -> CartLineRead:
    """Change the quantity of one of your cart lines."""
    return await service.update_cart_item(uow, item_id=cart_item_id, data=body, round_up=round_up)


@router.delete(
    "/items/{cart_item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 403, 404)
)
async def remove_cart_item(cart_item_id: ObjectId, uow: PlannerUoW) -> Response:
    """Remove one of your cart lines."""
    await service.remove_cart_item(uow, item_id=cart_item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 403))
async def clear_cart(uow: PlannerUoW) -> Response:
    """Empty your cart."""
    await service.clear_cart(uow)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckoutRead,
    responses=problems(401, 403, 409, 422),
)
async def checkout(
    request: Request,
    uow: PlannerUoW,
    idempotency_key: IdempotencyKeyHeader = None,
    body: Annotated[CheckoutRequest | None, Body()] = None,
) -> Response:
    """Turn the cart (or one supplier's lines) into one draft PO per supplier and location, atomically."""
    data = body or CheckoutRequest()

    async def produce() -> CheckoutRead:
        result = await service.checkout_cart(uow, data=data)
        return CheckoutRead(
            purchase_orders=[PurchaseOrderRead.model_validate(po) for po in result.purchase_orders],
            price_changes=result.price_changes,
        )

    return await idempotent(
        uow,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        payload=data,
        produce=produce,
        status_code=status.HTTP_201_CREATED,
    )
