"""API contracts of stock: levels, movements, adjustments, and the product view (catalogue + stock).

Quantities are exact decimals (at most 4 fractional digits), serialised as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from stockwise.catalog.schemas import Exact, ProductRead, ProductSupplierRead
from stockwise.core.schemas import IdRef, ReadModel, WriteModel
from stockwise.inventory.models import StockLevel

Quantity = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]


class MovementReason(StrEnum):
    """Why on-hand changed. The first group is what people record; the rest is written by the system."""

    COUNT = "count"
    DAMAGE = "damage"
    LOSS = "loss"
    FOUND = "found"
    RETURN = "return"
    EXPIRY = "expiry"
    OTHER = "other"
    INITIAL = "initial"
    IMPORT = "import"
    RECEIPT = "receipt"
    RECEIPT_REVERSAL = "receipt_reversal"


class AdjustmentReason(StrEnum):
    """The reasons a person may give for a manual adjustment (a subset of MovementReason)."""

    COUNT = "count"
    DAMAGE = "damage"
    LOSS = "loss"
    FOUND = "found"
    RETURN = "return"
    EXPIRY = "expiry"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class StockMovementInput:
    """One signed change of on-hand for `apply_stock_movements` (purchasing receipts, imports…)."""

    product_id: IdRef
    location_id: IdRef
    quantity: Decimal
    reason: MovementReason
    reference: str | None = None
    note: str | None = None


class StockAdjustmentCreate(WriteModel):
    """Give either `quantity` (a signed change) or `set_on_hand` (the counted quantity)."""

    product_id: int = Field(ge=1)
    location_id: int = Field(ge=1)
    quantity: Quantity | None = None
    set_on_hand: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)] | None = None
    reason: AdjustmentReason
    note: Annotated[str, StringConstraints(max_length=500)] | None = None
    reference: Annotated[str, StringConstraints(max_length=128)] | None = None


class StockMovementRead(ReadModel):
    id: int
    product_id: IdRef
    location_id: IdRef
    quantity: Exact
    reason: str
    reference: str | None
    note: str | None
    created_by: int | None
    created_at: datetime


class StockLevelRead(ReadModel):
    """On hand, allocated (promised to orders) and available (on hand minus allocated)."""

    product_id: IdRef
    sku: str
    product_name: str
    location_id: IdRef
    location_code: str
    on_hand: Exact
    allocated: Exact
    available: Exact
    on_order: Exact | None = Field(default=None, description="Open quantity on submitted POs (purchasing).")
    updated_at: datetime

    @classmethod
    def of(cls, level: StockLevel, *, sku: str, product_name: str, location_code: str) -> StockLevelRead:
        return cls(
            product_id=level.product_id,
            sku=sku,
            product_name=product_name,
            location_id=level.location_id,
            location_code=location_code,
            on_hand=level.on_hand,
            allocated=level.allocated,
            available=level.on_hand - level.allocated,
            updated_at=level.updated_at,
        )


class StockAdjustmentRead(BaseModel):
    """The movement written and the level after it."""

    movement: StockMovementRead
    level: StockLevelRead


class StockAtLocationRead(ReadModel):
    location_id: IdRef
    location_code: str
    on_hand: Exact
    allocated: Exact
    available: Exact
    on_order: Exact | None = Field(default=None, description="Open quantity on submitted POs (purchasing).")


class ProductViewRead(ProductRead):
    """A product with its supplier conditions and stock per location (list rows and detail alike)."""

    suppliers: list[ProductSupplierRead]
    stock: list[StockAtLocationRead]
    on_order: Exact | None = Field(default=None, description="Open quantity on submitted POs, all locations.")
