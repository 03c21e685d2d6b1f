"""What purchasing may order: the catalogue rows a cart or PO refers to, loaded in one batch and checked.

Every check names the offending field, so a bad line is a 422 pointing at it (never a 404 or a 500).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
from stockwise.core.errors import ValidationFailed
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.repository import CatalogReader
from stockwise.tenancy.models import ClientSettings

Loc = list[str | int]
Error = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    products: dict[int, Product]
    suppliers: dict[int, Supplier]
    locations: dict[int, Location]
    conditions: dict[tuple[int, int], ProductSupplier]

    def condition(self, product_id: int, supplier_id: int) -> ProductSupplier | None:
        """The active conditions under which this supplier sells this product, if it still does."""
        condition = self.conditions.get((product_id, supplier_id))
        return condition if condition is not None and condition.is_active else None

    def check_product(self, product_id: int, loc: Loc) -> list[Error]:
        product = self.products.get(product_id)
        if product is None:
            return [_error(loc, f"product {product_id} does not exist")]
        if not product.is_active:
            return [_error(loc, f"product {product.sku} is inactive")]
        return []

    def check_supplier(self, supplier_id: int, loc: Loc) -> list[Error]:
        supplier = self.suppliers.get(supplier_id)
        if supplier is None:
            return [_error(loc, f"supplier {supplier_id} does not exist")]
        if not supplier.is_active:
            return [_error(loc, f"supplier {supplier.code} is inactive")]
        return []

    def check_location(self, location_id: int, loc: Loc) -> list[Error]:
        location = self.locations.get(location_id)
        if location is None:
            return [_error(loc, f"location {location_id} does not exist")]
        if not location.is_active:
            return [_error(loc, f"location {location.code} is inactive")]
        return []

    def check_supplies(self, product_id: int, supplier_id: int, loc: Loc) -> list[Error]:
        """The supplier must (still) supply the product; only checked once both exist."""
        product, supplier = self.products.get(product_id), self.suppliers.get(supplier_id)
        if product is None or supplier is None or self.condition(product_id, supplier_id) is not None:
            return []
        return [_error(loc, f"supplier {supplier.code} does not supply product {product.sku}")]


def _error(loc: Loc, msg: str) -> Error:
    return {"loc": loc, "msg": msg, "type": "value_error"}


def raise_if_any(errors: list[Error], detail: str) -> None:
    if errors:
        raise ValidationFailed(detail, errors=errors)


async def load_catalog(
    uow: UnitOfWork,
    *,
    product_ids: Iterable[int],
    supplier_ids: Iterable[int],
    location_ids: Iterable[int],
    pairs: Iterable[tuple[int, int]],
) -> CatalogSnapshot:
    """Products, suppliers, locations and (product, supplier) conditions in four statements."""
    reader = CatalogReader(uow)
    return CatalogSnapshot(
        products=await reader.products(set(product_ids)),
        suppliers=await reader.suppliers(set(supplier_ids)),
        locations=await reader.locations(set(location_ids)),
        conditions=await reader.conditions(set(pairs)),
    )


def tenant_today(settings: ClientSettings) -> date:
    """Today in the tenant's time zone: order and expected dates are the tenant's calendar days."""
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).date()


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line ready to go on a PO: what, how many, at which price, and the supplier's lead time."""

    product_id: int
    sku: str
    product_name: str
    supplier_sku: str | None
    unit: str
    quantity: Decimal
    unit_price: Decimal
    lead_time_days: int


def priced_line(
    snapshot: CatalogSnapshot,
    *,
    product_id: int,
    supplier_id: int,
    quantity: Decimal,
    unit_price: Decimal | None,
) -> PricedLine:
    """Price a checked line: the given price, or the supplier's current one."""
    product = snapshot.products[product_id]
    condition = snapshot.conditions[(product_id, supplier_id)]
    return PricedLine(
        product_id=product_id,
        sku=product.sku,
        product_name=product.name,
        supplier_sku=condition.supplier_sku,
        unit=product.unit,
        quantity=quantity,
        unit_price=condition.unit_price if unit_price is None else unit_price,
        lead_time_days=condition.lead_time_days,
    )
