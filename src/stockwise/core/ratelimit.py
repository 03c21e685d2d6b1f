"""Rate limits with the `limits` async API: memory storage by default, Redis when configured.

Keys are built by callers from trusted values only (the client IP as resolved by uvicorn's proxy
handling with an explicit trusted-proxy list, a case-folded username, a tenant+user pair).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from stockwise.core.errors import RateLimited


class RateLimiter:
    """Checks several (limit, key) pairs at once and raises RateLimited with a Retry-After."""

    def __init__(self, redis_url: str | None) -> None:
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            storage = storage_from_string(uri, implementation="redispy")
        else:
            storage = storage_from_string("async+memory://")
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)

    async def check(self, rules: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        """Count one hit against every rule; raise if any is exhausted (others still count)."""
        exhausted: list[RateLimitItem] = []
        keys: dict[int, tuple[str, ...]] = {}
        for limit_text, identifiers in rules:
            item = parse(limit_text)
            keys[id(item)] = identifiers
            if not await self._limiter.hit(item, *identifiers):
                exhausted.append(item)
        if exhausted:
            waits = []
            for item in exhausted:
                stats = await self._limiter.get_window_stats(item, *keys[id(item)])
                waits.append(int(stats.reset_time - time.time()) + 1)
            raise RateLimited(retry_after=max(waits))

    async def reset(self) -> None:
        await self._storage.reset()
