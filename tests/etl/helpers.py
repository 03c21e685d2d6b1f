"""Helpers for etl tests: upload through the API, wait for runs, read what landed in the tables."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import Table, select

from stockwise.core.models import Base
from stockwise.state import AppState
from tests.factories import Actor

TERMINAL = {"succeeded", "rejected", "failed"}


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


async def upload(
    client: httpx.AsyncClient,
    actor: Actor,
    content: bytes,
    *,
    entity: str,
    filename: str = "data.csv",
    mapping: dict[str, str] | None = None,
    **form: Any,
) -> httpx.Response:
    data = {
        "entity": entity,
        **{key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in form.items()},
    }
    if mapping is not None:
        data["column_mapping"] = json.dumps(mapping)
    files = {"file": (filename, content, "application/octet-stream")}
    return await client.post("/api/v1/imports", data=data, files=files, headers=actor.headers)


async def imported(
    client: httpx.AsyncClient, actor: Actor, content: bytes, *, entity: str, **form: Any
) -> dict[str, Any]:
    """Upload and wait until the run is finished; returns the run."""
    resp = await upload(client, actor, content, entity=entity, **form)
    assert resp.status_code in (201, 202, 422), resp.text
    run_id = resp.json()["id"] if resp.status_code != 422 else resp.json()["import_run_id"]
    return await wait_for_run(client, actor, run_id)


async def wait_for_run(
    client: httpx.AsyncClient, actor: Actor, run_id: int, timeout: float = 60
) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            resp = await client.get(f"/api/v1/imports/{run_id}", headers=actor.headers)
            assert resp.status_code == 200, resp.text
            run: dict[str, Any] = resp.json()
            if run["status"] in TERMINAL:
                return run
            await asyncio.sleep(0.1)


async def table_rows(
    state: AppState, client_id: int, table: str, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The tenant's rows of a table, as tuples of `columns`, sorted."""
    target: Table = Base.metadata.tables[table]
    async with state.uow.tenant(client_id, write=False) as uow:
        stmt = select(*(target.c[name] for name in columns)).where(target.c.client_id == client_id)
        result = await uow.session.execute(stmt)
        return sorted(tuple(row) for row in result)


async def seed_catalog(
    client: httpx.AsyncClient,
    actor: Actor,
    *,
    skus: Sequence[str] = ("A-1", "B-2", "C/3"),
    locations: Sequence[str] = ("WH1", "ST1"),
) -> None:
    """Locations, a supplier and products, created through the import API itself."""
    loc = await imported(
        client,
        actor,
        csv_bytes("code,name", *(f"{code},Site {code}" for code in locations)),
        entity="locations",
    )
    assert loc["status"] == "succeeded", loc
    sup = await imported(client, actor, csv_bytes("code,name,currency", "ACME,Acme,EUR"), entity="suppliers")
    assert sup["status"] == "succeeded", sup
    prod = await imported(
        client,
        actor,
        csv_bytes("sku,name,unit_cost", *(f"{sku},Product {sku},1.50" for sku in skus)),
        entity="products",
    )
    assert prod["status"] == "succeeded", prod
