"""Settings: safe production refusals, signup default per environment, comma-separated lists from the env."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stockwise.config import DEFAULT_SECRET, Environment, Settings

STRONG_SECRET = "0123456789abcdef0123456789abcdef-prod"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets counts: no STOCKWISE_ variables from the calling shell."""
    import os

    for name in list(os.environ):
        if name.startswith("STOCKWISE_") and not name.startswith("STOCKWISE_TEST_"):
            monkeypatch.delenv(name)


def _production(**values: object) -> Settings:
    return Settings(_env_file=None, env=Environment.PRODUCTION, **values)  # type: ignore[arg-type,call-arg]


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET, "short-secret", "x" * 31])
def test_production_refuses_default_or_short_secret(secret: str | None) -> None:
    values = {} if secret is None else {"secret_key": secret}
    with pytest.raises(ValidationError, match="STOCKWISE_SECRET_KEY"):
        _production(**values)


def test_production_refuses_secret_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKWISE_ENV", "production")
    monkeypatch.setenv("STOCKWISE_SECRET_KEY", "too-short")
    with pytest.raises(ValidationError, match="STOCKWISE_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("STOCKWISE_SECRET_KEY", STRONG_SECRET)
    assert Settings(_env_file=None).env is Environment.PRODUCTION  # type: ignore[call-arg]


def test_production_refuses_connector_loopback_and_wildcard_proxies() -> None:
    assert _production(secret_key=STRONG_SECRET).connector_allow_loopback is False
    with pytest.raises(ValidationError, match="CONNECTOR_ALLOW_LOOPBACK"):
        _production(secret_key=STRONG_SECRET, connector_allow_loopback=True)
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        _production(secret_key=STRONG_SECRET, trusted_proxies="10.0.0.1,*")


def test_development_allows_the_default_secret_and_loopback() -> None:
    settings = Settings(_env_file=None, connector_allow_loopback=True)  # type: ignore[call-arg]
    assert settings.secret_key.get_secret_value() == DEFAULT_SECRET
    assert DEFAULT_SECRET not in repr(settings)


def test_signup_defaults_per_environment() -> None:
    assert Settings(_env_file=None).is_signup_enabled  # type: ignore[call-arg]
    assert not _production(secret_key=STRONG_SECRET).is_signup_enabled
    assert _production(secret_key=STRONG_SECRET, signup_enabled=True).is_signup_enabled
    assert not Settings(_env_file=None, signup_enabled=False).is_signup_enabled  # type: ignore[call-arg]


def test_lists_and_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKWISE_CORS_ORIGINS", "https://app.example.com, https://admin.example.com")
    monkeypatch.setenv("STOCKWISE_TRUSTED_PROXIES", "10.0.0.1,10.0.0.2")
    monkeypatch.setenv("STOCKWISE_MAX_REQUEST_BYTES", "4096")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.cors_origins == ["https://app.example.com", "https://admin.example.com"]
    assert settings.trusted_proxies == ["10.0.0.1", "10.0.0.2"]
    assert settings.max_request_bytes == 4096
    assert settings.database_url == "sqlite+aiosqlite:///./stockwise.db"
    assert settings.is_sqlite and settings.owner_url == settings.database_url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("access_token_ttl_seconds", 10),
        ("max_request_bytes", 10),
        ("rate_limit_login_per_user", "lots"),
        ("rate_limit_signup_per_ip", "5/minute;100/day"),
    ],
)
def test_out_of_range_settings_are_refused(name: str, value: object) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None, **{name: value})  # type: ignore[arg-type]
