"""API contracts of the catalogue: locations, suppliers, products and supplier conditions.

Money and quantities are exact decimals (at most 4 fractional digits, serialised as strings); codes
and SKUs are trimmed, non-empty and free of control characters ('/' is fine: ids go in paths).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, EmailStr, Field, PlainSerializer, StringConstraints

from stockwise.catalog.models import ProductSupplier, Supplier
from stockwise.core.schemas import IdRef, ReadModel, WriteModel

_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


def _exact(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.0001")), "f")


#: Output decimals always carry the 4 stored fractional digits, whether read back or just written.
Exact = Annotated[Decimal, PlainSerializer(_exact, return_type=str, when_used="json")]


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_PRINTABLE)]
Sku = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=_PRINTABLE)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=_PRINTABLE)]
Category = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=_PRINTABLE)]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=_PRINTABLE)]
Currency = Annotated[str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]
PositiveAmount = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=4)]
LeadTimeDays = Annotated[int, Field(ge=0, le=730)]
LeadTimeStd = Annotated[Decimal, Field(ge=0, le=365, max_digits=18, decimal_places=4)]


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"


class LocationCreate(WriteModel):
    code: Code
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)]
    kind: LocationKind = LocationKind.WAREHOUSE
    is_active: bool = True


class LocationUpdate(WriteModel):
    code: Code | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)] | None = None
    kind: LocationKind | None = None
    is_active: bool | None = None


class LocationRead(ReadModel):
    id: int
    code: str
    name: str
    kind: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SupplierCreate(WriteModel):
    code: Code
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)]
    currency: Currency = "EUR"
    email: EmailStr | None = None
    is_active: bool = True


class SupplierUpdate(WriteModel):
    code: Code | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)] | None = None
    currency: Currency | None = None
    email: EmailStr | None = None
    is_active: bool | None = None


class SupplierRead(ReadModel):
    id: int
    code: str
    name: str
    currency: str
    email: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ProductCreate(WriteModel):
    sku: Sku
    name: Name
    category: Category | None = None
    unit: Unit = "ea"
    unit_cost: Amount = Decimal(0)
    unit_price: Amount = Decimal(0)
    is_active: bool = True


class ProductUpdate(WriteModel):
    """Renaming the SKU keeps the product's history: sales, stock and orders reference its id."""

    sku: Sku | None = None
    name: Name | None = None
    category: Category | None = None
    unit: Unit | None = None
    unit_cost: Amount | None = None
    unit_price: Amount | None = None
    is_active: bool | None = None


class ProductRead(ReadModel):
    id: int
    sku: str
    name: str
    category: str | None
    unit: str
    unit_cost: Exact
    unit_price: Exact
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ProductSupplierCreate(WriteModel):
    supplier_id: int = Field(ge=1)
    supplier_sku: Sku | None = None
    lead_time_days: LeadTimeDays
    lead_time_std_days: LeadTimeStd = Decimal(0)
    moq: Amount = Decimal(0)
    pack_size: PositiveAmount = Decimal(1)
    unit_price: Amount = Decimal(0)
    is_primary: bool = False
    is_active: bool = True


class ProductSupplierUpdate(WriteModel):
    supplier_sku: Sku | None = None
    lead_time_days: LeadTimeDays | None = None
    lead_time_std_days: LeadTimeStd | None = None
    moq: Amount | None = None
    pack_size: PositiveAmount | None = None
    unit_price: Amount | None = None
    is_primary: bool | None = None
    is_active: bool | None = None


class ProductSupplierRead(ReadModel):
    """One supplier's conditions for a product, with the supplier's code, name and currency."""

    id: int
    product_id: IdRef
    supplier_id: IdRef
    supplier_code: str
    supplier_name: str
    currency: str
    supplier_sku: str | None
    lead_time_days: int
    lead_time_std_days: Exact
    moq: Exact
    pack_size: Exact
    unit_price: Exact
    is_primary: bool
    is_active: bool

    @classmethod
    def of(cls, link: ProductSupplier, supplier: Supplier) -> ProductSupplierRead:
        return cls(
            id=link.id,
            product_id=link.product_id,
            supplier_id=link.supplier_id,
            supplier_code=supplier.code,
            supplier_name=supplier.name,
            currency=supplier.currency,
            supplier_sku=link.supplier_sku,
            lead_time_days=link.lead_time_days,
            lead_time_std_days=link.lead_time_std_days,
            moq=link.moq,
            pack_size=link.pack_size,
            unit_price=link.unit_price,
            is_primary=link.is_primary,
            is_active=link.is_active,
        )


class ProductSort(StrEnum):
    SKU = "sku"
    NAME = "name"
    CATEGORY = "category"
    UNIT_COST = "unit_cost"
    UPDATED_AT = "updated_at"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Filters of the product list; `q` matches SKU or name, case-insensitively, anywhere."""

    q: str | None = None
    sku: str | None = None
    category: str | None = None
    supplier_id: IdRef | None = None
    active: bool | None = None
