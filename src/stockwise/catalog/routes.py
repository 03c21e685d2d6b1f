"""HTTP routes of the catalogue: locations, suppliers, product writes and supplier conditions.

Reads are open to every role, writes need a planner. DELETE answers 204 when the row is gone, or
200 with the row (is_active=false) when history still references it and it was deactivated instead.
The product list and detail (with stock per location) are served by the inventory routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from stockwise.catalog import service
from stockwise.catalog.schemas import (
    LocationCreate,
    LocationRead,
    LocationUpdate,
    ProductCreate,
    ProductRead,
    ProductSupplierCreate,
    ProductSupplierRead,
    ProductSupplierUpdate,
    ProductUpdate,
    SupplierCreate,
    SupplierRead,
    SupplierUpdate,
)
from stockwise.core.errors import problems
from stockwise.core.schemas import ObjectId, PageNumber, PageRead, PageSize, ReadModel
from stockwise.tenancy.dependencies import PlannerUoW, UoW

router = APIRouter(tags=["catalog"])

SearchText = Query(
    default=None, min_length=1, max_length=100, description="Case-insensitive match on code or name"
)


def _deleted_responses(model: type[ReadModel]) -> dict[int | str, dict[str, Any]]:
    return {
        204: {"description": "Deleted"},
        200: {"model": model, "description": "Still referenced by history: deactivated instead"},
        **problems(401, 403, 404),
    }


def _deleted_or_deactivated(kept: object | None, schema: type[ReadModel]) -> Response:
    if kept is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return JSONResponse(schema.model_validate(kept).model_dump(mode="json"))


@router.get("/locations", response_model=PageRead[LocationRead], responses=problems(401, 422))
async def list_locations(
    uow: UoW,
    q: str | None = SearchText,
    active: bool | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> PageRead[LocationRead]:
    """Locations of the tenant, by code."""
    result = await service.list_locations(uow, q=q, active=active, page=page, page_size=page_size)
    return PageRead[LocationRead].of(result, LocationRead.model_validate)


@router.post(
    "/locations", status_code=201, response_model=LocationRead, responses=problems(401, 403, 409, 422)
)
async def create_location(body: LocationCreate, uow: PlannerUoW) -> LocationRead:
    """Add a warehouse or store (code unique per tenant)."""
    return LocationRead.model_validate(await service.create_location(uow, data=body))


@router.get("/locations/{location_id}", response_model=LocationRead, responses=problems(401, 404))
async def get_location(location_id: ObjectId, uow: UoW) -> LocationRead:
    """One location."""
    return LocationRead.model_validate(await service.get_location(uow, location_id=location_id))


@router.patch(
    "/locations/{location_id}", response_model=LocationRead, responses=problems(401, 403, 404, 409, 422)
)
async def update_location(location_id: ObjectId, body: LocationUpdate, uow: PlannerUoW) -> LocationRead:
    """Change a location's code, name, kind or active flag."""
    return LocationRead.model_validate(await service.update_location(uow, location_id=location_id, data=body))


@router.delete(
    "/locations/{location_id}",
    status_code=204,
    response_model=None,
    responses=_deleted_responses(LocationRead),
)
async def delete_location(location_id: ObjectId, uow: PlannerUoW) -> Response:
    """Delete a location, or deactivate it when stock, sales or orders reference it."""
    kept = await service.delete_location(uow, location_id=location_id)
    return _deleted_or_deactivated(kept, LocationRead)


@router.get("/suppliers", response_model=PageRead[SupplierRead], responses=problems(401, 422))
async def list_suppliers(
    uow: UoW,
    q: str | None = SearchText,
    active: bool | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> PageRead[SupplierRead]:
    """Suppliers of the tenant, by code."""
    result = await service.list_suppliers(uow, q=q, active=active, page=page, page_size=page_size)
    return PageRead[SupplierRead].of(result, SupplierRead.model_validate)


@router.post(
    "/suppliers", status_code=201, response_model=SupplierRead, responses=problems(401, 403, 409, 422)
)
async def create_supplier(body: SupplierCreate, uow: PlannerUoW) -> SupplierRead:
    """Add a supplier with its currency (code unique per tenant)."""
    return SupplierRead.model_validate(await service.create_supplier(uow, data=body))


@router.get("/suppliers/{supplier_id}", response_model=SupplierRead, responses=problems(401, 404))
async def get_supplier(supplier_id: ObjectId, uow: UoW) -> SupplierRead:
    """One supplier."""
    return SupplierRead.model_validate(await service.get_supplier(uow, supplier_id=supplier_id))


@router.patch(
    "/suppliers/{supplier_id}", response_model=SupplierRead, responses=problems(401, 403, 404, 409, 422)
)
async def update_supplier(supplier_id: ObjectId, body: SupplierUpdate, uow: PlannerUoW) -> SupplierRead:
    """Change a supplier's code, name, currency, email or active flag."""
    return SupplierRead.model_validate(await service.update_supplier(uow, supplier_id=supplier_id, data=body))


@router.delete(
    "/suppliers/{supplier_id}",
    status_code=204,
    response_model=None,
    responses=_deleted_responses(SupplierRead),
)
async def delete_supplier(supplier_id: ObjectId, uow: PlannerUoW) -> Response:
    """Delete a supplier, or deactivate it when products or orders reference it."""
    kept = await service.delete_supplier(uow, supplier_id=supplier_id)
    return _deleted_or_deactivated(kept, SupplierRead)


@router.post("/products", status_code=201, response_model=ProductRead, responses=problems(401, 403, 409, 422))
async def create_product(body: ProductCreate, uow: PlannerUoW) -> ProductRead:
    """Add a product (SKU unique per tenant; it may contain '/', since URLs use the id)."""
    return ProductRead.model_validate(await service.create_product(uow, data=body))


@router.patch(
    "/products/{product_id}", response_model=ProductRead, responses=problems(401, 403, 404, 409, 422)
)
async def update_product(product_id: ObjectId, body: ProductUpdate, uow: PlannerUoW) -> ProductRead:
    """Change a product; renaming its SKU keeps its sales, stock and order history."""
    return ProductRead.model_validate(await service.update_product(uow, product_id=product_id, data=body))


@router.delete(
    "/products/{product_id}", status_code=204, response_model=None, responses=_deleted_responses(ProductRead)
)
async def delete_product(product_id: ObjectId, uow: PlannerUoW) -> Response:
    """Delete a product, or deactivate it when stock, sales or orders reference it."""
    kept = await service.delete_product(uow, product_id=product_id)
    return _deleted_or_deactivated(kept, ProductRead)


@router.get(
    "/products/{product_id}/suppliers",
    response_model=list[ProductSupplierRead],
    responses=problems(401, 404),
)
async def list_product_suppliers(product_id: ObjectId, uow: UoW) -> list[ProductSupplierRead]:
    """Who supplies this product and on what terms, primary first."""
    return await service.list_product_suppliers(uow, product_id=product_id)


@router.post(
    "/products/{product_id}/suppliers",
    status_code=201,
    response_model=ProductSupplierRead,
    responses=problems(401, 403, 404, 409, 422),
)
async def add_product_supplier(
    product_id: ObjectId, body: ProductSupplierCreate, uow: PlannerUoW
) -> ProductSupplierRead:
    """Link a supplier to the product with its conditions; is_primary=true demotes the old primary."""
    return await service.add_product_supplier(uow, product_id=product_id, data=body)


@router.get(
    "/products/{product_id}/suppliers/{link_id}",
    response_model=ProductSupplierRead,
    responses=problems(401, 404),
)
async def get_product_supplier(product_id: ObjectId, link_id: ObjectId, uow: UoW) -> ProductSupplierRead:
    """One supplier's conditions for the product."""
    return await service.get_product_supplier(uow, product_id=product_id, link_id=link_id)


@router.patch(
    "/products/{product_id}/suppliers/{link_id}",
    response_model=ProductSupplierRead,
    responses=problems(401, 403, 404, 409, 422),
)
async def update_product_supplier(
    product_id: ObjectId, link_id: ObjectId, body: ProductSupplierUpdate, uow: PlannerUoW
) -> ProductSupplierRead:
    """Change a supplier's conditions; is_primary=true demotes the old primary."""
    return await service.update_product_supplier(uow, product_id=product_id, link_id=link_id, data=body)


@router.delete(
    "/products/{product_id}/suppliers/{link_id}", status_code=204, responses=problems(401, 403, 404)
)
async def remove_product_supplier(product_id: ObjectId, link_id: ObjectId, uow: PlannerUoW) -> Response:
    """Unlink a supplier from the product."""
    await service.remove_product_supplier(uow, product_id=product_id, link_id=link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
