"""Request ids, structured JSON logs, Prometheus metrics and optional Sentry."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

HTTP_REQUESTS = Counter(
    "stockwise_http_requests_total", "HTTP requests by route template", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "stockwise_http_request_duration_seconds", "HTTP request latency by route template", ["method", "route"]
)
JOB_RUNS = Counter("stockwise_job_runs_total", "Job executions by kind and outcome", ["kind", "outcome"])


def current_request_id() -> str | None:
    return _request_id.get()


def metrics_payload() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


class RequestContextMiddleware:
    """Assigns the request id (trusting a well-formed incoming one), logs and measures each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("request_id")
            _request_id.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, elapsed: float) -> None:
        template = route_template(scope)
        method = scope.get("method", "")
        HTTP_REQUESTS.labels(method, template, str(status)).inc()
        HTTP_LATENCY.labels(method, template).observe(elapsed)
        logging.getLogger("stockwise.access").info(
            "request",
            extra={"method": method, "route": template, "status": status, "ms": round(elapsed * 1000, 1)},
        )


def route_template(scope: Scope) -> str:
    """The matched route as a template with its router prefix, e.g. `/api/v1/users/{user_id}`.

    Labels must not hold raw ids (unbounded series). FastAPI leaves the route's own path, without
    the include prefix, in `scope["route"]`; prefixes are literal, so they are the leading segments
    of the request path that the template does not cover.
    """
    route_path = getattr(scope.get("route"), "path", None)
    if not route_path:
        return "unmatched"
    template = route_path.strip("/").split("/")
    actual = str(scope.get("path", "")).strip("/").split("/")
    if len(actual) < len(template) or ":path}" in route_path:
        return str(route_path)
    return "/" + "/".join([*actual[: len(actual) - len(template)], *template])


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Route stdlib logging through structlog so every line carries the request id."""
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=processors,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def init_sentry(dsn: str | None, *, environment: str) -> None:
    """Optional error reporting: no PII, no local variables (they may hold secrets)."""
    if not dsn:
        return
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        traces_sample_rate=0.0,
    )
