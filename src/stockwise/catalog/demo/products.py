"""Demo locations and products: SKUs, names, units, prices and lifecycles (launch, discontinuation).

Money is integer cents internally and exact 2-decimal `pl.Decimal` columns in the frames.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from stockwise.catalog.demo.sampling import (
    BoolArray,
    FloatArray,
    IntArray,
    choose_weighted,
    decimal_from_cents,
)
from stockwise.catalog.demo.vocabulary import (
    BULK_COST_RANGE,
    CATEGORIES,
    LOCATIONS,
    SLASH_CONNECTORS,
    SLASH_LENGTHS_M,
)

PRODUCTS_AT_SCALE_1 = 2000
NEW_SHARE = 0.06  # launched in the last months
MID_WINDOW_SHARE = 0.08  # launched during the history window
DISCONTINUED_SHARE = 0.06  # of the items launched before the window
_VARIANTS = ("Black", "White", "Grey", "Blue", "Green", "Small", "Medium", "Large", "XL")


@dataclass(frozen=True, slots=True)
class ProductPlan:
    """The products frame plus the arrays (one entry per product) the demand generator works from."""

    frame: pl.DataFrame
    category: IntArray  # index into CATEGORIES
    is_bulk: BoolArray  # sold by kg or metre: fractional quantities
    cost_cents: IntArray
    price_cents: IntArray
    launch_day: IntArray  # day index in the window; negative means before it
    end_day: IntArray  # first day index without sales (the window length if still active)

    @property
    def discontinued(self) -> BoolArray:
        """Products delisted inside the window."""
        return ~self.frame["is_active"].to_numpy()


def build_locations() -> pl.DataFrame:
    """The central warehouse first, then the two stores."""
    codes, names, kinds = zip(*LOCATIONS, strict=True)
    return pl.DataFrame({"code": codes, "name": names, "kind": kinds})


def build_products(rng: np.random.Generator, *, scale: float, start: dt.date, n_days: int) -> ProductPlan:
    """Draw ~2,000 x scale products grouped by category, with prices and lifecycle dates."""
    n = max(len(CATEGORIES), round(PRODUCTS_AT_SCALE_1 * scale))
    category = _category_per_product(n)
    skus, names, is_bulk, band = _skus_and_names(rng, category)
    cost_cents, price_cents = _prices(category, is_bulk, band, rng.uniform(0.2, 0.7, n))
    launch_day, end_day = _lifecycle(rng, n, n_days)
    discontinued = end_day < n_days
    origin = np.datetime64(start, "D")
    frame = pl.DataFrame(
        {
            "sku": skus,
            "name": names,
            "category": [CATEGORIES[c].name for c in category],
            "unit": [CATEGORIES[c].bulk_unit if b else "ea" for c, b in zip(category, is_bulk, strict=True)],
            "unit_cost": decimal_from_cents("unit_cost", cost_cents),
            "unit_price": decimal_from_cents("unit_price", price_cents),
            "is_active": ~discontinued,
            "launch_date": origin + launch_day,
            "discontinued_date": pl.Series(origin + end_day).set(pl.Series(~discontinued), None),
        }
    )
    return ProductPlan(frame, category, is_bulk, cost_cents, price_cents, launch_day, end_day)


def _category_per_product(n: int) -> IntArray:
    """Category counts in proportion to their weights (largest remainder), grouped in catalogue order."""
    weights = np.array([c.weight for c in CATEGORIES])
    exact = weights / weights.sum() * n
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return np.repeat(np.arange(len(CATEGORIES)), counts)


def _skus_and_names(
    rng: np.random.Generator, category: IntArray
) -> tuple[list[str], list[str], BoolArray, FloatArray]:
    """Prefixed SKUs with gaps in the numbering, adjective + noun names, a few '/' cable SKUs.

    Also returns where each item sits in its category's price band (0 cheapest, 1 dearest).
    """
    n = category.shape[0]
    skus, names = [""] * n, [""] * n
    is_bulk, band = np.zeros(n, dtype=np.bool_), np.zeros(n)
    for c, cat in enumerate(CATEGORIES):
        rows = np.flatnonzero(category == c)
        numbers = np.sort(rng.choice(3 * rows.size + 10, size=rows.size, replace=False)) + 1
        bulk = rng.random(rows.size) < cat.bulk_share
        noun = rng.integers(len(cat.nouns), size=rows.size)
        # Nouns are listed cheapest first, so a helmet never costs less than an inner tube.
        noun_band = np.clip((noun + rng.uniform(-0.5, 1.5, rows.size)) / len(cat.nouns), 0.0, 1.0)
        band[rows] = np.where(bulk, rng.random(rows.size), noun_band)
        nouns = np.where(bulk, rng.choice(cat.bulk_nouns or cat.nouns, rows.size), np.array(cat.nouns)[noun])
        adjectives = rng.choice(cat.adjectives, rows.size)
        variants = np.where(bulk | (rng.random(rows.size) < 0.5), "", rng.choice(_VARIANTS, rows.size))
        for i, row in enumerate(rows):
            skus[row] = f"{cat.prefix}-{numbers[i]:05d}"
            names[row] = f"{adjectives[i]} {nouns[i]}" + (f" - {variants[i]}" if variants[i] else "")
        is_bulk[rows] = bulk
    slash = _add_slash_skus(rng, category, skus, names)
    is_bulk[slash] = False
    band[slash] = rng.uniform(0.0, 0.3, slash.size)  # priced like the other USB and HDMI cables
    return skus, names, is_bulk, band


def _add_slash_skus(
    rng: np.random.Generator, category: IntArray, skus: list[str], names: list[str]
) -> IntArray:
    """Rename a few cables to SKUs like "CAB/USB-C-1M": importers and URLs must cope with the slash."""
    cables = np.flatnonzero(category == [c.prefix for c in CATEGORIES].index("CAB"))
    combos = [(conn, length) for conn in SLASH_CONNECTORS for length in SLASH_LENGTHS_M]
    count = min(len(combos), cables.size, max(3, category.shape[0] // 200))
    picked = rng.choice(cables, count, replace=False)
    for row, k in zip(picked, rng.choice(len(combos), count, replace=False), strict=True):
        (code, label), length = combos[k]
        skus[row], names[row] = f"CAB/{code}-{length}M", f"{label} Cable {length} m"
    return picked.astype(np.int64)


def _prices(
    category: IntArray, is_bulk: BoolArray, band: FloatArray, margin: FloatArray
) -> tuple[IntArray, IntArray]:
    """Costs placed log-evenly in the category band; prices at the margin, rounded up to end in 9."""
    low = np.where(is_bulk, BULK_COST_RANGE[0], np.array([c.cost_range[0] for c in CATEGORIES])[category])
    high = np.where(is_bulk, BULK_COST_RANGE[1], np.array([c.cost_range[1] for c in CATEGORIES])[category])
    cost_cents = np.maximum(5, np.rint(low * (high / low) ** band * 100)).astype(np.int64)
    price = cost_cents / (1.0 - margin)
    # Shelf prices look like 4.49 or 24.99: whole euros from 10 up, ten cents below.
    step = np.where(price >= 1000, 100, 10)
    price_cents = (np.ceil(price / step) * step - 1).astype(np.int64)
    return cost_cents, price_cents


def _lifecycle(rng: np.random.Generator, n: int, n_days: int) -> tuple[IntArray, IntArray]:
    """Launch day and end-of-sales day per product, as day indexes in the window."""
    stage = choose_weighted(
        rng, np.tile([1 - NEW_SHARE - MID_WINDOW_SHARE, MID_WINDOW_SHARE, NEW_SHARE], (n, 1))
    )
    before_window = -rng.integers(30, 1500, n)
    mid_window = rng.integers(30, max(31, n_days - 180), n)
    recent = n_days - rng.integers(30, min(180, n_days // 2) + 1, n)
    launch_day = np.choose(stage, [before_window, mid_window, recent])
    discontinued = (stage == 0) & (rng.random(n) < DISCONTINUED_SHARE)
    end_day = np.where(discontinued, rng.integers(90, n_days - 14, n), n_days)
    return launch_day.astype(np.int64), end_day.astype(np.int64)
