"""Isolation cases for the catalogue: locations, suppliers, products and their supplier conditions."""

from __future__ import annotations

import uuid
from typing import Any

from stockwise.core.principal import Role
from tests.security.isolation import Factory, IsolationContext, RouteCase


def _code() -> str:
    return uuid.uuid4().hex[:10].upper()


async def _location(ctx: IsolationContext) -> int:
    return int((await ctx.post("/locations", {"code": f"L-{_code()}", "name": "Store"}))["id"])


async def _supplier(ctx: IsolationContext) -> int:
    return int((await ctx.post("/suppliers", {"code": f"S-{_code()}", "name": "Supplier"}))["id"])


async def _product(ctx: IsolationContext) -> int:
    return int((await ctx.post("/products", {"sku": f"P/{_code()}", "name": "Product"}))["id"])


async def _link(ctx: IsolationContext) -> int:
    """A supplier link of the route's product (the path's product_id), to a fresh supplier."""
    body = {"supplier_id": await _supplier(ctx), "lead_time_days": 5}
    return int((await ctx.post(f"/products/{await ctx.id('product_id')}/suppliers", body))["id"])


async def _new_link(ctx: IsolationContext) -> dict[str, Any]:
    return {"supplier_id": await _supplier(ctx), "lead_time_days": 3, "is_primary": True}


async def _rename(ctx: IsolationContext) -> dict[str, Any]:
    return {"name": "renamed"}


async def _terms(ctx: IsolationContext) -> dict[str, Any]:
    return {"moq": "10", "is_primary": True}


LINK = "/api/v1/products/{product_id}/suppliers/{link_id}"
FACTORIES: dict[str, Factory] = {
    "location_id": _location,
    "supplier_id": _supplier,
    "product_id": _product,
    "link_id": _link,
}
ROUTES: dict[tuple[str, str], RouteCase] = {
    ("GET", "/api/v1/locations/{location_id}"): RouteCase(min_role=Role.VIEWER),
    ("PATCH", "/api/v1/locations/{location_id}"): RouteCase(min_role=Role.PLANNER, body=_rename),
    ("DELETE", "/api/v1/locations/{location_id}"): RouteCase(min_role=Role.PLANNER),
    ("GET", "/api/v1/suppliers/{supplier_id}"): RouteCase(min_role=Role.VIEWER),
    ("PATCH", "/api/v1/suppliers/{supplier_id}"): RouteCase(min_role=Role.PLANNER, body=_rename),
    ("DELETE", "/api/v1/suppliers/{supplier_id}"): RouteCase(min_role=Role.PLANNER),
    ("GET", "/api/v1/products/{product_id}"): RouteCase(min_role=Role.VIEWER),
    ("PATCH", "/api/v1/products/{product_id}"): RouteCase(min_role=Role.PLANNER, body=_rename),
    ("DELETE", "/api/v1/products/{product_id}"): RouteCase(min_role=Role.PLANNER),
    ("GET", "/api/v1/products/{product_id}/suppliers"): RouteCase(min_role=Role.VIEWER),
    ("POST", "/api/v1/products/{product_id}/suppliers"): RouteCase(min_role=Role.PLANNER, body=_new_link),
    ("GET", LINK): RouteCase(min_role=Role.VIEWER),
    ("PATCH", LINK): RouteCase(min_role=Role.PLANNER, body=_terms),
    ("DELETE", LINK): RouteCase(min_role=Role.PLANNER),
}
