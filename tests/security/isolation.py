"""Registry types for the tenant isolation harness (tests/security/test_tenant_isolation.py).

Every route of the OpenAPI schema that takes a path parameter must have a RouteCase, and every path
parameter a Factory that creates the object *as tenant A through the API* and returns its id.
Each domain registers its cases in its own module `tests/security/cases_<domain>.py`, exporting
`FACTORIES: dict[str, Factory]` and `ROUTES: dict[tuple[str, str], RouteCase]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from stockwise.core.principal import Role


@dataclass
class IsolationContext:
    """Tenant A's client and admin headers, plus ids already created for this route (shared by factories)."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    factories: dict[str, Factory]
    ids: dict[str, int] = field(default_factory=dict)

    async def id(self, param: str) -> int:
        """The id for a path parameter, creating the object (and what it needs) once."""
        if param not in self.ids:
            self.ids[param] = await self.factories[param](self)
        return self.ids[param]

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = await self.client.post(f"/api/v1{path}", json=body, headers=self.headers)
        assert resp.status_code in (200, 201, 202), f"factory POST {path}: {resp.status_code} {resp.text}"
        result: dict[str, Any] = resp.json()
        return result


Factory = Callable[[IsolationContext], Awaitable[int]]
BodyBuilder = Callable[[IsolationContext], Awaitable[dict[str, Any]]]


@dataclass
class RouteCase:
    """How to call one route: the minimum role, and a valid JSON body (built with tenant A's ids)."""

    min_role: Role = Role.VIEWER
    body: BodyBuilder | None = None
    headers: dict[str, str] = field(default_factory=dict)
