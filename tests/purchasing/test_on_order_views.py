"""On-order quantities as the stock and product views show them (composed from purchasing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from stockwise.core.principal import Role
from tests.factories import make_actor
from tests.purchasing.factories import make_location, ordered_po

POS = "/api/v1/purchase-orders"


async def test_stock_and_product_views_show_what_is_on_order(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("10",))
    line = po["lines"][0]
    await client.post(
        f"{POS}/{po['id']}/receipts",
        json={"lines": [{"line_id": line["id"], "quantity": "4"}]},
        headers=planner.headers,
    )
    # A draft for another location of the same product is not on order; a submitted one is.
    other_location = await make_location(state, client_id=planner.client_id)
    for submit in (False, True):
        body = {
            "supplier_id": po["supplier_id"],
            "location_id": other_location,
            "lines": [{"product_id": line["product_id"], "quantity": "5"}],
        }
        created = (await client.post(POS, json=body, headers=planner.headers)).json()
        if submit:
            await client.post(f"{POS}/{created['id']}/submit", headers=planner.headers)

    stock = await client.get(
        "/api/v1/stock", params={"product_id": line["product_id"]}, headers=planner.headers
    )
    (level,) = stock.json()["items"]  # only the receiving location has a stock level yet
    assert (level["location_id"], Decimal(level["on_hand"]), Decimal(level["on_order"])) == (
        po["location_id"],
        Decimal(4),
        Decimal(6),
    )
    product = (await client.get(f"/api/v1/products/{line['product_id']}", headers=planner.headers)).json()
    assert [Decimal(row["on_order"]) for row in product["stock"]] == [Decimal(6)]
    assert Decimal(product["on_order"]) == Decimal(11)
    listed = (
        await client.get("/api/v1/products", params={"sku": line["sku"]}, headers=planner.headers)
    ).json()
    assert Decimal(listed["items"][0]["on_order"]) == Decimal(11)
