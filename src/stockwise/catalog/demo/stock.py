"""Current stock of every ranged series, sized in weeks of its average demand.

Consistent with the sales: series in a current stockout have nothing on hand, and the warehouse
is stocked for the whole chain's demand of a product, not only its own trade sales.
"""

import numpy as np
import polars as pl

from stockwise.catalog.demo.products import ProductPlan
from stockwise.catalog.demo.sampling import BoolArray, FloatArray
from stockwise.catalog.demo.series import WAREHOUSE, SeriesParams
from stockwise.catalog.demo.vocabulary import LOCATIONS

ZERO_SHARE = 0.04  # out of stock without a visible gap in sales yet
OVERSTOCK_SHARE = 0.08
ALLOCATED_SHARE = 0.35  # series with open customer allocations
DISCONTINUED_LEFTOVER_SHARE = 0.3


def build_stock(
    rng: np.random.Generator, products: ProductPlan, series: SeriesParams, mean_daily: FloatArray
) -> pl.DataFrame:
    """on_hand mostly 0-8 weeks of demand, some zero, some far too much; allocated a small part of it."""
    n = series.product.size
    chain_daily = np.bincount(series.product, weights=mean_daily, minlength=products.category.size)
    daily = np.where(series.location == WAREHOUSE, chain_daily[series.product], mean_daily)
    weeks = rng.uniform(0.5, 8.0, n)
    weeks = np.where(rng.random(n) < OVERSTOCK_SHARE, rng.uniform(12.0, 40.0, n), weeks)
    discontinued = products.discontinued[series.product]
    leftover = rng.random(n) < DISCONTINUED_LEFTOVER_SHARE
    weeks = np.where(discontinued, np.where(leftover, rng.uniform(0.5, 3.0, n), 0.0), weeks)
    weeks = np.where(series.out_of_stock | (rng.random(n) < ZERO_SHARE), 0.0, weeks)
    on_hand = _round_down(weeks * 7.0 * daily, products.is_bulk[series.product])
    allocated_part = np.where(rng.random(n) < ALLOCATED_SHARE, rng.uniform(0.0, 0.2, n), 0.0)
    allocated = _round_down(on_hand * allocated_part, products.is_bulk[series.product])
    return pl.DataFrame(
        {
            "sku": products.frame["sku"].gather(series.product),
            "location_code": pl.Series([code for code, _, _ in LOCATIONS]).gather(series.location),
            "on_hand": on_hand,
            "allocated": allocated,
        }
    )


def _round_down(quantity: FloatArray, bulk: BoolArray) -> FloatArray:
    """Whole units, or grams/millimetres for bulk items; down so allocated never exceeds on hand."""
    return np.where(bulk, np.floor(quantity * 1000.0) / 1000.0, np.floor(quantity))
