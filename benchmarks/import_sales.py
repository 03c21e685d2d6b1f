"""Sales import through the real path (upload → job → parse in the pool → COPY → one upsert) vs raw COPY.

Creates its own PostgreSQL database (dropped afterwards), migrates it, creates a tenant whose locations
and products are imported through the API, generates N sales rows as CSV (date-major, as ERPs export
them) and uploads them. The baseline, in the same run: a raw COPY of the same rows, ids already
resolved, into a table with the same primary key, foreign keys and row-level security as `sales`
(as the owner: RLS refuses COPY for the app role). The same upload is then timed on SQLite.
Peak RSS is the larger of this process and its pool worker (the file is streamed, never held whole).
Last line: one JSON object with rows, rows_per_s, copy_rows_per_s, ratio_vs_copy, peak_rss_mb,
sqlite_rows_per_s.

    .venv/bin/python benchmarks/import_sales.py --rows 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stockwise.config import Environment, Settings  # noqa: E402

APP_ROLE = "stockwise_app"
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
FIRST_DAY = date(2023, 1, 1)
EPOCH = date(1970, 1, 1)
CHUNK_DAYS = 20


@dataclass(frozen=True)
class Files:
    sales: Path
    resolved: Path
    products: Path
    locations: Path


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="sales rows to import")
    parser.add_argument("--products", type=int, default=2_000, help="products in the catalogue")
    parser.add_argument("--locations", type=int, default=3, help="locations selling them")
    parser.add_argument("--skip-sqlite", action="store_true", help="leave out the SQLite figure")
    parser.add_argument(
        "--pg",
        default=os.environ.get("STOCKWISE_BENCH_PG", "postgres@127.0.0.1:5432"),
        help="user@host:port of a PostgreSQL superuser",
    )
    return parser.parse_args()


def _generate(args: argparse.Namespace, work: Path) -> Files:
    """Master data and N sales rows (unique product × location × day), written in day chunks."""
    files = Files(work / "sales.csv", work / "resolved.csv", work / "products.csv", work / "locations.csv")
    skus = [f"SKU-{i:06d}" for i in range(args.products)]
    pl.DataFrame({"sku": skus, "name": [f"Product {i}" for i in range(args.products)]}).write_csv(
        files.products
    )
    codes = [f"LOC-{i}" for i in range(args.locations)]
    pl.DataFrame({"code": codes, "name": [f"Location {i}" for i in range(args.locations)]}).write_csv(
        files.locations
    )
    rng = np.random.default_rng(7)
    per_day = args.products * args.locations
    written, day = 0, 0
    with files.sales.open("wb") as sales, files.resolved.open("wb") as resolved:
        while written < args.rows:
            count = min(args.rows - written, per_day * CHUNK_DAYS)
            chunk = _chunk(rng, day, count, args.products, args.locations)
            chunk.select(
                pl.col("day").dt.to_string("%Y-%m-%d").alias("date"),
                pl.format("SKU-{}", pl.col("product").cast(pl.String).str.pad_start(6, "0")).alias("sku"),
                pl.format("LOC-{}", pl.col("location")).alias("location"),
                "quantity",
                "revenue",
            ).write_csv(sales, include_header=written == 0)
            chunk.write_csv(resolved, include_header=False)
            written += count
            day += CHUNK_DAYS
    return files


def _chunk(
    rng: np.random.Generator, first_day: int, count: int, products: int, locations: int
) -> pl.DataFrame:
    """`count` rows from `first_day` on: every product at every location, day by day, location by location."""
    index = np.arange(count)
    per_day = products * locations
    days = (FIRST_DAY - EPOCH).days + first_day + index // per_day
    quantity = rng.integers(1, 400, count) / 4
    return pl.DataFrame(
        {
            "day": pl.Series(days, dtype=pl.Int32).cast(pl.Date),
            "product": index % products,
            "location": (index // products) % locations,
            "quantity": quantity,
            "revenue": np.round(quantity * rng.uniform(2, 40, count), 2),
        }
    )


def _settings(url: str, owner_url: str) -> Settings:
    return Settings(
        env=Environment.TESTING,
        database_url=url,
        database_owner_url=owner_url,
        secret_key=SECRET,  # type: ignore[arg-type]
        log_level="WARNING",
        log_json=False,
        job_sweep_seconds=3600,
        process_pool_workers=1,
        rate_limit_expensive="1000/minute",
    )


def _migrate(app_url: str, owner_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from stockwise.config import get_settings

    os.environ["STOCKWISE_DATABASE_URL"], os.environ["STOCKWISE_DATABASE_OWNER_URL"] = app_url, owner_url
    get_settings.cache_clear()
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    get_settings.cache_clear()


async def _tenant(state: Any) -> tuple[int, str]:
    from stockwise.tenancy.provisioning import create_tenant
    from stockwise.tenancy.tokens import mint_access_token

    client_id, user_id = await create_tenant(
        state.uow,
        state.hasher,
        name="Benchmark",
        admin_email="bench@example.com",
        admin_password="bench-password-1",
    )
    token = mint_access_token(
        secret=SECRET, user_id=user_id, client_id=client_id, token_version=0, ttl=timedelta(hours=2)
    )
    return client_id, token


async def _import(
    http: httpx.AsyncClient, token: str, path: Path, entity: str
) -> tuple[dict[str, Any], float]:
    """Upload `path` and wait for its run to finish; returns the run and the seconds it took."""
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    with path.open("rb") as stream:
        resp = await http.post(
            "/api/v1/imports",
            data={"entity": entity},
            files={"file": (path.name, stream, "text/csv")},
            headers=headers,
        )
    if resp.status_code not in (201, 202):
        raise RuntimeError(f"import of {entity} failed: {resp.status_code} {resp.text[:500]}")
    run: dict[str, Any] = resp.json()
    while run["status"] not in ("succeeded", "rejected", "failed"):
        await asyncio.sleep(0.05)
        run = (await http.get(f"/api/v1/imports/{run['id']}", headers=headers)).json()
    elapsed = time.perf_counter() - started
    if run["status"] != "succeeded":
        raise RuntimeError(f"import of {entity} ended {run['status']}: {run.get('message')}")
    # The data is committed; let the job record its own end before the app shuts down.
    while run["job_id"]:
        if await _job_status(http, run["job_id"], headers) not in ("queued", "running"):
            break
        await asyncio.sleep(0.05)
    return run, elapsed


async def _job_status(http: httpx.AsyncClient, job_id: int, headers: dict[str, str]) -> str:
    status: str = (await http.get(f"/api/v1/jobs/{job_id}", headers=headers)).json()["status"]
    return status


async def _through_the_app(
    settings: Settings, files: Files, after_master_data: Any
) -> tuple[int, dict[str, Any], float]:
    from stockwise.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        client_id, token = await _tenant(app.state.stockwise)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as http:
            await _import(http, token, files.locations, "locations")
            await _import(http, token, files.products, "products")
            await after_master_data()
            run, elapsed = await _import(http, token, files.sales, "sales")
    return client_id, run, elapsed


async def _pg_admin(pg: str, database: str, sql: str) -> None:
    connection = await asyncpg.connect(f"postgresql://{pg}/{database}")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _constrained_copy(pg: str, database: str, client_id: int, resolved: Path) -> float:
    """COPY the resolved rows into a copy of `sales` with its PK, FKs and RLS; returns the seconds taken."""
    ddl = """
        CREATE TABLE bench_sales_copy (LIKE sales INCLUDING ALL);
        ALTER TABLE bench_sales_copy
          ADD FOREIGN KEY (client_id) REFERENCES client (id) ON DELETE CASCADE,
          ADD FOREIGN KEY (client_id, product_id) REFERENCES product (client_id, id),
          ADD FOREIGN KEY (client_id, location_id) REFERENCES location (client_id, id);
        ALTER TABLE bench_sales_copy ENABLE ROW LEVEL SECURITY;
        ALTER TABLE bench_sales_copy FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON bench_sales_copy USING (
          client_id = NULLIF(current_setting('app.client_id', true), '')::bigint
        );
        CHECKPOINT;
    """
    await _pg_admin(pg, database, ddl)
    connection = await asyncpg.connect(f"postgresql://{pg}/{database}")
    try:
        ids = await connection.fetch(
            "SELECT 'p' AS kind, sku AS code, id FROM product WHERE client_id = $1 "
            "UNION ALL SELECT 'l', code, id FROM location WHERE client_id = $1",
            client_id,
        )
        product = {int(r["code"][4:]): r["id"] for r in ids if r["kind"] == "p"}
        location = {int(r["code"][4:]): r["id"] for r in ids if r["kind"] == "l"}
        frame = pl.read_csv(
            resolved, has_header=False, new_columns=["day", "product", "location", "quantity", "revenue"]
        )
        with_ids = frame.select(
            pl.lit(client_id).alias("client_id"),
            pl.col("product").replace_strict(product).alias("product_id"),
            pl.col("location").replace_strict(location).alias("location_id"),
            pl.col("day").alias("sale_date"),
            "quantity",
            "revenue",
        )
        path = resolved.with_name("copy.csv")
        with_ids.write_csv(path, include_header=False)
        del frame, with_ids
        started = time.perf_counter()
        await connection.copy_to_table(
            "bench_sales_copy", source=path, columns=list(_COPY_COLUMNS), format="csv"
        )
        elapsed = time.perf_counter() - started
    finally:
        await connection.close()
    return elapsed


_COPY_COLUMNS = ("client_id", "product_id", "location_id", "sale_date", "quantity", "revenue")


def _peak_rss_mb() -> float:
    """The larger peak of this process and of its finished children (the pool worker)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


async def _postgresql(args: argparse.Namespace, files: Files) -> tuple[float, float, float]:
    database = f"sw_bench_import_{uuid.uuid4().hex[:8]}"
    await _pg_admin(args.pg, "postgres", f'CREATE DATABASE "{database}"')
    try:
        host = args.pg.split("@", 1)[1]
        app_url = f"postgresql+asyncpg://{APP_ROLE}@{host}/{database}"
        owner_url = f"postgresql+asyncpg://{args.pg}/{database}"
        await asyncio.to_thread(_migrate, app_url, owner_url)

        async def analyse() -> None:
            # Steady state: autovacuum has analysed the catalogue (FK checks plan on its statistics).
            await _pg_admin(args.pg, database, "ANALYZE product; ANALYZE location; CHECKPOINT")

        client_id, run, elapsed = await _through_the_app(_settings(app_url, owner_url), files, analyse)
        peak = _peak_rss_mb()
        speed = f"{args.rows} rows in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s"
        print(f"postgresql import: {speed}; {run['counts']}")
        copy_elapsed = await _constrained_copy(args.pg, database, client_id, files.resolved)
        print(f"constrained COPY baseline: {args.rows / copy_elapsed:,.0f} rows/s ({copy_elapsed:.1f} s)")
        return args.rows / elapsed, args.rows / copy_elapsed, peak
    finally:
        await _pg_admin(args.pg, "postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def _sqlite(args: argparse.Namespace, files: Files, work: Path) -> float:
    url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
    await asyncio.to_thread(_migrate, url, url)

    async def nothing() -> None:
        return None

    _, _, elapsed = await _through_the_app(_settings(url, url), files, nothing)
    print(f"sqlite import: {args.rows} rows in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s")
    return args.rows / elapsed


async def main() -> None:
    args = _parse()
    with tempfile.TemporaryDirectory(prefix="stockwise-bench-") as tmp:
        work = Path(tmp)
        files = _generate(args, work)
        size_mb = files.sales.stat().st_size / 1024 / 1024
        catalogue = f"{args.products} products, {args.locations} locations"
        print(f"generated {args.rows} sales rows ({size_mb:.1f} MiB CSV), {catalogue}")
        rows_per_s, copy_rows_per_s, peak = await _postgresql(args, files)
        sqlite_rows_per_s = None if args.skip_sqlite else await _sqlite(args, files, work)
    ratio = rows_per_s / copy_rows_per_s
    print(f"ratio vs constrained COPY: {ratio:.2f}; peak RSS {peak:.0f} MB")
    result = {
        "rows": args.rows,
        "rows_per_s": round(rows_per_s),
        "copy_rows_per_s": round(copy_rows_per_s),
        "ratio_vs_copy": round(ratio, 3),
        "peak_rss_mb": round(peak, 1),
        "sqlite_rows_per_s": None if sqlite_rows_per_s is None else round(sqlite_rows_per_s),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
