"""Rate limits with the `limits` async API: memory storage by default, Redis when configured.

Keys are built by callers from trusted values only (the client IP as resolved by uvicorn's proxy
handling with an explicit trusted-proxy list, a case-folded username, a tenant+user pair).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from stockwise.core.errors import RateLimited


class RateLimiter:
    """Checks (limit, key) rules in order and raises RateLimited with a Retry-After."""

    def __init__(self, redis_url: str | None) -> None:
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            storage = storage_from_string(uri, implementation="redispy")
        else:
            storage = storage_from_string("async+memory://")
        self._limiter = MovingWindowRateLimiter(storage)

    async def check(self, rules: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        """Count one hit against each rule in order, narrowest first; raise at the first exhausted one.

        Later rules are not counted once one refuses: a single IP hammering a username is stopped by
        its IP+username rule without spending the wider per-username ceiling, so it cannot lock the
        account's owner out.
        """
        for limit_text, identifiers in rules:
            item = parse(limit_text)
            if not await self._limiter.hit(item, *identifiers):
                stats = await self._limiter.get_window_stats(item, *identifiers)
                raise RateLimited(retry_after=math.ceil(stats.reset_time - time.time()))
