"""Column specifications of the six importable entities: kinds, defaults, aliases and in-file keys.

Defaults are written as cell text so that they pass through the same parser as file values.
Header aliases are compared after `normalise_header` (case, spaces, underscores and punctuation ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from stockwise.etl.parsing.options import EntityName


class Kind(StrEnum):
    CODE = "code"
    TEXT = "text"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOL = "bool"
    DATE = "date"
    CURRENCY = "currency"
    EMAIL = "email"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    kind: Kind
    required: bool = False
    default: str | None = None
    aliases: tuple[str, ...] = ()
    positive: bool = False
    max_value: int | None = None
    choices: tuple[str, ...] = ()
    max_length: int = 255


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: EntityName
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> ColumnSpec:
        return next(column for column in self.columns if column.name == name)


def normalise_header(header: str) -> str:
    """Header text compared case-, space-, underscore- and punctuation-insensitively."""
    return re.sub(r"[\W_]+", "", header.casefold())


_SKU = ("item_code", "product_sku", "item", "product_code", "item_number", "article", "part_number")
_LOCATION = ("location", "store", "warehouse", "location_code", "site", "store_code", "warehouse_code")
_SUPPLIER = ("supplier", "vendor", "vendor_code", "supplier_id", "vendor_id")
_ACTIVE = ("active", "enabled")


def _code(name: str, aliases: tuple[str, ...]) -> ColumnSpec:
    return ColumnSpec(name, Kind.CODE, required=True, aliases=aliases, max_length=128)


def _amount(name: str, aliases: tuple[str, ...] = (), default: str | None = None) -> ColumnSpec:
    return ColumnSpec(name, Kind.DECIMAL, default=default, aliases=aliases)


def _flag(name: str, default: str, aliases: tuple[str, ...]) -> ColumnSpec:
    return ColumnSpec(name, Kind.BOOL, default=default, aliases=aliases)


_ENTITIES = (
    EntitySpec(
        "locations",
        (
            _code("code", (*_LOCATION, "location_id")),
            ColumnSpec("name", Kind.TEXT, required=True, aliases=("location_name", "store_name")),
            ColumnSpec(
                "kind",
                Kind.CHOICE,
                default="warehouse",
                aliases=("type", "location_type"),
                choices=("warehouse", "store", "other"),
            ),
            _flag("is_active", "true", _ACTIVE),
        ),
        key=("code",),
    ),
    EntitySpec(
        "suppliers",
        (
            _code("code", (*_SUPPLIER, "supplier_code")),
            ColumnSpec("name", Kind.TEXT, required=True, aliases=("supplier_name", "vendor_name")),
            ColumnSpec("currency", Kind.CURRENCY, aliases=("currency_code", "ccy")),
            ColumnSpec("email", Kind.EMAIL, aliases=("e_mail", "email_address", "contact_email")),
            _flag("is_active", "true", _ACTIVE),
        ),
        key=("code",),
    ),
    EntitySpec(
        "products",
        (
            _code("sku", _SKU),
            ColumnSpec(
                "name", Kind.TEXT, required=True, aliases=("product_name", "item_name", "description")
            ),
            ColumnSpec("category", Kind.TEXT, aliases=("product_category", "group", "family")),
            ColumnSpec("unit", Kind.TEXT, default="ea", aliases=("uom", "unit_of_measure"), max_length=32),
            _amount("unit_cost", ("cost", "cost_price", "purchase_price")),
            _amount("unit_price", ("price", "sale_price", "selling_price", "list_price")),
            _flag("is_active", "true", _ACTIVE),
        ),
        key=("sku",),
    ),
    EntitySpec(
        "product_suppliers",
        (
            _code("sku", _SKU),
            _code("supplier_code", _SUPPLIER),
            ColumnSpec(
                "lead_time_days",
                Kind.INTEGER,
                required=True,
                max_value=730,
                aliases=("lead_time", "leadtime", "lead_time_d"),
            ),
            _amount("lead_time_std_days", ("lead_time_std", "lead_time_sd", "lead_time_stddev"), "0"),
            _amount("moq", ("min_order_qty", "minimum_order_quantity", "min_qty"), "0"),
            ColumnSpec(
                "pack_size",
                Kind.DECIMAL,
                default="1",
                positive=True,
                aliases=("pack", "case_size", "order_multiple"),
            ),
            _amount("unit_price", ("price", "cost", "unit_cost", "purchase_price")),
            _flag("is_primary", "false", ("primary", "preferred", "main_supplier")),
            ColumnSpec(
                "supplier_sku", Kind.TEXT, aliases=("vendor_sku", "supplier_item_code"), max_length=128
            ),
        ),
        key=("sku", "supplier_code"),
    ),
    EntitySpec(
        "stock",
        (
            _code("sku", _SKU),
            _code("location_code", _LOCATION),
            ColumnSpec(
                "on_hand",
                Kind.DECIMAL,
                required=True,
                aliases=("qty_on_hand", "stock", "on_hand_qty", "quantity", "qty", "stock_level"),
            ),
            _amount("allocated", ("reserved", "committed", "qty_allocated"), "0"),
        ),
        key=("sku", "location_code"),
    ),
    EntitySpec(
        "sales",
        (
            ColumnSpec(
                "date", Kind.DATE, required=True, aliases=("sale_date", "day", "order_date", "sales_date")
            ),
            _code("sku", _SKU),
            _code("location_code", _LOCATION),
            ColumnSpec(
                "quantity",
                Kind.DECIMAL,
                required=True,
                aliases=("qty", "units", "quantity_sold", "units_sold", "sold", "sales_qty"),
            ),
            _amount("revenue", ("sales", "amount", "net_sales", "sales_amount", "sales_value", "turnover")),
        ),
        key=("sku", "location_code", "date"),
    ),
)

ENTITIES: dict[EntityName, EntitySpec] = {spec.name: spec for spec in _ENTITIES}
