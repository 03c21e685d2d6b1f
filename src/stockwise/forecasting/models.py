"""Demand history: quantity sold per product × location × day (only non-zero days are stored)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Index, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stockwise.core.models import Base, Id, TenantScoped, tenant_fk
from stockwise.core.types import ExactDecimal


class Sales(TenantScoped, Base):
    """Natural key (client, product, location, date): imports upsert on it, with no surrogate id."""

    __tablename__ = "sales"
    __table_args__ = (
        PrimaryKeyConstraint("client_id", "product_id", "location_id", "sale_date"),
        tenant_fk("product_id", "product"),
        tenant_fk("location_id", "location"),
        Index("ix_sales_client_date", "client_id", "sale_date"),
    )

    product_id: Mapped[int] = mapped_column(Id)
    location_id: Mapped[int] = mapped_column(Id)
    sale_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4))
    revenue: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 4))
