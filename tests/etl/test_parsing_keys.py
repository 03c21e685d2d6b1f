"""Whole-file key rules: duplicates across batches, aggregate=sum for sales, and reference resolution."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pydantic import ValidationError

from stockwise.etl.parsing import ImportOptions, ParsedImport, ValidBatch, open_import, resolve_references


def _parse(tmp_path: Path, text: str, **options: Any) -> tuple[ParsedImport, list[ValidBatch]]:
    path = tmp_path / "upload.csv"
    path.write_text(text, encoding="utf-8")
    with open_import(path, ImportOptions(**options)) as parsed:
        batches = list(parsed.batches())
    return parsed, batches


def _errors(parsed: ParsedImport) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.value, e.message) for e in parsed.errors.errors]


@pytest.mark.parametrize(
    ("entity", "text", "column", "value"),
    [
        ("locations", "code,name\nW1,A\nW2,B\nW1,C\n", "code", "W1"),
        ("suppliers", "code,name\nS1,A\nS2,B\nS1,C\n", "code", "S1"),
        ("products", "sku,name\nP1,A\nP2,B\n P1 ,C\n", "sku", "P1"),
        (
            "product_suppliers",
            "sku,supplier_code,lead_time_days\nP1,S1,1\nP1,S2,1\nP1,S1,3\n",
            "sku+supplier_code",
            "P1 / S1",
        ),
        ("stock", "sku,location_code,on_hand\nP1,W1,1\nP1,W2,1\nP1,W1,2\n", "sku+location_code", "P1 / W1"),
    ],
)
def test_duplicate_keys_name_the_first_row(
    tmp_path: Path, entity: str, text: str, column: str, value: str
) -> None:
    parsed, batches = _parse(tmp_path, text, entity=entity)
    assert _errors(parsed) == [(4, column, value, "duplicate of row 2")]
    assert [len(batch) for batch in batches] == [2]


def test_duplicates_are_found_across_batch_boundaries(tmp_path: Path) -> None:
    text = (
        "date,sku,location_code,quantity\n"
        "2026-01-05,A,W1,1\n"
        "2026-01-05,B,W1,1\n"
        "2026-01-06,A,W1,1\n"
        "05/01/2026,A,W1,4\n"
        "2026-01-05,A,W1,9\n"
    )
    parsed, batches = _parse(tmp_path, text, entity="sales", batch_size=2, date_format="dmy")
    assert [batch.frame["row"].to_list() for batch in batches] == [[2, 3], [4]]
    assert _errors(parsed) == [
        (5, "sku+location_code+date", "A / W1 / 2026-01-05", "duplicate of row 2"),
        (6, "sku+location_code+date", "A / W1 / 2026-01-05", "duplicate of row 2"),
    ]


def test_duplicate_of_a_row_with_other_errors_is_still_reported(tmp_path: Path) -> None:
    parsed, batches = _parse(tmp_path, "sku,name,unit_cost\nP1,A,oops\nP1,B,2\n", entity="products")
    assert batches == []
    assert _errors(parsed) == [
        (2, "unit_cost", "oops", "not a number"),
        (3, "sku", "P1", "duplicate of row 2"),
    ]


def test_aggregate_sum_adds_rows_across_batches(tmp_path: Path) -> None:
    text = (
        "date,sku,location_code,quantity,revenue\n"
        "2026-01-05,A,W1,1.5,10\n"
        "2026-01-05,B,W1,1,\n"
        "2026-01-06,A,W1,2,4\n"
        "2026-01-05,A,W1,0.25,\n"
        "2026-01-05,B,W1,3,\n"
        "2026-01-05,A,W1,1,2.5\n"
        "2026-01-07,C,W1,x,\n"
    )
    parsed, batches = _parse(tmp_path, text, entity="sales", aggregate="sum", batch_size=2)
    assert all(len(batch) <= 2 for batch in batches)
    rows = sorted(
        (row["row"], row["sku"], row["date"], row["quantity"], row["revenue"])
        for batch in batches
        for row in batch.records()
    )
    assert [(r, s, d, str(q), None if v is None else str(v)) for r, s, d, q, v in rows] == [
        (2, "A", dt.date(2026, 1, 5), "2.7500", "12.5000"),
        (3, "B", dt.date(2026, 1, 5), "4.0000", None),
        (4, "A", dt.date(2026, 1, 6), "2.0000", "4.0000"),
    ]
    assert _errors(parsed) == [(8, "quantity", "x", "not a number")]


def test_aggregate_sum_yields_each_key_once(tmp_path: Path) -> None:
    lines = [f"2026-01-0{1 + i % 3},SKU{i % 4},W{i % 2},1\n" for i in range(60)]
    parsed, batches = _parse(
        tmp_path,
        "date,sku,location_code,quantity\n" + "".join(lines),
        entity="sales",
        aggregate="sum",
        batch_size=5,
    )
    frame = pl.concat([batch.frame for batch in batches])
    assert frame.select("sku", "location_code", "date").is_unique().all()
    assert frame["quantity"].sum() == 60 * 10_000
    assert parsed.errors.total == 0


def test_aggregate_total_over_14_integer_digits_is_an_error(tmp_path: Path) -> None:
    big = "99999999999999"
    text = (
        f"date,sku,location_code,quantity\n2026-01-05,A,W1,{big}\n2026-01-05,A,W1,{big}\n2026-01-05,B,W1,1\n"
    )
    parsed, batches = _parse(tmp_path, text, entity="sales", aggregate="sum")
    assert [row["sku"] for batch in batches for row in batch.records()] == ["B"]
    assert _errors(parsed) == [
        (2, "quantity", "199999999999998.0000", "the total over the file exceeds 14 integer digits")
    ]


def test_aggregate_is_only_for_sales() -> None:
    with pytest.raises(ValidationError):
        ImportOptions(entity="stock", aggregate="sum")


def test_resolve_references_maps_codes_and_reports_unknown_ones(tmp_path: Path) -> None:
    text = "date,sku,location_code,quantity\n2026-01-05,A,W1,1\n2026-01-05,Z,W1,1\n2026-01-05,B,W9,1\n"
    _, batches = _parse(tmp_path, text, entity="sales")
    batch = batches[0]
    sku_ids, sku_errors = resolve_references(batch, "sku", {"A": 10, "B": 11})
    location_ids, location_errors = resolve_references(batch, "location_code", {"W1": 1})
    assert sku_ids.to_list() == [10, None, 11]
    assert location_ids.to_list() == [1, 1, None]
    assert [(e.row, e.column, e.value, e.message) for e in sku_errors + location_errors] == [
        (3, "sku", "Z", "unknown sku 'Z'"),
        (4, "location_code", "W9", "unknown location 'W9'"),
    ]


def test_resolve_references_caps_errors_but_ids_count_all(tmp_path: Path) -> None:
    text = "sku,supplier_code,lead_time_days\n" + "".join(f"P{i},S{i},1\n" for i in range(5))
    _, batches = _parse(tmp_path, text, entity="product_suppliers")
    ids, errors = resolve_references(batches[0], "supplier_code", {}, max_errors=2)
    assert ids.null_count() == 5
    assert [e.message for e in errors] == ["unknown supplier 'S0'", "unknown supplier 'S1'"]
