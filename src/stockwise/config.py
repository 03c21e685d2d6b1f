"""Settings read once from the environment (prefix STOCKWISE_); every tunable lives here."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET = "change-me-development-only-secret-key"  # noqa: S105 - refused in production


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TESTING = "testing"
    PRODUCTION = "production"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Configuration of one Stockwise process (API server, worker or CLI)."""

    model_config = SettingsConfigDict(env_prefix="STOCKWISE_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./stockwise.db"
    database_owner_url: str | None = Field(
        default=None, description="Owner role URL for migrations (PostgreSQL); defaults to database_url."
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, le=60000)
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    signup_enabled: bool | None = None
    sentry_dsn: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1"])
    log_level: str = "INFO"
    log_json: bool = True

    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86400)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost_kib: int = Field(default=65536, ge=8)
    max_concurrent_hashes: int = Field(default=4, ge=1)

    rate_limit_login_per_ip_user: str = "10/minute"
    rate_limit_login_per_user: str = "30/minute"
    rate_limit_signup_per_ip: str = "5/minute"
    rate_limit_expensive: str = "30/minute"

    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    import_job_threshold_bytes: int = Field(default=2 * 1024 * 1024, ge=0)
    page_size_default: int = Field(default=50, ge=1, le=200)

    job_max_attempts: int = Field(default=3, ge=1, le=20)
    job_max_running_per_tenant: int = Field(default=4, ge=1)
    job_heartbeat_seconds: float = Field(default=10.0, gt=0)
    job_stale_after_seconds: float = Field(default=60.0, gt=0)
    job_sweep_seconds: float = Field(default=30.0, gt=0)
    process_pool_workers: int = Field(default=2, ge=1, le=64)

    connector_allow_loopback: bool = Field(
        default=False, description="Test-only: let connectors reach 127.0.0.1. Refused in production."
    )

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator(
        "rate_limit_login_per_ip_user",
        "rate_limit_login_per_user",
        "rate_limit_signup_per_ip",
        "rate_limit_expensive",
    )
    @classmethod
    def _parseable_limit(cls, value: str) -> str:
        """Refuse a typo at start-up rather than answering 500 at the first login."""
        try:
            single = len(parse_many(value)) == 1
        except ValueError:
            single = False
        if not single:
            raise ValueError(f"not one rate limit like '10/minute': {value!r}")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret == DEFAULT_SECRET or len(secret) < 32:
                raise ValueError("STOCKWISE_SECRET_KEY must be set to at least 32 characters in production")
            if self.connector_allow_loopback:
                raise ValueError("STOCKWISE_CONNECTOR_ALLOW_LOOPBACK is a test-only setting")
            if "*" in self.trusted_proxies:
                raise ValueError("STOCKWISE_TRUSTED_PROXIES must list proxy addresses, not '*'")
        return self

    @property
    def is_signup_enabled(self) -> bool:
        if self.signup_enabled is None:
            return self.env is not Environment.PRODUCTION
        return self.signup_enabled

    @property
    def owner_url(self) -> str:
        return self.database_owner_url or self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
