"""XLSX intake: typed cells, sheet row numbers, cached formulas, zip bombs and caps."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from stockwise.etl.parsing import FileRejected, ImportOptions, ParsedImport, ValidBatch, open_import

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def _patch_sheet(path: Path, change: Callable[[str], str]) -> Path:
    """Rewrite the first sheet's XML, as another spreadsheet program could have written it."""
    patched = path.with_name("patched.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                data = change(data.decode()).encode()
            target.writestr(item.filename, data)
    return patched


def _parse(path: Path, **options: Any) -> tuple[ParsedImport, list[ValidBatch]]:
    with open_import(path, ImportOptions(**options)) as parsed:
        batches = list(parsed.batches())
    return parsed, batches


def _rejected(path: Path, **options: Any) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        _parse(path, **options)
    return caught.value


def test_typed_cells_and_sheet_row_numbers(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "products.xlsx",
        [
            ["SKU", "Name", "Cost", "Price", "Active"],
            ["A1", "Widget", 1.1, 3, True],
            [None, None, None, None, None],
            [1234, "Numeric sku", 0.5, 2.25, "no"],
        ],
    )
    parsed, batches = _parse(path, entity="products")
    assert parsed.detected.file_format == "xlsx"
    assert [
        (r["row"], r["sku"], r["unit_cost"], r["unit_price"], r["is_active"]) for r in batches[0].records()
    ] == [
        (2, "A1", Decimal("1.1"), Decimal("3"), True),
        (4, "1234", Decimal("0.5"), Decimal("2.25"), False),
    ]


def test_date_cells_and_text_dates(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "sales.xlsx",
        [
            ["Date", "SKU", "Store", "Qty"],
            [dt.datetime(2026, 1, 5), "A", "W1", 2],
            [dt.date(2026, 1, 6), "A", "W1", 1],
            ["13/01/2026", "A", "W1", 1],
        ],
    )
    parsed, batches = _parse(path, entity="sales")
    assert parsed.detected.date_format == "dmy"
    assert batches[0].frame["date"].to_list() == [
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 6),
        dt.date(2026, 1, 13),
    ]


def test_binary_float_noise_is_rounded_to_excel_precision(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name", "unit_price"], ["A1", "Widget", 2.5]])
    patched = _patch_sheet(path, lambda xml: xml.replace("<v>2.5</v>", "<v>2.6749999999999998</v>"))
    _, batches = _parse(patched, entity="products")
    assert batches[0].records()[0]["unit_price"] == Decimal("2.675")


def test_formula_without_cached_value_is_a_row_error(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "p.xlsx", [["sku", "name", "unit_cost"], ["A1", "Widget", "=1+1"], ["A2", "Gadget", 3]]
    )
    parsed, batches = _parse(path, entity="products")
    assert [(e.row, e.column, e.value, e.message) for e in parsed.errors.errors] == [
        (2, "unit_cost", "=1+1", "formula without a cached value; export values")
    ]
    assert [row["sku"] for row in batches[0].records()] == ["A2"]


def test_formula_with_cached_value_uses_the_value(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name", "unit_cost"], ["A1", "Widget", "=1+1"]])
    patched = _patch_sheet(path, lambda xml: xml.replace("<f>1+1</f><v />", "<f>1+1</f><v>2</v>"))
    parsed, batches = _parse(patched, entity="products")
    assert parsed.errors.total == 0
    assert batches[0].records()[0]["unit_cost"] == Decimal("2")


def test_zip_bomb_over_the_size_cap_is_rejected_before_parsing(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name"], ["A1", "Widget"]])
    padding = " " * (30 * 1024 * 1024)
    bomb = _patch_sheet(path, lambda xml: xml.replace("</worksheet>", padding + "</worksheet>"))
    assert bomb.stat().st_size < 1024 * 1024
    error = _rejected(bomb, entity="products", xlsx_max_uncompressed_bytes=10 * 1024 * 1024)
    assert error.field == "file"
    assert "expands to" in error.message


def test_zip_bomb_over_the_ratio_cap_is_rejected(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name"], ["A1", "Widget"]])
    padding = " " * (30 * 1024 * 1024)
    bomb = _patch_sheet(path, lambda xml: xml.replace("</worksheet>", padding + "</worksheet>"))
    error = _rejected(bomb, entity="products")
    assert error.field == "file"
    assert "compressed" in error.message


def test_zip_that_is_not_a_workbook_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a spreadsheet")
    error = _rejected(path, entity="products")
    assert (error.field, error.message) == ("file", "not a valid xlsx file")


def test_truncated_zip_is_rejected(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name"], ["A1", "Widget"]])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(path.read_bytes()[:300])
    error = _rejected(truncated, entity="products")
    assert (error.field, error.message) == ("file", "not a valid xlsx file")


def test_more_rows_than_max_rows_is_rejected(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name"], *[[f"A{i}", "W"] for i in range(5)]])
    error = _rejected(path, entity="products", max_rows=3)
    assert error.field == "rows"


def test_data_beyond_the_header_is_rejected(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "p.xlsx", [["sku", "name"], ["A1", "Widget", "stray"]])
    error = _rejected(path, entity="products")
    assert (error.field, error.message) == ("columns", "row 2 has data in column C, which has no header")


def test_empty_sheet_is_rejected(tmp_path: Path) -> None:
    error = _rejected(_workbook(tmp_path / "p.xlsx", []), entity="products")
    assert (error.field, error.message) == ("file", "the file is empty")


def test_header_only_sheet_has_no_data_rows(tmp_path: Path) -> None:
    error = _rejected(_workbook(tmp_path / "p.xlsx", [["sku", "name"], [None, None]]), entity="products")
    assert (error.field, error.message) == ("file", "the file has no data rows")
