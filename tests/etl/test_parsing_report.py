"""Error report CSV (formula neutralisation, cap note), the error log cap, and the CSV templates."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from stockwise.core.csvsafe import safe_csv_cell
from stockwise.etl.parsing import (
    EntityName,
    ImportOptions,
    RowError,
    open_import,
    template_csv,
    write_error_report,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-5, "-5"),
        (Decimal("-1.50"), "-1.50"),
    ],
)
def test_safe_csv_cell(value: object, expected: str) -> None:
    assert safe_csv_cell(value) == expected


def test_error_report_neutralises_every_cell() -> None:
    errors = [
        RowError(row=2, column="sku", value="=cmd()", message="unknown sku '=cmd()'"),
        RowError(row=3, column="@col", value="-1", message="negative value not allowed"),
    ]
    stream = io.StringIO(newline="")
    write_error_report(errors, stream, omitted=7)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows == [
        ["row", "column", "value", "message"],
        ["2", "sku", "'=cmd()", "unknown sku '=cmd()'"],
        ["3", "'@col", "'-1", "negative value not allowed"],
        ["", "", "", "7 more errors not listed"],
    ]


def test_error_log_keeps_the_first_errors_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "upload.csv"
    path.write_text("sku,name,unit_cost\n" + "".join(f"P{i},N,bad\n" for i in range(30)), encoding="utf-8")
    with open_import(path, ImportOptions(entity="products", max_errors=10, batch_size=7)) as parsed:
        assert list(parsed.batches()) == []
    assert [e.row for e in parsed.errors.errors] == list(range(2, 12))
    assert (parsed.errors.total, parsed.errors.omitted) == (30, 20)


@pytest.mark.parametrize("entity", get_args(EntityName))
def test_templates_list_every_column_and_import_cleanly(tmp_path: Path, entity: EntityName) -> None:
    path = tmp_path / f"{entity}.csv"
    path.write_bytes(template_csv(entity))
    with open_import(path, ImportOptions(entity=entity)) as parsed:
        batches = list(parsed.batches())
    assert parsed.errors.total == 0
    assert [len(batch) for batch in batches] == [1]
    assert parsed.columns == tuple(batches[0].frame.columns[1:])
