"""A standalone job worker: consumes the Redis stream and runs the job sweep.

On SIGINT/SIGTERM (or when `stop` is set) it stops taking messages, lets running jobs finish for
up to `drain_seconds`, then hands the rest back to the queue (JobRuntime.stop) so another worker
picks them up at once instead of waiting for their heartbeats to go stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from taskiq.receiver import Receiver

import stockwise.job_kinds  # noqa: F401 - the worker runs every kind of job
from stockwise.config import Settings
from stockwise.core.observability import configure_logging, init_sentry
from stockwise.state import AppState, build_state


async def run_worker(
    settings: Settings, *, concurrency: int, stop: asyncio.Event | None = None, drain_seconds: float = 30.0
) -> None:
    """Run until `stop` is set or, without one, until SIGINT/SIGTERM."""
    configure_logging(level=settings.log_level, json=settings.log_json)
    init_sentry(settings.sentry_dsn, environment=settings.env.value)
    state = build_state(settings)
    finished = stop or asyncio.Event()
    signals = () if stop is not None else (signal.SIGINT, signal.SIGTERM)
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, finished.set)
    try:
        await consume(state, concurrency=concurrency, finished=finished, drain_seconds=drain_seconds)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def consume(
    state: AppState, *, concurrency: int, finished: asyncio.Event, drain_seconds: float
) -> None:
    """Listen to the broker and sweep until `finished` is set, then drain and stop the state."""
    state.jobs.broker.is_worker_process = True
    await state.start()
    sweeper = asyncio.create_task(state.jobs.sweep_forever(state.settings.job_sweep_seconds))
    receiver = Receiver(
        state.jobs.broker, max_async_tasks=concurrency, run_startup=False, wait_tasks_timeout=drain_seconds
    )
    try:
        await receiver.listen(finished)  # returns once `finished` is set and running jobs drained
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await state.stop()
