"""Isolation cases for import runs (and their error reports) and source connections."""

from __future__ import annotations

import uuid
from typing import Any

from stockwise.core.principal import Role
from tests.security.isolation import Factory, IsolationContext, RouteCase


async def _import_run(ctx: IsolationContext) -> int:
    """A finished location import of tenant A, made through the upload API."""
    files = {"file": ("locations.csv", b"code,name\nWH1,Main\n", "text/csv")}
    resp = await ctx.client.post(
        "/api/v1/imports", data={"entity": "locations"}, files=files, headers=ctx.headers
    )
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


async def _connection(ctx: IsolationContext) -> int:
    """An HTTP connection of tenant A to a public literal address (nothing is fetched by these cases)."""
    body = {
        "name": f"feed-{uuid.uuid4().hex[:8]}",
        "config": {"kind": "http", "urls": {"sales": "https://93.184.216.34/sales.csv"}},
    }
    return int((await ctx.post("/etl/connections", body))["id"])


async def _sync_body(ctx: IsolationContext) -> dict[str, Any]:
    return {"entity": "sales", "dry_run": True}


async def _rename(ctx: IsolationContext) -> dict[str, Any]:
    return {"name": "renamed"}


FACTORIES: dict[str, Factory] = {"import_id": _import_run, "connection_id": _connection}
ROUTES: dict[tuple[str, str], RouteCase] = {
    ("GET", "/api/v1/imports/{import_id}"): RouteCase(min_role=Role.VIEWER),
    ("GET", "/api/v1/imports/{import_id}/errors"): RouteCase(min_role=Role.VIEWER),
    ("GET", "/api/v1/etl/connections/{connection_id}"): RouteCase(min_role=Role.ADMIN),
    ("PATCH", "/api/v1/etl/connections/{connection_id}"): RouteCase(min_role=Role.ADMIN, body=_rename),
    ("DELETE", "/api/v1/etl/connections/{connection_id}"): RouteCase(min_role=Role.ADMIN),
    ("POST", "/api/v1/etl/connections/{connection_id}/sync"): RouteCase(min_role=Role.ADMIN, body=_sync_body),
}
