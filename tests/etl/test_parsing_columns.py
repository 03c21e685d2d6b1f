"""Header resolution: aliases, declared mappings, and rejection of unknown, duplicate or missing columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from stockwise.etl.parsing import ENTITIES, FileRejected, ImportOptions, open_import
from stockwise.etl.parsing.columns import plan_columns


def _frame(tmp_path: Path, data: bytes, **options: Any) -> tuple[tuple[str, ...], pl.DataFrame]:
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    with open_import(path, ImportOptions(**options)) as parsed:
        frames = [batch.frame for batch in parsed.batches()]
    return parsed.columns, pl.concat(frames)


def _rejected(tmp_path: Path, data: bytes, **options: Any) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        _frame(tmp_path, data, **options)
    return caught.value


@pytest.mark.parametrize(
    ("entity", "header", "canonical"),
    [
        ("products", "SKU", "sku"),
        ("products", "Item Code", "sku"),
        ("products", "product_sku", "sku"),
        ("products", "Cost", "unit_cost"),
        ("products", "Price", "unit_price"),
        ("sales", "Qty", "quantity"),
        ("sales", "Units", "quantity"),
        ("sales", "quantity_sold", "quantity"),
        ("sales", "Date", "date"),
        ("sales", "sale_date", "date"),
        ("sales", "Day", "date"),
        ("sales", "Location", "location_code"),
        ("sales", "Store", "location_code"),
        ("sales", "Warehouse", "location_code"),
        ("sales", " LOCATION-code ", "location_code"),
        ("product_suppliers", "Supplier", "supplier_code"),
        ("product_suppliers", "vendor", "supplier_code"),
        ("product_suppliers", "Vendor Code", "supplier_code"),
        ("stock", "On Hand", "on_hand"),
        ("stock", "qty_on_hand", "on_hand"),
        ("stock", "stock", "on_hand"),
    ],
)
def test_aliases_ignore_case_spaces_and_underscores(entity: str, header: str, canonical: str) -> None:
    spec = ENTITIES[entity]  # type: ignore[index]
    others = [name for name in spec.required if name != canonical]
    assert plan_columns(spec, [header, *others], {}).targets == (canonical, *others)


def test_aliased_file_imports_under_canonical_names(tmp_path: Path) -> None:
    data = b"Day,Item Code,Store,Units Sold,Net Sales\n2026-01-05,A1,S1,3,9.90\n"
    columns, frame = _frame(tmp_path, data, entity="sales")
    assert columns == ("date", "sku", "location_code", "quantity", "revenue")
    assert frame.select("sku", "location_code", "quantity", "revenue").rows() == [
        ("A1", "S1", 30_000, 99_000)
    ]


def test_declared_mapping_wins_over_aliases(tmp_path: Path) -> None:
    data = b"Artikelnummer,Name,Cost\nA1,Widget,2.50\n"
    columns, frame = _frame(
        tmp_path, data, entity="products", column_mapping={"artikelnummer": "sku", "COST": "unit_price"}
    )
    assert columns == ("sku", "name", "unit_price")
    assert frame.select("sku", "unit_cost", "unit_price").rows() == [("A1", None, 25_000)]


def test_unknown_columns_are_named_and_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,name,Qtyy,Notes\nA1,W,1,x\n", entity="products")
    assert error.field == "columns"
    assert "'Qtyy'" in error.message
    assert "'Notes'" in error.message


def test_columns_mapped_to_ignore_are_dropped(tmp_path: Path) -> None:
    columns, frame = _frame(
        tmp_path,
        b"sku,name,Notes\nA1,Widget,call back\n",
        entity="products",
        column_mapping={"Notes": "ignore"},
    )
    assert columns == ("sku", "name")
    assert "Notes" not in frame.columns


def test_mapping_to_an_unknown_target_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,name\nA1,W\n", entity="products", column_mapping={"name": "title"})
    assert error.field == "column_mapping"
    assert "'title'" in error.message


@pytest.mark.parametrize("header", [b"sku,name,SKU", b"sku,name,Item Code", b"sku,name,sku"])
def test_two_headers_for_one_column_are_rejected(tmp_path: Path, header: bytes) -> None:
    error = _rejected(tmp_path, header + b"\nA1,W,A2\n", entity="products")
    assert error.field == "columns"
    assert "both map to sku" in error.message


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,Qty\nA1,1\n", entity="sales")
    assert error.field == "columns"
    assert error.message == "missing required columns: date, location_code"


def test_all_header_problems_are_reported_together(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,Colour\nA1,red\n", entity="products")
    assert "'Colour'" in error.message
    assert "missing required columns: name" in error.message


def test_blank_header_over_an_empty_column_is_allowed(tmp_path: Path) -> None:
    columns, frame = _frame(tmp_path, b"sku,name,,\nA1,Widget,,\n", entity="products")
    assert columns == ("sku", "name")
    assert frame["sku"].to_list() == ["A1"]


def test_blank_header_over_data_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,name,\nA1,Widget,\nA2,Gadget,42\n", entity="products")
    assert (error.field, error.message) == ("columns", "column 3 has data but no header")


def test_absent_optional_columns_get_defaults(tmp_path: Path) -> None:
    columns, frame = _frame(
        tmp_path, b"sku,supplier_code,lead_time_days\nA1,ACME,7\n", entity="product_suppliers"
    )
    assert columns == ("sku", "supplier_code", "lead_time_days")
    assert frame.drop("row").row(0, named=True) == {
        "sku": "A1",
        "supplier_code": "ACME",
        "lead_time_days": 7,
        "lead_time_std_days": 0,
        "moq": 0,
        "pack_size": 10_000,
        "unit_price": None,
        "is_primary": False,
        "supplier_sku": None,
    }
