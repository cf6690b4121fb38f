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
    frame = pd.DataFrame({"c": cells[inside], "p": ids[inside]})
    first = np.zeros(len(cells), dtype=bool)
    first[np.flatnonzero(inside)] = ~frame.duplicated().to_numpy()
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
        take = inside if unique_ids else first_in_cell(cells, ids)
        bins = cells[take]
        persons = np.bincount(bins, minlength=n_cells)[:n_cells].astype(np.int64)
        sums = limb_sums(bins, keys[take], n_cells)
    else:
        bins = cells[inside]
        persons = np.bincount(bins, weights=contributors.count[inside].astype(np.float64), minlength=n_cells)
        persons = np.rint(persons[:n_cells]).astype(np.int64)
        sums = limb_sums(bins, contributors.key_sum[inside].astype(np.uint64), n_cells)
    return CellAggregate(persons=persons, key_sums=tuple(sums))
