"""Micro-aggregated quantiles (disclosure.md D6).

Never a minimum or maximum. For probability ``p`` of ``n`` ascending values the target position
is ``h = p · (n − 1)`` (0-based, as the usual linear-interpolation quantile), and the released
quantile is the mean of the ``k`` order statistics nearest to ``h``: positions
``lo .. lo + k − 1`` with ``lo = clip(ceil(h − k/2), 0, n − k)``; the mean is then rounded to
3 significant digits. No single person's value is ever released as such.

When a person may have several rows (events, panels: attack A20) the ``k`` nearest rows could
all be one person's. :func:`person_quantile` then widens the window until it holds rows of ``k``
distinct persons and releases the mean of the per-person means inside it.
"""

from __future__ import annotations

import math
from typing import Any

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
    return window_mean(sorted_values[lo:hi], digits)


def window_mean(window_values: np.ndarray, digits: int) -> float:
    """The released micro-aggregated quantile of a window's ascending values: their mean, rounded."""
    return round_sig(float(window_values.mean()), digits)


def windows_only(values: np.ndarray, probs: list[float] | tuple[float, ...], k: int) -> np.ndarray:
    """``values`` partially sorted so that every quantile window of ``probs`` holds its order
    statistics (``np.partition``: cheaper than a full sort for one large cell)."""
    n = len(values)
    if n < k:
        return np.sort(values)
    kth = sorted({i for p in probs for i in range(*window(n, p, k))})
    return np.partition(values, kth)


#: below this many values the windows come from one ``np.partition`` (cheap at that size)
_SELECT_MIN = 1 << 17
#: the leading bits of a value's order key that name its bucket in :func:`_radix_windows`
_KEY_BITS = 20


def window_values(values: np.ndarray, probs: list[float] | tuple[float, ...], k: int) -> tuple[int, dict[float, np.ndarray]]:
    """The count of ``values`` (no NaN) and, for each ``p`` of ``probs``, the ascending values of
    its quantile window (:func:`window`; empty when there are fewer than ``k`` values).

    The same numbers as slicing :func:`windows_only`; a large column is not partitioned but
    searched by the leading bits of its values (:func:`_radix_windows`), in a few passes.
    """
    n = len(values)
    if n < k:
        return n, {p: np.empty(0) for p in probs}
    spans = {p: window(n, p, k) for p in probs}
    if n >= _SELECT_MIN:
        return n, _radix_windows(values, spans)
    part = windows_only(values, probs, k)
    return n, {p: part[lo:hi] for p, (lo, hi) in spans.items()}


def order_statistics(values: np.ndarray, ranks: list[int]) -> dict[int, float]:
    """The values of 0-based ``ranks`` in ascending order of ``values`` (no NaN)."""
    if len(values) >= _SELECT_MIN:
        found = _radix_windows(values, {r: (r, r + 1) for r in ranks})
        return {r: float(w[0]) for r, w in found.items()}
    part = np.partition(values, ranks)
    return {r: float(part[r]) for r in ranks}


def _order_keys(values: np.ndarray) -> np.ndarray:
    """The leading :data:`_KEY_BITS` bits of each float64's order-preserving integer key: the
    bit pattern with the sign bit flipped for positive numbers and every bit flipped for negative
    ones, so that keys ascend with the values (-0.0 just below 0.0). Bucket ``b`` thus holds one
    interval of values, and buckets ascend with them."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    key = bits >> 63  # -1 for negative numbers, else 0
    key |= np.int64(-(2**63))
    key ^= bits
    ukey = key.view(np.uint64)
    ukey >>= np.uint64(64 - _KEY_BITS)
    return ukey.view(np.int64)


def _radix_windows(values: np.ndarray, spans: dict[Any, tuple[int, int]]) -> dict[Any, np.ndarray]:
    """The ascending values at ranks ``[lo, hi)`` of each span, exactly: the values are counted
    per bucket of their leading bits (:func:`_order_keys`), the cumulative counts tell which
    buckets hold each span's ranks and how many values lie below them, and only the values of
    those buckets are sorted."""
    key = _order_keys(values)
    counts = np.bincount(key, minlength=1 << _KEY_BITS)
    below = np.cumsum(counts)  # below[b] = values in buckets 0..b
    wanted = np.zeros(len(counts), dtype=bool)
    buckets = []
    for lo, hi in spans.values():
        first = int(np.searchsorted(below, lo, side="right"))
        last = int(np.searchsorted(below, hi - 1, side="right"))
        wanted[first : last + 1] = True
        buckets.append((first, last))
    rows = np.flatnonzero(wanted[key])
    picked, picked_key = values[rows], key[rows]
    out: dict[Any, np.ndarray] = {}
    for (name, (lo, hi)), (first, last) in zip(spans.items(), buckets, strict=True):
        start = int(below[first - 1]) if first > 0 else 0
        band = picked[(picked_key >= first) & (picked_key <= last)]
        a, b = lo - start, hi - start
        # a large band (many ties): partition at the span's positions, which leaves them sorted
        band = np.sort(band) if len(band) <= 1 << 14 else np.partition(band, list(range(a, b)))
        out[name] = band[a:b]
    return out


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


def sorted_with_persons(
    cells: np.ndarray, values: np.ndarray, person_id: np.ndarray, n_cells: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ascending non-missing values of each cell with the person of each value (cell -1
    skipped); ties are ordered by person so that the result does not depend on row order."""
    take = (cells >= 0) & ~np.isnan(values)
    c, x, p = cells[take], values[take], np.asarray(person_id)[take]
    order = np.lexsort((p, x, c))
    c, x, p = c[order], x[order], p[order]
    bounds = np.searchsorted(c, np.arange(n_cells + 1))
    return [(x[bounds[i] : bounds[i + 1]], p[bounds[i] : bounds[i + 1]]) for i in range(n_cells)]


def person_window(sorted_ids: np.ndarray, p: float, k: int) -> tuple[int, int] | None:
    """The positions [lo, hi) around quantile ``p`` holding rows of at least ``k`` distinct persons
    (None when all the rows together hold fewer).

    Starts from :func:`window` and widens it one row at a time, alternately below and above
    (below first), staying inside the data. The smallest such widening is found by doubling and
    then bisection (a wider window never holds fewer persons), so only windows near the answer
    are ever examined, never the whole of a large cell.
    """
    if len(sorted_ids) < k:
        return None
    n = len(sorted_ids)
    lo, hi = window(n, p, k)

    def widened(extra: int) -> tuple[int, int]:
        below = min((extra + 1) // 2, lo)
        above = min(extra - below, n - hi)
        below = min(extra - above, lo)
        return lo - below, hi + above

    def persons(extra: int) -> int:
        a, b = widened(extra)
        return len(np.unique(sorted_ids[a:b]))

    if persons(0) >= k:
        return lo, hi
    low, high = 0, 1
    while persons(high) < k:
        if high >= n - k:  # every row, and still too few persons
            return None
        low, high = high, min(2 * high, n - k)
    while high - low > 1:
        mid = (low + high) // 2
        if persons(mid) >= k:
            high = mid
        else:
            low = mid
    return widened(high)


def person_quantile(sorted_values: np.ndarray, sorted_ids: np.ndarray, p: float, k: int, digits: int) -> float | None:
    """The micro-aggregated quantile ``p`` when a person may have several rows (A20).

    The window of :func:`person_window` holds at least ``k`` persons; each person's values in it
    are averaged first, and the mean of those per-person means is released (rounded), so no
    person weighs more than 1/k. None when the values come from fewer than ``k`` persons.
    """
    found = person_window(sorted_ids, p, k)
    if found is None:
        return None
    lo, hi = found
    ids, codes = np.unique(sorted_ids[lo:hi], return_inverse=True)
    if len(ids) == hi - lo:
        # one row per person: the very arithmetic of :func:`micro_quantile`
        return round_sig(float(sorted_values[lo:hi].mean()), digits)
    sums = np.bincount(codes, weights=sorted_values[lo:hi], minlength=len(ids))
    counts = np.bincount(codes, minlength=len(ids))
    return round_sig(float((sums / counts).mean()), digits)
