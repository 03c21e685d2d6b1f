"""Daily sales of every ranged series, simulated with numpy one block of series at a time.

Only selling days become rows. The demand level of a day is weekday x yearly season x trend x
promotion x launch ramp; stockout spells and days outside the product's life sell nothing.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from stockwise.catalog.demo.products import ProductPlan
from stockwise.catalog.demo.sampling import (
    BoolArray,
    FloatArray,
    IntArray,
    decimal_from_cents,
    in_spells,
)
from stockwise.catalog.demo.series import DEMAND_CLASSES, ERRATIC, WAREHOUSE, SeriesParams
from stockwise.catalog.demo.vocabulary import LOCATIONS, STORE_WEEKDAY_PROFILE, WAREHOUSE_WEEKDAY_PROFILE

BLOCK_CELLS = 1_000_000  # series x days simulated at once: bounds memory at any scale
LAUNCH_RAMP_DAYS = 28
MIN_SIZE_CV2 = 0.02
MAX_DAILY_CHANCE = 0.98
MIN_BULK_QUANTITY = 0.05  # kg or metres
_LOCATION_CODES = pl.Series([code for code, _, _ in LOCATIONS])


@dataclass(frozen=True, slots=True)
class Calendar:
    """Day index, weekday (Monday = 0) and day of year of every day in the window."""

    index: IntArray
    weekday: IntArray
    day_of_year: IntArray
    epoch_day: IntArray  # days since 1970-01-01, for the Date column

    @classmethod
    def of(cls, start: dt.date, n_days: int) -> "Calendar":
        """The calendar of `n_days` days from `start`."""
        dates = np.datetime64(start, "D") + np.arange(n_days)
        epoch_day = dates.astype(np.int64)
        day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
        return cls(np.arange(n_days), (epoch_day + 3) % 7, day_of_year, epoch_day)


@dataclass(frozen=True, slots=True)
class _Sold:
    """Selling days of one block: series (block-relative), day index, quantity, revenue in cents."""

    series: IntArray
    day: IntArray
    quantity: FloatArray
    revenue_cents: IntArray

    def shifted(self, offset: int) -> "_Sold":
        """The same rows with series numbers made global."""
        return _Sold(self.series + offset, self.day, self.quantity, self.revenue_cents)


@dataclass(frozen=True, slots=True)
class DemandResult:
    """The sales and profiles frames plus each series' realised mean daily demand."""

    sales: pl.DataFrame
    profiles: pl.DataFrame
    mean_daily: FloatArray


def simulate_sales(
    rng: np.random.Generator, products: ProductPlan, series: SeriesParams, calendar: Calendar
) -> DemandResult:
    """Simulate block by block; rows come out ordered by series (product, location) then date."""
    n_series, n_days = series.product.size, calendar.index.size
    block = max(1, BLOCK_CELLS // n_days)
    frames: list[pl.DataFrame] = []
    total = np.zeros(n_series)
    for first in range(0, n_series, block):
        rows = slice(first, first + block)
        sold = _simulate_block(rng, products, series.take(rows), calendar).shifted(first)
        total += np.bincount(sold.series, weights=sold.quantity, minlength=n_series)
        # A frame per block keeps peak memory near the final frame's size, not a multiple of it.
        frames.append(_sales_frame(products, series, calendar, sold))
    active_days = np.minimum(series.end, n_days) - np.maximum(series.launch, 0)
    mean_daily = total / active_days
    profiles = pl.DataFrame(
        {
            "sku": products.frame["sku"].gather(series.product),
            "location_code": _LOCATION_CODES.gather(series.location),
            "demand_class": np.array(DEMAND_CLASSES)[series.demand_class],
            "mean_daily": np.round(mean_daily, 3),
        }
    )
    return DemandResult(pl.concat(frames), profiles, mean_daily)


def _sales_frame(
    products: ProductPlan, series: SeriesParams, calendar: Calendar, sold: _Sold
) -> pl.DataFrame:
    """The block's selling days as sales rows keyed by date, sku and location code."""
    return pl.DataFrame(
        {
            "date": pl.Series(calendar.epoch_day[sold.day]).cast(pl.Date),
            "sku": products.frame["sku"].gather(series.product[sold.series]),
            "location_code": _LOCATION_CODES.gather(series.location[sold.series]),
            "quantity": sold.quantity,
            "revenue": decimal_from_cents("revenue", sold.revenue_cents, 14),
        }
    )


def _simulate_block(
    rng: np.random.Generator, products: ProductPlan, p: SeriesParams, calendar: Calendar
) -> _Sold:
    """Draw selling days, then a quantity for each.

    Fast movers sell at a steady chance and the demand level scales their quantities; for slow
    movers the level scales the chance of a sale instead, so ADI and CV² stay where the class wants.
    """
    days = calendar.index
    active = (days >= p.launch[:, None]) & (days < p.end[:, None])
    promo = in_spells(days, p.promo_start, p.promo_end)
    level = _demand_level(p, calendar, promo)
    relative = level / _masked_mean(level, active)[:, None]
    fast = p.demand_class <= ERRATIC
    chance = np.where(
        fast[:, None], p.chance[:, None], np.minimum(p.chance[:, None] * relative, MAX_DAILY_CHANCE)
    )
    sells = active & (rng.random(level.shape) < chance) & ~in_spells(days, p.stockout_start, p.stockout_end)
    rows, cols = np.nonzero(sells)
    shape = 1.0 / _size_cv2(p, relative, active, fast)[rows]
    noise = rng.gamma(shape, 1.0 / shape)
    size = p.size[rows] * np.where(fast[rows], relative[rows, cols], 1.0) * noise
    bulk = products.is_bulk[p.product[rows]]
    quantity = np.where(
        bulk, np.maximum(np.round(size, 3), MIN_BULK_QUANTITY), np.maximum(np.rint(size), 1.0)
    )
    paid = 1.0 - np.where(promo[rows, cols], p.discount[rows], 0.0)
    # Half-up like a till, not numpy's half-to-even.
    revenue = np.floor(quantity * products.price_cents[p.product[rows]] * paid + 0.5).astype(np.int64)
    return _Sold(rows, cols, quantity, revenue)


def _demand_level(p: SeriesParams, calendar: Calendar, promo: BoolArray) -> FloatArray:
    """Series x days multiplier of demand, built in place to keep one block-sized array.

    Only its shape matters: the caller divides it by its mean over the series' life.
    """
    profiles = np.array([WAREHOUSE_WEEKDAY_PROFILE, STORE_WEEKDAY_PROFILE])
    level = profiles[(p.location != WAREHOUSE).astype(np.int64)][:, calendar.weekday]
    level /= level.mean(axis=1, keepdims=True)
    angle = 2 * np.pi * (calendar.day_of_year[None, :] - p.peak_day[:, None]) / 365.25
    level *= 1.0 + p.amplitude[:, None] * np.cos(angle)
    level *= np.exp(p.trend[:, None] * (calendar.index[None, :] - calendar.index[-1]) / 365.25)
    level *= np.where(promo, p.uplift[:, None], 1.0)
    level *= np.clip((calendar.index[None, :] - p.launch[:, None] + 1) / LAUNCH_RAMP_DAYS, 0.3, 1.0)
    return level


def _size_cv2(p: SeriesParams, relative: FloatArray, active: BoolArray, fast: BoolArray) -> FloatArray:
    """Spread of the random part of quantities so that the total spread hits the class target.

    Where the level scales quantities its own variation counts too: (1+cv²) multiplies through.
    """
    mean = _masked_mean(relative, active)
    level_cv2 = _masked_mean((relative - mean[:, None]) ** 2, active) / mean**2
    matched = np.maximum((1.0 + p.cv2) / (1.0 + level_cv2) - 1.0, MIN_SIZE_CV2)
    return np.where(fast, matched, p.cv2)


def _masked_mean(values: FloatArray, mask: BoolArray) -> FloatArray:
    """Row means over the masked cells (every series is active on at least one day)."""
    return np.where(mask, values, 0.0).sum(axis=1) / mask.sum(axis=1)
