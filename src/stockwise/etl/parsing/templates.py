"""Downloadable CSV templates: the canonical header of an entity and one example row."""

from __future__ import annotations

import csv
import io

from stockwise.core.csvsafe import safe_csv_cell
from stockwise.etl.parsing.entities import ENTITIES
from stockwise.etl.parsing.options import EntityName

_EXAMPLES: dict[EntityName, dict[str, str]] = {
    "locations": {"code": "WH1", "name": "Main warehouse", "kind": "warehouse", "is_active": "true"},
    "suppliers": {
        "code": "ACME",
        "name": "Acme Supplies",
        "currency": "EUR",
        "email": "orders@acme.example",
        "is_active": "true",
    },
    "products": {
        "sku": "SKU-001",
        "name": "Blue widget",
        "category": "Widgets",
        "unit": "ea",
        "unit_cost": "4.25",
        "unit_price": "9.90",
        "is_active": "true",
    },
    "product_suppliers": {
        "sku": "SKU-001",
        "supplier_code": "ACME",
        "lead_time_days": "14",
        "lead_time_std_days": "2.5",
        "moq": "100",
        "pack_size": "10",
        "unit_price": "4.10",
        "is_primary": "true",
        "supplier_sku": "AC-77-B",
    },
    "stock": {"sku": "SKU-001", "location_code": "WH1", "on_hand": "250", "allocated": "20"},
    "sales": {
        "date": "2026-01-31",
        "sku": "SKU-001",
        "location_code": "WH1",
        "quantity": "3",
        "revenue": "29.70",
    },
}


def template_csv(entity: EntityName) -> bytes:
    """UTF-8 CSV bytes with every column of `entity` and an example row that imports cleanly."""
    names = ENTITIES[entity].names
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_csv_cell(name) for name in names])
    writer.writerow([safe_csv_cell(_EXAMPLES[entity][name]) for name in names])
    return buffer.getvalue().encode("utf-8")
