"""Purchase orders through the API: direct creation, lists, the lifecycle, ETag-guarded edits, export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import httpx

from stockwise.core.principal import Role
from tests.factories import make_actor
from tests.purchasing.factories import count_statements, link, make_offer, make_product, ordered_po

POS = "/api/v1/purchase-orders"


async def test_direct_create_prices_from_conditions_unless_given(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    first = await make_offer(state, client_id=planner.client_id, price="1.1111")
    second = await make_offer(
        state,
        client_id=planner.client_id,
        supplier_id=first.supplier_id,
        location_id=first.location_id,
        price="9",
    )
    body = {
        "supplier_id": first.supplier_id,
        "location_id": first.location_id,
        "notes": "=cmd|' /C calc'!A0",
        "lines": [
            {"product_id": first.product_id, "quantity": "3"},
            {"product_id": second.product_id, "quantity": "2.5", "unit_price": "8.5"},
        ],
    }
    resp = await client.post(POS, json=body, headers=planner.headers)
    assert resp.status_code == 201, resp.text
    po = resp.json()
    assert [(line["line_no"], line["unit_price"], line["line_total"]) for line in po["lines"]] == [
        (1, "1.1111", "3.3333"),
        (2, "8.5000", "21.2500"),
    ]
    assert po["total_amount"] == "24.5833" and po["status"] == "draft" and po["created_by"] == planner.user_id


async def test_direct_create_names_bad_lines(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id)
    unsupplied = await make_product(state, client_id=planner.client_id)
    body = {
        "supplier_id": offer.supplier_id,
        "location_id": offer.location_id,
        "lines": [
            {"product_id": offer.product_id, "quantity": "1"},
            {"product_id": unsupplied, "quantity": "1"},
            {"product_id": offer.product_id, "quantity": "2"},
        ],
    }
    resp = await client.post(POS, json=body, headers=planner.headers)
    assert resp.status_code == 422
    assert [e["loc"] for e in resp.json()["errors"]] == [
        ["body", "lines", 1, "product_id"],
        ["body", "lines", 2, "product_id"],
    ]
    assert (await client.post(POS, json={**body, "lines": []}, headers=planner.headers)).status_code == 422


async def test_lifecycle_and_illegal_transitions(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, submit=False)
    url = f"{POS}/{po['id']}"
    early_close = await client.post(f"{url}/close", headers=planner.headers)
    assert early_close.status_code == 409
    assert early_close.json()["current_status"] == "draft" and "draft" in early_close.json()["detail"]
    submitted = await client.post(f"{url}/submit", headers=planner.headers)
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_at"]
    assert (await client.post(f"{url}/submit", headers=planner.headers)).status_code == 409
    confirmed = await client.post(f"{url}/confirm", headers=planner.headers)
    assert confirmed.json()["status"] == "confirmed" and confirmed.headers["ETag"] == '"3"'
    cancelled = await client.post(f"{url}/cancel", headers=planner.headers)
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post(f"{url}/confirm", headers=planner.headers)
    assert again.status_code == 409 and again.json()["current_status"] == "cancelled"
    admin = await make_actor(state, role=Role.ADMIN, client_id=planner.client_id)
    events = (
        await client.get(
            "/api/v1/audit-events", params={"entity_type": "purchase_order"}, headers=admin.headers
        )
    ).json()["items"]
    assert [e["action"] for e in events] == [
        "purchase_order.cancelled",
        "purchase_order.confirmed",
        "purchase_order.submitted",
        "purchase_order.created",
    ]
    assert events[0]["before"]["status"] == "confirmed" and events[0]["after"]["status"] == "cancelled"


async def test_draft_edits_need_the_current_etag(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, submit=False)
    url = f"{POS}/{po['id']}"
    read = await client.get(url, headers=planner.headers)
    etag = read.headers["ETag"]
    product_id = po["lines"][0]["product_id"]
    body = {"notes": "call first", "lines": [{"product_id": product_id, "quantity": "40"}]}

    assert (await client.patch(url, json=body, headers=planner.headers)).status_code == 428
    edited = await client.patch(url, json=body, headers={**planner.headers, "If-Match": etag})
    assert edited.status_code == 200, edited.text
    assert (
        edited.json()["notes"] == "call first" and edited.json()["lines"][0]["quantity_ordered"] == "40.0000"
    )
    assert Decimal(edited.json()["total_amount"]) == Decimal(40) * Decimal(
        edited.json()["lines"][0]["unit_price"]
    )
    # A second planner who read the old version cannot overwrite the first one's edit.
    stale = await client.patch(url, json={"notes": "mine"}, headers={**planner.headers, "If-Match": etag})
    assert stale.status_code == 412
    assert (await client.get(url, headers=planner.headers)).json()["notes"] == "call first"
    null_date = await client.patch(
        url, json={"expected_date": None}, headers={**planner.headers, "If-Match": edited.headers["ETag"]}
    )
    assert null_date.status_code == 422 and null_date.json()["errors"][0]["loc"] == ["body", "expected_date"]

    submitted = await client.post(f"{url}/submit", headers=planner.headers)
    locked = await client.patch(
        url, json={"notes": "late"}, headers={**planner.headers, "If-Match": submitted.headers["ETag"]}
    )
    assert locked.status_code == 409 and locked.json()["current_status"] == "submitted"


async def test_list_filters_and_constant_statements(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    draft = await ordered_po(client, state, planner, submit=False)
    submitted = await ordered_po(client, state, planner)

    by_status = (await client.get(POS, params={"status": "submitted"}, headers=planner.headers)).json()
    assert [po["id"] for po in by_status["items"]] == [submitted["id"]]
    by_supplier = (
        await client.get(POS, params={"supplier_id": draft["supplier_id"]}, headers=planner.headers)
    ).json()
    assert [po["id"] for po in by_supplier["items"]] == [draft["id"]]
    by_location = (
        await client.get(POS, params={"location_id": submitted["location_id"]}, headers=planner.headers)
    ).json()
    assert [po["id"] for po in by_location["items"]] == [submitted["id"]]
    day = draft["order_date"]
    in_range = (
        await client.get(POS, params={"date_from": day, "date_to": day}, headers=planner.headers)
    ).json()
    assert in_range["total"] == 2
    before = (await client.get(POS, params={"date_to": "2000-01-01"}, headers=planner.headers)).json()
    assert before["total"] == 0
    reversed_range = await client.get(
        POS, params={"date_from": "2030-01-02", "date_to": "2030-01-01"}, headers=planner.headers
    )
    assert reversed_range.status_code == 422
    assert (await client.get(POS, params={"status": "lost"}, headers=planner.headers)).status_code == 422

    with count_statements(state) as few:
        assert len((await client.get(POS, headers=planner.headers)).json()["items"]) == 2
    for _ in range(4):
        await ordered_po(client, state, planner, quantities=("1", "2", "3"))
    with count_statements(state) as many:
        assert len((await client.get(POS, headers=planner.headers)).json()["items"]) == 6
    assert len(many) == len(few)


async def test_another_tenants_po_is_a_404(client: httpx.AsyncClient, state: Any) -> None:
    owner = await make_actor(state, role=Role.PLANNER)
    intruder = await make_actor(state, role=Role.ADMIN)
    po = await ordered_po(client, state, owner)
    for method, suffix in [("GET", ""), ("POST", "/cancel"), ("GET", "/export"), ("GET", "/receipts")]:
        resp = await client.request(method, f"{POS}/{po['id']}{suffix}", headers=intruder.headers)
        assert resp.status_code == 404, (method, suffix, resp.text)
    assert (await client.get(POS, headers=intruder.headers)).json()["total"] == 0
    assert (await client.get(f"{POS}/{po['id']}", headers=owner.headers)).json()["status"] == "submitted"


async def test_csv_export_neutralises_formulas_and_totals_exactly(
    client: httpx.AsyncClient, state: Any
) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    offer = await make_offer(state, client_id=planner.client_id, price="0.3333")
    evil = await make_product(state, client_id=planner.client_id, sku='=HYPERLINK("x")', name="+cmd @boom")
    await link(state, client_id=planner.client_id, product_id=evil, supplier_id=offer.supplier_id, price="1")
    body = {
        "supplier_id": offer.supplier_id,
        "location_id": offer.location_id,
        "notes": "@SUM(A1)",
        "lines": [{"product_id": offer.product_id, "quantity": "3"}, {"product_id": evil, "quantity": "1"}],
    }
    po = (await client.post(POS, json=body, headers=planner.headers)).json()

    resp = await client.get(f"{POS}/{po['id']}/export", params={"format": "csv"}, headers=planner.headers)

    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert po["po_number"] in resp.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(resp.text)))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert '\'=HYPERLINK("x")' in cells and "'+cmd @boom" in cells and "Notes" in cells
    assert rows[-1][-2:] == ["Total", po["total_amount"]]
    assert Decimal(po["total_amount"]) == Decimal("3") * Decimal("0.3333") + 1


async def test_pdf_export(client: httpx.AsyncClient, state: Any) -> None:
    planner = await make_actor(state, role=Role.PLANNER)
    po = await ordered_po(client, state, planner, quantities=("1", "2"))
    resp = await client.get(f"{POS}/{po['id']}/export", params={"format": "pdf"}, headers=planner.headers)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    unknown = await client.get(f"{POS}/{po['id']}/export", params={"format": "xls"}, headers=planner.headers)
    assert unknown.status_code == 422
