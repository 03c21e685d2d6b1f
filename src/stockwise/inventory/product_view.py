"""The product view: catalogue row + supplier conditions + stock per location, for list and detail.

The hottest read path, so a constant number of statements whatever the page size: one count, one
page, then one batch query per related table. List and detail share `assemble_product_views`; the
coming inventory-metrics columns join in there, as one more batch-loaded map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from stockwise.catalog import service as catalog
from stockwise.catalog.models import Product
from stockwise.catalog.schemas import ProductFilter, ProductRead, ProductSort, ProductSupplierRead, SortOrder
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.inventory.schemas import ProductViewRead, StockAtLocationRead
from stockwise.inventory.service import products_stocked_at, stock_by_product


async def list_product_views(
    uow: UnitOfWork,
    *,
    filters: ProductFilter,
    location_id: int | None = None,
    sort: ProductSort = ProductSort.SKU,
    order: SortOrder = SortOrder.ASC,
    page: int,
    page_size: int,
) -> Page[ProductViewRead]:
    """Products matching the filters; `location_id` keeps those ranged (with a stock level) there."""
    restrict = [products_stocked_at(uow, location_id=location_id)] if location_id is not None else []
    products = await catalog.list_products(
        uow, filters=filters, restrict_to=restrict, sort=sort, order=order, page=page, page_size=page_size
    )
    items = await _views(uow, products.items)
    return Page(items=items, total=products.total, page=products.page, page_size=products.page_size)


async def get_product_view(uow: UnitOfWork, *, product_id: int) -> ProductViewRead:
    (view,) = await _views(uow, [await catalog.get_product(uow, product_id=product_id)])
    return view


async def _views(uow: UnitOfWork, products: Sequence[Product]) -> list[ProductViewRead]:
    ids = [product.id for product in products]
    return assemble_product_views(
        products,
        suppliers=await catalog.suppliers_by_product(uow, product_ids=ids),
        stock=await stock_by_product(uow, product_ids=ids),
    )


def assemble_product_views(
    products: Sequence[Product],
    *,
    suppliers: Mapping[int, list[ProductSupplierRead]],
    stock: Mapping[int, list[StockAtLocationRead]],
) -> list[ProductViewRead]:
    """Rows from batch-loaded maps keyed by product id (no queries here)."""
    return [
        ProductViewRead(
            **ProductRead.model_validate(product).model_dump(),
            suppliers=suppliers.get(product.id, []),
            stock=stock.get(product.id, []),
        )
        for product in products
    ]
