"""Queries of the catalogue: the only place that builds SQL for locations, suppliers and products."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, delete, exists, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
from stockwise.catalog.schemas import ProductFilter, ProductSort, SortOrder
from stockwise.core.models import Base
from stockwise.core.repository import TenantRepository

M = TypeVar("M", bound=Base)
BULK_CHUNK = 2_000


def like_pattern(text: str) -> str:
    """`%text%` with LIKE wildcards in the user's text taken literally (escape character '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CatalogRepository(TenantRepository[M]):
    """What every catalogue table offers: uniqueness checks, delete-or-keep, idempotent bulk insert."""

    async def is_taken(
        self, column: InstrumentedAttribute[Any], value: object, *, exclude_id: int | None
    ) -> bool:
        conditions = [self.model.client_id == self.client_id, column == value]
        if exclude_id is not None:
            conditions.append(self.model.id != exclude_id)
        return bool(await self.session.scalar(select(exists().where(*conditions))))

    async def delete_if_unreferenced(self, obj_id: int) -> bool:
        """Hard-delete unless another row references this one: the foreign keys decide, race-free."""
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    delete(self.model).where(self.model.client_id == self.client_id, self.model.id == obj_id)
                )
        except IntegrityError:
            return False
        return True

    async def insert_missing(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows whose unique key (code, SKU, …) is not there yet, so seeding is re-runnable."""
        stmt = self._insert().on_conflict_do_nothing()
        stamped = [{**row, "client_id": self.client_id} for row in rows]
        for start in range(0, len(stamped), BULK_CHUNK):
            await self.session.execute(stmt, stamped[start : start + BULK_CHUNK])

    async def ids_by(self, column: InstrumentedAttribute[str]) -> dict[str, int]:
        rows = await self.session.execute(
            select(column, self.model.id).where(self.model.client_id == self.client_id)
        )
        return {key: obj_id for key, obj_id in rows}

    def listing(self, *, q: str | None, active: bool | None) -> Select[tuple[M]]:
        """Locations and suppliers: optional text search on code/name and active flag, by code."""
        stmt = self._select()
        if q:
            pattern = like_pattern(q)
            stmt = stmt.where(
                or_(self.model.code.ilike(pattern, escape="\\"), self.model.name.ilike(pattern, escape="\\"))
            )
        if active is not None:
            stmt = stmt.where(self.model.is_active == active)
        return stmt.order_by(self.model.code, self.model.id)


async def analyze_catalog(session: AsyncSession) -> None:
    """PostgreSQL: ANALYZE the catalogue tables (through the owner's function in migration 0001).

    Without statistics the planner checks each foreign key into `product` through an index on
    client_id alone, a scan of the tenant's products per inserted row: a bulk load of sales or stock
    right after a fresh catalogue ran ~3-10x slower. Autovacuum gets there too, but later.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT stockwise_analyze_catalog()"))


class LocationRepository(CatalogRepository[Location]):
    model = Location
    noun = "location"


class SupplierRepository(CatalogRepository[Supplier]):
    model = Supplier
    noun = "supplier"


_SORT_COLUMNS: dict[ProductSort, InstrumentedAttribute[Any]] = {
    ProductSort.SKU: Product.sku,
    ProductSort.NAME: Product.name,
    ProductSort.CATEGORY: Product.category,
    ProductSort.UNIT_COST: Product.unit_cost,
    ProductSort.UPDATED_AT: Product.updated_at,
}


class ProductRepository(CatalogRepository[Product]):
    model = Product
    noun = "product"

    def list_statement(
        self,
        filters: ProductFilter,
        *,
        restrict_to: Sequence[Select[int]] = (),
        sort: ProductSort = ProductSort.SKU,
        order: SortOrder = SortOrder.ASC,
    ) -> Select[tuple[Product]]:
        """Filtered, sorted products; `restrict_to` are subqueries of product ids from other domains."""
        stmt = self._select().where(*self._conditions(filters))
        for product_ids in restrict_to:
            stmt = stmt.where(Product.id.in_(product_ids))
        column = _SORT_COLUMNS[sort]
        if order is SortOrder.DESC:
            return stmt.order_by(column.desc().nulls_last(), Product.id.desc())
        return stmt.order_by(column.asc().nulls_last(), Product.id.asc())

    def _conditions(self, filters: ProductFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if filters.q:
            pattern = like_pattern(filters.q)
            conditions.append(
                or_(Product.sku.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\"))
            )
        if filters.sku is not None:
            conditions.append(Product.sku == filters.sku)
        if filters.category is not None:
            conditions.append(Product.category == filters.category)
        if filters.active is not None:
            conditions.append(Product.is_active == filters.active)
        if filters.supplier_id is not None:
            supplied = select(ProductSupplier.product_id).where(
                ProductSupplier.client_id == self.client_id,
                ProductSupplier.supplier_id == filters.supplier_id,
            )
            conditions.append(Product.id.in_(supplied))
        return conditions


class ProductSupplierRepository(CatalogRepository[ProductSupplier]):
    model = ProductSupplier
    noun = "product supplier"

    async def find_for_product(self, *, product_id: int, link_id: int) -> ProductSupplier | None:
        stmt = self._select().where(ProductSupplier.id == link_id, ProductSupplier.product_id == product_id)
        return (await self.session.execute(stmt)).scalars().first()

    async def find_link(self, *, product_id: int, supplier_id: int) -> ProductSupplier | None:
        stmt = self._select().where(
            ProductSupplier.product_id == product_id, ProductSupplier.supplier_id == supplier_id
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def with_suppliers(self, product_ids: Sequence[int]) -> list[tuple[ProductSupplier, Supplier]]:
        """Every link of these products with its supplier, in one statement: primary first, then by code."""
        stmt = (
            select(ProductSupplier, Supplier)
            .join(
                Supplier,
                (Supplier.client_id == ProductSupplier.client_id)
                & (Supplier.id == ProductSupplier.supplier_id),
            )
            .where(ProductSupplier.client_id == self.client_id, ProductSupplier.product_id.in_(product_ids))
            .order_by(ProductSupplier.product_id, ProductSupplier.is_primary.desc(), Supplier.code)
        )
        return [(link, supplier) for link, supplier in await self.session.execute(stmt)]

    async def clear_primary(self, *, product_id: int, keep_id: int | None) -> None:
        stmt = (
            update(ProductSupplier)
            .where(
                ProductSupplier.client_id == self.client_id,
                ProductSupplier.product_id == product_id,
                ProductSupplier.is_primary.is_(True),
            )
            .values(is_primary=False)
        )
        if keep_id is not None:
            stmt = stmt.where(ProductSupplier.id != keep_id)
        await self.session.execute(stmt)
