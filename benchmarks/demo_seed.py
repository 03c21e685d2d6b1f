"""Demo seeding through the real job (generation in the process pool, bulk inserts) on SQLite and PostgreSQL.

Creates its own databases (dropped afterwards), migrates them, creates the demo tenant and runs the
`demo_seed` job to completion in this process, as `stockwise demo --wait` does. The baseline is the
generator alone (no database). Last line: one JSON object with scale, sales_rows, generate_s,
sqlite_s, sqlite_rows_per_s, postgresql_s, postgresql_rows_per_s.

    .venv/bin/python benchmarks/demo_seed.py --scale 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stockwise.config import Environment, Settings  # noqa: E402

APP_ROLE = "stockwise_app"
END_DATE = date(2025, 6, 30)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = ~2,000 products, ~1.7M sales rows")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument(
        "--pg",
        default=os.environ.get("STOCKWISE_BENCH_PG", "postgres@127.0.0.1:5432"),
        help="user@host:port of a PostgreSQL superuser",
    )
    return parser.parse_args()


def _migrate(app_url: str, owner_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from stockwise.config import get_settings

    os.environ["STOCKWISE_DATABASE_URL"], os.environ["STOCKWISE_DATABASE_OWNER_URL"] = app_url, owner_url
    get_settings.cache_clear()
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


async def _seed(app_url: str, owner_url: str, args: argparse.Namespace) -> tuple[float, int]:
    from stockwise.inventory.demo_seed import DemoSeedOptions, seed_demo_data
    from stockwise.state import build_state
    from stockwise.tenancy.provisioning import ensure_demo_tenant

    await asyncio.to_thread(_migrate, app_url, owner_url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env=Environment.TESTING,
        database_url=app_url,
        database_owner_url=owner_url,
        argon2_time_cost=1,
        argon2_memory_cost_kib=64,
        log_json=False,
        log_level="WARNING",
    )
    state = build_state(settings)
    try:
        client_id, _ = await ensure_demo_tenant(
            state.uow, state.hasher, name="Bench", email="bench@example.com", password="bench-password-123"
        )
        options = DemoSeedOptions(end_date=END_DATE, seed=args.seed, scale=args.scale)
        started = time.perf_counter()
        job = await seed_demo_data(state.uow, state.jobs, client_id=client_id, options=options, wait=True)
        elapsed = time.perf_counter() - started
    finally:
        await state.stop()
    if job.status != "succeeded" or not job.result:
        raise SystemExit(f"seed job ended {job.status}: {job.error_code}")
    return elapsed, int(job.result["sales_rows"])


async def _postgresql(args: argparse.Namespace) -> tuple[float, int]:
    name = f"sw_bench_demo_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"postgresql://{args.pg}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        host = args.pg.split("@", 1)[1]
        app_url, owner_url = (
            f"postgresql+asyncpg://{APP_ROLE}@{host}/{name}",
            f"postgresql+asyncpg://{args.pg}/{name}",
        )
        try:
            return await _seed(app_url, owner_url, args)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _generate_only(args: argparse.Namespace) -> tuple[float, int]:
    from stockwise.catalog.demo_data import generate_demo_dataset

    started = time.perf_counter()
    data = generate_demo_dataset(seed=args.seed, scale=args.scale, end_date=END_DATE)
    return time.perf_counter() - started, data.sales.height


def main() -> None:
    args = _parse()
    generate_s, rows = _generate_only(args)
    print(f"generator alone: {rows} sales rows in {generate_s:.1f} s")
    figures: dict[str, Any] = {"scale": args.scale, "sales_rows": rows, "generate_s": round(generate_s, 2)}
    runs = {"sqlite": not args.skip_sqlite, "postgresql": not args.skip_postgresql}
    for dialect, wanted in runs.items():
        if not wanted:
            continue
        if dialect == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite+aiosqlite:///{tmp}/bench.db"
                seconds, stored = asyncio.run(_seed(url, url, args))
        else:
            seconds, stored = asyncio.run(_postgresql(args))
        print(f"{dialect}: {stored} sales rows seeded in {seconds:.1f} s ({stored / seconds:,.0f} rows/s)")
        figures[f"{dialect}_s"] = round(seconds, 2)
        figures[f"{dialect}_rows_per_s"] = round(stored / seconds)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
