"""Password hashing with the production argon2 parameters (the rest of the suite uses cheap ones)."""

from __future__ import annotations

from stockwise.config import Settings
from stockwise.core.passwords import PasswordHasher


async def test_production_parameters_hash_and_verify() -> None:
    defaults = Settings.model_fields
    hasher = PasswordHasher(
        time_cost=defaults["argon2_time_cost"].default,
        memory_cost_kib=defaults["argon2_memory_cost_kib"].default,
        max_concurrent=1,
    )
    hashed = await hasher.hash("correct-horse-battery-staple")
    assert hashed.startswith("$argon2id$")
    assert "m=65536,t=3" in hashed
    assert await hasher.verify("correct-horse-battery-staple", hashed)
    assert not await hasher.verify("correct-horse-battery-stapler", hashed)
    assert hashed != await hasher.hash("correct-horse-battery-staple")


async def test_verify_without_a_hash_is_false() -> None:
    """An unknown user still costs a verification (against a dummy hash) and never succeeds."""
    hasher = PasswordHasher(time_cost=1, memory_cost_kib=64, max_concurrent=1)
    assert not await hasher.verify("stockwise-dummy-password", None)
    assert not await hasher.verify("stockwise-dummy-password", "")
