"""Catalogue set-up for purchasing tests: ORM rows inserted through a tenant unit of work."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import event

from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
from stockwise.state import AppState
from tests.factories import Actor

_n = itertools.count(1)


@dataclass
class Offer:
    """A product at a location that a supplier sells (ids only)."""

    product_id: int
    supplier_id: int
    location_id: int


async def make_location(state: AppState, *, client_id: int, active: bool = True) -> int:
    async with state.uow.tenant(client_id) as uow:
        location = Location(client_id=client_id, code=f"WH{next(_n)}", name="Warehouse", is_active=active)
        uow.session.add(location)
        await uow.flush()
        return location.id


async def make_supplier(
    state: AppState, *, client_id: int, currency: str = "EUR", code: str | None = None
) -> int:
    async with state.uow.tenant(client_id) as uow:
        supplier = Supplier(
            client_id=client_id, code=code or f"SUP{next(_n)}", name="Supplier", currency=currency
        )
        uow.session.add(supplier)
        await uow.flush()
        return supplier.id


async def make_product(
    state: AppState, *, client_id: int, sku: str | None = None, name: str = "Widget"
) -> int:
    async with state.uow.tenant(client_id) as uow:
        product = Product(client_id=client_id, sku=sku or f"SKU-{next(_n)}", name=name, unit="ea")
        uow.session.add(product)
        await uow.flush()
        return product.id


async def link(
    state: AppState,
    *,
    client_id: int,
    product_id: int,
    supplier_id: int,
    price: str = "2.50",
    lead_time_days: int = 7,
    moq: str = "0",
    pack_size: str = "1",
) -> None:
    async with state.uow.tenant(client_id) as uow:
        uow.session.add(
            ProductSupplier(
                client_id=client_id,
                product_id=product_id,
                supplier_id=supplier_id,
                unit_price=Decimal(price),
                lead_time_days=lead_time_days,
                moq=Decimal(moq),
                pack_size=Decimal(pack_size),
                supplier_sku=f"S-{product_id}",
            )
        )


async def make_offer(
    state: AppState,
    *,
    client_id: int,
    supplier_id: int | None = None,
    location_id: int | None = None,
    **terms: Any,
) -> Offer:
    """A new product sold by `supplier_id` (new if not given) for `location_id` (new if not given)."""
    supplier_id = supplier_id or await make_supplier(state, client_id=client_id)
    location_id = location_id or await make_location(state, client_id=client_id)
    product_id = await make_product(state, client_id=client_id)
    await link(state, client_id=client_id, product_id=product_id, supplier_id=supplier_id, **terms)
    return Offer(product_id=product_id, supplier_id=supplier_id, location_id=location_id)


async def update_row(state: AppState, *, client_id: int, model: type, row_id: int, **values: Any) -> None:
    async with state.uow.tenant(client_id) as uow:
        row = await uow.session.get(model, row_id)
        assert row is not None
        for field, value in values.items():
            setattr(row, field, value)


async def add_to_cart(
    client: httpx.AsyncClient, actor: Actor, offer: Offer, quantity: str = "10", **params: str
) -> dict[str, Any]:
    body = {
        "product_id": offer.product_id,
        "supplier_id": offer.supplier_id,
        "location_id": offer.location_id,
        "quantity": quantity,
    }
    resp = await client.post("/api/v1/cart/items", json=body, headers=actor.headers, params=params)
    assert resp.status_code == 201, resp.text
    result: dict[str, Any] = resp.json()
    return result


async def checkout(client: httpx.AsyncClient, actor: Actor, **body: Any) -> dict[str, Any]:
    resp = await client.post("/api/v1/cart/checkout", json=body, headers=actor.headers)
    assert resp.status_code == 201, resp.text
    result: dict[str, Any] = resp.json()
    return result


async def ordered_po(
    client: httpx.AsyncClient,
    state: AppState,
    actor: Actor,
    *,
    quantities: tuple[str, ...] = ("10",),
    submit: bool = True,
) -> dict[str, Any]:
    """A PO of one supplier and location with one line per quantity, submitted unless told otherwise."""
    first = await make_offer(state, client_id=actor.client_id)
    offers = [first] + [
        await make_offer(
            state, client_id=actor.client_id, supplier_id=first.supplier_id, location_id=first.location_id
        )
        for _ in quantities[1:]
    ]
    body = {
        "supplier_id": first.supplier_id,
        "location_id": first.location_id,
        "lines": [
            {"product_id": o.product_id, "quantity": q} for o, q in zip(offers, quantities, strict=True)
        ],
    }
    resp = await client.post("/api/v1/purchase-orders", json=body, headers=actor.headers)
    assert resp.status_code == 201, resp.text
    po: dict[str, Any] = resp.json()
    if submit:
        resp = await client.post(f"/api/v1/purchase-orders/{po['id']}/submit", headers=actor.headers)
        assert resp.status_code == 200, resp.text
        po = resp.json()
    return po


@contextmanager
def count_statements(state: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
