"""Suppliers: who sells to the tenant, in which currency (code unique per tenant)."""

from __future__ import annotations

from stockwise.catalog.models import Supplier
from stockwise.catalog.repository import SupplierRepository
from stockwise.catalog.schemas import SupplierCreate, SupplierUpdate
from stockwise.catalog.service.common import apply_changes, delete_or_deactivate, save_unique
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork


async def create_supplier(uow: UnitOfWork, *, data: SupplierCreate) -> Supplier:
    repo = SupplierRepository(uow)
    supplier = repo.add(Supplier(**data.model_dump()))
    await save_unique(uow, repo, supplier, column=Supplier.code, field="code")
    return supplier


async def get_supplier(uow: UnitOfWork, *, supplier_id: int) -> Supplier:
    return await SupplierRepository(uow).get(supplier_id)


async def update_supplier(uow: UnitOfWork, *, supplier_id: int, data: SupplierUpdate) -> Supplier:
    repo = SupplierRepository(uow)
    supplier = await repo.get(supplier_id)
    apply_changes(supplier, data, nullable=frozenset({"email"}))
    await save_unique(uow, repo, supplier, column=Supplier.code, field="code")
    return supplier


async def delete_supplier(uow: UnitOfWork, *, supplier_id: int) -> Supplier | None:
    """Deleted (None) unless products or orders reference it; then deactivated and returned."""
    repo = SupplierRepository(uow)
    return await delete_or_deactivate(uow, repo, await repo.get(supplier_id))


async def list_suppliers(
    uow: UnitOfWork, *, q: str | None, active: bool | None, page: int, page_size: int
) -> Page[Supplier]:
    repo = SupplierRepository(uow)
    return await repo.paginate(repo.listing(q=q, active=active), page=page, page_size=page_size)
