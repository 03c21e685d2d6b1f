"""CPU-bound work for job tests; stdlib only, so a spawned pool process imports it quickly."""

from __future__ import annotations

import time


def burn(seconds: float) -> int:
    """Spin the CPU (holding the GIL, like pure-Python maths) for `seconds`; returns the loop count."""
    deadline = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < deadline:
        count += sum(i * i for i in range(200)) & 1 or 1
    return count
