"""Stock levels per product × location and the movements that change them.

A level changes only together with a movement row in the same transaction (adjustments, imports,
receipts, reversals), so on-hand can always be explained.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stockwise.core.models import Base, Id, TenantScoped, TimestampMixin, tenant_fk, tenant_key
from stockwise.core.types import ExactDecimal, UTCDateTime, utcnow

Quantity = ExactDecimal(18, 4)


class StockLevel(TenantScoped, TimestampMixin, Base):
    __tablename__ = "stock_level"
    __table_args__ = (
        tenant_key(),
        tenant_fk("product_id", "product"),
        tenant_fk("location_id", "location"),
        UniqueConstraint("client_id", "product_id", "location_id"),
        Index("ix_stock_level_client_location", "client_id", "location_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(Id)
    location_id: Mapped[int] = mapped_column(Id)
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    allocated: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))


class StockMovement(TenantScoped, Base):
    """A signed change of on-hand with its reason (see inventory.schemas.MovementReason)."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        tenant_key(),
        tenant_fk("product_id", "product"),
        tenant_fk("location_id", "location"),
        Index("ix_stock_movement_client_product_location", "client_id", "product_id", "location_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(Id)
    location_id: Mapped[int] = mapped_column(Id)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    reason: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(Id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
