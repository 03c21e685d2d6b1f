"""File imports through the API: counts, dry runs, all-or-nothing, skip, jobs, caps, mappings, templates."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from stockwise.core.principal import Role
from tests.etl.helpers import csv_bytes, imported, seed_catalog, table_rows, upload, wait_for_run
from tests.factories import make_actor, make_user

SALES = ("product_id", "location_id", "sale_date", "quantity", "revenue")


async def _sales(state: Any, client_id: int) -> list[tuple[Any, ...]]:
    return await table_rows(state, client_id, "sales", ("sale_date", "quantity", "revenue"))


async def test_upsert_counts_inserts_updates_and_unchanged_rows(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    first = csv_bytes("date,sku,location,qty,revenue", "2025-01-01,A-1,WH1,3,30", "2025-01-02,A-1,WH1,4,40")
    run = await imported(client, actor, first, entity="sales")
    assert run["status"] == "succeeded" and run["counts"]["inserted"] == 2, run
    second = csv_bytes(
        "date,sku,location,qty,revenue",
        "2025-01-01,A-1,WH1,3,30",
        "2025-01-02,A-1,WH1,5,40",
        "2025-01-03,C/3,ST1,1.25,",
    )
    run = await imported(client, actor, second, entity="sales")
    counts = run["counts"]
    assert (counts["inserted"], counts["updated"], counts["unchanged"], counts["deleted"]) == (1, 1, 1, 0), (
        run
    )
    assert await _sales(state, actor.client_id) == [
        (date(2025, 1, 1), Decimal("3"), Decimal("30")),
        (date(2025, 1, 2), Decimal("5"), Decimal("40")),
        (date(2025, 1, 3), Decimal("1.25"), None),
    ]


async def test_dry_run_reports_the_diff_and_changes_nothing(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes("date,sku,location,qty", "2025-01-01,A-1,WH1,3"), entity="sales")
    before = await _sales(state, actor.client_id)
    content = csv_bytes("date,sku,location,qty", "2025-01-01,A-1,WH1,9", "2025-01-05,B-2,WH1,1")
    dry = await imported(client, actor, content, entity="sales", dry_run=True)
    assert dry["status"] == "succeeded" and dry["dry_run"] is True
    assert await _sales(state, actor.client_id) == before
    real = await imported(client, actor, content, entity="sales")
    assert dry["counts"] == real["counts"] == {**real["counts"], "inserted": 1, "updated": 1}
    assert len(await _sales(state, actor.client_id)) == 2


async def test_one_bad_row_rejects_the_file_but_the_run_is_recorded(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes("date,sku,location,qty", "2025-01-01,A-1,WH1,3"), entity="sales")
    before = await _sales(state, actor.client_id)
    content = csv_bytes("date,sku,location,qty", "2025-01-01,A-1,WH1,7", "2025-01-02,A-1,WH1,lots")
    resp = await upload(client, actor, content, entity="sales")
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["code"] == "import_rejected"
    assert problem["errors"] == [
        {"loc": ["file", 3, "quantity"], "msg": "not a number", "type": "import_error"}
    ]
    run = (await client.get(f"/api/v1/imports/{problem['import_run_id']}", headers=actor.headers)).json()
    assert run["status"] == "rejected" and run["counts"]["rejected"] == 1 and run["counts"]["inserted"] == 0
    report = await client.get(problem["report_url"], headers=actor.headers)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(report.text))) == [
        ["row", "column", "value", "message"],
        ["3", "quantity", "lots", "not a number"],
    ]
    assert await _sales(state, actor.client_id) == before


async def test_on_error_skip_loads_the_valid_rows_and_reports_the_rest(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    content = csv_bytes(
        "date,sku,location,qty", "2025-01-01,A-1,WH1,3", "2025-01-02,NOPE,WH1,1", "2025-02-30,A-1,WH1,1"
    )
    resp = await upload(client, actor, content, entity="sales", on_error="skip")
    assert resp.status_code == 201, resp.text
    run = resp.json()
    assert run["counts"]["inserted"] == 1 and run["counts"]["rejected"] == 2
    assert [(e["row"], e["column"], e["message"]) for e in run["errors"]] == [
        (3, "sku", "unknown sku 'NOPE'"),
        (4, "date", "impossible date"),
    ]
    assert run["report_url"] == f"/api/v1/imports/{run['id']}/errors"
    assert await _sales(state, actor.client_id) == [(date(2025, 1, 1), Decimal("3"), None)]


@pytest.mark.settings(import_job_threshold_bytes=0)
async def test_an_upload_over_the_threshold_runs_as_a_job_and_its_chunks_are_deleted(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    resp = await upload(
        client, actor, csv_bytes("date,sku,location,qty", "2025-01-01,A-1,WH1,3"), entity="sales"
    )
    assert resp.status_code == 202, resp.text
    queued = resp.json()
    assert queued["status"] == "queued" and queued["job_id"]
    assert resp.headers["location"] == f"/api/v1/imports/{queued['id']}"
    run = await wait_for_run(client, actor, queued["id"])
    assert run["status"] == "succeeded" and run["counts"]["inserted"] == 1, run
    job = (await client.get(f"/api/v1/jobs/{queued['job_id']}", headers=actor.headers)).json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0
    assert job["result"] == {"import_run_id": queued["id"], "status": "succeeded"}
    assert await table_rows(state, actor.client_id, "import_upload_chunk", ("id",)) == []
    assert await _sales(state, actor.client_id) == [(date(2025, 1, 1), Decimal("3"), None)]


@pytest.mark.settings(import_job_threshold_bytes=0)
async def test_a_rejected_job_import_keeps_its_report_and_drops_its_upload(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    resp = await upload(
        client, actor, csv_bytes("date,sku,location,qty", "2025-01-01,ZZZ,WH1,3"), entity="sales"
    )
    run = await wait_for_run(client, actor, resp.json()["id"])
    assert run["status"] == "rejected" and run["errors"][0]["message"] == "unknown sku 'ZZZ'"
    assert await table_rows(state, actor.client_id, "import_upload_chunk", ("id",)) == []
    assert await _sales(state, actor.client_id) == []


@pytest.mark.settings(max_upload_bytes=2048)
async def test_an_upload_over_the_size_cap_is_a_413_problem(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    content = csv_bytes("code,name", *(f"L{i},Location number {i}" for i in range(200)))
    resp = await upload(client, actor, content, entity="locations")
    assert resp.status_code == 413
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "payload_too_large"
    assert await table_rows(state, actor.client_id, "import_run", ("id",)) == []


@pytest.mark.settings(rate_limit_expensive="2/minute")
async def test_imports_are_rate_limited_per_tenant_and_user(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    colleague = await make_user(state, client_id=actor.client_id, role=Role.PLANNER)
    content = csv_bytes("code,name", "WH1,Main")
    for _ in range(2):
        assert (await upload(client, actor, content, entity="locations")).status_code == 201
    limited = await upload(client, actor, content, entity="locations")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert (await upload(client, colleague, content, entity="locations")).status_code == 201


async def test_viewers_cannot_import(client: httpx.AsyncClient, state: Any) -> None:
    viewer = await make_actor(state, role=Role.VIEWER)
    resp = await upload(client, viewer, csv_bytes("code,name", "WH1,Main"), entity="locations")
    assert resp.status_code == 403
    assert await table_rows(state, viewer.client_id, "location", ("code",)) == []


async def test_bad_options_are_a_422_naming_the_field(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    content = csv_bytes("code,name", "WH1,Main")
    cases = [
        ({"entity": "widgets"}, ["body", "entity"]),
        ({"entity": "locations", "mode": "merge"}, ["body", "mode"]),
        ({"entity": "locations", "aggregate": "sum"}, ["body", "aggregate"]),
        ({"entity": "locations", "mapping": {"Name": "title"}}, ["body", "column_mapping", "Name"]),
    ]
    for form, loc in cases:
        resp = await upload(client, actor, content, **form)
        assert resp.status_code == 422, (form, resp.text)
        assert resp.json()["errors"][0]["loc"] == loc, (form, resp.json())
    assert await table_rows(state, actor.client_id, "import_run", ("id",)) == []


async def test_saved_mapping_is_used_when_an_import_declares_none(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    mapping = {"Standort": "code", "Bezeichnung": "name", "Notiz": "ignore"}
    saved = await client.put(
        "/api/v1/imports/mappings", json={"entity": "locations", "mapping": mapping}, headers=actor.headers
    )
    assert saved.status_code == 200, saved.text
    listed = (await client.get("/api/v1/imports/mappings", headers=actor.headers)).json()
    assert [(m["entity"], m["mapping"]) for m in listed] == [("locations", mapping)]
    run = await imported(
        client, actor, csv_bytes("Standort,Bezeichnung,Notiz", "B1,Berlin,x"), entity="locations"
    )
    assert run["status"] == "succeeded", run
    assert await table_rows(state, actor.client_id, "location", ("code", "name")) == [("B1", "Berlin")]
    bad = await client.put(
        "/api/v1/imports/mappings",
        json={"entity": "locations", "mapping": {"X": "nope"}},
        headers=actor.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "mapping", "X"]


async def test_a_declared_mapping_can_be_saved_with_the_import(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    content = csv_bytes("Ort,Titel", "B1,Berlin")
    run = await imported(
        client,
        actor,
        content,
        entity="locations",
        mapping={"Ort": "code", "Titel": "name"},
        save_mapping=True,
    )
    assert run["status"] == "succeeded", run
    again = await imported(client, actor, csv_bytes("Ort,Titel", "B2,Bonn"), entity="locations")
    assert again["status"] == "succeeded", again
    assert await table_rows(state, actor.client_id, "location", ("code",)) == [("B1",), ("B2",)]


async def test_every_template_downloads_and_imports_cleanly(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    for entity in ("locations", "suppliers", "products", "product_suppliers", "stock", "sales"):
        template = await client.get(
            "/api/v1/imports/templates", params={"entity": entity}, headers=actor.headers
        )
        assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
        run = await imported(client, actor, template.content, entity=entity)
        assert run["status"] == "succeeded" and run["counts"]["inserted"] == 1, (entity, run)


async def test_sales_rows_of_the_same_sku_day_are_summed_on_request(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    content = csv_bytes(
        "date,sku,location,qty,revenue",
        "2025-01-01,A-1,WH1,1,10",
        "2025-01-01,A-1,WH1,2.5,25",
        "2025-01-02,A-1,WH1,1,",
    )
    duplicate = await upload(client, actor, content, entity="sales")
    assert duplicate.status_code == 422 and "duplicate of row 2" in duplicate.json()["errors"][0]["msg"]
    run = await imported(client, actor, content, entity="sales", aggregate="sum")
    assert run["status"] == "succeeded" and run["counts"]["inserted"] == 2, run
    assert await _sales(state, actor.client_id) == [
        (date(2025, 1, 1), Decimal("3.5"), Decimal("35")),
        (date(2025, 1, 2), Decimal("1"), None),
    ]


async def test_imports_are_listed_newest_first_with_filters(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    await imported(client, actor, csv_bytes("code,name", "WH1,Main"), entity="locations")
    await upload(client, actor, csv_bytes("code,name", "WH2,"), entity="locations")
    await imported(client, actor, csv_bytes("code,name", "ACME,Acme"), entity="suppliers")
    page = (await client.get("/api/v1/imports", headers=actor.headers)).json()
    assert [(run["entity"], run["status"]) for run in page["items"]] == [
        ("suppliers", "succeeded"),
        ("locations", "rejected"),
        ("locations", "succeeded"),
    ]
    rejected = await client.get("/api/v1/imports", params={"status": "rejected"}, headers=actor.headers)
    assert rejected.json()["total"] == 1
    other = await make_actor(state)
    assert (await client.get("/api/v1/imports", headers=other.headers)).json()["total"] == 0


async def test_master_data_upsert_keeps_columns_the_file_does_not_have(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await imported(
        client,
        actor,
        csv_bytes("sku,name,category,unit,cost", "A-1,Widget,Tools,box,2.50"),
        entity="products",
    )
    run = await imported(client, actor, csv_bytes("sku,name", "A-1,Widget XL"), entity="products")
    assert run["counts"]["updated"] == 1, run
    rows = await table_rows(
        state, actor.client_id, "product", ("sku", "name", "category", "unit", "unit_cost")
    )
    assert rows == [("A-1", "Widget XL", "Tools", "box", Decimal("2.5"))]
    same = await imported(client, actor, csv_bytes("sku,name", "A-1,Widget XL"), entity="products")
    assert same["counts"]["unchanged"] == 1 and same["counts"]["updated"] == 0
