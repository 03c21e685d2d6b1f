"""Real files are messy: each bad input gets a clear 4xx or a row error; the data stays exactly as it was."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from tests.etl.helpers import csv_bytes, imported, seed_catalog, table_rows, upload
from tests.factories import make_actor

HEADER = "date,sku,location,qty"


async def _sales(state: Any, client_id: int) -> list[tuple[Any, ...]]:
    return await table_rows(state, client_id, "sales", ("sale_date", "product_id", "location_id", "quantity"))


async def _tenant(client: httpx.AsyncClient, state: Any) -> tuple[Any, list[tuple[Any, ...]]]:
    """A tenant with a catalogue and one sale, and its sales as they were."""
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes(HEADER, "2025-01-01,A-1,WH1,1"), entity="sales")
    return actor, await _sales(state, actor.client_id)


def _xlsx(tmp_path: Path, rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / "upload.xlsx"
    workbook.save(path)
    return path.read_bytes()


FILE_LEVEL = [
    pytest.param("utf-16".encode("utf-16") + csv_bytes(HEADER), {}, "encoding", id="utf-16"),
    pytest.param(
        b"date,sku,location,qty\n2025-01-01,A-1,WH1,\x81\x8d\n",
        {"encoding": "utf-8"},
        "encoding",
        id="bad-utf-8",
    ),
    pytest.param(b"", {}, "file", id="empty"),
    pytest.param(csv_bytes(HEADER), {}, "file", id="header-only"),
    pytest.param(csv_bytes("date,sku,qty", "2025-01-01,A-1,1"), {}, "columns", id="missing-column"),
    pytest.param(
        csv_bytes("date,sku,location,qty,colour", "2025-01-01,A-1,WH1,1,red"),
        {},
        "columns",
        id="unknown-column",
    ),
    pytest.param(
        csv_bytes(HEADER, "03/04/2025,A-1,WH1,1", "05/06/2025,A-1,WH1,1"),
        {},
        "date_format",
        id="ambiguous-dates",
    ),
    pytest.param(b"date;sku,location\n", {}, "delimiter", id="tied-delimiters"),
    pytest.param(b"\xd0\xcf\x11\xe0" + b"\x00" * 600, {}, "file", id="legacy-xls"),
    pytest.param(b"PK\x03\x04not really a zip", {}, "file", id="broken-xlsx"),
]


@pytest.mark.parametrize(("content", "form", "field"), FILE_LEVEL)
async def test_a_bad_file_is_rejected_naming_the_field(
    client: httpx.AsyncClient, state: Any, content: bytes, form: dict[str, str], field: str
) -> None:
    actor, before = await _tenant(client, state)
    resp = await upload(client, actor, content, entity="sales", **form)
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert problem["code"] == "import_rejected" and problem["errors"][0]["loc"] == ["body", field], problem
    run = (await client.get(f"/api/v1/imports/{problem['import_run_id']}", headers=actor.headers)).json()
    assert run["status"] == "rejected" and run["message"].startswith(f"{field}: ")
    report = await client.get(problem["report_url"], headers=actor.headers)
    assert list(csv.reader(io.StringIO(report.text)))[1][:2] == ["0", field]
    assert await _sales(state, actor.client_id) == before


ROW_LEVEL = [
    pytest.param("2025-01-02,A-1,WH1,-3", "quantity", "negative value not allowed", id="negative"),
    pytest.param("2025-01-02,A-1,WH1,three", "quantity", "not a number", id="non-numeric"),
    pytest.param("2025-02-30,A-1,WH1,3", "date", "impossible date", id="impossible-date"),
    pytest.param("2025-13-01,A-1,WH1,3", "date", "impossible date", id="month-13"),
    pytest.param("yesterday,A-1,WH1,3", "date", "not a date (expected yyyy-mm-dd)", id="not-a-date"),
    pytest.param(
        "2025-01-02,A-1,NOWHERE,3", "location_code", "unknown location 'NOWHERE'", id="unknown-location"
    ),
    pytest.param("2025-01-02,,WH1,3", "sku", "required value is missing", id="missing-sku"),
]


@pytest.mark.parametrize(("row", "column", "message"), ROW_LEVEL)
async def test_a_bad_row_is_a_row_error_and_nothing_changes(
    client: httpx.AsyncClient, state: Any, row: str, column: str, message: str
) -> None:
    actor, before = await _tenant(client, state)
    resp = await upload(client, actor, csv_bytes(HEADER, "2025-01-03,B-2,WH1,1", row), entity="sales")
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"] == [{"loc": ["file", 3, column], "msg": message, "type": "import_error"}]
    assert await _sales(state, actor.client_id) == before


async def test_another_tenants_sku_does_not_exist_here(client: httpx.AsyncClient, state: Any) -> None:
    actor, before = await _tenant(client, state)
    other = await make_actor(state)
    await seed_catalog(client, other, skus=("THEIRS-1",))
    theirs = await _sales(state, other.client_id)
    resp = await upload(client, actor, csv_bytes(HEADER, "2025-01-03,THEIRS-1,WH1,1"), entity="sales")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["msg"] == "unknown sku 'THEIRS-1'"
    assert await _sales(state, actor.client_id) == before
    assert await _sales(state, other.client_id) == theirs


async def test_a_one_row_file_imports(client: httpx.AsyncClient, state: Any) -> None:
    actor, before = await _tenant(client, state)
    run = await imported(client, actor, csv_bytes(HEADER, "2025-01-09,B-2,ST1,2"), entity="sales")
    assert run["status"] == "succeeded" and run["counts"]["rows"] == 1 and run["counts"]["inserted"] == 1
    assert len(await _sales(state, actor.client_id)) == len(before) + 1


MESSY = [
    pytest.param(
        b"Date;SKU;Store;Qty\r\n2025-01-09;B-2;ST1;1,5\r\n",
        {},
        Decimal("1.5"),
        id="semicolon-decimal-comma",
    ),
    pytest.param(
        "\ufeffdate,sku,location,qty\n2025-01-09,B-2,ST1,1.5\n".encode(), {}, Decimal("1.5"), id="utf-8-bom"
    ),
    pytest.param(b"date\tsku\tlocation\tqty\n2025-01-09\tB-2\tST1\t2\n", {}, Decimal(2), id="tab"),
    pytest.param(
        b"date,sku,location,qty\n09/01/2025,B-2,ST1,2\n",
        {"date_format": "dmy"},
        Decimal(2),
        id="explicit-dmy",
    ),
    pytest.param(
        b"date,sku,location,qty\n01/09/2025,B-2,ST1,2\n",
        {"date_format": "mdy"},
        Decimal(2),
        id="explicit-mdy",
    ),
    pytest.param(b"date,sku,location,qty\n25/01/2025,B-2,ST1,2\n", {}, None, id="detected-dmy"),
]


@pytest.mark.parametrize(("content", "form", "quantity"), MESSY)
async def test_real_world_formats_are_detected_or_accepted(
    client: httpx.AsyncClient, state: Any, content: bytes, form: dict[str, str], quantity: Decimal | None
) -> None:
    actor, before = await _tenant(client, state)
    run = await imported(client, actor, content, entity="sales", **form)
    assert run["status"] == "succeeded", run
    added = sorted(set(await _sales(state, actor.client_id)) - set(before))
    assert len(added) == 1
    expected_day = date(2025, 1, 25) if quantity is None else date(2025, 1, 9)
    assert added[0][0] == expected_day
    assert quantity is None or added[0][3] == quantity


async def test_cp1252_text_is_decoded(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    run = await imported(client, actor, "code,name\nK1,Köln Café\n".encode("cp1252"), entity="locations")
    assert run["status"] == "succeeded" and run["detected"]["encoding"] == "cp1252"
    assert await table_rows(state, actor.client_id, "location", ("code", "name")) == [("K1", "Köln Café")]


async def test_xlsx_formulas_use_cached_values_or_are_row_errors(
    client: httpx.AsyncClient, state: Any, tmp_path: Path
) -> None:
    actor, before = await _tenant(client, state)
    content = _xlsx(tmp_path, [["Date", "SKU", "Store", "Qty"], ["2025-01-05", "B-2", "WH1", "=1+1"]])
    resp = await upload(client, actor, content, entity="sales", filename="sales.xlsx")
    assert resp.status_code == 422
    error = resp.json()["errors"][0]
    assert error["loc"] == ["file", 2, "quantity"] and "formula" in error["msg"], resp.json()
    assert await _sales(state, actor.client_id) == before
    report = await client.get(resp.json()["report_url"], headers=actor.headers)
    assert list(csv.reader(io.StringIO(report.text)))[1][2] == "'=1+1", "the formula comes back inert"
    plain = _xlsx(tmp_path, [["Date", "SKU", "Store", "Qty"], [date(2025, 1, 5), "B-2", "WH1", 4]])
    run = await imported(client, actor, plain, entity="sales", filename="sales.xlsx")
    assert run["status"] == "succeeded" and run["detected"]["file_format"] == "xlsx"


async def test_error_reports_neutralise_spreadsheet_formulas(client: httpx.AsyncClient, state: Any) -> None:
    actor, before = await _tenant(client, state)
    cells = ['=HYPERLINK("http://x.test","y")', "+1+2", "-2+3", "@SUM(A1)"]
    content = csv_bytes(
        HEADER,
        *(f'2025-01-0{i + 2},A-1,WH1,"{cell.replace(chr(34), chr(34) * 2)}"' for i, cell in enumerate(cells)),
    )
    resp = await upload(client, actor, content, entity="sales")
    assert resp.status_code == 422
    report = await client.get(resp.json()["report_url"], headers=actor.headers)
    values = [row[2] for row in list(csv.reader(io.StringIO(report.text)))[1:]]
    assert values == ["'" + cell for cell in cells]
    assert await _sales(state, actor.client_id) == before
