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
from mdlang.disclosure.quantiles import order_statistics


def winsor_bounds(values: np.ndarray, lower: float, upper: float) -> tuple[float, float] | None:
    """The ``lower``/``upper`` percentiles of the non-missing values (None if there are none):
    ``np.percentile``'s numbers, read from the two order statistics around each percentile
    (:func:`~mdlang.disclosure.quantiles.order_statistics`) instead of partitioning the column."""
    finite = values[~np.isnan(values)]
    n = len(finite)
    if n == 0:
        return None
    ranks = {}
    for q in (lower, upper):
        h = (n - 1) * np.true_divide(q, 100)
        below = int(np.floor(h))
        ranks[q] = (h, below, min(below + 1, n - 1))
    found = order_statistics(finite, sorted({r for _, b, a in ranks.values() for r in (b, a)}))
    out = []
    for q in (lower, upper):
        h, below, above = ranks[q]
        # np.quantile of the pair at h's fraction: numpy's very arithmetic (see bounds._at)
        out.append(float(np.quantile(np.array([found[below], found[above]]), h - below)))
    return out[0], out[1]


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


def moments(
    cells: np.ndarray, n_cells: int, values: np.ndarray, person_id: np.ndarray | None, unique_ids: bool, dominance_n: int,
    *, masked: bool = False,
) -> CellMoments:
    """Sums, means, variances and dominance shares of ``values`` per cell (rows with cell -1 or NaN
    skipped; ``masked`` says the cells are already -1 wherever the value is NaN)."""
    take = cells >= 0 if masked else (cells >= 0) & ~np.isnan(values)
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
    max_dev2 = group_max(c, dev2, n_cells)
    if person_id is None or unique_ids:
        contrib_cells, contrib = c, np.abs(x)
    else:
        grouped = pd.Series(x).groupby([c, person_id[take]], sort=False).sum()
        contrib_cells = grouped.index.get_level_values(0).to_numpy()
        contrib = np.abs(grouped.to_numpy())
    abs_total = np.bincount(contrib_cells, weights=contrib, minlength=n_cells)[:n_cells]
    max_abs = group_max(contrib_cells, contrib, n_cells)
    top = top_n_sum(contrib_cells, contrib, n_cells, dominance_n)
    with np.errstate(invalid="ignore", divide="ignore"):
        top_share = np.where(abs_total > 0, top / abs_total, 0.0)
    return CellMoments(rows, total, mean, variance, max_abs, max_dev2, top_share)


@dataclass(frozen=True)
class CellExtremes:
    """What the margins of a table need from its interior cells beyond sums, to be combined
    exactly: its number of rows, its smallest and largest value, and its ``n`` largest
    contributions (with ties, at most ``n`` of each cell; ``top_cells`` names their cells)."""

    rows: np.ndarray
    low: np.ndarray
    high: np.ndarray
    top_cells: np.ndarray
    top_values: np.ndarray


#: rows from which :func:`cell_extremes` spreads its work over the cores
_SPLIT_MIN = 1 << 20


def cell_extremes(cells: np.ndarray, n_cells: int, values: np.ndarray, dominance_n: int) -> CellExtremes:
    """:class:`CellExtremes` of finite ``values`` per cell (rows with cell -1 skipped).

    Millions of rows are cut into one contiguous share per core and the shares' extremes
    combined: row counts add up, the smallest and largest of the shares' are the cell's, and a
    cell's ``n`` largest contributions are the ``n`` largest of the shares' ``n`` largest put
    together. The same numbers, then, as one pass (only the order of ``top_cells`` may differ,
    which :func:`top_n_sum`, summing them, cannot see)."""
    from mdlang.parallel import ordered_map, workers

    n = len(cells)
    shares = min(workers(), n // _SPLIT_MIN)
    if shares < 2:
        return _cell_extremes(cells, n_cells, values, dominance_n)
    step = -(-n // shares)
    parts = ordered_map(
        lambda a: _cell_extremes(cells[a : a + step], n_cells, values[a : a + step], dominance_n), range(0, n, step)
    )
    top_cells, top_values = top_n_values(
        np.concatenate([p.top_cells for p in parts]), np.concatenate([p.top_values for p in parts]), n_cells, dominance_n
    )
    return CellExtremes(
        np.sum([p.rows for p in parts], axis=0), np.minimum.reduce([p.low for p in parts]),
        np.maximum.reduce([p.high for p in parts]), top_cells, top_values,
    )


def _cell_extremes(cells: np.ndarray, n_cells: int, values: np.ndarray, dominance_n: int) -> CellExtremes:
    """:func:`cell_extremes` in one pass."""
    take = cells >= 0
    c, x = cells[take], values[take]
    low = np.full(n_cells, np.inf)
    high = np.full(n_cells, -np.inf)
    np.minimum.at(low, c, x)
    np.maximum.at(high, c, x)
    top_cells, top_values = top_n_values(c, np.abs(x), n_cells, dominance_n)
    rows = np.bincount(c, minlength=n_cells)[:n_cells].astype(np.int64)
    return CellExtremes(rows, low, high, top_cells, top_values)


def layout_moments(
    bins: np.ndarray, n_cells: int, values: np.ndarray, abs_values: np.ndarray, interior: CellExtremes,
    merge: np.ndarray, dominance_n: int,
) -> CellMoments:
    """:func:`moments` of one layout of a table whose rows are distinct persons, with the same
    numbers to the last bit: sums come from one weighted count per layout (each bin adds its rows
    in row order, as :func:`moments` does), maxima and the dominance shares from the interior's
    :class:`CellExtremes` (``merge[i]`` = the layout cell of interior cell ``i``).

    ``bins`` is the layout cell plus one per row (0 = in no cell, NaN or not); ``abs_values`` is
    ``np.abs(values)``.
    """
    size = n_cells + 1
    rows = np.zeros(n_cells, dtype=np.int64)
    np.add.at(rows, merge, interior.rows)
    total = np.bincount(bins, weights=values, minlength=size)[1:size]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(rows > 0, total / np.maximum(rows, 1), np.nan)
        dev2 = np.concatenate(([0.0], mean))[bins]
        np.subtract(values, dev2, out=dev2)
        np.square(dev2, out=dev2)  # what ``** 2`` computes
        ss = np.bincount(bins, weights=dev2, minlength=size)[1:size]
        variance = np.where(rows > 1, ss / np.maximum(rows - 1, 1), np.nan)
    low = np.full(n_cells, np.inf)
    high = np.full(n_cells, -np.inf)
    np.minimum.at(low, merge, interior.low)
    np.maximum.at(high, merge, interior.high)
    filled = rows > 0
    with np.errstate(invalid="ignore"):
        # (x − mean)² is largest at the smallest or the largest x of a cell (rounding is monotone)
        max_dev2 = np.where(filled, np.maximum((low - mean) ** 2, (high - mean) ** 2), 0.0)
        max_abs = np.where(filled, np.maximum(np.abs(low), np.abs(high)), 0.0)
    abs_total = np.bincount(bins, weights=abs_values, minlength=size)[1:size]
    top = top_n_sum(merge[interior.top_cells], interior.top_values, n_cells, dominance_n)
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
    largest = int(np.argmax(a))
    if n <= dominance_n:
        top = abs_total
    elif dominance_n == 2:
        # the two largest without a partition: a + b is what summing the partition's last two gives
        second = max(float(a[:largest].max(initial=-np.inf)), float(a[largest + 1 :].max(initial=-np.inf)))
        top = float(np.float64(second) + a[largest])
    else:
        top = float(np.partition(a, n - dominance_n)[n - dominance_n :].sum())
    share = top / abs_total if abs_total > 0 else 0.0
    arr = np.array
    return CellMoments(
        arr([n]), arr([total]), arr([mean]), arr([variance]), arr([float(a[largest])]), arr([float(dev2.max())]), arr([share])
    )


def group_max(c: np.ndarray, x: np.ndarray, n_cells: int) -> np.ndarray:
    """Per-cell maximum of non-negative ``x`` (0 for an empty cell)."""
    out = np.zeros(n_cells)
    np.maximum.at(out, c, x)
    return out


def top_n_values(c: np.ndarray, x: np.ndarray, n_cells: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The n largest non-negative ``x`` of each cell, ties included up to n: their cells and
    values. :func:`top_n_sum` of any grouping of the cells is the same on these as on all of ``x``."""
    out_cells: list[np.ndarray] = []
    out_values: list[np.ndarray] = []
    remaining = np.full(n_cells, n, dtype=np.int64)
    left = np.array(x, dtype=np.float64)  # values not yet taken; taken ones become -inf
    active = len(left)
    for _ in range(n):
        top = np.full(n_cells, -np.inf)
        np.maximum.at(top, c, left)
        equal = left == top[c]
        equal &= left > -np.inf  # a cell with nothing left has top -inf, as its taken rows
        hits = np.bincount(c[equal], minlength=n_cells)[:n_cells]
        take = np.minimum(hits, remaining)
        found = np.flatnonzero(take > 0)
        out_cells.append(np.repeat(found, take[found]))
        out_values.append(np.repeat(top[found], take[found]))
        remaining -= take
        left[equal] = -np.inf
        active -= int(hits.sum())
        if not remaining.any() or active == 0:
            break
    if not out_cells:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(out_cells).astype(np.int64), np.concatenate(out_values)


def top_n_sum(c: np.ndarray, x: np.ndarray, n_cells: int, n: int) -> np.ndarray:
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
