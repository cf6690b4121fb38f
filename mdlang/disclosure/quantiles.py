"""Micro-aggregated quantiles (disclosure.md D6).

Never a minimum or maximum. For probability ``p`` of ``n`` ascending values the target position
is ``h = p · (n − 1)`` (0-based, as the usual linear-interpolation quantile), and the released
quantile is the mean of the ``k`` order statistics nearest to ``h``: positions
``lo .. lo + k − 1`` with ``lo = clip(ceil(h − k/2), 0, n − k)``; the mean is then rounded to
3 significant digits. No single person's value is ever released as such.
"""

from __future__ import annotations

import math

import numpy as np

from mdlang.disclosure.rounding import round_sig


def window(n: int, p: float, k: int) -> tuple[int, int]:
    """The positions [lo, lo + k) of the k order statistics nearest to quantile p of n values."""
    h = p * (n - 1)
    lo = math.ceil(h - k / 2)
    lo = min(max(lo, 0), n - k)
    return lo, lo + k


def micro_quantile(sorted_values: np.ndarray, p: float, k: int, digits: int) -> float:
    """The micro-aggregated quantile ``p`` of ascending values (needs at least k values)."""
    n = len(sorted_values)
    if n < k:
        raise ValueError("micro-aggregation needs at least k values")
    lo, hi = window(n, p, k)
    return round_sig(float(sorted_values[lo:hi].mean()), digits)


def windows_only(values: np.ndarray, probs: list[float] | tuple[float, ...], k: int) -> np.ndarray:
    """``values`` partially sorted so that every quantile window of ``probs`` holds its order
    statistics (``np.partition``: cheaper than a full sort for one large cell)."""
    n = len(values)
    if n < k:
        return np.sort(values)
    kth = sorted({i for p in probs for i in range(*window(n, p, k))})
    return np.partition(values, kth)


def sorted_by_cell(cells: np.ndarray, values: np.ndarray, n_cells: int) -> list[np.ndarray]:
    """The ascending non-missing values of each cell (rows with cell -1 skipped)."""
    take = (cells >= 0) & ~np.isnan(values)
    c = cells[take]
    x = values[take]
    if n_cells == 1:
        return [np.sort(x)]
    order = np.lexsort((x, c))
    c, x = c[order], x[order]
    bounds = np.searchsorted(c, np.arange(n_cells + 1))
    return [x[bounds[i] : bounds[i + 1]] for i in range(n_cells)]
