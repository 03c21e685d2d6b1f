"""Catalogue: locations, suppliers, products and per-product supplier conditions.

Products and suppliers are deactivated, not deleted, once anything references them: sales history
and purchase orders must survive. Products are addressed by id (SKUs may contain '/').
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockwise.core.models import Base, Id, TenantScoped, TimestampMixin, tenant_fk, tenant_key
from stockwise.core.types import ExactDecimal

Money = ExactDecimal(18, 4)
Quantity = ExactDecimal(18, 4)


class Location(TenantScoped, TimestampMixin, Base):
    __tablename__ = "location"
    __table_args__ = (tenant_key(), UniqueConstraint("client_id", "code"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="warehouse")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Supplier(TenantScoped, TimestampMixin, Base):
    __tablename__ = "supplier"
    __table_args__ = (tenant_key(), UniqueConstraint("client_id", "code"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    email: Mapped[str | None] = mapped_column(String(320))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Product(TenantScoped, TimestampMixin, Base):
    __tablename__ = "product"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("client_id", "sku"),
        Index("ix_product_client_category", "client_id", "category"),
        Index("ix_product_client_name", "client_id", "name"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(16), default="ea")
    unit_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    suppliers: Mapped[list[ProductSupplier]] = relationship(
        foreign_keys="[ProductSupplier.client_id, ProductSupplier.product_id]", viewonly=True, lazy="raise"
    )


class ProductSupplier(TenantScoped, TimestampMixin, Base):
    """Who supplies a product and on what terms; at most one primary supplier per product."""

    __tablename__ = "product_supplier"
    __table_args__ = (
        tenant_key(),
        tenant_fk("product_id", "product", ondelete="CASCADE"),
        tenant_fk("supplier_id", "supplier"),
        UniqueConstraint("client_id", "product_id", "supplier_id"),
        Index("ix_product_supplier_client_supplier", "client_id", "supplier_id"),
        # The service unsets the old primary first; this partial index makes a race a conflict, not two.
        Index(
            "uq_product_supplier_one_primary",
            "client_id",
            "product_id",
            unique=True,
            postgresql_where=text("is_primary"),
            sqlite_where=text("is_primary"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(Id)
    supplier_id: Mapped[int] = mapped_column(Id)
    supplier_sku: Mapped[str | None] = mapped_column(String(128))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    lead_time_std_days: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    moq: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    pack_size: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    supplier: Mapped[Supplier] = relationship(
        foreign_keys="[ProductSupplier.client_id, ProductSupplier.supplier_id]", viewonly=True, lazy="raise"
    )
