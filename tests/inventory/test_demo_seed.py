"""Demo seeding as a job: catalogue, stock and sales from the generator, deterministic and idempotent."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from typer.testing import CliRunner

from stockwise.catalog.demo_data import generate_demo_dataset
from stockwise.cli import app as cli
from stockwise.config import get_settings
from stockwise.core.jobs import enqueue_job
from stockwise.inventory.demo_seed import DEMO_SEED_KIND, DemoSeedOptions, request_demo_seed
from tests.catalog.api import API
from tests.factories import Actor, make_actor

OPTIONS = DemoSeedOptions(end_date=dt.date(2025, 6, 30), seed=11, scale=0.02, years=1.0)


async def _wait_for(client: httpx.AsyncClient, actor: Actor, job_id: int) -> dict[str, Any]:
    for _ in range(1200):
        job = (await client.get(f"{API}/jobs/{job_id}", headers=actor.headers)).json()
        if job["status"] in ("succeeded", "failed"):
            return dict(job)
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def _total(client: httpx.AsyncClient, actor: Actor, path: str, **params: Any) -> int:
    resp = await client.get(f"{API}{path}", params=params, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["total"])


async def _seed(state: Any, actor: Actor, *, again: bool = False) -> int:
    async with state.uow.tenant(actor.client_id) as uow:
        if again:  # bypass the "already done" guard: the handler itself must not duplicate
            return (await enqueue_job(uow, kind=DEMO_SEED_KIND, payload=OPTIONS.payload())).id
        job, queued = await request_demo_seed(uow, options=OPTIONS)
        assert queued
        return job.id


async def test_demo_seed_job_loads_the_generated_tenant_once(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    expected = generate_demo_dataset(
        seed=OPTIONS.seed, scale=OPTIONS.scale, end_date=OPTIONS.end_date, years=1.0
    )
    job = await _wait_for(client, actor, await _seed(state, actor))
    assert job["status"] == "succeeded", job
    assert job["result"]["sales_rows"] == expected.sales.height
    assert await _total(client, actor, "/products") == expected.products.height
    assert await _total(client, actor, "/suppliers") == expected.suppliers.height
    assert await _total(client, actor, "/stock") == expected.stock.height

    sku, qty = expected.sales.group_by("sku").agg(pl.col("quantity").sum()).sort("quantity").row(-1)
    (product,) = (await client.get(f"{API}/products", params={"sku": sku}, headers=actor.headers)).json()[
        "items"
    ]
    assert product["suppliers"] and product["stock"]
    window = {
        "from": (OPTIONS.end_date - dt.timedelta(days=400)).isoformat(),
        "to": OPTIONS.end_date.isoformat(),
    }
    sales = await client.get(
        f"{API}/sales",
        params={**window, "product_id": product["id"], "granularity": "month"},
        headers=actor.headers,
    )
    assert sum(float(row["quantity"]) for row in sales.json()["items"]) == pytest.approx(qty)

    async with state.uow.tenant(actor.client_id) as uow:
        same, queued = await request_demo_seed(uow, options=OPTIONS)
    assert (same.id, queued) == (job["id"], False)
    movements = await _total(client, actor, "/stock/movements")
    rerun = await _wait_for(client, actor, await _seed(state, actor, again=True))
    assert rerun["status"] == "succeeded" and rerun["result"]["stock_levels_created"] == 0
    assert rerun["result"]["sales_rows"] == expected.sales.height
    assert await _total(client, actor, "/products") == expected.products.height
    assert await _total(client, actor, "/stock/movements") == movements


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "demo.db"
    monkeypatch.setenv("STOCKWISE_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("STOCKWISE_DATABASE_OWNER_URL", raising=False)
    monkeypatch.setenv("STOCKWISE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("STOCKWISE_ARGON2_MEMORY_COST_KIB", "64")
    monkeypatch.setenv("STOCKWISE_PROCESS_POOL_WORKERS", "1")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_cli_demo_queues_the_seed_once_and_wait_runs_it(cli_database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    queued = runner.invoke(cli, ["demo", "--scale", "0.01"])
    assert queued.exit_code == 0, queued.output
    assert "queued" in queued.output
    ran = runner.invoke(cli, ["demo", "--scale", "0.01", "--wait"])
    assert ran.exit_code == 0, ran.output
    again = runner.invoke(cli, ["demo", "--scale", "0.01", "--wait"])
    assert "succeeded" in again.output
    with sqlite3.connect(cli_database) as db:
        assert db.execute("select kind, status from job").fetchall() == [(DEMO_SEED_KIND, "succeeded")]
        products = db.execute("select count(*) from product").fetchone()[0]
        sales = db.execute("select count(*) from sales").fetchone()[0]
    assert products > 0 and sales > 0
