"""Rate limits on token, refresh and signup: per IP+username with a per-username ceiling, memory or Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from stockwise.config import Settings
from stockwise.core.errors import RateLimited
from stockwise.core.ratelimit import RateLimiter
from tests.factories import PASSWORD, make_actor
from tests.tenancy.helpers import assert_problem, http_client, running_app, signup, state_of

REDIS_URL = os.environ.get("STOCKWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("STOCKWISE_TEST_REQUIRE_PG") == "1"
LIMITS = {"rate_limit_login_per_ip_user": "3/minute", "rate_limit_login_per_user": "5/minute"}


@pytest.fixture
async def limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    async with running_app(settings, **LIMITS, rate_limit_signup_per_ip="2/minute") as app:
        yield app


async def _attempt(
    client: httpx.AsyncClient, username: str, password: str = "wrong-password-123"
) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": username, "password": password})


async def _statuses(client: httpx.AsyncClient, username: str, count: int) -> list[int]:
    return [(await _attempt(client, username)).status_code for _ in range(count)]


async def test_token_429_with_retry_after_per_ip_and_username(limited_app: FastAPI) -> None:
    actor = await make_actor(state_of(limited_app))
    async with http_client(limited_app) as client:
        assert await _statuses(client, actor.email, 3) == [401, 401, 401]
        blocked = await _attempt(client, actor.email, PASSWORD)
        assert_problem(blocked, 429, "rate_limited")
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        # Another username from the same IP has its own bucket.
        assert (await _attempt(client, "someone-else@example.com")).status_code == 401


async def test_usernames_are_case_folded(limited_app: FastAPI) -> None:
    async with http_client(limited_app) as client:
        statuses = [
            (await _attempt(client, name)).status_code
            for name in (
                "Victim@Example.com",
                "victim@example.com",
                " VICTIM@EXAMPLE.COM ",
                "vIcTiM@example.com",
            )
        ]
    assert statuses == [401, 401, 401, 429]


async def test_per_username_ceiling_holds_across_ips(limited_app: FastAPI) -> None:
    async with (
        http_client(limited_app, ip="198.51.100.1") as first,
        http_client(limited_app, ip="198.51.100.2") as second,
        http_client(limited_app, ip="198.51.100.3") as third,
    ):
        assert await _statuses(first, "target@example.com", 3) == [401, 401, 401]
        assert await _statuses(second, "target@example.com", 3) == [401, 401, 429]
        assert await _statuses(third, "target@example.com", 1) == [429]
        assert (await _attempt(third, "bystander@example.com")).status_code == 401


async def test_one_ip_cannot_spend_the_whole_username_ceiling(limited_app: FastAPI) -> None:
    """Refused attempts from one IP must not count towards the victim's per-username ceiling."""
    async with (
        http_client(limited_app, ip="198.51.100.10") as attacker,
        http_client(limited_app, ip="192.0.2.44") as victim,
    ):
        assert await _statuses(attacker, "victim@example.com", 10) == [401] * 3 + [429] * 7
        assert await _statuses(victim, "victim@example.com", 3) == [401, 401, 429]


async def test_forwarded_for_from_an_untrusted_client_does_not_change_the_bucket(
    limited_app: FastAPI,
) -> None:
    async with http_client(limited_app) as client:
        assert await _statuses(client, "spoof@example.com", 3) == [401, 401, 401]
        for forged in ("198.51.100.77", "10.0.0.1, 198.51.100.78"):
            resp = await client.post(
                "/api/v1/auth/token",
                data={"username": "spoof@example.com", "password": "x" * 12},
                headers={"X-Forwarded-For": forged, "X-Real-IP": forged, "Forwarded": f"for={forged}"},
            )
            assert_problem(resp, 429)


async def test_signup_is_limited_per_ip(limited_app: FastAPI) -> None:
    async with http_client(limited_app) as client, http_client(limited_app, ip="192.0.2.50") as other:
        assert (await signup(client, "s1@example.com")).status_code == 201
        assert (await signup(client, "s2@example.com")).status_code == 201
        resp = await signup(client, "s3@example.com")
        assert_problem(resp, 429)
        assert resp.headers["retry-after"]
        assert (await signup(other, "s3@example.com")).status_code == 201


async def test_refresh_is_limited(settings: Settings) -> None:
    async with running_app(settings, rate_limit_login_per_user="2/minute") as app, http_client(app) as client:
        statuses = [
            (await client.post("/api/v1/auth/refresh", json={"refresh_token": f"guess-{n}"})).status_code
            for n in range(3)
        ]
    assert statuses == [401, 401, 429]


async def test_limiter_counts_only_up_to_the_first_exhausted_rule() -> None:
    limiter = RateLimiter(None)
    rules = [("1/minute", ("narrow", "a")), ("3/minute", ("wide",))]
    await limiter.check(rules)
    for _ in range(5):
        with pytest.raises(RateLimited):
            await limiter.check(rules)
    await limiter.check([("1/minute", ("narrow", "b")), ("3/minute", ("wide",))])
    await limiter.check([("1/minute", ("narrow", "c")), ("3/minute", ("wide",))])
    with pytest.raises(RateLimited) as raised:
        await limiter.check([("1/minute", ("narrow", "d")), ("3/minute", ("wide",))])
    assert 1 <= int(raised.value.headers["Retry-After"]) <= 60


async def _redis_or_skip() -> Redis:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        if REQUIRE_SERVICES:
            pytest.fail(
                f"Redis at {REDIS_URL} is required (STOCKWISE_TEST_REQUIRE_PG=1) but unreachable: {exc}"
            )
        pytest.skip(f"Redis at {REDIS_URL} unreachable")
    return client


async def test_redis_backed_limiter_over_http(limited_app: FastAPI) -> None:
    redis = await _redis_or_skip()
    marker = uuid.uuid4().hex
    username = f"redis-{marker}@example.com"
    state_of(limited_app).rate_limiter = RateLimiter(REDIS_URL)
    try:
        async with http_client(limited_app) as client, http_client(limited_app, ip="192.0.2.99") as other:
            assert await _statuses(client, username, 4) == [401, 401, 401, 429]
            assert await _statuses(other, username, 3) == [401, 401, 429]
        stored = [key async for key in redis.scan_iter(match=f"*{marker}*")]
        assert stored, "the counters live in Redis"
        # A second limiter on the same Redis (another replica) sees the same counts.
        with pytest.raises(RateLimited):
            await RateLimiter(REDIS_URL).check(
                [(LIMITS["rate_limit_login_per_user"], ("login-user", username))]
            )
    finally:
        keys = [key async for key in redis.scan_iter(match=f"*{marker}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
