"""Tenant data export: admins get a zip with one CSV per tenant table, holding only their own rows."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from stockwise.core.models import Base
from stockwise.core.principal import Role
from stockwise.state import AppState
from stockwise.tenancy.export import export_cell
from stockwise.tenancy.models import DataExport, User
from tests.factories import Actor, make_actor
from tests.jobs.support import load_job, make_stale

FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
#: Tenant tables deliberately left out of the export (a new table is exported unless listed here).
LEFT_OUT = {
    "data_export": "the archives themselves",
    "refresh_token": "credentials",
    "idempotency_key": "a replay cache of API responses",
    "import_upload_chunk": "raw bytes of uploads in flight",
    "po_counter": "the next PO number, derivable from purchase_order",
}
SECRET_HEADERS = ("password", "secret", "token_hash", "token_version", "claim_token", "client_id")


async def _finished_job(client: httpx.AsyncClient, actor: Actor, job_id: int) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            job: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job_id}", headers=actor.headers)).json()
            if job["status"] in ("succeeded", "failed"):
                return job
            await asyncio.sleep(0.02)


async def _export(client: httpx.AsyncClient, admin: Actor) -> tuple[dict[str, Any], zipfile.ZipFile]:
    started = await client.post("/api/v1/exports", headers=admin.headers)
    assert started.status_code == 202, started.text
    assert started.headers["location"] == f"/api/v1/jobs/{started.json()['id']}"
    job = await _finished_job(client, admin, started.json()["id"])
    assert job["status"] == "succeeded", job
    download = await client.get(
        f"/api/v1/exports/{job['result']['export_id']}/download", headers=admin.headers
    )
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    return job, zipfile.ZipFile(io.BytesIO(download.content))


def _rows(archive: zipfile.ZipFile, table: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{table}.csv").decode())))


async def _name_users(state: AppState, actor: Actor, names: list[str]) -> list[str]:
    """Give `names` to new users of the actor's tenant; returns their emails."""
    emails = []
    for name in names:
        user = await make_actor(state, role=Role.VIEWER, client_id=actor.client_id)
        async with state.uow.tenant(actor.client_id) as uow:
            await uow.session.execute(update(User).where(User.id == user.user_id).values(full_name=name))
        emails.append(user.email)
    return emails


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PLANNER])
async def test_only_admins_export(client: httpx.AsyncClient, state: AppState, role: Role) -> None:
    admin = await make_actor(state)
    member = await make_actor(state, role=role, client_id=admin.client_id)
    assert (await client.post("/api/v1/exports", headers=member.headers)).status_code == 403
    job, _ = await _export(client, admin)
    download = f"/api/v1/exports/{job['result']['export_id']}/download"
    assert (await client.get(download, headers=member.headers)).status_code == 403


async def test_export_holds_every_tenant_table_and_only_own_rows(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin, stranger = await make_actor(state), await make_actor(state)
    own_emails = [admin.email, *await _name_users(state, admin, FORMULAS)]
    job, archive = await _export(client, admin)

    tenant_tables = {name for name, table in Base.metadata.tables.items() if "client_id" in table.c}
    assert sorted(archive.namelist()) == sorted(f"{name}.csv" for name in tenant_tables - set(LEFT_OUT))
    users = _rows(archive, "user")
    assert sorted(row["email"] for row in users) == sorted(own_emails)
    assert job["result"]["rows"]["user"] == len(own_emails)
    for name in archive.namelist():
        text = archive.read(name).decode()
        assert stranger.email not in text
        header = text.splitlines()[0].split(",") if text else []
        assert not [col for col in header if any(secret in col for secret in SECRET_HEADERS)], (name, header)
    names = {row["full_name"] for row in users if row["full_name"]}
    assert names == {"'" + formula for formula in FORMULAS}  # a spreadsheet shows them as text

    other = await client.get(
        f"/api/v1/exports/{job['result']['export_id']}/download", headers=stranger.headers
    )
    assert other.status_code == 404


async def test_one_export_at_a_time(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    first = await client.post("/api/v1/exports", headers=admin.headers)
    second = await client.post("/api/v1/exports", headers=admin.headers)
    assert second.status_code == 409, second.text
    assert second.json()["job_id"] == first.json()["id"]
    await _finished_job(client, admin, first.json()["id"])
    assert (await client.post("/api/v1/exports", headers=admin.headers)).status_code == 202


async def test_rerun_after_a_crash_replaces_the_file(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    job, _ = await _export(client, admin)
    await make_stale(state, admin.client_id, job["id"])  # as if the worker died before recording success
    await asyncio.gather(*(state.jobs.execute(admin.client_id, job["id"]) for _ in range(2)))
    rerun = await load_job(state, admin.client_id, job["id"])
    assert (rerun.status, rerun.attempts) == ("succeeded", 2)
    async with state.uow.tenant(admin.client_id, write=False) as uow:
        ids = (await uow.session.scalars(select(DataExport.id).where(DataExport.job_id == job["id"]))).all()
        total = await uow.session.scalar(select(func.count()).select_from(DataExport))
    assert rerun.result is not None
    assert (list(ids), total) == ([rerun.result["export_id"]], 1)
    download = await client.get(f"/api/v1/exports/{ids[0]}/download", headers=admin.headers)
    assert download.status_code == 200


def test_cells_keep_numbers_and_neutralise_formulas() -> None:
    assert export_cell(-5) == "-5"
    assert export_cell(Decimal("-1.50")) == "-1.50"
    assert export_cell(2.5) == "2.5"
    assert export_cell(True) == "true"
    assert export_cell(None) == ""
    assert export_cell({"b": [1, "=x"], "a": None}) == '{"a": null, "b": [1, "=x"]}'
    assert export_cell(datetime(2025, 1, 2, 3, 4, tzinfo=UTC)) == "2025-01-02T03:04:00+00:00"
    for formula in [*FORMULAS, "\tcmd", "\rcmd"]:
        assert export_cell(formula) == "'" + formula
    assert export_cell("plain - text") == "plain - text"
