"""Tenants, users, refresh tokens, tenant settings, user preferences, audit events, data exports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from stockwise.core.models import Base, Id, TenantScoped, TimestampMixin, tenant_fk, tenant_key
from stockwise.core.types import ExactDecimal, UTCDateTime, utcnow


class Client(TimestampMixin, Base):
    """A tenant: a company planning its inventory in Stockwise."""

    __tablename__ = "client"
    __exportable__ = False

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(TenantScoped, TimestampMixin, Base):
    __tablename__ = "user"
    __table_args__ = (tenant_key(),)
    __export_exclude__ = frozenset({"password_hash", "token_version"})

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RefreshToken(TenantScoped, Base):
    """Opaque refresh tokens, stored hashed; rotation marks `used_at`, reuse revokes the family."""

    __tablename__ = "refresh_token"
    __table_args__ = (tenant_key(), tenant_fk("user_id", "user", ondelete="CASCADE"))
    __exportable__ = False

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Id, index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClientSettings(TenantScoped, TimestampMixin, Base):
    """Planning settings of a tenant (DESIGN.md §4); ranges are validated by the API schema."""

    __tablename__ = "client_settings"
    __table_args__ = (tenant_key(), UniqueConstraint("client_id"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    service_level_target: Mapped[float] = mapped_column(Numeric(6, 4, asdecimal=False), default=0.95)
    service_level_type: Mapped[str] = mapped_column(String(16), default="cycle")
    review_period_days: Mapped[int] = mapped_column(Integer, default=7)
    holding_cost_rate: Mapped[float] = mapped_column(Numeric(6, 4, asdecimal=False), default=0.25)
    default_ordering_cost: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4), default=Decimal("50"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    forecast_horizon_days: Mapped[int] = mapped_column(Integer, default=90)
    history_window_days: Mapped[int] = mapped_column(Integer, default=730)
    abc_cutoff_a: Mapped[float] = mapped_column(Numeric(6, 4, asdecimal=False), default=0.8)
    abc_cutoff_b: Mapped[float] = mapped_column(Numeric(6, 4, asdecimal=False), default=0.95)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    week_start: Mapped[str] = mapped_column(String(9), default="monday")
    po_number_format: Mapped[str] = mapped_column(String(64), default="PO-{year}-{seq:06d}")
    receipt_tolerance_pct: Mapped[float] = mapped_column(Numeric(6, 4, asdecimal=False), default=0.0)


class UserPreference(TenantScoped, TimestampMixin, Base):
    __tablename__ = "user_preference"
    __table_args__ = (
        tenant_key(),
        tenant_fk("user_id", "user", ondelete="CASCADE"),
        UniqueConstraint("client_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Id)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditEvent(TenantScoped, Base):
    """Who changed what, when: before/after snapshots of users, settings, connectors, imports, purchasing."""

    __tablename__ = "audit_event"
    __table_args__ = (tenant_key(), Index("ix_audit_event_client_created", "client_id", "created_at"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    actor_user_id: Mapped[int | None] = mapped_column(Id)
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DataExport(TenantScoped, Base):
    """A finished tenant export (zip of CSVs), written once by its job."""

    __tablename__ = "data_export"
    __table_args__ = (
        tenant_key(),
        tenant_fk("job_id", "job", ondelete="CASCADE"),
        UniqueConstraint("client_id", "job_id"),
    )
    __exportable__ = False

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(Id)
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
