"""Purchasing: each user's cart, purchase orders with their lines, receipts and the PO number counter.

A PO line keeps a snapshot of the SKU, name and price it was ordered at (a PO is a document sent to a
supplier); received quantities change only through receipt rows, which are never edited (a reversal
is a compensating receipt with negative quantities).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockwise.core.models import Base, Id, TenantScoped, TimestampMixin, tenant_fk, tenant_key
from stockwise.core.types import ExactDecimal, UTCDateTime, utcnow

Money = ExactDecimal(18, 4)
Quantity = ExactDecimal(18, 4)


class PoStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class CartItem(TenantScoped, TimestampMixin, Base):
    """One line of a user's cart; `unit_price` is the price the planner saw, re-checked at checkout."""

    __tablename__ = "cart_item"
    __table_args__ = (
        tenant_key(),
        tenant_fk("user_id", "user", ondelete="CASCADE"),
        tenant_fk("product_id", "product", ondelete="CASCADE"),
        tenant_fk("location_id", "location", ondelete="CASCADE"),
        tenant_fk("supplier_id", "supplier", ondelete="CASCADE"),
        UniqueConstraint("client_id", "user_id", "product_id", "location_id", "supplier_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Id)
    product_id: Mapped[int] = mapped_column(Id)
    location_id: Mapped[int] = mapped_column(Id)
    supplier_id: Mapped[int] = mapped_column(Id)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)


class PurchaseOrder(TenantScoped, TimestampMixin, Base):
    """A PO for one supplier and one deliver-to location; `version` backs the ETag of drafts."""

    __tablename__ = "purchase_order"
    __table_args__ = (
        tenant_key(),
        tenant_fk("supplier_id", "supplier"),
        tenant_fk("location_id", "location"),
        UniqueConstraint("client_id", "po_number"),
        Index("ix_purchase_order_client_status", "client_id", "status"),
        Index("ix_purchase_order_client_supplier", "client_id", "supplier_id"),
        Index("ix_purchase_order_client_order_date", "client_id", "order_date"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    po_number: Mapped[str] = mapped_column(String(64))
    supplier_id: Mapped[int] = mapped_column(Id)
    location_id: Mapped[int] = mapped_column(Id)
    status: Mapped[str] = mapped_column(String(24), default=PoStatus.DRAFT)
    currency: Mapped[str] = mapped_column(String(3))
    order_date: Mapped[date] = mapped_column(Date)
    expected_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(String(2000))
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(Id)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        foreign_keys="[PurchaseOrderLine.client_id, PurchaseOrderLine.purchase_order_id]",
        order_by="PurchaseOrderLine.line_no",
        viewonly=True,
        lazy="raise",
    )


class PurchaseOrderLine(TenantScoped, Base):
    __tablename__ = "purchase_order_line"
    __table_args__ = (
        tenant_key(),
        tenant_fk("purchase_order_id", "purchase_order", ondelete="CASCADE"),
        tenant_fk("product_id", "product"),
        UniqueConstraint("client_id", "purchase_order_id", "product_id"),
        Index("ix_purchase_order_line_client_product", "client_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    purchase_order_id: Mapped[int] = mapped_column(Id)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Id)
    sku: Mapped[str] = mapped_column(String(128))
    product_name: Mapped[str] = mapped_column(String(300))
    supplier_sku: Mapped[str | None] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(16))
    quantity_ordered: Mapped[Decimal] = mapped_column(Quantity)
    quantity_received: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    line_total: Mapped[Decimal] = mapped_column(Money)


class Receipt(TenantScoped, Base):
    """Goods received against a PO; a reversal points at the receipt it compensates (at most once)."""

    __tablename__ = "receipt"
    __table_args__ = (
        tenant_key(),
        tenant_fk("purchase_order_id", "purchase_order", ondelete="CASCADE"),
        tenant_fk("reverses_receipt_id", "receipt"),
        UniqueConstraint("client_id", "reverses_receipt_id"),
        Index("ix_receipt_client_purchase_order", "client_id", "purchase_order_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    purchase_order_id: Mapped[int] = mapped_column(Id)
    reverses_receipt_id: Mapped[int | None] = mapped_column(Id)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(Id)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[ReceiptLine]] = relationship(
        foreign_keys="[ReceiptLine.client_id, ReceiptLine.receipt_id]",
        order_by="ReceiptLine.id",
        viewonly=True,
        lazy="raise",
    )


class ReceiptLine(TenantScoped, Base):
    """A signed quantity received for one PO line (negative in a reversal)."""

    __tablename__ = "receipt_line"
    __table_args__ = (
        tenant_key(),
        tenant_fk("receipt_id", "receipt", ondelete="CASCADE"),
        tenant_fk("purchase_order_line_id", "purchase_order_line", ondelete="CASCADE"),
        Index("ix_receipt_line_client_receipt", "client_id", "receipt_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    receipt_id: Mapped[int] = mapped_column(Id)
    purchase_order_line_id: Mapped[int] = mapped_column(Id)
    product_id: Mapped[int] = mapped_column(Id)
    quantity: Mapped[Decimal] = mapped_column(Quantity)


class PoCounter(TenantScoped, Base):
    """Last PO sequence number per tenant and numbering period (e.g. the year of the format)."""

    __tablename__ = "po_counter"
    __table_args__ = (tenant_key(), UniqueConstraint("client_id", "period"))
    __exportable__ = False

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(Integer)
