"""API contracts for tenancy: signup, tokens, users, preferences, settings, audit events, jobs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, EmailStr, Field, field_validator, model_validator

from stockwise.core.principal import Role
from stockwise.core.schemas import ReadModel, WriteModel

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
    token_type: Literal["bearer"] = "bearer"
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

    default_location_id: int | None = Field(default=None, ge=1)
    page_size: int = Field(default=50, ge=1, le=200)
    theme: Literal["system", "light", "dark"] = "system"
    date_format: Literal["iso", "dmy", "mdy"] = "iso"
    dashboard_period_days: int = Field(default=30, ge=7, le=365)
    favourite_product_ids: list[int] = Field(default_factory=list, max_length=100)


class PreferencesUpdate(WriteModel):
    default_location_id: int | None = Field(default=None, ge=1)
    page_size: int | None = Field(default=None, ge=1, le=200)
    theme: Literal["system", "light", "dark"] | None = None
    date_format: Literal["iso", "dmy", "mdy"] | None = None
    dashboard_period_days: int | None = Field(default=None, ge=7, le=365)
    favourite_product_ids: list[int] | None = Field(default=None, max_length=100)


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
        if value is not None and value not in available_timezones():
            raise ValueError("unknown IANA time zone")
        return value

    @field_validator("po_number_format")
    @classmethod
    def _has_sequence(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            rendered = value.format(year=2026, month=1, seq=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("only {year}, {month} and {seq} (with a format spec) may be used") from exc
        if "{seq" not in value or not rendered.strip():
            raise ValueError("must contain {seq}")
        return value

    @model_validator(mode="after")
    def _cutoffs_ordered(self) -> SettingsUpdate:
        if self.abc_cutoff_a is not None and self.abc_cutoff_b is not None and self.abc_cutoff_a >= self.abc_cutoff_b:
            raise ValueError("abc_cutoff_a must be below abc_cutoff_b")
        return self


class AuditEventRead(ReadModel):
    id: int
    actor_user_id: int | None
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
