"""A believable demo business as polars frames: catalogue, suppliers, two years of daily sales, stock.

Pure and deterministic: the same arguments give identical frames; no database access here.
Money columns are exact `pl.Decimal` with 2 fractional digits (they come out as `decimal.Decimal`);
quantities are Float64, whole numbers for "ea" items and 3 decimals for "kg"/"m" items.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from stockwise.catalog.demo.demand import Calendar, simulate_sales
from stockwise.catalog.demo.products import build_locations, build_products
from stockwise.catalog.demo.series import plan_series
from stockwise.catalog.demo.stock import build_stock
from stockwise.catalog.demo.suppliers import build_product_suppliers, build_suppliers

MIN_YEARS = 0.5  # launches and delistings need room inside the window


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """All tables of the demo tenant; rows reference each other by sku, supplier and location code.

    locations: code, name, kind ("warehouse" | "store").
    suppliers: code, name, currency, email.
    products: sku, name, category, unit, unit_cost, unit_price, is_active, launch_date, discontinued_date.
    product_suppliers: sku, supplier_code, is_primary, lead_time_days, lead_time_std_days, moq,
        pack_size, unit_price (in the supplier's currency).
    sales: date, sku, location_code, quantity, revenue (only days with a sale).
    stock: sku, location_code, on_hand, allocated (one row per ranged product x location).
    profiles: sku, location_code, demand_class, mean_daily (the generator's intent, for checks).
    """

    locations: pl.DataFrame
    suppliers: pl.DataFrame
    products: pl.DataFrame
    product_suppliers: pl.DataFrame
    sales: pl.DataFrame
    stock: pl.DataFrame
    profiles: pl.DataFrame


def generate_demo_dataset(
    *, seed: int = 42, scale: float = 1.0, end_date: dt.date, years: float = 2.0
) -> DemoDataset:
    """Generate the demo tenant: ~2,000 x scale products and `years` of daily sales up to end_date."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if years < MIN_YEARS:
        raise ValueError(f"years must be at least {MIN_YEARS}, got {years}")
    n_days = round(365 * years)
    start = end_date - dt.timedelta(days=n_days - 1)
    # Independent streams per table: a change in how one table is drawn leaves the others as they were.
    catalog_rng, supplier_rng, series_rng, sales_rng, stock_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)
    )
    products = build_products(catalog_rng, scale=scale, start=start, n_days=n_days)
    suppliers = build_suppliers(supplier_rng, scale=scale)
    series = plan_series(series_rng, products, n_days)
    demand = simulate_sales(sales_rng, products, series, Calendar.of(start, n_days))
    return DemoDataset(
        locations=build_locations(),
        suppliers=suppliers.frame,
        products=products.frame,
        product_suppliers=build_product_suppliers(supplier_rng, products, suppliers),
        sales=demand.sales,
        stock=build_stock(stock_rng, products, series, demand.mean_daily),
        profiles=demand.profiles,
    )
