"""Isolation cases for purchasing routes: cart items, purchase orders and receipts (made through the API)."""

from __future__ import annotations

import itertools
from typing import Any

from stockwise.core.principal import Role
from tests.security.isolation import Factory, IsolationContext, RouteCase

_n = itertools.count(1)
PO = "/api/v1/purchase-orders/{purchase_order_id}"


async def _offer(ctx: IsolationContext) -> dict[str, int]:
    """A location, a supplier and a product it supplies, created once per route."""
    if "purchasing.product" not in ctx.ids:
        n = next(_n)
        location = await ctx.post("/locations", {"code": f"PWH{n}", "name": "Warehouse"})
        supplier = await ctx.post("/suppliers", {"code": f"PSUP{n}", "name": "Supplier"})
        product = await ctx.post("/products", {"sku": f"PSKU-{n}", "name": "Widget"})
        await ctx.post(
            f"/products/{product['id']}/suppliers",
            {"supplier_id": supplier["id"], "lead_time_days": 5, "unit_price": "2"},
        )
        ctx.ids.update(
            {
                "purchasing.location": location["id"],
                "purchasing.supplier": supplier["id"],
                "purchasing.product": product["id"],
            }
        )
    return {
        "product_id": ctx.ids["purchasing.product"],
        "supplier_id": ctx.ids["purchasing.supplier"],
        "location_id": ctx.ids["purchasing.location"],
    }


async def _cart_item(ctx: IsolationContext) -> int:
    return int((await ctx.post("/cart/items", {**await _offer(ctx), "quantity": "3"}))["id"])


async def _purchase_order(ctx: IsolationContext) -> int:
    offer = await _offer(ctx)
    body = {
        "supplier_id": offer["supplier_id"],
        "location_id": offer["location_id"],
        "lines": [{"product_id": offer["product_id"], "quantity": "10"}],
    }
    return int((await ctx.post("/purchase-orders", body))["id"])


async def _po_lines(ctx: IsolationContext) -> list[dict[str, Any]]:
    resp = await ctx.client.get(
        f"/api/v1/purchase-orders/{await ctx.id('purchase_order_id')}", headers=ctx.headers
    )
    lines: list[dict[str, Any]] = resp.json()["lines"]
    return lines


async def _receipt(ctx: IsolationContext) -> int:
    po_id = await ctx.id("purchase_order_id")
    await ctx.post(f"/purchase-orders/{po_id}/submit", {})
    lines = [{"line_id": line["id"], "quantity": "1"} for line in await _po_lines(ctx)]
    return int((await ctx.post(f"/purchase-orders/{po_id}/receipts", {"lines": lines}))["receipt"]["id"])


async def _receipt_body(ctx: IsolationContext) -> dict[str, Any]:
    return {"lines": [{"line_id": line["id"], "quantity": "1"} for line in await _po_lines(ctx)]}


async def _quantity(_ctx: IsolationContext) -> dict[str, Any]:
    return {"quantity": "4"}


async def _notes(_ctx: IsolationContext) -> dict[str, Any]:
    return {"notes": "changed"}


async def _reverse(_ctx: IsolationContext) -> dict[str, Any]:
    return {"note": "wrong delivery"}


FACTORIES: dict[str, Factory] = {
    "cart_item_id": _cart_item,
    "purchase_order_id": _purchase_order,
    "receipt_id": _receipt,
}
ROUTES: dict[tuple[str, str], RouteCase] = {
    ("PATCH", "/api/v1/cart/items/{cart_item_id}"): RouteCase(min_role=Role.PLANNER, body=_quantity),
    ("DELETE", "/api/v1/cart/items/{cart_item_id}"): RouteCase(min_role=Role.PLANNER),
    ("GET", PO): RouteCase(min_role=Role.VIEWER),
    ("PATCH", PO): RouteCase(min_role=Role.PLANNER, body=_notes, headers={"If-Match": '"1"'}),
    ("POST", PO + "/submit"): RouteCase(min_role=Role.PLANNER),
    ("POST", PO + "/confirm"): RouteCase(min_role=Role.PLANNER),
    ("POST", PO + "/cancel"): RouteCase(min_role=Role.PLANNER),
    ("POST", PO + "/close"): RouteCase(min_role=Role.PLANNER),
    ("GET", PO + "/export"): RouteCase(min_role=Role.VIEWER),
    ("GET", PO + "/receipts"): RouteCase(min_role=Role.VIEWER),
    ("POST", PO + "/receipts"): RouteCase(min_role=Role.PLANNER, body=_receipt_body),
    ("POST", PO + "/receipts/{receipt_id}/reverse"): RouteCase(min_role=Role.PLANNER, body=_reverse),
}
