"""Who is in each cell: distinct-person counts and record-key sums per cell (D2–D4).

A command describes a table as ``cells``: one integer per dataset row (aligned with the
dataset's :class:`~mdlang.engine.context.Contributors`), the row's cell number ``0..n_cells-1``
or ``-1`` when the row is in no cell (filtered out by ``if``, missing, …). Passing whole-dataset
arrays rather than filtered copies lets the record keys of a dataset be computed once and reused.

Key sums are exact mod 2^64: they are added as uint64, which wraps around.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mdlang.engine.context import Contributors

MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class CellAggregate:
    """Per cell: the true number of distinct persons and the sum of their record keys mod 2^64."""

    persons: np.ndarray
    key_sums: tuple[int, ...]


def limb_sums(bins: np.ndarray, values: np.ndarray, n_bins: int) -> list[int]:
    """Exact per-bin sums mod 2^64 of uint64 ``values`` (``bins`` are 0..n_bins-1).

    ``np.add.at`` on uint64 wraps around exactly as arithmetic mod 2^64 does.
    """
    totals = np.zeros(n_bins, dtype=np.uint64)
    np.add.at(totals, bins, values.astype(np.uint64, copy=False))
    return [int(t) for t in totals]


def is_unique(ids: np.ndarray) -> bool:
    """True when no id occurs twice (cheap when the ids are sorted, as datasets usually are)."""
    if len(ids) < 2:
        return True
    if bool(np.all(ids[1:] > ids[:-1])):
        return True
    return bool(pd.Series(ids).is_unique)


def first_in_cell(cells: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Mask of rows that are the first row of their (cell, person) pair among rows in a cell."""
    inside = cells >= 0
    first = np.zeros(len(cells), dtype=bool)
    first[np.flatnonzero(inside)] = _first_pairs(cells[inside], ids[inside])
    return first


def _first_pairs(c: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each (c, p) pair, in row order.

    The pair is packed into one int64 (the person's dense rank times the number of cells plus
    the cell) so that one hash pass over a single column does the work of a two-column
    ``DataFrame.duplicated``; panels and event data come sorted by person, and then the rank is
    a running count and one cell is a plain comparison of neighbours.
    """
    n = len(c)
    if n == 0:
        return np.zeros(0, dtype=bool)
    c = c.astype(np.int64, copy=False)
    one_cell = bool(c.min() == c.max())
    ordered = n < 2 or bool(np.all(p[1:] >= p[:-1]))
    if ordered:
        change = np.empty(n, dtype=bool)
        change[0] = True
        np.not_equal(p[1:], p[:-1], out=change[1:])
        if one_cell:
            return change
        rank = np.cumsum(change) - 1
    else:
        rank = pd.factorize(p)[0].astype(np.int64)
        if one_cell:
            return ~pd.Series(rank).duplicated().to_numpy()
    width = int(c.max()) + 1
    if (int(rank.max()) + 1) * width >= 2**62:
        return ~pd.DataFrame({"c": c, "p": p}).duplicated().to_numpy()
    key = rank * width + c
    if not ordered:
        return ~pd.Series(key).duplicated().to_numpy()
    # sorted by person, the keys are sorted but for short runs: a stable sort is nearly linear,
    # and it keeps the earliest row first within each run of equal keys
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    head = np.empty(n, dtype=bool)
    head[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=head[1:])
    first = np.zeros(n, dtype=bool)
    first[order[head]] = True
    return first


def aggregate(
    cells: np.ndarray,
    n_cells: int,
    contributors: Contributors,
    record_keys: Callable[[np.ndarray], np.ndarray],
    unique_ids: bool | None = None,
) -> CellAggregate:
    """Distinct persons and key sums per cell (each person counted once per cell)."""
    cells = np.asarray(cells, dtype=np.int64)
    inside = cells >= 0
    if contributors.person_id is not None:
        ids = contributors.person_id
        keys = record_keys(ids)
        if unique_ids is None:
            unique_ids = is_unique(ids)
        if unique_ids:
            persons, sums = _unique_sums(cells, inside, n_cells, keys)
        else:
            take = first_in_cell(cells, ids)
            bins = cells[take]
            persons = np.bincount(bins, minlength=n_cells)[:n_cells].astype(np.int64)
            sums = limb_sums(bins, keys[take], n_cells)
    else:
        bins = cells[inside]
        persons = np.bincount(bins, weights=contributors.count[inside].astype(np.float64), minlength=n_cells)
        persons = np.rint(persons[:n_cells]).astype(np.int64)
        sums = limb_sums(bins, contributors.key_sum[inside].astype(np.uint64), n_cells)
    return CellAggregate(persons=persons, key_sums=tuple(sums))


def _unique_sums(cells: np.ndarray, inside: np.ndarray, n_cells: int, keys: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Persons and key sums per cell when every row is a distinct person.

    Shifting the cells by one sends the rows in no cell (-1) to an extra bin 0 that is dropped,
    so no filtered copies of the cells and keys are made; one cell is a masked sum (uint64 sums
    wrap around mod 2^64 exactly as :func:`limb_sums` does).
    """
    keys = keys.astype(np.uint64, copy=False)
    if n_cells == 1:
        persons = np.array([np.count_nonzero(inside)], dtype=np.int64)
        return persons, [int(np.add.reduce(keys, where=inside, initial=np.uint64(0)))]
    shifted = cells + 1
    persons = np.bincount(shifted, minlength=n_cells + 1)[1 : n_cells + 1].astype(np.int64)
    totals = np.zeros(n_cells + 1, dtype=np.uint64)
    np.add.at(totals, shifted, keys)
    return persons, [int(t) for t in totals[1 : n_cells + 1]]
