"""Bulk-load a generated catalogue (the demo tenant): insert what is missing, keyed by code and SKU,
so a re-run or a retried job adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from stockwise.catalog.demo_data import DemoDataset
from stockwise.catalog.models import Location, Product, Supplier
from stockwise.catalog.repository import (
    LocationRepository,
    ProductRepository,
    ProductSupplierRepository,
    SupplierRepository,
    analyze_catalog,
)
from stockwise.core.unit_of_work import UnitOfWork

PRODUCT_COLUMNS = ("sku", "name", "category", "unit", "unit_cost", "unit_price", "is_active")


@dataclass(frozen=True, slots=True)
class CatalogIds:
    """Database ids of the seeded rows by their natural keys."""

    locations: dict[str, int]
    suppliers: dict[str, int]
    products: dict[str, int]


async def seed_catalog(uow: UnitOfWork, *, dataset: DemoDataset) -> CatalogIds:
    """Insert the dataset's missing catalogue rows, refresh planner statistics, return the ids."""
    await LocationRepository(uow).insert_missing(dataset.locations.to_dicts())
    await SupplierRepository(uow).insert_missing(dataset.suppliers.to_dicts())
    await ProductRepository(uow).insert_missing(dataset.products.select(PRODUCT_COLUMNS).to_dicts())
    ids = CatalogIds(
        locations=await LocationRepository(uow).ids_by(Location.code),
        suppliers=await SupplierRepository(uow).ids_by(Supplier.code),
        products=await ProductRepository(uow).ids_by(Product.sku),
    )
    links = dataset.product_suppliers.with_columns(
        pl.col("sku").replace_strict(ids.products, return_dtype=pl.Int64).alias("product_id"),
        pl.col("supplier_code").replace_strict(ids.suppliers, return_dtype=pl.Int64).alias("supplier_id"),
    ).drop("sku", "supplier_code")
    await ProductSupplierRepository(uow).insert_missing(links.to_dicts())
    await refresh_catalog_statistics(uow)
    return ids


async def refresh_catalog_statistics(uow: UnitOfWork) -> None:
    """Call after bulk-loading catalogue rows, before bulk-loading rows that reference them (PostgreSQL
    plans those foreign-key checks from statistics; a fresh catalogue has none until autovacuum runs).
    """
    await analyze_catalog(uow.session)
