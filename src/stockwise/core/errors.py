"""DomainError hierarchy and RFC 9457 problem+json handlers.

Every error the app returns is `application/problem+json` with `type`, `title`, `status`, `detail`,
`instance`, `code` and `request_id`. Unexpected exceptions become a generic 500 whose body holds
nothing from the exception; the traceback goes to the log (and Sentry) with the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockwise.core.observability import current_request_id

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = dict(extra or {})
        self.headers: dict[str, str] = {}


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Not authenticated"

    def __init__(self, detail: str | None = None, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail, extra=extra)
        self.headers["WWW-Authenticate"] = "Bearer"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(DomainError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class PayloadTooLarge(DomainError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class ValidationFailed(DomainError):
    """A 422 naming each bad field: errors are `{loc, msg, type}` like request validation."""

    status, code, title = 422, "validation_error", "Validation failed"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, extra=extra)
        self.extra["errors"] = [dict(error) for error in errors]

    @classmethod
    def from_pydantic(
        cls, exc: PydanticValidationError, *, prefix: Sequence[str] = ("body",)
    ) -> ValidationFailed:
        errors = [{**err, "loc": [*prefix, *err["loc"]]} for err in _clean_validation_errors(exc.errors())]
        return cls("Invalid input", errors=errors)

    @classmethod
    def field(cls, loc: Sequence[str | int], msg: str, type_: str = "value_error") -> ValidationFailed:
        return cls(msg, errors=[{"loc": list(loc), "msg": msg, "type": type_}])


class RateLimited(DomainError):
    status, code, title = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limit exceeded; retry after {retry_after} s")
        self.headers["Retry-After"] = str(max(1, retry_after))


class ServiceUnavailable(DomainError):
    status, code, title = 503, "service_unavailable", "Service unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.headers["Retry-After"] = str(retry_after)


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str | None = None,
    detail: str | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).phrase,
        "instance": request.url.path,
        "code": code,
        "request_id": current_request_id(),
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        extra=exc.extra,
        headers=exc.headers,
    )


def _clean_validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Keep loc/msg/type only: pydantic's `input` and `ctx` may echo secrets or objects."""
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in errors
    ]


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_validation_errors(exc.errors())
    fields = ", ".join(".".join(str(part) for part in err["loc"]) for err in errors)
    return problem_response(
        request,
        status=422,
        code="validation_error",
        title="Validation failed",
        detail=f"Invalid input: {fields}" if fields else "Invalid input",
        extra={"errors": errors},
    )


_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) and status != 404 else None
    if status == 404:
        detail = f"No resource at {request.url.path}"
    return problem_response(request, status=status, code=code, detail=detail, headers=exc.headers)


async def _operational_error(request: Request, exc: Exception) -> JSONResponse:
    if "database is locked" in str(exc):
        return problem_response(
            request,
            status=503,
            code="database_busy",
            detail="The database is busy; retry shortly.",
            headers={"Retry-After": "1"},
        )
    return await _unhandled(request, exc)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="An unexpected error occurred. Quote the request id when reporting it.",
    )


class UnhandledErrorMiddleware:
    """Answers the generic 500 problem for an exception that escaped every handler.

    Starlette sends its own last-resort answer (the `Exception` handler) from outside all middleware,
    after the request-id middleware has finished: that 500 had no request id, in body or header.
    This middleware runs inside it, so the 500 carries the id that the logged traceback carries.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await _unhandled(Request(scope), exc)
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Call before adding any other middleware: Starlette nests later middleware outside earlier."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(OperationalError, _operational_error)
    app.add_exception_handler(Exception, _unhandled)
    app.add_middleware(UnhandledErrorMiddleware)


class ProblemRead(BaseModel):
    """RFC 9457 problem details as Stockwise sends them (for the OpenAPI schema)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str | None
    errors: list[dict[str, Any]] | None = None


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: declares its problem+json answers (401 is implied for authed routes)."""
    return {
        status: {
            "model": ProblemRead,
            "content": {PROBLEM_JSON: {}},
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }
