"""Protected cross-tables: a table's interior cells, row and column margins and grand total, each
released on its own (margins are perturbed as cells of their own, D3), so released tables are not
additive.

A table is described by two integer arrays aligned with the dataset rows: ``row`` (0..n_rows-1)
and ``col`` (0..n_cols-1, all 0 for a one-way table), -1 where a row is in no cell. The released
result is a *grid*: a list of ``n_rows + 1`` lists of ``n_cols + 1`` values, the last row being the
column margins and the last column the row margins (the corner is the grand total).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mdlang.engine.context import Contributors

Grid = list[list[Any]]


def interior_cells(row: np.ndarray, col: np.ndarray, n_cols: int) -> np.ndarray:
    """The interior cell of each row (``row * n_cols + col``), -1 where the row is in no cell."""
    return np.where((row >= 0) & (col >= 0), row * n_cols + col, -1)


def _layouts(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> list[tuple[np.ndarray, int]]:
    """The cell arrays of the interior, the row margins, the column margins and the total."""
    inside = (row >= 0) & (col >= 0)
    interior = np.where(inside, row * n_cols + col, -1)
    rows = np.where(inside, row, -1)
    cols = np.where(inside, col, -1)
    total = np.where(inside, 0, -1)
    return [(interior, n_rows * n_cols), (rows, n_rows), (cols, n_cols), (total, 1)]


#: one layout of a table: its cell array, its number of cells, and the layout cell of each
#: interior cell (None for the interior itself)
Layout = tuple[np.ndarray, int, "np.ndarray | None"]


def table_layouts(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> list[Layout]:
    """The interior, row margins, column margins and total of a table, each with how its cells
    merge interior cells (for :meth:`~mdlang.disclosure.gate.Gate.protect_magnitude_layouts`)."""
    interior = np.arange(n_rows * n_cols)
    merges = [None, interior // n_cols, interior % n_cols, np.zeros(n_rows * n_cols, dtype=np.int64)]
    return [(cells, n, merge) for (cells, n), merge in zip(_layouts(row, col, n_rows, n_cols), merges, strict=True)]


def magnitude_grids(
    gate: Any, layouts: Sequence[Layout], n_rows: int, n_cols: int, values: np.ndarray, contributors: Contributors,
    variable: str, stats: Sequence[str],
) -> tuple[dict[str, Grid], list[Any]]:
    """Released magnitude ``stats`` of every cell, margin and total of a table (the whole column
    ``values`` gives the winsorisation bounds), and the gate's releases behind them."""
    if n_cols == 1:  # a one-way table: row margins are the cells, column margins the total
        interior, total = gate.protect_magnitude_layouts(
            [layouts[0], layouts[3]], values, contributors, variable=variable, population=values, stats=stats
        )
        released = [interior, interior, total, total]
    else:
        released = gate.protect_magnitude_layouts(layouts, values, contributors, variable=variable, population=values, stats=stats)
    grids = {s: assemble([[cell[s] for cell in r.values] for r in released], n_rows, n_cols) for s in stats}
    return grids, released


def assemble(parts: Sequence[Sequence[Any]], n_rows: int, n_cols: int) -> Grid:
    """A grid from released interior, row-margin, column-margin and total values."""
    interior, rows, cols, total = parts
    grid = [[interior[r * n_cols + c] for c in range(n_cols)] + [rows[r]] for r in range(n_rows)]
    grid.append(list(cols) + [total[0]])
    return grid


def count_grid(gate: Any, row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int, contributors: Contributors) -> Grid:
    """Released distinct-person counts of every cell, margin and the total.

    When every person is in at most one row (cross-sections, collapsed datasets), a margin's
    persons and key sum are the sums of its cells', so only the interior is aggregated; with
    several rows per person each margin counts its distinct persons itself.
    """
    if not gate.disjoint(contributors):
        aggs = [gate.aggregate(cells, n, contributors) for cells, n in _layouts(row, col, n_rows, n_cols)]
        parts = [[gate.count_value(int(p), k) for p, k in zip(a.persons, a.key_sums, strict=True)] for a in aggs]
        return assemble(parts, n_rows, n_cols)
    # only the interior is aggregated: the margins are sums of its cells
    cells, n = interior_cells(row, col, n_cols), n_rows * n_cols
    agg = gate.aggregate(cells, n, contributors)
    note = getattr(gate, "note_margins", None)
    if note is not None:
        note(cells, n_rows, n_cols, contributors, agg)
    persons = agg.persons.reshape(n_rows, n_cols)
    keys = np.array(agg.key_sums, dtype=np.uint64).reshape(n_rows, n_cols)
    margins = [
        (persons.reshape(-1), keys.reshape(-1)),
        (persons.sum(axis=1), keys.sum(axis=1, dtype=np.uint64)),  # uint64 sums wrap mod 2^64
        (persons.sum(axis=0), keys.sum(axis=0, dtype=np.uint64)),
        (persons.sum(keepdims=True).reshape(1), keys.sum(dtype=np.uint64, keepdims=True).reshape(1)),
    ]
    parts = [[gate.count_value(int(p), int(k)) for p, k in zip(ps, ks, strict=True)] for ps, ks in margins]
    return assemble(parts, n_rows, n_cols)


def stat_grids(
    release: Callable[[np.ndarray, int], list[dict[str, Any]]],
    row: np.ndarray,
    col: np.ndarray,
    n_rows: int,
    n_cols: int,
    stats: Sequence[str],
    layouts: Sequence[tuple[np.ndarray, int]] | None = None,
) -> dict[str, Grid]:
    """Released statistics of every cell, margin and total; ``release(cells, n)`` does one layout
    (``layouts``: the table's cell arrays when already built)."""
    layouts = [(cells, n) for cells, n, *_ in (layouts or _layouts(row, col, n_rows, n_cols))]
    if n_cols == 1:  # a one-way table: row margins are the cells, column margins the total
        interior, total = release(*layouts[0]), release(*layouts[3])
        parts = [interior, interior, total, total]
    else:
        parts = [release(cells, n) for cells, n in layouts]
    return {s: assemble([[cell[s] for cell in part] for part in parts], n_rows, n_cols) for s in stats}
