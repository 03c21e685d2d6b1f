"""The web loop stays responsive while a CPU-bound job runs: the work happens in the process pool.

A ticker coroutine measures the largest gap between its wake-ups. Running the same work inline on
the loop (the control) shows the measurement does catch a stalled loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from stockwise.core.jobs import enqueue_job
from stockwise.state import AppState
from tests.factories import make_actor
from tests.jobs.cpu import burn
from tests.jobs.support import CPU

TICK = 0.005
BOUND = 0.05  # generous: a responsive loop wakes within a few ms
WORK_SECONDS = 0.6


@asynccontextmanager
async def largest_loop_gap() -> AsyncIterator[Callable[[], float]]:
    """Yields a function returning the largest extra delay a 5 ms sleep suffered so far."""
    worst = 0.0

    async def tick() -> None:
        nonlocal worst
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            worst = max(worst, time.perf_counter() - before - TICK)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(TICK * 2)
    try:
        yield lambda: worst
    finally:
        ticker.cancel()


async def _poll_until_done(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[str]:
    seen: list[str] = []
    async with asyncio.timeout(60):
        while not seen or seen[-1] not in ("succeeded", "failed"):
            resp = await client.get(url, headers=headers)
            assert resp.status_code == 200, resp.text
            seen.append(resp.json()["status"])
            await asyncio.sleep(0.02)
    return seen


async def test_loop_stays_responsive_while_a_cpu_job_runs(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    warm_up = await client.get("/api/v1/jobs", headers=actor.headers)  # first-request set-up is not the job's
    assert warm_up.status_code == 200
    import logging, gc
    loop = asyncio.get_running_loop(); loop.set_debug(True); loop.slow_callback_duration = 0.03
    slow = []
    class H(logging.Handler):
        def emit(self, record): slow.append(record.getMessage()[:600])
    h = H(); logging.getLogger("asyncio").addHandler(h)
    gcs = []
    def cb(phase, info, t=[0]):
        if phase == "start": t[0] = time.perf_counter()
        else: gcs.append((info["generation"], time.perf_counter() - t[0]))
    gc.callbacks.append(cb)
    async with largest_loop_gap() as gap:
        async with state.uow.tenant(actor.client_id) as uow:
            job = await enqueue_job(uow, kind=CPU, payload={"seconds": WORK_SECONDS})
        seen = await _poll_until_done(client, f"/api/v1/jobs/{job.id}", actor.headers)
        worst = gap()
    loop.set_debug(False); gc.callbacks.remove(cb); logging.getLogger("asyncio").removeHandler(h)
    with open("/tmp/gapdbg.txt", "a") as f:
        print("GCS", [g for g in gcs if g[1] > 0.005], len(gcs), "WORST", worst, slow, file=f)
    assert seen[-1] == "succeeded", seen
    assert "running" in seen  # the API answered while the job was running
    final = await client.get(f"/api/v1/jobs/{job.id}", headers=actor.headers)
    assert final.json()["result"]["loops"] > 0
    assert worst < BOUND, f"event loop stalled for {worst * 1000:.0f} ms while a CPU job ran"


async def test_control_the_same_work_inline_stalls_the_loop() -> None:
    async with largest_loop_gap() as gap:
        burn(WORK_SECONDS / 2)  # what a handler without run_cpu would do to the web loop
        await asyncio.sleep(TICK * 2)
        worst = gap()
    assert worst > BOUND
