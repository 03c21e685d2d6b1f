"""Isolation cases for jobs and tenant data exports."""

from __future__ import annotations

import asyncio
from typing import Any

from stockwise.core.principal import Role
from tests.security.isolation import Factory, IsolationContext, RouteCase


async def _finished_job(ctx: IsolationContext, job_id: int) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            resp = await ctx.client.get(f"/api/v1/jobs/{job_id}", headers=ctx.headers)
            assert resp.status_code == 200, resp.text
            job: dict[str, Any] = resp.json()
            if job["status"] in ("succeeded", "failed"):
                return job
            await asyncio.sleep(0.02)


async def _job(ctx: IsolationContext) -> int:
    """A finished export job (the job any admin can start through the API; one runs at a time)."""
    job = await _finished_job(ctx, int((await ctx.post("/exports", {}))["id"]))
    assert job["status"] == "succeeded", job
    return int(job["id"])


async def _export(ctx: IsolationContext) -> int:
    job = await _finished_job(ctx, await ctx.id("job_id"))
    return int(job["result"]["export_id"])


FACTORIES: dict[str, Factory] = {"job_id": _job, "export_id": _export}
ROUTES: dict[tuple[str, str], RouteCase] = {
    ("GET", "/api/v1/jobs/{job_id}"): RouteCase(min_role=Role.VIEWER),
    ("GET", "/api/v1/exports/{export_id}/download"): RouteCase(min_role=Role.ADMIN),
}
