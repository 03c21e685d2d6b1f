"""create_app(): middleware, error handlers and routers — no business logic here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

import stockwise.job_kinds  # registers every job kind the API enqueues
import stockwise.models_index  # noqa: F401 - every table is mapped before the app serves
from stockwise import ops
from stockwise.config import Settings, get_settings
from stockwise.core.errors import install_error_handlers
from stockwise.core.observability import RequestContextMiddleware, configure_logging, init_sentry
from stockwise.core.request_limits import BodySizeLimitMiddleware
from stockwise.routes_index import API_ROUTERS
from stockwise.state import AppState, build_state

API_PREFIX = "/api/v1"
#: Routes that take file uploads get the upload cap; every other body gets the small JSON cap.
UPLOAD_PATHS = (f"{API_PREFIX}/imports",)


def create_app(settings: Settings | None = None, *, run_jobs_in_process: bool | None = None) -> FastAPI:
    """Build the ASGI app. Without Redis, jobs run in this process (embedded mode) with a sweep loop."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    init_sentry(settings.sentry_dsn, environment=settings.env.value)
    state = build_state(settings)
    embedded = settings.redis_url is None if run_jobs_in_process is None else run_jobs_in_process

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await state.start()
        sweeper = (
            asyncio.create_task(state.jobs.sweep_forever(settings.job_sweep_seconds)) if embedded else None
        )
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
            await state.stop()

    app = FastAPI(
        title="Stockwise",
        version="0.1.0",
        summary="Multi-tenant inventory planning: catalogue, demand, purchasing.",
        lifespan=lifespan,
    )
    app.state.stockwise = state
    _wire(app, state)
    return app


def _wire(app: FastAPI, state: AppState) -> None:
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    app.include_router(ops.router)
    app.add_middleware(
        BodySizeLimitMiddleware,
        default_limit=state.settings.max_request_bytes,
        upload_limit=state.settings.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
    )
    if state.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=state.settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
        )
    app.add_middleware(RequestContextMiddleware)
