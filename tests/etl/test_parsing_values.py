"""Cell validation per entity: numbers, booleans, codes, currencies, defaults and exact decimal output."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockwise.etl.parsing import ImportOptions, ParsedImport, ValidBatch, decimal_text, open_import
from stockwise.etl.parsing.values import decimal_cell, evaluate


def _parse(tmp_path: Path, text: str, **options: Any) -> tuple[ParsedImport, list[ValidBatch]]:
    path = tmp_path / "upload.csv"
    path.write_text(text, encoding="utf-8")
    with open_import(path, ImportOptions(**options)) as parsed:
        batches = list(parsed.batches())
    return parsed, batches


def _errors(parsed: ParsedImport) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.value, e.message) for e in parsed.errors.errors]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("-1", "negative value not allowed"),
        ("-0.5", "negative value not allowed"),
        ("abc", "not a number"),
        ("1e3", "not a number"),
        ("1.2.3", "not a number"),
        (".", "not a number"),
        ("1.23456", "more than 4 decimal places"),
        ("123456789012345", "more than 14 integer digits"),
    ],
)
def test_bad_amounts_are_row_errors(tmp_path: Path, cell: str, message: str) -> None:
    parsed, batches = _parse(
        tmp_path, f"sku,name,unit_cost\nA1,Widget,{cell}\nA2,Gadget,1\n", entity="products"
    )
    assert _errors(parsed) == [(2, "unit_cost", cell, message)]
    assert [row["sku"] for batch in batches for row in batch.records()] == ["A2"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0", Decimal("0")),
        ("-0", Decimal("0")),
        ("+2", Decimal("2")),
        ("1.23450", Decimal("1.2345")),
        (".5", Decimal("0.5")),
        ("0004.10", Decimal("4.1")),
        ("99999999999999.9999", Decimal("99999999999999.9999")),
        ('"1,234.5"', Decimal("1234.5")),
    ],
)
def test_good_amounts_are_exact_decimals(tmp_path: Path, cell: str, expected: Decimal) -> None:
    parsed, batches = _parse(tmp_path, f"sku,name,unit_cost\nA1,Widget,{cell}\n", entity="products")
    assert parsed.errors.total == 0
    assert batches[0].records()[0]["unit_cost"] == expected


def test_every_bad_cell_of_a_row_is_reported(tmp_path: Path) -> None:
    parsed, batches = _parse(tmp_path, "sku,name,unit_cost,unit_price\n,Widget,x,-2\n", entity="products")
    assert batches == []
    assert _errors(parsed) == [
        (2, "sku", "", "required value is missing"),
        (2, "unit_cost", "x", "not a number"),
        (2, "unit_price", "-2", "negative value not allowed"),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("true", True), ("FALSE", False), ("Yes", True), ("no", False), ("1", True), ("0", False), ("Y", True)],
)
def test_booleans_accept_common_spellings(tmp_path: Path, cell: str, expected: bool) -> None:
    _, batches = _parse(tmp_path, f"code,name,is_active\nW1,Main,{cell}\n", entity="locations")
    assert batches[0].frame["is_active"].to_list() == [expected]


def test_bad_boolean_is_a_row_error(tmp_path: Path) -> None:
    parsed, _ = _parse(tmp_path, "code,name,is_active\nW1,Main,maybe\n", entity="locations")
    assert _errors(parsed) == [(2, "is_active", "maybe", "not a boolean: use true/false, yes/no, 1/0 or y/n")]


def test_location_kind_is_a_choice(tmp_path: Path) -> None:
    parsed, batches = _parse(
        tmp_path, "code,name,kind\nW1,Main,Store\nW2,Other,shop\nW3,Third,\n", entity="locations"
    )
    assert batches[0].frame.select("code", "kind").rows() == [("W1", "store"), ("W3", "warehouse")]
    assert _errors(parsed) == [(3, "kind", "shop", "must be one of: warehouse, store, other")]


def test_supplier_currency_and_email(tmp_path: Path) -> None:
    text = (
        "code,name,currency,email\n"
        "S1,Acme,usd,orders@acme.example\n"
        "S2,Beta,,\n"
        "S3,Gamma,US,\n"
        "S4,Delta,EUR,not-an-email\n"
    )
    parsed, batches = _parse(tmp_path, text, entity="suppliers", default_currency="GBP")
    assert batches[0].frame.select("code", "currency", "email").rows() == [
        ("S1", "USD", "orders@acme.example"),
        ("S2", "GBP", None),
    ]
    assert _errors(parsed) == [
        (4, "currency", "US", "not an ISO 4217 currency code (3 letters)"),
        (5, "email", "not-an-email", "not a valid email address"),
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("731", "must be between 0 and 730"),
        ("-1", "negative value not allowed"),
        ("7.5", "not a whole number"),
        ("", "required value is missing"),
    ],
)
def test_lead_time_range(tmp_path: Path, cell: str, message: str) -> None:
    parsed, batches = _parse(
        tmp_path,
        f"sku,supplier_code,lead_time_days\nA1,S1,{cell}\nA2,S1,730\nA3,S1,7.0\n",
        entity="product_suppliers",
    )
    assert _errors(parsed) == [(2, "lead_time_days", cell, message)]
    assert batches[0].frame["lead_time_days"].to_list() == [730, 7]


def test_pack_size_must_be_positive(tmp_path: Path) -> None:
    parsed, _ = _parse(
        tmp_path, "sku,supplier_code,lead_time_days,pack_size\nA1,S1,3,0\n", entity="product_suppliers"
    )
    assert _errors(parsed) == [(2, "pack_size", "0", "must be greater than 0")]


def test_codes_are_trimmed_keep_inner_spaces_and_slashes(tmp_path: Path) -> None:
    _, batches = _parse(tmp_path, 'sku,name\n"  AB/12 X  ", Widget \n', entity="products")
    assert batches[0].frame.select("sku", "name").rows() == [("AB/12 X", "Widget")]


def test_codes_longer_than_128_characters_are_refused(tmp_path: Path) -> None:
    long_code = "X" * 129
    parsed, batches = _parse(
        tmp_path, f"code,name\n{long_code},Too long\n{'Y' * 128},Fits\n", entity="locations"
    )
    assert _errors(parsed) == [(2, "code", long_code, "longer than 128 characters")]
    assert len(batches[0]) == 1


def test_required_cell_with_only_spaces_is_missing(tmp_path: Path) -> None:
    parsed, _ = _parse(tmp_path, "sku,location_code,on_hand\nA1,   ,5\n", entity="stock")
    assert _errors(parsed) == [(2, "location_code", "", "required value is missing")]


def test_stock_frame_types_and_defaults(tmp_path: Path) -> None:
    _, batches = _parse(tmp_path, "sku,location_code,on_hand\nA1,W1,12.5\n", entity="stock")
    frame = batches[0].frame
    assert frame.schema == pl.Schema(
        {
            "row": pl.Int64,
            "sku": pl.String,
            "location_code": pl.String,
            "on_hand": pl.Int64,
            "allocated": pl.Int64,
        }
    )
    assert frame.row(0) == (2, "A1", "W1", 125_000, 0)
    assert batches[0].records()[0]["on_hand"] == Decimal("12.5")


def test_decimal_text_renders_scaled_values_exactly() -> None:
    frame = pl.DataFrame({"amount": [0, 1, 125_000, 999_999_999_999_999_999, -15_000]})
    assert frame.select(decimal_text("amount"))["amount"].to_list() == [
        "0.0000",
        "0.0001",
        "12.5000",
        "99999999999999.9999",
        "-1.5000",
    ]


_amounts = st.tuples(st.integers(0, 10**14 - 1), st.integers(0, 4)).flatmap(
    lambda pair: st.builds(
        lambda fraction: f"{pair[0]}.{fraction:0{pair[1]}d}" if pair[1] else str(pair[0]),
        st.integers(0, 10 ** pair[1] - 1),
    )
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_amounts, min_size=1, max_size=20), st.sampled_from([".", ","]))
def test_decimals_with_up_to_four_places_round_trip_exactly(texts: list[str], mark: str) -> None:
    written = [text.replace(".", mark) for text in texts]
    parsed = decimal_cell("text", mark)  # type: ignore[arg-type]
    result = (
        evaluate(pl.LazyFrame({"text": written}), [parsed])
        .select(value=parsed.value, error=parsed.error)
        .collect()
    )
    assert result["error"].null_count() == len(texts)
    assert [Decimal(v).scaleb(-4) for v in result["value"]] == [Decimal(text) for text in texts]
