"""Magnitudes over data with several rows per person (D5, attack A20).

microdata.no computes a mean over the rows of an event or panel dataset, so a person weighs as
many times as they have rows. An attacker who knows every other person can then solve a mean for
the canary's row count. mdlang keeps the row semantics but bounds each person's weight, as
winsorisation bounds each value:

* the cap ``c`` is the 99th percentile (rounded up, at least 1) of rows per person over every
  person of the *whole* dataset (never the filtered subset);
* in a cell, each row of a person with ``r`` rows there weighs ``w = min(1, c / r)``, so no
  person counts as more than ``c`` rows;
* sum = Σ w·x, mean = Σ w·x / Σ w, variance = Σ w·(x − mean)² / (Σ w − 1) (frequency weights),
  and the Gini coefficient is weighted the same way;
* a person's contribution (noise scale, dominance) is Σ w·|x| over their rows in the cell, and
  their share of the squared deviations is Σ w·(x − mean)².

With one row per person every weight is 1 and the gate takes the unweighted path of
:mod:`mdlang.disclosure.magnitude` unchanged.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# the per-cell maximum and top-n sum of the unweighted path, reused on per-person totals
from mdlang.disclosure.magnitude import CellMoments, group_max, top_n_sum

#: the percentile of rows per person that caps a person's weight
ROWS_PERCENTILE = 99.0

#: the released note when a weight below 1 was used (no number derived from the data)
WEIGHT_NOTE = (
    "A few persons with many rows are weighted down to the 99th percentile of rows per person (D5)."
)

#: one-entry memo: (ids, cap, most rows of a person) of the last person-id array seen (an
#: analysis asks for it once per statistic and variable)
_memo: list[tuple[np.ndarray, int, int]] = []


def rows_per_person(person_id: np.ndarray) -> np.ndarray:
    """The number of rows of each distinct person (in no particular order)."""
    ids = np.asarray(person_id)
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(ids) == 1 or bool(np.all(ids[1:] >= ids[:-1])):
        # event and panel datasets come sorted by person: run lengths, no hashing
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        return np.diff(np.append(starts, len(ids))).astype(np.int64)
    codes = pd.factorize(ids)[0]
    return np.bincount(codes).astype(np.int64)


def row_stats(person_id: np.ndarray) -> tuple[int, int]:
    """``(c, most)``: ``c`` the 99th percentile of rows per person over all rows given, rounded
    up and at least 1; ``most`` the largest number of rows of one person."""
    if _memo and _memo[0][0] is person_id:
        return _memo[0][1], _memo[0][2]
    counts = rows_per_person(person_id)
    if len(counts) == 0:
        cap, most = 1, 0
    else:
        cap, most = max(1, math.ceil(float(np.percentile(counts, ROWS_PERCENTILE)))), int(counts.max())
    _memo[:] = [(person_id, cap, most)]
    return cap, most


def row_cap(person_id: np.ndarray) -> int:
    """``c``: the 99th percentile of rows per person over all rows given, rounded up, at least 1."""
    return row_stats(person_id)[0]


def row_weights(cells: np.ndarray, person_id: np.ndarray, cap: int) -> np.ndarray:
    """``min(1, cap / r)`` per row, ``r`` the rows of that person in that cell (0 outside any cell)."""
    cells = np.asarray(cells, dtype=np.int64)
    inside = cells >= 0
    weights = np.zeros(len(cells))
    if not inside.any():
        return weights
    if _memo and _memo[0][0] is person_id and cap >= _memo[0][2]:
        # no person has more than c rows in the whole dataset, so none has in a cell
        weights[inside] = 1.0
        return weights
    codes, _ = _pairs(cells[inside], np.asarray(person_id)[inside])
    per_row = np.bincount(codes)[codes]
    weights[inside] = np.minimum(1.0, cap / per_row)
    return weights


def _pairs(c: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A dense code per row for its (cell, person) pair, and the cell of each pair.

    The pair is packed into one int64 (the person's rank times the number of cells plus the
    cell) so that one hash pass over one column does the work of a two-column groupby; data
    sorted by person (events, panels) get the rank as a running count.
    """
    if len(c) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(p) < 2 or bool(np.all(p[1:] >= p[:-1])):
        rank = np.concatenate(([0], np.cumsum(p[1:] != p[:-1])))
    else:
        rank = pd.factorize(p)[0].astype(np.int64)
    width = int(c.max()) + 1
    codes, uniques = pd.factorize(rank * width + c.astype(np.int64))
    return codes.astype(np.int64), (uniques % width).astype(np.int64)


def weighted_moments(
    cells: np.ndarray, n_cells: int, values: np.ndarray, person_id: np.ndarray, weights: np.ndarray, dominance_n: int
) -> CellMoments:
    """Weighted sums, means, variances and per-person dominance shares per cell (rows with cell
    -1 or NaN skipped), as :class:`CellMoments` whose ``rows`` is the cell's weight sum (its row
    count when every weight is 1), ``max_abs`` the largest person's Σ w·|x| and ``max_dev2`` the
    largest person's Σ w·(x − mean)²."""
    take = (cells >= 0) & ~np.isnan(values)
    c, x, w = cells[take], values[take], weights[take]
    wsum = np.bincount(c, weights=w, minlength=n_cells)[:n_cells]
    total = np.bincount(c, weights=w * x, minlength=n_cells)[:n_cells]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(wsum > 0, total / np.where(wsum > 0, wsum, 1.0), np.nan)
        dev2 = w * (x - mean[c]) ** 2
        ss = np.bincount(c, weights=dev2, minlength=n_cells)[:n_cells]
        variance = np.where(wsum > 1, ss / np.where(wsum > 1, wsum - 1, 1.0), np.nan)
    codes, pc = _pairs(c, np.asarray(person_id)[take])
    contrib = np.bincount(codes, weights=w * np.abs(x), minlength=len(pc))
    pdev = np.bincount(codes, weights=dev2, minlength=len(pc))
    abs_total = np.bincount(pc, weights=contrib, minlength=n_cells)[:n_cells]
    max_abs = group_max(pc, contrib, n_cells)
    max_dev2 = group_max(pc, pdev, n_cells)
    top = top_n_sum(pc, contrib, n_cells, dominance_n)
    with np.errstate(invalid="ignore", divide="ignore"):
        top_share = np.where(abs_total > 0, top / np.where(abs_total > 0, abs_total, 1.0), 0.0)
    return CellMoments(wsum, total, mean, variance, max_abs, max_dev2, top_share)


def sorted_weighted_by_cell(
    cells: np.ndarray, values: np.ndarray, weights: np.ndarray, n_cells: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ascending non-missing values of each cell with their weights (cell -1 skipped)."""
    take = (cells >= 0) & ~np.isnan(values)
    c, x, w = cells[take], values[take], weights[take]
    order = np.lexsort((x, c))
    c, x, w = c[order], x[order], w[order]
    bounds = np.searchsorted(c, np.arange(n_cells + 1))
    return [(x[bounds[i] : bounds[i + 1]], w[bounds[i] : bounds[i + 1]]) for i in range(n_cells)]


def weighted_gini(sorted_values: np.ndarray, weights: np.ndarray) -> float:
    """The Gini coefficient of ascending values with frequency weights (NaN when the total is 0).

    Σᵢ Σⱼ wᵢ wⱼ |xᵢ − xⱼ| / (2 · W · Σ w x); with unit weights it is the usual
    Σ (2i − n − 1) x₍ᵢ₎ / (n · Σ x).
    """
    total = float((weights * sorted_values).sum())
    if len(sorted_values) == 0 or total == 0:
        return math.nan
    cum = np.cumsum(weights)
    big_w = float(cum[-1])
    below = cum - weights
    above = big_w - cum
    return float((weights * sorted_values * (below - above)).sum() / (big_w * total))
