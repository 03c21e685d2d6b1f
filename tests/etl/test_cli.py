"""`stockwise import`: the same import as the API from a shell, with its report and exit code."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from stockwise.cli import app
from stockwise.config import get_settings
from tests.etl.helpers import csv_bytes, seed_catalog, table_rows
from tests.factories import make_actor


@pytest.fixture
def cli_env(state: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point the CLI's settings (read from the environment) at this test's database."""
    monkeypatch.setenv("STOCKWISE_DATABASE_URL", state.settings.database_url)
    monkeypatch.setenv("STOCKWISE_DATABASE_OWNER_URL", state.settings.owner_url)
    monkeypatch.setenv("STOCKWISE_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _cli(*args: str) -> Result:
    # The command runs its own event loop, so it gets a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, app, ["import", *args], catch_exceptions=False)


async def test_cli_import_dry_run_then_real_run(
    client: httpx.AsyncClient, state: Any, cli_env: Any, tmp_path: Path
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    path = tmp_path / "sales.csv"
    path.write_bytes(csv_bytes("date,sku,location,qty", "2025-05-01,A-1,WH1,2", "2025-05-02,B-2,ST1,3"))
    common = (str(path), "--tenant", str(actor.client_id), "--entity", "sales")
    dry = await _cli(*common, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "succeeded" in dry.output and "dry run" in dry.output
    assert await table_rows(state, actor.client_id, "sales", ("quantity",)) == []
    real = await _cli(*common, "--mode", "replace")
    assert real.exit_code == 0, real.output
    assert len(await table_rows(state, actor.client_id, "sales", ("quantity",))) == 2
    runs = (await client.get("/api/v1/imports", params={"entity": "sales"}, headers=actor.headers)).json()[
        "items"
    ]
    assert [(run["source"], run["dry_run"], run["counts"]["inserted"]) for run in runs] == [
        ("cli", False, 2),
        ("cli", True, 2),
    ]


async def test_cli_import_of_a_bad_file_exits_1_with_the_report(
    client: httpx.AsyncClient, state: Any, cli_env: Any, tmp_path: Path
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    path = tmp_path / "sales.csv"
    path.write_bytes(csv_bytes("date,sku,location,qty", "2025-05-01,A-1,WH1,2", "2025-05-02,B-2,ST1,[bold]3"))
    report = tmp_path / "errors.csv"
    result = await _cli(
        str(path), "--tenant", str(actor.client_id), "--entity", "sales", "--errors-csv", str(report)
    )
    assert result.exit_code == 1, result.output
    assert "rejected" in result.output and "[bold]3" in result.output
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["row", "column", "value", "message"] and rows[1][:2] == ["3", "quantity"]
    assert await table_rows(state, actor.client_id, "sales", ("quantity",)) == []
