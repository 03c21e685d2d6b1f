"""HTTP routes of stock (levels, movements, adjustments) and the product list and detail views.

The product list lives here rather than in the catalogue because each row carries stock (and soon
inventory metrics), which sit above the catalogue; product writes are in the catalogue's routes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import AwareDatetime

from stockwise.catalog.schemas import ProductFilter, ProductSort, SortOrder
from stockwise.core.errors import problems
from stockwise.core.idempotency import IdempotencyKeyHeader, idempotent
from stockwise.core.schemas import IdFilter, ObjectId, PageNumber, PageRead, PageSize
from stockwise.inventory import product_view, service
from stockwise.inventory.schemas import (
    MovementReason,
    ProductViewRead,
    StockAdjustmentCreate,
    StockAdjustmentRead,
    StockLevelRead,
    StockMovementRead,
)
from stockwise.purchasing.service import on_order_quantities
from stockwise.tenancy.dependencies import PlannerUoW, UoW

router = APIRouter()


@router.get(
    "/products", response_model=PageRead[ProductViewRead], tags=["catalog"], responses=problems(401, 422)
)
async def list_products(
    uow: UoW,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Text in SKU or name")] = None,
    sku: Annotated[str | None, Query(min_length=1, max_length=128, description="Exact SKU")] = None,
    category: Annotated[str | None, Query(max_length=120)] = None,
    supplier_id: IdFilter = None,
    location_id: Annotated[int | None, Query(description="Only products ranged at this location")] = None,
    active: bool | None = None,
    sort: ProductSort = ProductSort.SKU,
    order: SortOrder = SortOrder.ASC,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> PageRead[ProductViewRead]:
    """Products with their suppliers and stock per location; filter, sort, paginate (max 200)."""
    filters = ProductFilter(q=q, sku=sku, category=category, supplier_id=supplier_id, active=active)
    result = await product_view.list_product_views(
        uow, filters=filters, location_id=location_id, sort=sort, order=order, page=page, page_size=page_size
    )
    views = PageRead[ProductViewRead].of(result, ProductViewRead.model_validate)
    await _show_on_order(uow, views.items)
    return views


@router.get(
    "/products/{product_id}", response_model=ProductViewRead, tags=["catalog"], responses=problems(401, 404)
)
async def get_product(product_id: ObjectId, uow: UoW) -> ProductViewRead:
    """One product with its suppliers and stock per location (the list row's shape)."""
    view = await product_view.get_product_view(uow, product_id=product_id)
    await _show_on_order(uow, [view])
    return view


async def _show_on_order(uow: UoW, views: list[ProductViewRead]) -> None:
    """On-order quantities come from purchasing (one batched query), per location and in total."""
    quantities = await on_order_quantities(uow, product_ids=[view.id for view in views])
    totals: dict[int, Decimal] = {}
    for (product_id, _), quantity in quantities.items():
        totals[product_id] = totals.get(product_id, Decimal(0)) + quantity
    for view in views:
        for row in view.stock:
            row.on_order = quantities.get((view.id, row.location_id), Decimal(0))
        view.on_order = totals.get(view.id, Decimal(0))


@router.get(
    "/stock", response_model=PageRead[StockLevelRead], tags=["inventory"], responses=problems(401, 422)
)
async def list_stock(
    uow: UoW,
    product_id: IdFilter = None,
    location_id: IdFilter = None,
    below_zero: Annotated[bool | None, Query(description="true: only negative on-hand")] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> PageRead[StockLevelRead]:
    """Stock per product and location: on hand, allocated and available."""
    result = await service.list_stock(
        uow,
        product_id=product_id,
        location_id=location_id,
        below_zero=below_zero,
        page=page,
        page_size=page_size,
    )
    levels = PageRead[StockLevelRead].of(result, StockLevelRead.model_validate)
    pairs = [(row.product_id, row.location_id) for row in levels.items]
    quantities = await on_order_quantities(uow, pairs=pairs)
    for row in levels.items:
        row.on_order = quantities.get((row.product_id, row.location_id), Decimal(0))
    return levels


@router.post(
    "/stock/adjustments",
    tags=["inventory"],
    status_code=status.HTTP_201_CREATED,
    response_model=StockAdjustmentRead,
    responses=problems(401, 403, 409, 422),
)
async def adjust_stock(
    body: StockAdjustmentCreate,
    request: Request,
    uow: PlannerUoW,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Correct on-hand by a signed quantity or to a counted quantity; writes a movement with its reason."""

    async def produce() -> StockAdjustmentRead:
        return await service.adjust_stock(uow, data=body)

    return await idempotent(
        uow,
        key=idempotency_key,
        route=f"POST {request.url.path}",
        payload=body,
        produce=produce,
        status_code=status.HTTP_201_CREATED,
    )


@router.get(
    "/stock/movements",
    response_model=PageRead[StockMovementRead],
    tags=["inventory"],
    responses=problems(401, 422),
)
async def list_stock_movements(
    uow: UoW,
    product_id: IdFilter = None,
    location_id: IdFilter = None,
    reason: MovementReason | None = None,
    since: Annotated[
        AwareDatetime | None, Query(description="Created at or after (ISO 8601 with offset)")
    ] = None,
    until: Annotated[AwareDatetime | None, Query(description="Created before")] = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> PageRead[StockMovementRead]:
    """Stock movements, newest first."""
    result = await service.list_stock_movements(
        uow,
        product_id=product_id,
        location_id=location_id,
        reason=reason,
        since=since,
        until=until,
        page=page,
        page_size=page_size,
    )
    return PageRead[StockMovementRead].of(result, StockMovementRead.model_validate)
