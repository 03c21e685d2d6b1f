"""What `replace` means: master data deactivated or deleted, sales and stock replaced within the file's
scope, stock movements for every change, the dry run showing exactly the diff, and one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.etl.helpers import csv_bytes, imported, seed_catalog, table_rows, upload, wait_for_run
from tests.factories import make_actor

SALES_HEADER = "date,sku,location,qty"


async def _products(state: Any, client_id: int) -> list[tuple[Any, ...]]:
    return await table_rows(state, client_id, "product", ("sku", "name", "is_active"))


async def _sales(state: Any, client_id: int) -> list[tuple[Any, ...]]:
    return await table_rows(state, client_id, "sales", ("location_id", "product_id", "sale_date", "quantity"))


async def _ids(state: Any, client_id: int, table: str, code: str) -> dict[str, int]:
    return dict(await table_rows(state, client_id, table, (code, "id")))


async def _dry_then_real(
    client: httpx.AsyncClient, actor: Any, content: bytes, **form: Any
) -> dict[str, Any]:
    """Run the import as a dry run, then for real, and check both report the same counts."""
    dry = await imported(client, actor, content, dry_run=True, **form)
    real = await imported(client, actor, content, **form)
    assert dry["status"] == real["status"] == "succeeded", (dry, real)
    assert dry["counts"] == real["counts"]
    return real


async def test_replacing_products_deactivates_referenced_and_deletes_unreferenced(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes(SALES_HEADER, "2025-01-01,A-1,WH1,1"), entity="sales")
    before = await _products(state, actor.client_id)
    content = csv_bytes("sku,name", "C/3,Product C", "D-4,New")
    dry = await imported(client, actor, content, entity="products", mode="replace", dry_run=True)
    assert await _products(state, actor.client_id) == before
    run = await imported(client, actor, content, entity="products", mode="replace")
    assert dry["counts"] == run["counts"]
    counts = run["counts"]
    assert (counts["inserted"], counts["updated"], counts["deleted"], counts["deactivated"]) == (1, 1, 1, 1)
    assert await _products(state, actor.client_id) == [
        ("A-1", "Product A-1", False),
        ("C/3", "Product C", True),
        ("D-4", "New", True),
    ]
    back = await imported(client, actor, csv_bytes("sku,name", "A-1,Product A-1"), entity="products")
    assert back["counts"]["unchanged"] == 1, "an upsert without is_active leaves the flag alone"
    again = await imported(
        client, actor, csv_bytes("sku,name", "A-1,Product A-1"), entity="products", mode="replace"
    )
    assert again["counts"]["updated"] == 1 and ("A-1", "Product A-1", True) in await _products(
        state, actor.client_id
    )


async def test_replacing_sales_stays_within_the_files_locations_and_dates(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    history = csv_bytes(
        SALES_HEADER, *(f"2025-01-0{day},A-1,WH1,{day}" for day in range(1, 5)), "2025-01-02,A-1,ST1,5"
    )
    await imported(client, actor, history, entity="sales")
    content = csv_bytes(SALES_HEADER, "2025-01-02,A-1,WH1,9", "2025-01-03,B-2,WH1,1")
    run = await _dry_then_real(client, actor, content, entity="sales", mode="replace")
    counts = run["counts"]
    assert (counts["inserted"], counts["updated"], counts["unchanged"], counts["deleted"]) == (1, 1, 0, 1)
    locations = await _ids(state, actor.client_id, "location", "code")
    products = await _ids(state, actor.client_id, "product", "sku")
    wh1, st1, a1, b2 = locations["WH1"], locations["ST1"], products["A-1"], products["B-2"]
    assert await _sales(state, actor.client_id) == sorted(
        [
            (wh1, a1, date(2025, 1, 1), Decimal(1)),
            (wh1, a1, date(2025, 1, 2), Decimal(9)),
            (wh1, b2, date(2025, 1, 3), Decimal(1)),
            (wh1, a1, date(2025, 1, 4), Decimal(4)),
            (st1, a1, date(2025, 1, 2), Decimal(5)),
        ]
    )
    everything = await _dry_then_real(
        client,
        actor,
        csv_bytes(SALES_HEADER, "2025-01-01,A-1,WH1,1"),
        entity="sales",
        mode="replace",
        scope="all",
    )
    assert everything["counts"]["deleted"] == 4 and everything["counts"]["unchanged"] == 1
    assert await _sales(state, actor.client_id) == [(wh1, a1, date(2025, 1, 1), Decimal(1))]


async def test_stock_imports_write_movements_and_replace_per_location(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    header = "sku,location,on_hand,allocated"
    await imported(
        client, actor, csv_bytes(header, "A-1,WH1,10,1", "B-2,WH1,5,0", "A-1,ST1,7,0"), entity="stock"
    )
    await imported(client, actor, csv_bytes(header, "A-1,WH1,12.5,1"), entity="stock")
    run = await _dry_then_real(
        client, actor, csv_bytes(header, "A-1,WH1,12.5,2"), entity="stock", mode="replace"
    )
    assert (run["counts"]["updated"], run["counts"]["deleted"]) == (1, 1)
    locations = await _ids(state, actor.client_id, "location", "code")
    products = await _ids(state, actor.client_id, "product", "sku")
    levels = await table_rows(
        state, actor.client_id, "stock_level", ("location_id", "product_id", "on_hand", "allocated")
    )
    assert levels == sorted(
        [
            (locations["WH1"], products["A-1"], Decimal("12.5"), Decimal(2)),
            (locations["ST1"], products["A-1"], Decimal(7), Decimal(0)),
        ]
    )
    movements = await table_rows(
        state, actor.client_id, "stock_movement", ("location_id", "product_id", "quantity", "reason")
    )
    assert movements == sorted(
        [
            (locations["WH1"], products["A-1"], Decimal(10), "import"),
            (locations["WH1"], products["B-2"], Decimal(5), "import"),
            (locations["ST1"], products["A-1"], Decimal(7), "import"),
            (locations["WH1"], products["A-1"], Decimal("2.5"), "import"),
            (locations["WH1"], products["B-2"], Decimal(-5), "import"),
        ]
    )


async def test_a_new_primary_supplier_demotes_the_old_one(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes("code,name", "BETA,Beta"), entity="suppliers")
    header = "sku,supplier,lead_time_days,primary"
    await imported(client, actor, csv_bytes(header, "A-1,ACME,7,yes"), entity="product_suppliers")
    twice = await upload(
        client, actor, csv_bytes(header, "B-2,ACME,7,yes", "B-2,BETA,9,yes"), entity="product_suppliers"
    )
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["msg"] == "sku 'B-2' already has a primary supplier in row 2"
    run = await _dry_then_real(client, actor, csv_bytes(header, "A-1,BETA,3,yes"), entity="product_suppliers")
    assert (run["counts"]["inserted"], run["counts"]["updated"]) == (1, 1), (
        "the demoted link counts as updated"
    )
    suppliers = {
        value: key for key, value in (await _ids(state, actor.client_id, "supplier", "code")).items()
    }
    links = await table_rows(
        state, actor.client_id, "product_supplier", ("supplier_id", "lead_time_days", "is_primary")
    )
    assert sorted((suppliers[s], days, primary) for s, days, primary in links) == [
        ("ACME", 7, False),
        ("BETA", 3, True),
    ]


async def test_an_import_with_no_valid_row_never_replaces(client: httpx.AsyncClient, state: Any) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes(SALES_HEADER, "2025-01-01,A-1,WH1,1"), entity="sales")
    before = await _sales(state, actor.client_id)
    resp = await upload(
        client,
        actor,
        csv_bytes(SALES_HEADER, "2025-01-01,NOPE,WH1,1"),
        entity="sales",
        mode="replace",
        scope="all",
        on_error="skip",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "import_rejected"
    assert await _sales(state, actor.client_id) == before


def _owner_dsn(state: Any) -> str:
    return state.settings.owner_url.replace("postgresql+asyncpg://", "postgresql://")


async def _install_fault(state: Any, event: str) -> None:
    """A trigger (installed as the table owner) that fails the statement mid-way on one poison row."""
    condition = "OLD.quantity = 13" if event == "DELETE" else "NEW.quantity = 13.1313"
    row = "OLD" if event == "DELETE" else "NEW"
    connection = await asyncpg.connect(_owner_dsn(state))
    try:
        await connection.execute(
            f"""
            CREATE FUNCTION fail_on_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF {condition} THEN RAISE EXCEPTION 'injected fault'; END IF;
              RETURN {row};
            END $$;
            CREATE TRIGGER fail_on_poison BEFORE {event} ON sales
              FOR EACH ROW EXECUTE FUNCTION fail_on_poison();
            """
        )
    finally:
        await connection.close()


@pytest.mark.postgres_only
@pytest.mark.parametrize("event", ["INSERT", "DELETE"])
async def test_a_failure_in_the_middle_of_a_replace_leaves_the_table_unchanged(
    client: httpx.AsyncClient, state: Any, event: str
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    history = csv_bytes(SALES_HEADER, *(f"2025-01-{day:02d},A-1,WH1,{day}" for day in range(1, 21)))
    await imported(client, actor, history, entity="sales")
    before = await _sales(state, actor.client_id)
    await _install_fault(state, event)
    rows = [f"2025-02-{day:02d},B-2,ST1,1" for day in range(1, 20)]
    rows.insert(10, "2025-02-28,C/3,ST1,13.1313")
    resp = await upload(
        client, actor, csv_bytes(SALES_HEADER, *rows), entity="sales", mode="replace", scope="all"
    )
    assert resp.status_code == 500 and resp.json()["code"] == "internal_error"
    assert "injected" not in resp.text
    assert await _sales(state, actor.client_id) == before


@pytest.mark.postgres_only
@pytest.mark.settings(import_job_threshold_bytes=0)
async def test_a_failed_replace_job_marks_its_run_failed_and_changes_nothing(
    client: httpx.AsyncClient, state: Any
) -> None:
    actor = await make_actor(state)
    await seed_catalog(client, actor)
    await imported(client, actor, csv_bytes(SALES_HEADER, "2025-01-01,A-1,WH1,2"), entity="sales")
    before = await _sales(state, actor.client_id)
    await _install_fault(state, "INSERT")
    content = csv_bytes(SALES_HEADER, "2025-02-01,B-2,ST1,1", "2025-02-02,C/3,ST1,13.1313")
    resp = await upload(client, actor, content, entity="sales", mode="replace", scope="all")
    run = await wait_for_run(client, actor, resp.json()["id"])
    assert run["status"] == "failed" and "nothing was changed" in run["message"]
    job = (await client.get(f"/api/v1/jobs/{run['job_id']}", headers=actor.headers)).json()
    assert job["status"] == "failed" and job["error_code"] == "internal_error"
    assert await _sales(state, actor.client_id) == before
    assert await table_rows(state, actor.client_id, "import_upload_chunk", ("id",)) == []
