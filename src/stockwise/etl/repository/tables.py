"""The tables imports read and write, imported explicitly so every process (API, worker, CLI) maps them."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from stockwise.catalog.models import Location, Product, ProductSupplier, Supplier
from stockwise.forecasting.models import Sales
from stockwise.inventory.models import StockLevel, StockMovement

TABLES: dict[str, Table] = {
    cast(Table, model.__table__).name: cast(Table, model.__table__)
    for model in (Location, Supplier, Product, ProductSupplier, StockLevel, StockMovement, Sales)
}
