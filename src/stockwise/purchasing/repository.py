"""All SQL of the purchasing domain: carts, purchase orders, receipts, PO counters, catalog look-ups.

Row locks are always taken in the same order (purchase order, its lines by id, stock levels by
product and location), so concurrent receipts queue instead of deadlocking or over-receiving.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, case, delete, func, select, tuple_
from sqlalchemy.orm import selectinload

from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
from stockwise.core.errors import NotFound
from stockwise.core.models import Base
from stockwise.core.repository import Page, TenantRepository
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.models import (
    CartItem,
    PoCounter,
    PurchaseOrder,
    PurchaseOrderLine,
    Quantity,
    Receipt,
)

R = TypeVar("R", bound=Base)
T = TypeVar("T")
#: Keys per statement when filtering by many ids or pairs: well below SQLite's bind limit.
CHUNK = 2000


class CartItemRepository(TenantRepository[CartItem]):
    """The cart of one user: every query is filtered by the owner as well as by the tenant."""

    model = CartItem
    noun = "cart item"

    def __init__(self, uow: UnitOfWork, *, user_id: int) -> None:
        super().__init__(uow)
        self.user_id = user_id

    def _select(self) -> Select[Any]:
        return super()._select().where(CartItem.user_id == self.user_id)

    async def items(
        self, *, supplier_id: int | None = None, location_id: int | None = None, for_update: bool = False
    ) -> Sequence[CartItem]:
        stmt = self._select().order_by(CartItem.id)
        if supplier_id is not None:
            stmt = stmt.where(CartItem.supplier_id == supplier_id)
        if location_id is not None:
            stmt = stmt.where(CartItem.location_id == location_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalars().all()

    async def count(self) -> int:
        stmt = select(func.count()).select_from(self._select().subquery())
        return int(await self.session.scalar(stmt) or 0)

    async def add_quantity(
        self, *, product_id: int, location_id: int, supplier_id: int, quantity: Decimal, unit_price: Decimal
    ) -> int:
        """Add to the line for (product, location, supplier), creating it; race-free on both dialects."""
        insert = self._insert().values(
            client_id=self.client_id,
            user_id=self.user_id,
            product_id=product_id,
            location_id=location_id,
            supplier_id=supplier_id,
            quantity=quantity,
            unit_price=unit_price,
        )
        table = CartItem.__table__.c
        stmt = insert.on_conflict_do_update(
            index_elements=["client_id", "user_id", "product_id", "location_id", "supplier_id"],
            set_={"quantity": table.quantity + insert.excluded.quantity, "unit_price": unit_price},
        ).returning(table.id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def delete_ids(self, ids: Collection[int]) -> None:
        stmt = delete(CartItem).where(
            CartItem.client_id == self.client_id, CartItem.user_id == self.user_id, CartItem.id.in_(ids)
        )
        await self.session.execute(stmt.execution_options(synchronize_session=False))

    async def clear(self) -> int:
        items = await self.items(for_update=True)
        await self.delete_ids([item.id for item in items])
        return len(items)


class CatalogReader(TenantRepository[Product]):
    """Batched reads of the catalogue rows that carts and POs refer to (one statement per kind)."""

    model = Product
    noun = "product"

    async def _by_ids(self, model: type[R], ids: Collection[int]) -> dict[int, R]:
        if not ids:
            return {}
        entity: Any = model
        stmt = select(entity).where(entity.client_id == self.client_id, entity.id.in_(set(ids)))
        return {row.id: row for row in (await self.session.execute(stmt)).scalars()}

    async def products(self, ids: Collection[int]) -> dict[int, Product]:
        return await self._by_ids(Product, ids)

    async def suppliers(self, ids: Collection[int]) -> dict[int, Supplier]:
        return await self._by_ids(Supplier, ids)

    async def locations(self, ids: Collection[int]) -> dict[int, Location]:
        return await self._by_ids(Location, ids)

    async def conditions(self, pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], ProductSupplier]:
        """Supplier conditions keyed by (product_id, supplier_id)."""
        if not pairs:
            return {}
        stmt = select(ProductSupplier).where(
            ProductSupplier.client_id == self.client_id,
            ProductSupplier.product_id.in_({p for p, _ in pairs}),
            ProductSupplier.supplier_id.in_({s for _, s in pairs}),
        )
        rows = (await self.session.execute(stmt)).scalars()
        return {(row.product_id, row.supplier_id): row for row in rows}


class PurchaseOrderRepository(TenantRepository[PurchaseOrder]):
    model = PurchaseOrder
    noun = "purchase order"

    async def get_with_lines(self, po_id: int) -> PurchaseOrder:
        stmt = self._select().where(PurchaseOrder.id == po_id).options(selectinload(PurchaseOrder.lines))
        po = (await self.session.execute(stmt)).scalars().first()
        if po is None:
            raise NotFound(f"purchase order {po_id} not found")
        return po

    async def list(
        self,
        *,
        page: int,
        page_size: int,
        status: str | None,
        supplier_id: int | None,
        location_id: int | None,
        date_from: date | None,
        date_to: date | None,
    ) -> Page[PurchaseOrder]:
        stmt = self._select().order_by(PurchaseOrder.id.desc())
        for column, value in (
            (PurchaseOrder.status, status),
            (PurchaseOrder.supplier_id, supplier_id),
            (PurchaseOrder.location_id, location_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if date_from is not None:
            stmt = stmt.where(PurchaseOrder.order_date >= date_from)
        if date_to is not None:
            stmt = stmt.where(PurchaseOrder.order_date <= date_to)
        return await self.paginate(stmt, page=page, page_size=page_size)


class PurchaseOrderLineRepository(TenantRepository[PurchaseOrderLine]):
    model = PurchaseOrderLine
    noun = "purchase order line"

    async def lines_of(self, po_id: int, *, for_update: bool = False) -> Sequence[PurchaseOrderLine]:
        stmt = (
            self._select().where(PurchaseOrderLine.purchase_order_id == po_id).order_by(PurchaseOrderLine.id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalars().all()

    async def delete_of(self, po_id: int) -> None:
        stmt = delete(PurchaseOrderLine).where(
            PurchaseOrderLine.client_id == self.client_id, PurchaseOrderLine.purchase_order_id == po_id
        )
        await self.session.execute(stmt.execution_options(synchronize_session=False))

    async def on_order(
        self,
        statuses: Collection[str],
        *,
        pairs: Sequence[tuple[int, int]] | None = None,
        product_ids: Sequence[int] | None = None,
    ) -> dict[tuple[int, int], Decimal]:
        """Sum of (ordered - received, never below zero) per (product, location) on POs in `statuses`.

        Filtered by (product, location) pairs or by products (one statement per chunk), or neither.
        """
        stmt = self._open_quantities(statuses)
        if pairs is not None:
            key: Any = tuple_(PurchaseOrderLine.product_id, PurchaseOrder.location_id)
            statements = [stmt.where(key.in_(chunk)) for chunk in _chunks(pairs)]
        elif product_ids is not None:
            statements = [
                stmt.where(PurchaseOrderLine.product_id.in_(chunk)) for chunk in _chunks(product_ids)
            ]
        else:
            statements = [stmt]
        result: dict[tuple[int, int], Decimal] = {}
        for statement in statements:
            for product_id, location_id, quantity in await self.session.execute(statement):
                result[(product_id, location_id)] = Decimal(quantity or 0)
        return result

    def _open_quantities(self, statuses: Collection[str]) -> Select[int, int, Decimal]:
        open_qty = case(
            (
                PurchaseOrderLine.quantity_ordered > PurchaseOrderLine.quantity_received,
                PurchaseOrderLine.quantity_ordered - PurchaseOrderLine.quantity_received,
            ),
            else_=0,
        )
        return (
            select(
                PurchaseOrderLine.product_id, PurchaseOrder.location_id, func.sum(open_qty, type_=Quantity)
            )
            .join(
                PurchaseOrder,
                (PurchaseOrder.client_id == PurchaseOrderLine.client_id)
                & (PurchaseOrder.id == PurchaseOrderLine.purchase_order_id),
            )
            .where(PurchaseOrderLine.client_id == self.client_id, PurchaseOrder.status.in_(statuses))
            .group_by(PurchaseOrderLine.product_id, PurchaseOrder.location_id)
        )


def _chunks(values: Sequence[T]) -> list[Sequence[T]]:
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]


class ReceiptRepository(TenantRepository[Receipt]):
    model = Receipt
    noun = "receipt"

    async def receipts_of(self, po_id: int) -> Sequence[Receipt]:
        stmt = (
            self._select()
            .where(Receipt.purchase_order_id == po_id)
            .options(selectinload(Receipt.lines))
            .order_by(Receipt.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def get_of(self, po_id: int, receipt_id: int) -> Receipt:
        stmt = (
            self._select()
            .where(Receipt.purchase_order_id == po_id, Receipt.id == receipt_id)
            .options(selectinload(Receipt.lines))
        )
        receipt = (await self.session.execute(stmt)).scalars().first()
        if receipt is None:
            raise NotFound(f"receipt {receipt_id} not found")
        return receipt

    async def find_reversal_of(self, receipt_id: int) -> Receipt | None:
        stmt = self._select().where(Receipt.reverses_receipt_id == receipt_id)
        return (await self.session.execute(stmt)).scalars().first()


class PoCounterRepository(TenantRepository[PoCounter]):
    model = PoCounter
    noun = "PO counter"

    async def advance(self, period: str, count: int) -> int:
        """Reserve `count` numbers of `period`; returns the last one. Locks the counter row until commit."""
        insert = self._insert().values(client_id=self.client_id, period=period, value=count)
        stmt = insert.on_conflict_do_update(
            index_elements=["client_id", "period"],
            set_={"value": PoCounter.__table__.c.value + count},
        ).returning(PoCounter.__table__.c.value)
        return int((await self.session.execute(stmt)).scalar_one())
