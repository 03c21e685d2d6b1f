"""Demo suppliers and product-supplier conditions.

Every product gets 1-3 distinct suppliers among those serving its category, exactly one primary.
Lead times follow the supplier's region; prices are quoted in the supplier's currency.
"""

from dataclasses import dataclass

import numpy as np
import polars as pl

from stockwise.catalog.demo.products import ProductPlan
from stockwise.catalog.demo.sampling import IntArray, choose_weighted, decimal_from_cents
from stockwise.catalog.demo.vocabulary import (
    CATEGORIES,
    FX_PER_EUR,
    SUPPLIER_REGIONS,
    SUPPLIER_STEMS,
    SUPPLIER_TRADES,
)

SUPPLIERS_AT_SCALE_1 = 30
MIN_SUPPLIERS = 5
_MOQ_STEPS = np.array([0, 10, 50, 100, 250, 500])
_PACK_SIZES = np.array([1, 6, 12, 24, 50, 100])
# Rows: cheap, mid-priced and expensive items; cheap ones come in bigger packs and minimums.
_MOQ_WEIGHTS = np.array(
    [[0.25, 0.25, 0.2, 0.15, 0.1, 0.05], [0.5, 0.3, 0.15, 0.05, 0, 0], [0.8, 0.2, 0, 0, 0, 0]]
)
_PACK_WEIGHTS = np.array(
    [[0.2, 0.2, 0.2, 0.15, 0.15, 0.1], [0.5, 0.25, 0.15, 0.1, 0, 0], [0.9, 0.1, 0, 0, 0, 0]]
)


@dataclass(frozen=True, slots=True)
class SupplierPlan:
    """The suppliers frame plus each supplier's typical lead time, used for its product conditions."""

    frame: pl.DataFrame
    lead_time_days: IntArray


def build_suppliers(rng: np.random.Generator, *, scale: float) -> SupplierPlan:
    """~30 x scale suppliers (at least 5) with unique names, region-dependent currency and lead time."""
    n = max(MIN_SUPPLIERS, round(SUPPLIERS_AT_SCALE_1 * max(scale, 0.1)))
    region = choose_weighted(rng, np.tile([r.weight for r in SUPPLIER_REGIONS], (n, 1)))
    grid = len(SUPPLIER_STEMS) * len(SUPPLIER_TRADES)
    # Distinct cells of the stem x trade grid keep names (and mail domains) unique.
    cells = rng.permutation(max(grid, n))[:n]
    names, emails = [], []
    for i, cell in enumerate(cells):
        stem = SUPPLIER_STEMS[cell % grid // len(SUPPLIER_TRADES)]
        trade = SUPPLIER_TRADES[cell % len(SUPPLIER_TRADES)]
        repeat = f" {cell // grid + 1}" if cell >= grid else ""
        reg = SUPPLIER_REGIONS[region[i]]
        names.append(f"{stem} {trade}{repeat} {rng.choice(reg.legal_forms)}")
        slug = f"{stem}{trade}{repeat}".lower().replace(" ", "")
        emails.append(f"orders@{slug}.{reg.tld}")
    low = np.array([r.lead_time_range[0] for r in SUPPLIER_REGIONS])[region]
    high = np.array([r.lead_time_range[1] for r in SUPPLIER_REGIONS])[region]
    frame = pl.DataFrame(
        {
            "code": [f"SUP-{i + 1:03d}" for i in range(n)],
            "name": names,
            "currency": [SUPPLIER_REGIONS[r].currency for r in region],
            "email": emails,
        }
    )
    return SupplierPlan(frame, rng.integers(low, high + 1).astype(np.int64))


def build_product_suppliers(
    rng: np.random.Generator, products: ProductPlan, suppliers: SupplierPlan
) -> pl.DataFrame:
    """One row per product x supplier; the first supplier drawn for a product is its primary."""
    product, supplier, rank = _assign_suppliers(rng, products, suppliers.frame.height)
    n = product.shape[0]
    lead = np.clip(np.rint(suppliers.lead_time_days[supplier] * rng.uniform(0.85, 1.15, n)), 3, 60)
    tier = np.digitize(products.cost_cents[product], [500, 5000])
    bulk = products.is_bulk[product]
    pack = np.where(bulk, 1, _PACK_SIZES[choose_weighted(rng, _PACK_WEIGHTS[tier])])
    moq = _MOQ_STEPS[choose_weighted(rng, _MOQ_WEIGHTS[tier])]
    moq = np.ceil(moq / pack).astype(np.int64) * pack  # a minimum is ordered in whole packs
    fx = np.array([FX_PER_EUR[c] for c in suppliers.frame["currency"]])[supplier]
    spread = np.where(rank == 0, 1.0, rng.uniform(0.9, 1.1, n))
    price_cents = np.maximum(1, np.rint(products.cost_cents[product] * spread * fx)).astype(np.int64)
    return pl.DataFrame(
        {
            "sku": products.frame["sku"].gather(product),
            "supplier_code": suppliers.frame["code"].gather(supplier),
            "is_primary": rank == 0,
            "lead_time_days": lead.astype(np.int64),
            "lead_time_std_days": np.round(lead * rng.uniform(0.0, 0.3, n), 1),
            "moq": moq,
            "pack_size": pack.astype(np.int64),
            "unit_price": decimal_from_cents("unit_price", price_cents),
        }
    )


def _assign_suppliers(
    rng: np.random.Generator, products: ProductPlan, n_suppliers: int
) -> tuple[IntArray, IntArray, IntArray]:
    """(product, supplier, rank) triples: 1-3 distinct suppliers per product from its category's pool."""
    n_products = products.category.shape[0]
    wanted = choose_weighted(rng, np.tile([0.55, 0.3, 0.15], (n_products, 1))) + 1
    pool_size = max(3, int(np.ceil(0.3 * n_suppliers)))
    parts: list[tuple[IntArray, IntArray, IntArray]] = []
    for c in range(len(CATEGORIES)):
        rows = np.flatnonzero(products.category == c)
        pool = rng.choice(n_suppliers, pool_size, replace=False)
        # Random keys sorted per row = a sample without replacement for every product at once.
        order = np.argsort(rng.random((rows.size, pool_size)), axis=1)[:, :3]
        rank = np.broadcast_to(np.arange(3), order.shape)
        keep = rank < wanted[rows, None]
        parts.append((np.broadcast_to(rows[:, None], order.shape)[keep], pool[order][keep], rank[keep]))
    product, supplier, rank = (np.concatenate(col) for col in zip(*parts, strict=True))
    order = np.argsort(product, kind="stable")
    return product[order], supplier[order], rank[order]
