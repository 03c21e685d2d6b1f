"""Detection of encoding, delimiter, decimal mark and date format, and the file-level rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from stockwise.etl.parsing import FileRejected, ImportOptions, ParsedImport, open_import


def _parse(tmp_path: Path, data: bytes, **options: Any) -> tuple[ParsedImport, pl.DataFrame]:
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    with open_import(path, ImportOptions(**options)) as parsed:
        frames = [batch.frame for batch in parsed.batches()]
    return parsed, pl.concat(frames) if frames else pl.DataFrame()


def _rejected(tmp_path: Path, data: bytes, **options: Any) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        _parse(tmp_path, data, **options)
    return caught.value


def test_plain_utf8_with_accents(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, "sku,name\nA1,Crème brûlée\n".encode(), entity="products")
    assert parsed.detected.encoding == "utf-8"
    assert frame["name"].to_list() == ["Crème brûlée"]


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b"\xef\xbb\xbfsku,name\r\nA1,Widget\r\n", entity="products")
    assert parsed.detected.encoding == "utf-8"
    assert parsed.columns == ("sku", "name")
    assert frame["sku"].to_list() == ["A1"]


def test_cp1252_file_is_detected_and_decoded(tmp_path: Path) -> None:
    data = "code;name\nW1;Entrepôt Café\n".encode("cp1252")
    parsed, frame = _parse(tmp_path, data, entity="locations")
    assert parsed.detected.encoding == "cp1252"
    assert parsed.detected.delimiter == ";"
    assert frame["name"].to_list() == ["Entrepôt Café"]


def test_explicit_utf8_refuses_cp1252_bytes(tmp_path: Path) -> None:
    error = _rejected(tmp_path, "code,name\nW1,Café\n".encode("cp1252"), entity="locations", encoding="utf-8")
    assert error.field == "encoding"
    assert "cp1252" in error.message


def test_explicit_cp1252_is_used_as_asked(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, "code,name\nW1,Café\n".encode(), entity="locations", encoding="cp1252")
    assert parsed.detected.encoding == "cp1252"
    assert frame["name"].to_list() == ["CafÃ©"]


def test_bytes_neither_utf8_nor_cp1252_are_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"code,name\nW1,bad\x81byte\n", entity="locations")
    assert error.field == "encoding"
    assert "undecodable" in error.message


def test_utf16_is_rejected_with_advice(tmp_path: Path) -> None:
    error = _rejected(tmp_path, "code,name\nW1,x\n".encode("utf-16"), entity="locations")
    assert error.field == "encoding"
    assert "UTF-8" in error.message


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"code,name\nW1,Main\n", ","),
        (b"code;name\nW1;Main\n", ";"),
        (b"code\tname\nW1\tMain\n", "\t"),
        (b'"code";"name, long"\nW1;Main\n', ";"),
    ],
)
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, data: bytes, delimiter: str) -> None:
    parsed, frame = _parse(tmp_path, data, entity="locations", column_mapping={"name, long": "name"})
    assert parsed.detected.delimiter == delimiter
    assert frame.select("code", "name").rows() == [("W1", "Main")]


def test_delimiter_tie_is_refused(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"code,name;kind\nW1,Main;store\n", entity="locations")
    assert error.field == "delimiter"


def test_explicit_delimiter_wins_over_sniffing(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"code;name\nW1;Main\n", entity="locations", delimiter=",")
    assert error.field == "columns"
    assert "'code;name'" in error.message


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    data = b"sku;location_code;on_hand;allocated\nA;W1;1,5;0\nB;W1;1.234,50;2\n"
    parsed, frame = _parse(tmp_path, data, entity="stock")
    assert parsed.detected.decimal == ","
    assert frame["on_hand"].to_list() == [15_000, 12_345_000]


def test_semicolon_file_with_decimal_points(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b"sku;location_code;on_hand\nA;W1;1.5\n", entity="stock")
    assert parsed.detected.decimal == "."
    assert frame["on_hand"].to_list() == [15_000]


def test_comma_grouped_dot_decimal_keeps_the_point(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b"sku;location_code;on_hand\nA;W1;1,5\nB;W1;1,234.5\n", entity="stock")
    assert parsed.detected.decimal == "."
    assert frame["on_hand"].to_list() == [12_345_000]
    assert [(e.row, e.message) for e in parsed.errors.errors] == [(2, "not a number")]


def test_comma_delimited_file_never_guesses_decimal_comma(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b'sku,location_code,on_hand\nA,W1,"1,5"\n', entity="stock")
    assert parsed.detected.decimal == "."
    assert frame.is_empty()
    assert parsed.errors.errors[0].message == "not a number"


def test_explicit_decimal_comma(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b'sku,location_code,on_hand\nA,W1,"1,5"\n', entity="stock", decimal=",")
    assert parsed.detected.decimal == ","
    assert frame["on_hand"].to_list() == [15_000]


def _sales(*dates: str) -> bytes:
    rows = "".join(f"{day},SKU{i},W1,1\n" for i, day in enumerate(dates))
    return ("date,sku,location_code,quantity\n" + rows).encode()


@pytest.mark.parametrize(
    ("dates", "date_format", "expected"),
    [
        (("2026-01-05", "2026-01-13"), "iso", [dt.date(2026, 1, 5), dt.date(2026, 1, 13)]),
        (("05/01/2026", "13/01/2026"), "dmy", [dt.date(2026, 1, 5), dt.date(2026, 1, 13)]),
        (("01/05/2026", "01/13/2026"), "mdy", [dt.date(2026, 1, 5), dt.date(2026, 1, 13)]),
        (("5.1.2026", "13-01-2026"), "dmy", [dt.date(2026, 1, 5), dt.date(2026, 1, 13)]),
        (("2026-01-05", "13/01/2026"), "dmy", [dt.date(2026, 1, 5), dt.date(2026, 1, 13)]),
        (("01/01/2026", "02/02/2026"), "dmy", [dt.date(2026, 1, 1), dt.date(2026, 2, 2)]),
    ],
)
def test_date_format_detection(
    tmp_path: Path, dates: tuple[str, ...], date_format: str, expected: list[dt.date]
) -> None:
    parsed, frame = _parse(tmp_path, _sales(*dates), entity="sales")
    assert parsed.detected.date_format == date_format
    assert frame["date"].to_list() == expected


def test_ambiguous_dates_are_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, _sales("01/02/2026", "03/04/2026"), entity="sales")
    assert error.field == "date_format"
    assert "01/02/2026" in error.message


def test_explicit_date_format_settles_ambiguity(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, _sales("01/02/2026", "03/04/2026"), entity="sales", date_format="mdy")
    assert parsed.detected.date_format == "mdy"
    assert frame["date"].to_list() == [dt.date(2026, 1, 2), dt.date(2026, 3, 4)]


def test_mixed_dmy_and_mdy_rows_are_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, _sales("13/01/2026", "01/13/2026"), entity="sales")
    assert error.field == "date_format"


def test_impossible_and_malformed_dates_are_row_errors(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, _sales("2026-02-30", "2026-01-05", "next week"), entity="sales")
    assert frame["date"].to_list() == [dt.date(2026, 1, 5)]
    assert [(e.row, e.column, e.message) for e in parsed.errors.errors] == [
        (2, "date", "impossible date"),
        (4, "date", "not a date (expected yyyy-mm-dd)"),
    ]


def test_non_date_entities_report_no_date_format(tmp_path: Path) -> None:
    parsed, _ = _parse(tmp_path, b"code,name\nW1,Main\n", entity="locations", date_format="dmy")
    assert parsed.detected.date_format is None


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_is_rejected(tmp_path: Path, data: bytes) -> None:
    error = _rejected(tmp_path, data, entity="products")
    assert (error.field, error.message) == ("file", "the file is empty")


def test_blank_first_line_means_no_header(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"\nsku,name\nA,B\n", entity="products")
    assert error.field == "file"
    assert "no header" in error.message


@pytest.mark.parametrize("data", [b"sku,name\n", b"sku,name", b"sku,name\n\n , \n"])
def test_header_without_data_rows_is_rejected(tmp_path: Path, data: bytes) -> None:
    error = _rejected(tmp_path, data, entity="products")
    assert (error.field, error.message) == ("file", "the file has no data rows")


def test_single_row_without_trailing_newline(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b"sku,name\nA1,Widget", entity="products")
    assert parsed.row_count == 1
    assert frame.select("row", "sku", "name").rows() == [(2, "A1", "Widget")]


def test_row_numbers_count_blank_lines_like_a_spreadsheet(tmp_path: Path) -> None:
    parsed, frame = _parse(tmp_path, b"sku,name\nA,a\n\n,\nB,b\nC,\n", entity="products")
    assert frame["row"].to_list() == [2, 5]
    assert [(e.row, e.column) for e in parsed.errors.errors] == [(6, "name")]


def test_row_with_too_many_fields_names_the_row(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,name\nA,B\nC,D,E\n", entity="products")
    assert (error.field, error.message) == ("file", "row 3 has 3 fields, the header 2")


def test_unclosed_quote_is_a_malformed_file(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b'sku,name\nA,"B\n', entity="products")
    assert error.field == "file"
    assert error.message.startswith("malformed CSV")


def test_more_rows_than_max_rows_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"sku,name\nA,a\nB,b\nC,c\n", entity="products", max_rows=2)
    assert error.field == "rows"
    assert "3 data rows" in error.message


def test_legacy_xls_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), entity="products")
    assert error.field == "file"
    assert ".xls" in error.message
