"""A standalone job worker: consumes the Redis stream and runs the job sweep."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from taskiq.receiver import Receiver

from stockwise.config import Settings
from stockwise.core.observability import configure_logging, init_sentry
from stockwise.state import build_state


async def run_worker(settings: Settings, *, concurrency: int) -> None:
    configure_logging(level=settings.log_level, json=settings.log_json)
    init_sentry(settings.sentry_dsn, environment=settings.env.value)
    state = build_state(settings)
    state.jobs.broker.is_worker_process = True
    await state.start()
    finished = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, finished.set)
    sweeper = asyncio.create_task(state.jobs.sweep_forever(settings.job_sweep_seconds))
    receiver = Receiver(state.jobs.broker, max_async_tasks=concurrency, run_startup=False)
    listener = asyncio.create_task(receiver.listen(finished))
    await finished.wait()
    sweeper.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listener
    await state.stop()
