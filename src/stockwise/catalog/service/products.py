"""Products: addressed by id (SKUs may contain '/'); the SKU is unique per tenant and may be renamed,
since sales, stock and orders reference the product id.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select

from stockwise.catalog.models import Product
from stockwise.catalog.repository import ProductRepository
from stockwise.catalog.schemas import ProductCreate, ProductFilter, ProductSort, ProductUpdate, SortOrder
from stockwise.catalog.service.common import apply_changes, delete_or_deactivate, save_unique
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork


async def create_product(uow: UnitOfWork, *, data: ProductCreate) -> Product:
    repo = ProductRepository(uow)
    product = repo.add(Product(**data.model_dump()))
    await save_unique(uow, repo, product, column=Product.sku, field="sku")
    return product


async def get_product(uow: UnitOfWork, *, product_id: int, for_update: bool = False) -> Product:
    return await ProductRepository(uow).get(product_id, for_update=for_update)


async def update_product(uow: UnitOfWork, *, product_id: int, data: ProductUpdate) -> Product:
    repo = ProductRepository(uow)
    product = await repo.get(product_id)
    apply_changes(product, data, nullable=frozenset({"category"}))
    await save_unique(uow, repo, product, column=Product.sku, field="sku")
    return product


async def delete_product(uow: UnitOfWork, *, product_id: int) -> Product | None:
    """Deleted (None, with its supplier conditions) unless history references it; else deactivated."""
    repo = ProductRepository(uow)
    return await delete_or_deactivate(uow, repo, await repo.get(product_id))


async def list_products(
    uow: UnitOfWork,
    *,
    filters: ProductFilter,
    restrict_to: Sequence[Select[int]] = (),
    sort: ProductSort = ProductSort.SKU,
    order: SortOrder = SortOrder.ASC,
    page: int,
    page_size: int,
) -> Page[Product]:
    """One count and one page query; `restrict_to` lets other domains narrow by their own tables."""
    repo = ProductRepository(uow)
    stmt = repo.list_statement(filters, restrict_to=restrict_to, sort=sort, order=order)
    return await repo.paginate(stmt, page=page, page_size=page_size)
