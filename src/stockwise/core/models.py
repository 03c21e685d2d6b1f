"""Declarative base, naming convention and the tenant mixin every tenant-owned table uses.

Tenant tables carry a non-null `client_id`, a unique `(client_id, id)` that composite foreign keys
point at, and indexes that lead with `client_id`.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Integer, MetaData, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from stockwise.core.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")
#: Largest id a BIGINT (and SQLite INTEGER) can hold; larger ids cannot exist.
MAX_ID = 2**63 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    #: Columns left out of the tenant data export (secrets, hashes).
    __export_exclude__: ClassVar[frozenset[str]] = frozenset()
    #: Whole tables left out of the tenant data export.
    __exportable__: ClassVar[bool] = True


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TenantScoped:
    """Mixin for tenant-owned rows: the guard in tenant_guard scopes every ORM query on these."""

    @declared_attr
    def client_id(cls) -> Mapped[int]:
        return mapped_column(Id, ForeignKey("client.id", ondelete="CASCADE"), nullable=False)


def tenant_key() -> UniqueConstraint:
    """The `(client_id, id)` key that composite tenant foreign keys reference."""
    return UniqueConstraint("client_id", "id")


def tenant_fk(column: str, target: str, *, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A composite foreign key `(client_id, column) -> target(client_id, id)`: no cross-tenant pointers."""
    return ForeignKeyConstraint(
        ["client_id", column], [f"{target}.client_id", f"{target}.id"], ondelete=ondelete
    )


def is_tenant_model(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantScoped)
