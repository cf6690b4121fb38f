"""Magnitude statistics per cell: winsorisation, (n, k) dominance and keyed noise (D5).

The functions here compute *true* per-cell quantities from winsorised values; the gate turns them
into released numbers. Noise on a magnitude is ``sd · z`` where ``z`` is a standard normal
deviate drawn from the cell key (inverse normal CDF of the key's uniform, clipped to ±3), so the
same contributors with the same values always get the same noise:

* sum:  ``sd = f · max |contribution|`` (``f`` = policy ``magnitudes.noise_fraction``);
* mean: ``sd = f · max |contribution| / n`` (one person moves a mean by at most max/n);
* sd:   noise on the variance with ``sd = f · max (x − mean)² / n``, then the square root;
* gini: ``sd = f · 2 · max |x| / Σ|x|`` (one person moves the Gini by about that much).

A contribution is a person's total in the cell (several rows of one person are added first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from mdlang.disclosure.keys import uniform


def winsor_bounds(values: np.ndarray, lower: float, upper: float) -> tuple[float, float] | None:
    """The ``lower``/``upper`` percentiles of the non-missing values (None if there are none)."""
    finite = values[~np.isnan(values)]
    if len(finite) == 0:
        return None
    lo, hi = np.percentile(finite, [lower, upper])
    return float(lo), float(hi)


#: the inverse normal CDF of the standard library (Wichura's AS241, accurate to ~1e-16): the same
#: deviate as scipy's ``ndtri`` to the last bits, without importing scipy (0.2 s) for a summarize
_STANDARD_NORMAL = NormalDist()


def keyed_normal(key: int) -> float:
    """A standard normal deviate determined by a 64-bit cell key, clipped to [-3, 3]."""
    u = uniform(key)
    if not 0.0 < u < 1.0:
        return -3.0 if u <= 0.0 else 3.0
    return min(3.0, max(-3.0, _STANDARD_NORMAL.inv_cdf(u)))


@dataclass(frozen=True)
class CellMoments:
    """True per-cell quantities of winsorised values (arrays of length n_cells)."""

    rows: np.ndarray
    total: np.ndarray
    mean: np.ndarray
    variance: np.ndarray
    max_abs: np.ndarray
    max_dev2: np.ndarray
    top_share: np.ndarray  # share of the absolute total held by the n largest contributors


def moments(cells: np.ndarray, n_cells: int, values: np.ndarray, person_id: np.ndarray | None, unique_ids: bool, dominance_n: int) -> CellMoments:
    """Sums, means, variances and dominance shares of ``values`` per cell (rows with cell -1 or NaN skipped)."""
    take = (cells >= 0) & ~np.isnan(values)
    if n_cells == 1 and (person_id is None or unique_ids):
        return _one_cell(values[take], dominance_n)
    c = cells[take]
    x = values[take]
    rows = np.bincount(c, minlength=n_cells)[:n_cells].astype(np.int64)
    total = np.bincount(c, weights=x, minlength=n_cells)[:n_cells]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rows > 0, total / np.maximum(rows, 1), np.nan)
        dev2 = (x - mean[c]) ** 2
        ss = np.bincount(c, weights=dev2, minlength=n_cells)[:n_cells]
        variance = np.where(rows > 1, ss / np.maximum(rows - 1, 1), np.nan)
    max_dev2 = _group_max(c, dev2, n_cells)
    if person_id is None or unique_ids:
        contrib_cells, contrib = c, np.abs(x)
    else:
        grouped = pd.Series(x).groupby([c, person_id[take]], sort=False).sum()
        contrib_cells = grouped.index.get_level_values(0).to_numpy()
        contrib = np.abs(grouped.to_numpy())
    abs_total = np.bincount(contrib_cells, weights=contrib, minlength=n_cells)[:n_cells]
    max_abs = _group_max(contrib_cells, contrib, n_cells)
    top = _top_n_sum(contrib_cells, contrib, n_cells, dominance_n)
    with np.errstate(invalid="ignore", divide="ignore"):
        top_share = np.where(abs_total > 0, top / abs_total, 0.0)
    return CellMoments(rows, total, mean, variance, max_abs, max_dev2, top_share)


def _one_cell(x: np.ndarray, dominance_n: int) -> CellMoments:
    """:func:`moments` of a single cell whose rows are distinct persons (plain reductions)."""
    n = len(x)
    if n == 0:
        zero = np.zeros(1)
        return CellMoments(np.zeros(1, dtype=np.int64), zero, np.full(1, np.nan), np.full(1, np.nan), zero, zero, zero)
    total = float(x.sum())
    mean = total / n
    dev2 = (x - mean) ** 2
    variance = float(dev2.sum()) / (n - 1) if n > 1 else np.nan
    a = np.abs(x)
    abs_total = float(a.sum())
    top = float(np.partition(a, n - dominance_n)[n - dominance_n :].sum()) if n > dominance_n else abs_total
    share = top / abs_total if abs_total > 0 else 0.0
    arr = np.array
    return CellMoments(
        arr([n]), arr([total]), arr([mean]), arr([variance]), arr([float(a.max())]), arr([float(dev2.max())]), arr([share])
    )


def _group_max(c: np.ndarray, x: np.ndarray, n_cells: int) -> np.ndarray:
    """Per-cell maximum of non-negative ``x`` (0 for an empty cell)."""
    out = np.zeros(n_cells)
    np.maximum.at(out, c, x)
    return out


def _top_n_sum(c: np.ndarray, x: np.ndarray, n_cells: int, n: int) -> np.ndarray:
    """Sum of the n largest non-negative ``x`` per cell (ties counted as often as they occur)."""
    total = np.zeros(n_cells)
    remaining = np.full(n_cells, n, dtype=np.int64)
    active = np.ones(len(x), dtype=bool)
    for _ in range(n):
        top = np.full(n_cells, -np.inf)
        np.maximum.at(top, c[active], x[active])
        equal = active & (x == top[c])
        take = np.minimum(np.bincount(c[equal], minlength=n_cells)[:n_cells], remaining)
        total += np.where(take > 0, take * np.where(np.isfinite(top), top, 0.0), 0.0)
        remaining -= take
        active &= ~equal
        if not remaining.any() or not active.any():
            break
    return total


def gini(sorted_values: np.ndarray) -> float:
    """The Gini coefficient of ascending values (NaN when the total is zero)."""
    n = len(sorted_values)
    total = float(sorted_values.sum())
    if n == 0 or total == 0:
        return math.nan
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * sorted_values).sum() / (n * total))
