"""Seeds the demo tenant from the generator, as a job: catalogue and stock in one transaction, then
sales in chunks (each its own transaction, so the server stays responsive on SQLite).

Rows are keyed by their natural keys and inserted only when missing, so a retried or repeated run
adds nothing twice; the same seed and end date give the same data.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import polars as pl

from stockwise.catalog import service as catalog
from stockwise.catalog.demo_data import DemoDataset, generate_demo_dataset
from stockwise.catalog.service import CatalogIds
from stockwise.core.job_runtime import JobContext, JobRuntime
from stockwise.core.jobs import Job, JobStatus, enqueue_job, job_handler
from stockwise.core.unit_of_work import UnitOfWork, UnitOfWorkFactory
from stockwise.forecasting import service as forecasting
from stockwise.inventory.repository import JobLookupRepository
from stockwise.inventory.service import seed_stock

DEMO_SEED_KIND = "demo_seed"
SALES_CHUNK = 5_000
PROGRESS_EVERY = 100_000
_PENDING_OR_DONE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED)


@dataclass(frozen=True, slots=True)
class DemoSeedOptions:
    end_date: date
    seed: int = 42
    scale: float = 1.0
    years: float = 2.0

    def payload(self) -> dict[str, Any]:
        return {**asdict(self), "end_date": self.end_date.isoformat()}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DemoSeedOptions:
        return cls(**{**payload, "end_date": date.fromisoformat(payload["end_date"])})


async def request_demo_seed(uow: UnitOfWork, *, options: DemoSeedOptions) -> tuple[Job, bool]:
    """(job, queued now): a new job unless one is queued, running or done already for this tenant."""
    latest = await JobLookupRepository(uow).latest(DEMO_SEED_KIND)
    if latest is not None and latest.status in _PENDING_OR_DONE:
        return latest, False
    return await enqueue_job(uow, kind=DEMO_SEED_KIND, payload=options.payload()), True


async def seed_demo_data(
    uows: UnitOfWorkFactory, jobs: JobRuntime, *, client_id: int, options: DemoSeedOptions, wait: bool
) -> Job:
    """For the CLI: queue the seed (the server's job runner picks it up), or run it here when `wait`."""
    async with uows.tenant(client_id) as uow:
        job, _queued = await request_demo_seed(uow, options=options)
    if wait and job.status == JobStatus.QUEUED:
        await jobs.execute(client_id, job.id)
        async with uows.tenant(client_id, write=False) as uow:
            return await JobLookupRepository(uow).get(job.id)
    return job


def generate(seed: int, scale: float, end_date: str, years: float) -> DemoDataset:
    """Runs in the process pool: the dataset is numpy/polars work of a few seconds at scale 1."""
    return generate_demo_dataset(seed=seed, scale=scale, end_date=date.fromisoformat(end_date), years=years)


def sales_with_ids(sales: pl.DataFrame, ids: CatalogIds) -> pl.DataFrame:
    return sales.select(
        pl.col("sku").replace_strict(ids.products, return_dtype=pl.Int64).alias("product_id"),
        pl.col("location_code").replace_strict(ids.locations, return_dtype=pl.Int64).alias("location_id"),
        pl.col("date").alias("sale_date"),
        pl.col("quantity").cast(pl.Decimal(18, 4)),
        pl.col("revenue").cast(pl.Decimal(18, 4)),
    )


@job_handler(DEMO_SEED_KIND)
async def run_demo_seed(ctx: JobContext) -> dict[str, Any]:
    options = DemoSeedOptions.from_payload(ctx.payload)
    await ctx.progress(0.01, "generating the demo dataset")
    data = await ctx.run_cpu(
        generate, options.seed, options.scale, options.end_date.isoformat(), options.years
    )
    async with ctx.unit_of_work() as uow:
        ids = await catalog.seed_catalog(uow, dataset=data)
        new_levels = await seed_stock(uow, stock=data.stock, ids=ids)
    await ctx.progress(0.1, "catalogue and stock loaded; loading sales")
    await _load_sales(ctx, await asyncio.to_thread(sales_with_ids, data.sales, ids))
    async with ctx.unit_of_work(write=False) as uow:
        stored = await forecasting.count_sales(uow)
    return {
        "locations": len(ids.locations),
        "suppliers": len(ids.suppliers),
        "products": len(ids.products),
        "stock_levels_created": new_levels,
        "sales_rows": stored,
    }


async def _load_sales(ctx: JobContext, sales: pl.DataFrame) -> None:
    """Small transactions keep each event-loop slice (binding the rows) and each SQLite write lock short."""
    for start in range(0, sales.height, SALES_CHUNK):
        async with ctx.unit_of_work() as uow:
            await forecasting.seed_sales(uow, sales=sales.slice(start, SALES_CHUNK))
        done = min(sales.height, start + SALES_CHUNK)
        if done % PROGRESS_EVERY < SALES_CHUNK or done == sales.height:
            await ctx.progress(0.1 + 0.9 * done / sales.height, f"sales: {done} of {sales.height} rows")
