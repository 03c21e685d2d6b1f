"""Isolation cases for tenancy routes: users."""

from __future__ import annotations

import itertools
from typing import Any

from stockwise.core.principal import Role
from tests.security.isolation import Factory, IsolationContext, RouteCase

_n = itertools.count(1)


async def _user(ctx: IsolationContext) -> int:
    body = {"email": f"iso{next(_n)}@tenant-a.com", "password": "a-long-enough-password", "role": "viewer"}
    return int((await ctx.post("/users", body))["id"])


async def _user_patch(_ctx: IsolationContext) -> dict[str, Any]:
    return {"full_name": "Renamed"}


FACTORIES: dict[str, Factory] = {"user_id": _user}
ROUTES: dict[tuple[str, str], RouteCase] = {
    ("GET", "/api/v1/users/{user_id}"): RouteCase(min_role=Role.ADMIN),
    ("PATCH", "/api/v1/users/{user_id}"): RouteCase(min_role=Role.ADMIN, body=_user_patch),
}
