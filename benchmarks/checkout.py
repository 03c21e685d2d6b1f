"""Concurrent checkouts on PostgreSQL through the real HTTP app: POs/s, latency, distinct PO numbers.

Creates its own database (dropped afterwards), migrates it, seeds one tenant with N planners whose
carts hold `--lines` lines spread over `--suppliers` suppliers, then checks every cart out at once
(bounded by `--concurrency`) over httpx's ASGI transport. After a short warm-up, a sequential run of
a few extra carts is the baseline. Last line: one JSON object with pos, pos_per_s, p50_ms, p95_ms,
distinct_numbers (and a few more figures).

    .venv/bin/python benchmarks/checkout.py --users 200 --lines 20 --concurrency 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stockwise.config import Environment, Settings  # noqa: E402

APP_ROLE = "stockwise_app"
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"


@dataclass
class Seeded:
    client_id: int
    tokens: list[str]


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="planners checking out concurrently")
    parser.add_argument("--lines", type=int, default=20, help="cart lines per user")
    parser.add_argument("--suppliers", type=int, default=4, help="suppliers the lines are spread over")
    parser.add_argument("--locations", type=int, default=1, help="deliver-to locations of the lines")
    parser.add_argument("--concurrency", type=int, default=30, help="requests in flight at once")
    parser.add_argument("--baseline-users", type=int, default=10, help="extra carts checked out one by one")
    parser.add_argument(
        "--warmup-users", type=int, default=3, help="extra carts checked out first, not measured"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("STOCKWISE_BENCH_PG", "postgres@127.0.0.1:5432"),
        help="user@host:port of a PostgreSQL superuser",
    )
    return parser.parse_args()


async def _admin(pg: str, sql: str) -> None:
    conn = await asyncpg.connect(f"postgresql://{pg}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _migrate(app_url: str, owner_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from stockwise.config import get_settings

    os.environ["STOCKWISE_DATABASE_URL"], os.environ["STOCKWISE_DATABASE_OWNER_URL"] = app_url, owner_url
    get_settings.cache_clear()
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    get_settings.cache_clear()


async def _new_tenant(state: Any) -> int:
    from stockwise.core.unit_of_work import SystemReason
    from stockwise.tenancy.models import Client, ClientSettings

    async with state.uow.system(SystemReason.TENANT_ADMIN_CLI) as uow:
        client = Client(name="Benchmark", is_active=True)
        uow.session.add(client)
        await uow.flush()
        uow.session.add(ClientSettings(client_id=client.id))
        return int(client.id)


async def _seed(state: Any, args: argparse.Namespace) -> Seeded:
    """One tenant, its catalogue, and every planner's cart (ORM inserts: set-up is not measured)."""
    from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
    from stockwise.purchasing.models import CartItem
    from stockwise.tenancy.models import User
    from stockwise.tenancy.tokens import mint_access_token

    cid = await _new_tenant(state)
    async with state.uow.tenant(cid) as uow:
        suppliers = [
            Supplier(client_id=cid, code=f"S{i}", name=f"Supplier {i}") for i in range(args.suppliers)
        ]
        locations = [
            Location(client_id=cid, code=f"L{i}", name=f"Location {i}") for i in range(args.locations)
        ]
        products = [
            Product(client_id=cid, sku=f"SKU-{i:05d}", name=f"Product {i}") for i in range(args.lines)
        ]
        users = [
            User(client_id=cid, email=f"planner{i}@bench.example", password_hash="x", role="planner")
            for i in range(args.users + args.baseline_users + args.warmup_users)
        ]
        uow.session.add_all([*suppliers, *locations, *products, *users])
        await uow.flush()
        uow.session.add_all(
            ProductSupplier(
                client_id=cid,
                product_id=p.id,
                supplier_id=suppliers[i % len(suppliers)].id,
                lead_time_days=7 + i % 5,
                unit_price=Decimal("1.2345") + i,
                moq=Decimal(0),
            )
            for i, p in enumerate(products)
        )
        uow.session.add_all(
            CartItem(
                client_id=cid,
                user_id=u.id,
                product_id=p.id,
                supplier_id=suppliers[i % len(suppliers)].id,
                location_id=locations[i % len(locations)].id,
                quantity=Decimal(10 + i),
                unit_price=Decimal(1),
            )
            for u in users
            for i, p in enumerate(products)
        )
        user_ids = [u.id for u in users]
    tokens = [
        mint_access_token(secret=SECRET, user_id=uid, client_id=cid, token_version=0, ttl=timedelta(hours=1))
        for uid in user_ids
    ]
    return Seeded(client_id=cid, tokens=tokens)


async def _checkout(http: httpx.AsyncClient, token: str, gate: asyncio.Semaphore) -> tuple[float, list[str]]:
    async with gate:
        started = time.perf_counter()
        resp = await http.post("/api/v1/cart/checkout", json={}, headers={"Authorization": f"Bearer {token}"})
        elapsed = time.perf_counter() - started
    if resp.status_code != 201:
        raise RuntimeError(f"checkout failed: {resp.status_code} {resp.text[:300]}")
    return elapsed, [po["po_number"] for po in resp.json()["purchase_orders"]]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _consecutive(numbers: list[str]) -> bool:
    """The default format ends in the sequence: the concurrent run's numbers leave no gap."""
    sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    return sequence == list(range(sequence[0], sequence[0] + len(sequence))) if sequence else True


async def _run(args: argparse.Namespace, app_url: str, owner_url: str) -> dict[str, Any]:
    from stockwise.app import create_app

    settings = Settings(
        env=Environment.TESTING,
        database_url=app_url,
        database_owner_url=owner_url,
        secret_key=SECRET,  # type: ignore[arg-type]
        database_pool_size=max(5, args.concurrency),
        log_level="WARNING",
        log_json=False,
        job_sweep_seconds=3600,
        process_pool_workers=1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        seeded = await _seed(app.state.stockwise, args)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as http:
            one = asyncio.Semaphore(1)
            extra = seeded.tokens[args.users :]
            for token in extra[: args.warmup_users]:  # prepared statements and caches, as in a running server
                await _checkout(http, token, one)
            baseline = [await _checkout(http, token, one) for token in extra[args.warmup_users :]]
            gate = asyncio.Semaphore(args.concurrency)
            started = time.perf_counter()
            results = await asyncio.gather(*(_checkout(http, t, gate) for t in seeded.tokens[: args.users]))
            wall = time.perf_counter() - started
    latencies = [elapsed for elapsed, _ in results]
    numbers = [number for _, batch in results for number in batch]
    base_latency = statistics.median(e for e, _ in baseline) if baseline else None
    return {
        "pos": len(numbers),
        "pos_per_s": round(len(numbers) / wall, 1),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 95) * 1000, 1),
        "distinct_numbers": len(set(numbers)),
        "consecutive": _consecutive(numbers),
        "checkouts": args.users,
        "lines_per_cart": args.lines,
        "concurrency": args.concurrency,
        "wall_s": round(wall, 2),
        "baseline_sequential_p50_ms": None if base_latency is None else round(base_latency * 1000, 1),
    }


def main() -> None:
    args = _parse()
    name = f"sw_bench_checkout_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(args.pg, f'CREATE DATABASE "{name}"'))
    app_url, owner_url = (
        f"postgresql+asyncpg://{user}@{args.pg.split('@', 1)[1]}/{name}"
        for user in (APP_ROLE, args.pg.split("@", 1)[0])
    )
    try:
        _migrate(app_url, owner_url)
        figures = asyncio.run(_run(args, app_url, owner_url))
    finally:
        asyncio.run(_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    f = figures
    print(f"{f['checkouts']} checkouts of {f['lines_per_cart']} lines, {f['concurrency']} in flight")
    print(f"POs created:      {f['pos']} in {f['wall_s']} s -> {f['pos_per_s']} POs/s")
    print(f"latency:          p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms")
    print(f"sequential:       p50 {f['baseline_sequential_p50_ms']} ms per checkout (baseline)")
    print(f"distinct numbers: {f['distinct_numbers']} (must equal POs), consecutive: {f['consecutive']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
