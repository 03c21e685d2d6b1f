"""Caps request bodies before they are read: JSON bodies small, multipart uploads larger.

Checks Content-Length up front and counts streamed bytes, answering 413 problem+json.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stockwise.core.observability import current_request_id


class BodyTooLarge(HTTPException):
    """Raised while the app reads the body; the problem+json handler answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds the limit of {limit} bytes")


class BodySizeLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, default_limit: int, upload_limit: int, upload_paths: tuple[str, ...]
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths

    def _limit_for(self, scope: Scope) -> int:
        headers = dict(scope["headers"])
        is_upload = headers.get(b"content-type", b"").startswith(b"multipart/form-data") and str(
            scope.get("path", "")
        ).startswith(self.upload_paths)
        return self.upload_limit if is_upload else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)

    @staticmethod
    async def _reject(scope: Scope, send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "type": "/problems/payload_too_large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"The request body exceeds the limit of {limit} bytes",
                "instance": scope.get("path", ""),
                "code": "payload_too_large",
                "request_id": current_request_id(),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
