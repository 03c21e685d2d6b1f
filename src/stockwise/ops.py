"""Operational endpoints outside /api/v1: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from stockwise.core.errors import ServiceUnavailable
from stockwise.core.observability import metrics_payload
from stockwise.state import AppState

router = APIRouter(tags=["ops"])
logger = logging.getLogger(__name__)


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready")
async def ready(request: Request) -> dict[str, str]:
    """The database (and the broker, when configured) answer."""
    state: AppState = request.app.state.stockwise
    try:
        async with state.db.engine.connect() as connection:
            await connection.execute(text("select 1"))
    except Exception as exc:
        logger.warning("readiness: database unreachable", exc_info=exc)
        raise ServiceUnavailable("database unreachable", retry_after=5) from exc
    if state.settings.redis_url:
        await _check_redis(state.settings.redis_url)
    return {"status": "ready"}


async def _check_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        logger.warning("readiness: broker unreachable", exc_info=exc)
        raise ServiceUnavailable("broker unreachable", retry_after=5) from exc
    finally:
        await client.aclose()


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Prometheus metrics: requests by route template, latency, job outcomes."""
    payload, content_type = metrics_payload()
    return Response(payload, media_type=content_type)
