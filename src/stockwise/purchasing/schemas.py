"""API contracts of purchasing: cart, checkout, purchase orders and receipts (Decimals as JSON strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, computed_field

from stockwise.core.schemas import IdRef, ReadModel, WriteModel

MAX_LINES = 1000
_SCALE = Decimal("0.0001")


def _at_column_scale(value: Decimal) -> Decimal:
    """Inputs at the stored scale, so a response made from them equals what a later read returns."""
    return value.quantize(_SCALE)


Quantity = Annotated[
    Decimal, Field(gt=0, le=Decimal("1e12"), decimal_places=4), AfterValidator(_at_column_scale)
]
Price = Annotated[
    Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4), AfterValidator(_at_column_scale)
]
Notes = Annotated[str, Field(max_length=2000)]


class CartItemCreate(WriteModel):
    product_id: IdRef
    location_id: IdRef
    supplier_id: IdRef
    quantity: Quantity


class CartItemUpdate(WriteModel):
    quantity: Quantity


class WarningRead(ReadModel):
    code: str
    message: str


class CartLineRead(ReadModel):
    id: int
    product_id: IdRef
    sku: str
    product_name: str
    unit: str
    location_id: IdRef
    supplier_id: IdRef
    quantity: Decimal
    unit_price: Decimal = Field(description="Price when the line was last changed; re-checked at checkout.")
    current_unit_price: Decimal | None = Field(description="The supplier's price now (null: not supplied).")
    line_total: Decimal
    moq: Decimal | None
    pack_size: Decimal | None
    lead_time_days: int | None
    warnings: list[WarningRead]


class SupplierRef(ReadModel):
    id: int
    code: str
    name: str
    currency: str


class LocationRef(ReadModel):
    id: int
    code: str
    name: str


class CartGroupRead(ReadModel):
    supplier: SupplierRef
    location: LocationRef
    lines: list[CartLineRead]
    total: Decimal


class SupplierTotalRead(ReadModel):
    supplier_id: IdRef
    currency: str
    line_count: int
    total: Decimal


class CartRead(ReadModel):
    groups: list[CartGroupRead]
    supplier_totals: list[SupplierTotalRead]
    line_count: int


class CheckoutRequest(WriteModel):
    """Check out the whole cart, or only one supplier's (and optionally one location's) lines."""

    supplier_id: IdRef | None = None
    location_id: IdRef | None = None
    expected_date: date | None = Field(default=None, description="Default: today + the longest lead time.")
    notes: Notes | None = None


class PurchaseOrderLineInput(WriteModel):
    product_id: IdRef
    quantity: Quantity
    unit_price: Price | None = Field(default=None, description="Default: the supplier's price.")


class PurchaseOrderCreate(WriteModel):
    supplier_id: IdRef
    location_id: IdRef
    expected_date: date | None = None
    notes: Notes | None = None
    lines: list[PurchaseOrderLineInput] = Field(min_length=1, max_length=MAX_LINES)


class PurchaseOrderUpdate(WriteModel):
    """Draft edits; `lines`, when given, replaces every line."""

    expected_date: date | None = None
    notes: Notes | None = None
    lines: list[PurchaseOrderLineInput] | None = Field(default=None, min_length=1, max_length=MAX_LINES)


class PurchaseOrderLineRead(ReadModel):
    id: int
    line_no: int
    product_id: IdRef
    sku: str
    product_name: str
    supplier_sku: str | None
    unit: str
    quantity_ordered: Decimal
    quantity_received: Decimal
    unit_price: Decimal
    line_total: Decimal

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quantity_open(self) -> Decimal:
        return max(self.quantity_ordered - self.quantity_received, Decimal(0))


class PurchaseOrderSummaryRead(ReadModel):
    id: int
    po_number: str
    supplier_id: IdRef
    location_id: IdRef
    status: str
    currency: str
    order_date: date
    expected_date: date
    notes: str | None
    total_amount: Decimal
    version: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    confirmed_at: datetime | None


class PurchaseOrderRead(PurchaseOrderSummaryRead):
    lines: list[PurchaseOrderLineRead]


class PriceChangeRead(ReadModel):
    cart_item_id: IdRef
    product_id: IdRef
    sku: str
    previous_unit_price: Decimal
    unit_price: Decimal


class CheckoutRead(ReadModel):
    purchase_orders: list[PurchaseOrderRead]
    price_changes: list[PriceChangeRead]


class ReceiptLineInput(WriteModel):
    line_id: IdRef = Field(description="Id of the purchase order line.")
    quantity: Quantity


class ReceiptCreate(WriteModel):
    lines: list[ReceiptLineInput] = Field(min_length=1, max_length=MAX_LINES)
    note: Annotated[str, Field(max_length=500)] | None = None


class ReceiptReverse(WriteModel):
    note: Annotated[str, Field(max_length=500)] | None = None


class ReceiptLineRead(ReadModel):
    id: int
    purchase_order_line_id: IdRef
    product_id: IdRef
    quantity: Decimal


class ReceiptRead(ReadModel):
    id: int
    purchase_order_id: IdRef
    reverses_receipt_id: IdRef | None
    note: str | None
    created_by: int | None
    received_at: datetime
    lines: list[ReceiptLineRead]


class ReceiptResultRead(ReadModel):
    receipt: ReceiptRead
    purchase_order: PurchaseOrderRead
