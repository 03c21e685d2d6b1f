"""Where each importable entity lands: target table, column sources, reference look-ups, replace scope.

Shared by the CPU phase (which renames and resolves columns) and the bulk writer (which builds the
staging table and the merge from the same column list), so the two can never disagree on layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stockwise.etl.parsing import EntityName

ReferenceKind = Literal["products", "locations", "suppliers"]
#: master: the file lists every row (replace deactivates the rest); located: stock per location;
#: dated: sales per location and day.
ReplaceScope = Literal["master", "located", "dated"]


@dataclass(frozen=True, slots=True)
class Reference:
    """A code column of the file resolved to an id column of the target table."""

    source: str
    column: str
    kind: ReferenceKind


@dataclass(frozen=True, slots=True)
class EntityTarget:
    entity: EntityName
    table: str
    #: (target column, file column) in staging-table order.
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    scope: ReplaceScope
    references: tuple[Reference, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.columns)

    def present(self, file_columns: tuple[str, ...]) -> tuple[str, ...]:
        """Target columns the file supplies (keys and references are always required)."""
        return tuple(column for column, source in self.columns if source in file_columns)

    @property
    def renames(self) -> dict[str, str]:
        """File columns renamed as they are (reference codes are resolved into new id columns instead)."""
        resolved = {reference.column for reference in self.references}
        return {
            source: column for column, source in self.columns if source != column and column not in resolved
        }


_PRODUCT = Reference("sku", "product_id", "products")
_LOCATION = Reference("location_code", "location_id", "locations")
_SUPPLIER = Reference("supplier_code", "supplier_id", "suppliers")


def _same(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, name) for name in names)


TARGETS: dict[EntityName, EntityTarget] = {
    "locations": EntityTarget(
        "locations", "location", _same("code", "name", "kind", "is_active"), ("code",), "master"
    ),
    "suppliers": EntityTarget(
        "suppliers", "supplier", _same("code", "name", "currency", "email", "is_active"), ("code",), "master"
    ),
    "products": EntityTarget(
        "products",
        "product",
        _same("sku", "name", "category", "unit", "unit_cost", "unit_price", "is_active"),
        ("sku",),
        "master",
    ),
    "product_suppliers": EntityTarget(
        "product_suppliers",
        "product_supplier",
        (
            ("product_id", "sku"),
            ("supplier_id", "supplier_code"),
            *_same(
                "lead_time_days",
                "lead_time_std_days",
                "moq",
                "pack_size",
                "unit_price",
                "is_primary",
                "supplier_sku",
            ),
        ),
        ("product_id", "supplier_id"),
        "master",
        (_PRODUCT, _SUPPLIER),
    ),
    "stock": EntityTarget(
        "stock",
        "stock_level",
        (("product_id", "sku"), ("location_id", "location_code"), *_same("on_hand", "allocated")),
        ("product_id", "location_id"),
        "located",
        (_PRODUCT, _LOCATION),
    ),
    "sales": EntityTarget(
        "sales",
        "sales",
        (
            ("product_id", "sku"),
            ("location_id", "location_code"),
            ("sale_date", "date"),
            *_same("quantity", "revenue"),
        ),
        ("product_id", "location_id", "sale_date"),
        "dated",
        (_PRODUCT, _LOCATION),
    ),
}
