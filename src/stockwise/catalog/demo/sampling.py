"""Small vectorised sampling and conversion helpers shared by the demo generators."""

from decimal import Decimal

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def log_uniform(
    rng: np.random.Generator, low: FloatArray | float, high: FloatArray | float, size: int
) -> FloatArray:
    """Draw between low and high evenly on a log scale: prices and volumes spread over decades."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def choose_weighted(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """Pick one column index per row of `weights` (rows need not sum to one)."""
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(weights.shape[0]) * cumulative[:, -1]
    return (draws[:, None] >= cumulative).sum(axis=1).astype(np.int64)


def decimal_from_cents(name: str, cents: IntArray, precision: int = 12) -> pl.Series:
    """Exact 2-decimal money column from integer cents (a float cast could round the wrong way)."""
    frame = pl.DataFrame({name: cents}).select(
        (pl.col(name).cast(pl.Decimal(precision, 0)) * pl.lit(Decimal("0.01")))
        .cast(pl.Decimal(precision, 2))
        .alias(name)
    )
    return frame.to_series()


def in_spells(days: IntArray, starts: IntArray, ends: IntArray) -> BoolArray:
    """Mask (rows x days) of days inside any [start, end) spell; `starts`/`ends` are rows x spells."""
    mask = np.zeros((starts.shape[0], days.shape[0]), dtype=np.bool_)
    for k in range(starts.shape[1]):
        mask |= (days >= starts[:, k, None]) & (days < ends[:, k, None])
    return mask
