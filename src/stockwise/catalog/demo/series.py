"""Which products are ranged where, and the demand parameters of each product x location series.

A series gets one of the Syntetos-Boylan classes by design: fast movers (smooth, erratic) sell
nearly every day and their seasonal level scales the quantities; slow movers (intermittent, lumpy)
sell on few days and their level scales the chance of a sale.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from stockwise.catalog.demo.products import ProductPlan
from stockwise.catalog.demo.sampling import BoolArray, FloatArray, IntArray, choose_weighted, log_uniform
from stockwise.catalog.demo.vocabulary import CATEGORIES

DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
SMOOTH, ERRATIC = 0, 1  # codes are indexes into DEMAND_CLASSES; lower than ERRATIC = fast mover
WAREHOUSE = 0  # index of the central warehouse in LOCATIONS


@dataclass(frozen=True, slots=True)
class ClassShape:
    """How a demand class sells: daily chance of a sale, selling-day quantity and its spread."""

    chance: tuple[float, float]
    size: tuple[float, float]  # mean quantity on a selling day, log-uniform
    cv2: tuple[float, float]  # squared coefficient of variation of selling-day quantities


# Chances keep ADI = 1/chance clear of the 1.32 cut-off, spreads keep CV² clear of 0.49.
CLASS_SHAPES = (
    ClassShape((0.90, 0.99), (3.0, 25.0), (0.05, 0.25)),
    ClassShape((0.88, 0.99), (4.0, 20.0), (0.9, 2.0)),
    ClassShape((0.10, 0.50), (1.0, 3.0), (0.05, 0.3)),
    ClassShape((0.08, 0.45), (4.0, 25.0), (0.9, 2.5)),
)
# Store mix at a median-priced item (cheap items lean smooth, dear ones intermittent/lumpy);
# the warehouse only sells the odd trade order. Together they give ~45/20/25/10% of series.
STORE_MIX = (0.52, 0.23, 0.19, 0.06)
WAREHOUSE_MIX = (0.10, 0.05, 0.55, 0.30)
# Ranging patterns as (warehouse, store 1, store 2) flags with their shares of the assortment.
RANGING = (
    ((0, 1, 0), 0.12), ((0, 0, 1), 0.08), ((1, 0, 0), 0.05), ((0, 1, 1), 0.48),
    ((1, 1, 0), 0.08), ((1, 0, 1), 0.04), ((1, 1, 1), 0.15),
)  # fmt: skip
# Relative selling-day quantities by location: the retail park store sells a little less than the
# city centre one, and trade orders at the warehouse are small next to what it ships to the stores.
LOCATION_SIZE = (0.5, 1.0, 0.8)
PROMOTED_SHARE = 0.35
PAST_STOCKOUT_SHARE = 0.12  # of fast movers in stores
CURRENT_STOCKOUT_SHARE = 0.05  # of active store series


@dataclass(frozen=True, slots=True)
class SeriesParams:
    """One entry (or row) per product x location series; day values are indexes in the window."""

    product: IntArray
    location: IntArray
    demand_class: IntArray
    chance: FloatArray
    size: FloatArray
    cv2: FloatArray
    amplitude: FloatArray
    peak_day: FloatArray
    trend: FloatArray  # log growth per year
    launch: IntArray
    end: IntArray
    promo_start: IntArray  # series x spells
    promo_end: IntArray
    uplift: FloatArray
    discount: FloatArray
    stockout_start: IntArray  # series x 2: a past spell, a current one
    stockout_end: IntArray

    def take(self, rows: slice) -> "SeriesParams":
        """The same parameters for a block of series."""
        return SeriesParams(**{f.name: getattr(self, f.name)[rows] for f in dataclasses.fields(self)})

    @property
    def out_of_stock(self) -> BoolArray:
        """Series whose current stockout spell runs to the end of the window."""
        return self.stockout_end[:, 1] > self.stockout_start[:, 1]


def plan_series(rng: np.random.Generator, products: ProductPlan, n_days: int) -> SeriesParams:
    """Range every product in 1-3 locations and draw the demand parameters of each series."""
    flags = np.array([pattern for pattern, _ in RANGING])
    pattern = choose_weighted(rng, np.tile([share for _, share in RANGING], (products.category.size, 1)))
    product, location = np.nonzero(flags[pattern])
    demand_class = _demand_classes(rng, products, product, location)
    chance, size, cv2 = _class_draws(rng, products, product, location, demand_class)
    fast = demand_class <= ERRATIC
    amplitude, peak_day, trend = _seasons_and_trends(rng, products)
    promo_start, promo_end, uplift, discount = _promotions(rng, products.category.size, n_days)
    in_store = (location != WAREHOUSE)[:, None]
    launch, end = products.launch_day[product], products.end_day[product]
    stockout_start, stockout_end = _stockouts(rng, in_store[:, 0], fast, launch, end, n_days)
    return SeriesParams(
        product=product.astype(np.int64),
        location=location.astype(np.int64),
        demand_class=demand_class,
        chance=chance,
        size=size,
        cv2=cv2,
        # Smooth series keep a gentler yearly swing: a strong one would make them erratic.
        amplitude=np.where(demand_class == SMOOTH, np.minimum(amplitude[product], 0.5), amplitude[product]),
        peak_day=peak_day[product],
        trend=trend[product],
        launch=launch,
        end=end,
        promo_start=np.where(in_store, promo_start[product], 0),
        promo_end=np.where(in_store, promo_end[product], 0),
        uplift=uplift[product],
        discount=discount[product],
        stockout_start=stockout_start,
        stockout_end=stockout_end,
    )


def _demand_classes(
    rng: np.random.Generator, products: ProductPlan, product: IntArray, location: IntArray
) -> IntArray:
    """One class per product for both stores, drawn by price tier; the warehouse draws its own."""
    price_rank = np.argsort(np.argsort(products.cost_cents)) / max(1, products.cost_cents.size - 1)
    tilt = np.stack([1.4 - 0.8 * price_rank, np.ones_like(price_rank), 0.6 + 0.8 * price_rank], axis=1)
    store_weights = np.array(STORE_MIX) * tilt[:, [0, 1, 2, 2]]
    store_class = choose_weighted(rng, store_weights)[product]
    warehouse_class = choose_weighted(rng, np.tile(WAREHOUSE_MIX, (product.size, 1)))
    return np.where(location == WAREHOUSE, warehouse_class, store_class)


def _class_draws(
    rng: np.random.Generator,
    products: ProductPlan,
    product: IntArray,
    location: IntArray,
    demand_class: IntArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Chance of a sale, selling-day quantity and its spread, within the ranges of each series' class."""
    shapes = [CLASS_SHAPES[c] for c in demand_class]
    chance = rng.uniform([s.chance[0] for s in shapes], [s.chance[1] for s in shapes])
    low, high = np.array([s.size[0] for s in shapes]), np.array([s.size[1] for s in shapes])
    # Cheap items sell in bigger numbers than dear ones of the same class.
    popularity = np.clip((np.median(products.cost_cents) / products.cost_cents[product]) ** 0.25, 0.5, 1.6)
    size = log_uniform(rng, low, high, product.size) * popularity * np.array(LOCATION_SIZE)[location]
    # Rounding a small piece count to whole units would add spread and push smooth items to erratic.
    size = np.where((demand_class <= ERRATIC) & ~products.is_bulk[product], np.maximum(size, 3.0), size)
    cv2 = rng.uniform([s.cv2[0] for s in shapes], [s.cv2[1] for s in shapes])
    return chance, size, cv2


def _seasons_and_trends(rng: np.random.Generator, products: ProductPlan) -> tuple[FloatArray, ...]:
    """Per product: yearly amplitude and peak around its category's, and a growth or decline trend."""
    n = products.category.size
    amplitude = np.array([c.amplitude for c in CATEGORIES])[products.category] * rng.uniform(0.5, 1.1, n)
    peak_day = np.array([c.peak_day for c in CATEGORIES])[products.category] + rng.normal(0, 10, n)
    trend = np.clip(rng.normal(0.0, 0.12, n), -0.3, 0.3)
    # Items on their way out were declining before they were delisted.
    trend = np.where(products.discontinued, -rng.uniform(0.2, 0.5, n), trend)
    return amplitude, peak_day, trend


def _promotions(
    rng: np.random.Generator, n: int, n_days: int
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """A third of products run 1-2 week promotions once or twice a year, with uplift and a discount."""
    years = n_days / 365.0
    max_spells = max(1, int(np.ceil(2 * years)))
    spells = np.where(rng.random(n) < PROMOTED_SHARE, np.rint(years * rng.uniform(1, 2, n)), 0)
    start = rng.integers(0, n_days - 14, (n, max_spells))
    used = np.arange(max_spells) < spells[:, None]
    end = np.where(used, start + rng.integers(7, 15, (n, max_spells)), start)
    uplift = rng.uniform(1.4, 2.2, n)
    discount = rng.choice([0.10, 0.15, 0.20, 0.25, 0.30], n)
    return start, end, uplift, discount


def _stockouts(
    rng: np.random.Generator, store: BoolArray, fast: BoolArray, launch: IntArray, end: IntArray, n_days: int
) -> tuple[IntArray, IntArray]:
    """A 1-3 week gap on some busy store items, and a few store items out of stock right now."""
    n = store.size
    length = rng.integers(7, 22, n)
    first = np.maximum(launch, 0)
    latest = end - 30 - length
    past_start = first + np.floor(rng.random(n) * np.maximum(latest - first, 0)).astype(np.int64)
    past = store & fast & (rng.random(n) < PAST_STOCKOUT_SHARE) & (latest > first)
    current_start = n_days - rng.integers(3, 13, n)
    current = (
        store & (end == n_days) & (current_start - first > 30) & (rng.random(n) < CURRENT_STOCKOUT_SHARE)
    )
    starts = np.stack([np.where(past, past_start, 0), np.where(current, current_start, 0)], axis=1)
    ends = np.stack([np.where(past, past_start + length, 0), np.where(current, n_days, 0)], axis=1)
    return starts, ends
