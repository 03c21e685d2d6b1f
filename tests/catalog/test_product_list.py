"""The product list: filters, sorting, pagination limits, and a constant number of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import event

from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
from stockwise.inventory.models import StockLevel
from tests.catalog.api import API, adjust, link_supplier, make_location, make_product, make_supplier
from tests.factories import Actor, make_actor


async def _get(client: httpx.AsyncClient, actor: Actor, **params: Any) -> dict[str, Any]:
    resp = await client.get(f"{API}/products", params=params, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    result: dict[str, Any] = resp.json()
    return result


async def _skus(client: httpx.AsyncClient, actor: Actor, **params: Any) -> list[str]:
    return [row["sku"] for row in (await _get(client, actor, **params))["items"]]


async def test_filters(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    shop, dc = await make_location(client, actor), await make_location(client, actor)
    supplier = await make_supplier(client, actor)
    tent = await make_product(client, actor, sku="TENT-2P", name="Dome Tent", category="Camping")
    await make_product(client, actor, sku="STOVE-1", name="Gas stove 100%", category="Camping")
    lamp = await make_product(client, actor, sku="LAMP_1", name="Head lamp", category="Lights")
    await make_product(client, actor, sku="OLD-9", name="Retired tent", is_active=False)
    await link_supplier(client, actor, lamp["id"], supplier["id"])
    await adjust(client, actor, tent["id"], shop["id"], quantity="2")
    await adjust(client, actor, lamp["id"], dc["id"], quantity="1")

    assert await _skus(client, actor, q="TeNt") == ["OLD-9", "TENT-2P"]
    assert await _skus(client, actor, q="100%") == ["STOVE-1"]  # wildcards are literal
    assert await _skus(client, actor, q="TENT_2") == []  # '_' is not a one-character wildcard
    assert await _skus(client, actor, q="p_1") == ["LAMP_1"]
    assert await _skus(client, actor, category="Camping") == ["STOVE-1", "TENT-2P"]
    assert await _skus(client, actor, active="false") == ["OLD-9"]
    assert await _skus(client, actor, supplier_id=supplier["id"]) == ["LAMP_1"]
    assert await _skus(client, actor, location_id=shop["id"]) == ["TENT-2P"]
    assert await _skus(client, actor, location_id=dc["id"], category="Lights", active="true") == ["LAMP_1"]


async def test_rows_carry_suppliers_and_stock(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    loc_a, loc_b = (
        await make_location(client, actor, code="A-1"),
        await make_location(client, actor, code="B-1"),
    )
    primary, backup = (
        await make_supplier(client, actor, code="Z-SUP"),
        await make_supplier(client, actor, code="A-SUP"),
    )
    product = await make_product(client, actor)
    await link_supplier(client, actor, product["id"], backup["id"])
    await link_supplier(client, actor, product["id"], primary["id"], is_primary=True, unit_price="4.2")
    await adjust(client, actor, product["id"], loc_b["id"], quantity="7")
    await adjust(client, actor, product["id"], loc_a["id"], set_on_hand="3")

    (row,) = (await _get(client, actor))["items"]
    assert [(s["supplier_code"], s["is_primary"], s["unit_price"]) for s in row["suppliers"]] == [
        ("Z-SUP", True, "4.2000"),
        ("A-SUP", False, "0.0000"),
    ]
    assert [(s["location_code"], s["on_hand"], s["available"]) for s in row["stock"]] == [
        ("A-1", "3.0000", "3.0000"),
        ("B-1", "7.0000", "7.0000"),
    ]
    detail = await client.get(f"{API}/products/{product['id']}", headers=actor.headers)
    assert detail.json() == row


async def test_sorting_and_pagination(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    costs = {"B": "3", "A": "10", "D": "1", "C": "3"}
    for sku, cost in costs.items():
        await make_product(
            client, actor, sku=sku, name=f"n-{sku}", unit_cost=cost, category=None if sku == "D" else "x"
        )

    assert await _skus(client, actor) == ["A", "B", "C", "D"]
    assert await _skus(client, actor, sort="sku", order="desc") == ["D", "C", "B", "A"]
    assert await _skus(client, actor, sort="unit_cost") == ["D", "B", "C", "A"]
    assert await _skus(client, actor, sort="unit_cost", order="desc") == ["A", "C", "B", "D"]
    assert (await _skus(client, actor, sort="category"))[-1] == "D"  # no category sorts last
    assert (await _skus(client, actor, sort="category", order="desc"))[-1] == "D"

    page2 = await _get(client, actor, page=2, page_size=3)
    assert page2["total"] == 4 and page2["page"] == 2 and [r["sku"] for r in page2["items"]] == ["D"]


async def test_page_size_is_capped_and_params_validated(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    for params, loc in (
        ({"page_size": 201}, "page_size"),
        ({"page": 0}, "page"),
        ({"sort": "price"}, "sort"),
        ({"order": "up"}, "order"),
    ):
        resp = await client.get(f"{API}/products", params=params, headers=actor.headers)
        assert resp.status_code == 422, params
        (error,) = resp.json()["errors"]
        assert error["loc"] == ["query", loc]
    too_big = await client.get(f"{API}/products", params={"page_size": 201}, headers=actor.headers)
    assert "200" in too_big.json()["errors"][0]["msg"]


async def _bulk_catalog(state: Any, client_id: int, n_products: int) -> None:
    """Enough rows for a 200-row page, each with 2 supplier links and stock at 2 locations."""
    async with state.uow.tenant(client_id) as uow:
        locations = [Location(code=f"L{i}", name=f"L{i}") for i in range(2)]
        suppliers = [Supplier(code=f"S{i}", name=f"S{i}") for i in range(2)]
        products = [Product(sku=f"P{i:04d}", name=f"Product {i}") for i in range(n_products)]
        for obj in (*locations, *suppliers, *products):
            obj.client_id = client_id
        uow.session.add_all([*locations, *suppliers, *products])
        await uow.flush()
        for product in products:
            for k in range(2):
                uow.session.add_all(
                    [
                        ProductSupplier(
                            client_id=client_id,
                            product_id=product.id,
                            supplier_id=suppliers[k].id,
                            lead_time_days=5,
                            is_primary=k == 0,
                        ),
                        StockLevel(
                            client_id=client_id,
                            product_id=product.id,
                            location_id=locations[k].id,
                            on_hand=Decimal(k),
                        ),
                    ]
                )


@contextmanager
def _count_statements(state: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_statement_count_is_constant_whatever_the_page_size(
    client: httpx.AsyncClient, state: object
) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    await _bulk_catalog(state, actor.client_id, 210)
    counts = {}
    for page_size in (1, 50, 200):
        with _count_statements(state) as statements:
            body = await _get(client, actor, page_size=page_size)
        assert len(body["items"]) == page_size
        assert all(len(row["suppliers"]) == 2 and len(row["stock"]) == 2 for row in body["items"])
        counts[page_size] = len(statements)
    assert counts[1] == counts[50] == counts[200], counts

    stock_counts = {}
    for page_size in (1, 50, 200):
        with _count_statements(state) as statements:
            resp = await client.get(f"{API}/stock", params={"page_size": page_size}, headers=actor.headers)
        assert len(resp.json()["items"]) == page_size
        stock_counts[page_size] = len(statements)
    assert stock_counts[1] == stock_counts[50] == stock_counts[200], stock_counts
