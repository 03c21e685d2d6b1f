"""API contracts for tenancy: signup, tokens, users, preferences, settings, audit events, jobs."""

from __future__ import annotations

import re
import string
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator

from stockwise.core.principal import Role
from stockwise.core.schemas import IdRef, ReadModel, WriteModel

Password = Field(min_length=12, max_length=256, description="At least 12 characters")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class SignupRequest(WriteModel):
    client_name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    password: str = Password


class ClientRead(ReadModel):
    id: int
    name: str


class UserRead(ReadModel):
    id: int
    email: str
    full_name: str | None
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class SignupRead(BaseModel):
    client: ClientRead
    user: UserRead


class MeRead(UserRead):
    client: ClientRead


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    refresh_token: str


class RefreshRequest(WriteModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class LogoutRequest(WriteModel):
    refresh_token: str | None = Field(default=None, max_length=512)
    all_sessions: bool = False


class UserCreate(WriteModel):
    email: EmailStr
    password: str = Password
    full_name: str | None = Field(default=None, max_length=200)
    role: Role = Role.PLANNER


class UserUpdate(WriteModel):
    full_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    is_active: bool | None = None


class Preferences(WriteModel):
    """Per-user UI defaults; a typed schema so that a typo is a 422, not a silently ignored key."""

    default_location_id: IdRef | None = Field(default=None, ge=1)
    page_size: int = Field(default=50, ge=1, le=200)
    theme: Literal["system", "light", "dark"] = "system"
    date_format: Literal["iso", "dmy", "mdy"] = "iso"
    dashboard_period_days: int = Field(default=30, ge=7, le=365)
    favourite_product_ids: list[IdRef] = Field(default_factory=list, max_length=100)


class PreferencesUpdate(WriteModel):
    default_location_id: IdRef | None = Field(default=None, ge=1)
    page_size: int | None = Field(default=None, ge=1, le=200)
    theme: Literal["system", "light", "dark"] | None = None
    date_format: Literal["iso", "dmy", "mdy"] | None = None
    dashboard_period_days: int | None = Field(default=None, ge=7, le=365)
    favourite_product_ids: list[IdRef] | None = Field(default=None, max_length=100)


class SettingsFields(BaseModel):
    service_level_target: float = Field(ge=0.5, le=0.9999)
    service_level_type: Literal["cycle", "fill_rate"]
    review_period_days: int = Field(ge=1, le=365)
    holding_cost_rate: float = Field(ge=0, le=1)
    default_ordering_cost: Decimal = Field(ge=0, le=Decimal("1000000"), decimal_places=4)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    forecast_horizon_days: int = Field(ge=1, le=730)
    history_window_days: int = Field(ge=28, le=3650)
    abc_cutoff_a: float = Field(gt=0, lt=1)
    abc_cutoff_b: float = Field(gt=0, lt=1)
    timezone: str = Field(max_length=64)
    week_start: Weekday
    po_number_format: str = Field(min_length=5, max_length=64)
    receipt_tolerance_pct: float = Field(ge=0, le=1)


class SettingsRead(SettingsFields, ReadModel):
    pass


class SettingsUpdate(WriteModel):
    service_level_target: float | None = Field(default=None, ge=0.5, le=0.9999)
    service_level_type: Literal["cycle", "fill_rate"] | None = None
    review_period_days: int | None = Field(default=None, ge=1, le=365)
    holding_cost_rate: float | None = Field(default=None, ge=0, le=1)
    default_ordering_cost: Decimal | None = Field(default=None, ge=0, le=Decimal("1000000"), decimal_places=4)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    forecast_horizon_days: int | None = Field(default=None, ge=1, le=730)
    history_window_days: int | None = Field(default=None, ge=28, le=3650)
    abc_cutoff_a: float | None = Field(default=None, gt=0, lt=1)
    abc_cutoff_b: float | None = Field(default=None, gt=0, lt=1)
    timezone: str | None = Field(default=None, max_length=64)
    week_start: Weekday | None = None
    po_number_format: str | None = Field(default=None, min_length=5, max_length=64)
    receipt_tolerance_pct: float | None = Field(default=None, ge=0, le=1)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in _iana_timezones():
            raise ValueError("unknown IANA time zone")
        return value

    @field_validator("po_number_format")
    @classmethod
    def _safe_po_format(cls, value: str | None) -> str | None:
        return None if value is None else check_po_number_format(value)

    @field_validator("abc_cutoff_b")
    @classmethod
    def _cutoffs_ordered(cls, value: float | None, info: ValidationInfo) -> float | None:
        """Named on abc_cutoff_b so the 422 points at a field (a model validator would not)."""
        cutoff_a = info.data.get("abc_cutoff_a")
        if value is not None and cutoff_a is not None and cutoff_a >= value:
            raise ValueError("abc_cutoff_b must be above abc_cutoff_a")
        return value


@cache
def _iana_timezones() -> frozenset[str]:
    """Read once: `available_timezones()` walks the time zone database on every call."""
    return frozenset(available_timezones())


_PO_FIELDS = frozenset({"year", "month", "seq"})
_PO_SPEC = re.compile(r"^(0?[1-9][0-9]?)?d?$")
PO_NUMBER_MAX_LENGTH = 64


def check_po_number_format(value: str) -> str:
    """A PO number template: {year}, {month} and {seq} with at most a width (e.g. {seq:06d}).

    It is later rendered with `str.format`, so attribute/index access, conversions and huge widths
    are refused here: they could read internals, raise at checkout or allocate gigabytes.
    """
    try:
        fields = [
            (name, spec, conv) for _, name, spec, conv in string.Formatter().parse(value) if name is not None
        ]
    except ValueError as exc:
        raise ValueError("unbalanced braces") from exc
    for name, spec, conversion in fields:
        if name not in _PO_FIELDS or conversion is not None or not _PO_SPEC.match(spec or ""):
            raise ValueError(
                "only {year}, {month} and {seq}, optionally with a width like {seq:06d}, may be used"
            )
    if "seq" not in {name for name, _, _ in fields}:
        raise ValueError("must contain {seq}")
    if len(value.format(year=9999, month=12, seq=10**9)) > PO_NUMBER_MAX_LENGTH:
        raise ValueError(f"renders longer than {PO_NUMBER_MAX_LENGTH} characters")
    return value


class AuditEventRead(ReadModel):
    id: int
    actor_user_id: IdRef | None
    action: str
    entity_type: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    created_at: datetime


class JobRead(ReadModel):
    id: int
    kind: str
    status: str
    progress: float
    message: str | None
    result: dict[str, Any] | None
    error_code: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
