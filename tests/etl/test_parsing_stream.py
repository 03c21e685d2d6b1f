"""Streaming: a large sales file comes out in bounded batches (throughput is printed, not asserted)."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

from stockwise.etl.parsing import ImportOptions, open_import

ROWS = 300_000
BATCH = 50_000


def _write_sales(path: Path, rows: int) -> None:
    start = date(2024, 1, 1)
    days = [(start + timedelta(days=i)).isoformat() for i in range(500)]
    with path.open("w", encoding="utf-8") as stream:
        stream.write("date,sku,location_code,quantity,revenue\n")
        for i in range(rows):
            stream.write(f"{days[i % 500]},SKU-{i // 500:05d},W{i % 3},{i % 97}.{i % 100:02d},{i % 1000}.5\n")


def test_large_sales_file_streams_in_bounded_batches(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    _write_sales(path, ROWS)
    started = time.perf_counter()
    with open_import(path, ImportOptions(entity="sales", batch_size=BATCH)) as parsed:
        sizes = [len(batch) for batch in parsed.batches()]
    elapsed = time.perf_counter() - started
    print(f"\nparsed {ROWS} sales rows in {elapsed:.2f}s ({ROWS / elapsed:,.0f} rows/s)")
    assert parsed.errors.total == 0
    assert sum(sizes) == ROWS
    assert len(sizes) >= ROWS // BATCH
    assert max(sizes) <= BATCH
