"""Per-product supplier conditions (lead time and its spread, MOQ, pack size, price, primary flag).

At most one primary supplier per product: making a link primary clears the old one in the same
transaction, and the product row is locked first so concurrent changes of one product's links
queue instead of racing (a partial unique index is the database's backstop).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from stockwise.catalog.models import ProductSupplier
from stockwise.catalog.repository import ProductRepository, ProductSupplierRepository, SupplierRepository
from stockwise.catalog.schemas import ProductSupplierCreate, ProductSupplierRead, ProductSupplierUpdate
from stockwise.catalog.service.common import apply_changes, duplicate
from stockwise.core.errors import NotFound, ValidationFailed
from stockwise.core.unit_of_work import UnitOfWork


async def suppliers_by_product(
    uow: UnitOfWork, *, product_ids: Sequence[int]
) -> dict[int, list[ProductSupplierRead]]:
    """Links of many products with supplier code and name, batch-loaded in one statement."""
    grouped: dict[int, list[ProductSupplierRead]] = defaultdict(list)
    for link, supplier in await ProductSupplierRepository(uow).with_suppliers(product_ids):
        grouped[link.product_id].append(ProductSupplierRead.of(link, supplier))
    return grouped


async def list_product_suppliers(uow: UnitOfWork, *, product_id: int) -> list[ProductSupplierRead]:
    await ProductRepository(uow).get(product_id)
    return (await suppliers_by_product(uow, product_ids=[product_id])).get(product_id, [])


async def get_product_supplier(uow: UnitOfWork, *, product_id: int, link_id: int) -> ProductSupplierRead:
    link = await _link(uow, product_id=product_id, link_id=link_id, lock=False)
    return await _read(uow, link)


async def add_product_supplier(
    uow: UnitOfWork, *, product_id: int, data: ProductSupplierCreate
) -> ProductSupplierRead:
    await ProductRepository(uow).get(product_id, for_update=True)
    if await SupplierRepository(uow).find(data.supplier_id) is None:
        raise ValidationFailed.field(["body", "supplier_id"], f"supplier {data.supplier_id} not found")
    repo = ProductSupplierRepository(uow)
    if await repo.find_link(product_id=product_id, supplier_id=data.supplier_id) is not None:
        raise duplicate("supplier_id", data.supplier_id)
    if data.is_primary:
        await repo.clear_primary(product_id=product_id, keep_id=None)
    link = repo.add(ProductSupplier(product_id=product_id, **data.model_dump()))
    await _flush(uow, data.supplier_id)
    return await _read(uow, link)


async def update_product_supplier(
    uow: UnitOfWork, *, product_id: int, link_id: int, data: ProductSupplierUpdate
) -> ProductSupplierRead:
    link = await _link(uow, product_id=product_id, link_id=link_id, lock=True)
    if data.is_primary:
        await ProductSupplierRepository(uow).clear_primary(product_id=product_id, keep_id=link.id)
    apply_changes(link, data, nullable=frozenset({"supplier_sku"}))
    await _flush(uow, link.supplier_id)
    return await _read(uow, link)


async def remove_product_supplier(uow: UnitOfWork, *, product_id: int, link_id: int) -> None:
    link = await _link(uow, product_id=product_id, link_id=link_id, lock=True)
    await uow.session.delete(link)
    await uow.flush()


async def _link(uow: UnitOfWork, *, product_id: int, link_id: int, lock: bool) -> ProductSupplier:
    await ProductRepository(uow).get(product_id, for_update=lock)
    link = await ProductSupplierRepository(uow).find_for_product(product_id=product_id, link_id=link_id)
    if link is None:
        raise NotFound(f"supplier link {link_id} of product {product_id} not found")
    return link


async def _read(uow: UnitOfWork, link: ProductSupplier) -> ProductSupplierRead:
    return ProductSupplierRead.of(link, await SupplierRepository(uow).get(link.supplier_id))


async def _flush(uow: UnitOfWork, supplier_id: int) -> None:
    try:
        await uow.flush()
    except IntegrityError as exc:  # the same supplier linked by a concurrent request
        raise duplicate("supplier_id", supplier_id) from exc
