"""Argon2 password hashing via pwdlib, run in a thread with a cap on concurrent hashes.

Argon2 releases the GIL, so a thread keeps the event loop free; the cap bounds memory (64 MiB each)
and CPU under a burst of logins.
"""

from __future__ import annotations

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


class PasswordHasher:
    def __init__(self, *, time_cost: int, memory_cost_kib: int, max_concurrent: int) -> None:
        self._hash = PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost_kib),))
        self._limiter = anyio.CapacityLimiter(max_concurrent)
        # Verifying against this when a user is unknown keeps login time independent of existence.
        self._dummy = self._hash.hash("stockwise-dummy-password")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hash.hash, password, limiter=self._limiter)

    async def verify(self, password: str, hashed: str | None) -> bool:
        target = hashed or self._dummy
        ok = await anyio.to_thread.run_sync(self._hash.verify, password, target, limiter=self._limiter)
        # An empty stored hash was checked against the dummy too: it must never match.
        return bool(ok) and bool(hashed)
