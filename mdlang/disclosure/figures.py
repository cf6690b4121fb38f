"""Protected figure primitives (disclosure.md D8): what a figure may be drawn from.

Every figure is drawn from released aggregates only, built on the gate's public primitives:

* :func:`histogram_edges` / :func:`bin_cells` — bin edges come from the population-wide
  winsorisation bounds (never the data's minimum or maximum), snapped to round numbers, and
  every value is clipped to those bounds before binning, so an extreme person lands in the edge
  bin with everyone else beyond the bound (attack A19);
* :func:`hexagon_cells` — the hexagon lattice over the winsorised range of two variables;
* :func:`box_statistics` — micro-aggregated quartiles (D6) and a protected mean; whiskers at
  released P1/P99 when the group is large enough, else P5/P95, else none; no minimum, maximum
  or outlier point ever;
* :func:`released_counts` — protected distinct-person counts with suppressed cells separated out.

Counts themselves go through :meth:`Gate.protect_counts` (threshold on distinct persons and
cell-key noise), magnitudes through :meth:`Gate.protect_magnitudes`, quantiles through
:meth:`Gate.protect_quantiles`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mdlang.disclosure.refusals import Rule
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import Contributors

#: The most bins a histogram may have (with ``width()`` a narrow width could ask for thousands).
MAX_BINS = 200
#: Whisker choices of a box, from the widest allowed to none.
WHISKERS = ((0.01, 0.99, "p1/p99"), (0.05, 0.95, "p5/p95"))
BOX_PROBS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
SQRT3 = math.sqrt(3.0)


def nice_step(span: float, bins: int) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) close to ``span / bins``."""
    raw = span / max(bins, 1)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= mult * power * 1.0000001:
            return mult * power
    return 10.0 * power


def histogram_edges(
    bounds: tuple[float, float], *, bins: int | None = None, width: float | None = None
) -> list[float]:
    """Bin edges covering the winsorisation ``bounds``, on a grid of round numbers.

    With ``width`` the grid has that step (starting at a multiple of it); otherwise the step is
    the round number nearest to ``(hi - lo) / bins``. Raises ValueError when more than
    :data:`MAX_BINS` bins would result.
    """
    lo, hi = bounds
    if hi <= lo:
        hi = lo + (width or 1.0)
    step = float(width) if width else nice_step(hi - lo, bins or 20)
    start = math.floor(lo / step) * step
    count = max(1, math.ceil((hi - start) / step - 1e-9))
    if count > MAX_BINS:
        raise ValueError("too many bins")
    return [round_sig(start + i * step, 12) for i in range(count + 1)]


def bin_cells(
    values: np.ndarray, edges: Sequence[float], bounds: tuple[float, float]
) -> np.ndarray:
    """The bin number of each value (-1 for missing), after clipping to the ``bounds``."""
    x = np.clip(np.asarray(values, dtype=np.float64), bounds[0], bounds[1])
    nb = len(edges) - 1
    step = (edges[-1] - edges[0]) / nb
    # Edges are evenly spaced: arithmetic is several times faster than a binary search; values
    # a rounding error away from an edge are settled by the search over the nearest edges.
    idx = np.floor((x - edges[0]) / step)
    idx = np.clip(np.nan_to_num(idx, nan=0.0), 0, nb - 1).astype(np.int64)
    inner = np.asarray(edges, dtype=np.float64)
    idx = np.where(x < inner[idx], idx - 1, idx)
    idx = np.where((idx < nb - 1) & (x >= inner[np.minimum(idx + 1, nb)]), idx + 1, idx)
    idx = np.clip(idx, 0, nb - 1)
    return np.where(np.isnan(x), -1, idx).astype(np.int64)


def combine(groups: np.ndarray, inner: np.ndarray, n_inner: int) -> np.ndarray:
    """Cell numbers ``group * n_inner + inner`` (-1 where either is -1)."""
    ok = (groups >= 0) & (inner >= 0)
    return np.where(ok, groups * n_inner + inner, -1).astype(np.int64)


def released_counts(
    gate: Any, cells: np.ndarray, n_cells: int, contributors: Contributors
) -> list[int | str]:
    """Protected distinct-person counts of the cells (``"<T"`` for suppressed ones)."""
    return gate.protect_counts(np.asarray(cells, dtype=np.int64), n_cells, contributors)


@dataclass(frozen=True)
class HexGrid:
    """A hexagon lattice over a rectangle: ``nx`` hexagons across, steps ``sx``/``sy``."""

    x0: float
    y0: float
    sx: float
    sy: float
    nx: int
    ny: int

    @property
    def n_cells(self) -> int:
        """Cells of both lattices (the main one and the one offset by half a step)."""
        return (self.nx + 1) * (self.ny + 1) + self.nx * self.ny

    def centre(self, cell: int) -> tuple[float, float]:
        """The centre of a cell number."""
        main = (self.nx + 1) * (self.ny + 1)
        if cell < main:
            i, j = divmod(cell, self.ny + 1)
            return self.x0 + i * self.sx, self.y0 + j * self.sy
        i, j = divmod(cell - main, self.ny)
        return self.x0 + (i + 0.5) * self.sx, self.y0 + (j + 0.5) * self.sy


def hex_grid(xb: tuple[float, float], yb: tuple[float, float], gridsize: int) -> HexGrid:
    """The lattice of ``gridsize`` hexagons across the winsorised x range."""
    xspan = xb[1] - xb[0] or 1.0
    yspan = yb[1] - yb[0] or 1.0
    ny = max(1, int(gridsize / SQRT3))
    return HexGrid(xb[0], yb[0], xspan / gridsize, yspan / ny, gridsize, ny)


def hexagon_cells(
    x: np.ndarray, y: np.ndarray, grid: HexGrid, xb: tuple[float, float], yb: tuple[float, float]
) -> np.ndarray:
    """The hexagon of each point (-1 when either value is missing), values clipped to the bounds.

    A point belongs to the nearer of the two lattice centres around it, distances measured with
    y scaled so that the hexagons are regular in the plotting frame.
    """
    xs = (np.clip(np.asarray(x, dtype=np.float64), *xb) - grid.x0) / grid.sx
    ys = (np.clip(np.asarray(y, dtype=np.float64), *yb) - grid.y0) / grid.sy
    missing = np.isnan(xs) | np.isnan(ys)
    xs = np.where(missing, 0.0, xs)
    ys = np.where(missing, 0.0, ys)
    i1, j1 = np.rint(xs), np.rint(ys)
    i2, j2 = np.floor(xs), np.floor(ys)
    i2 = np.clip(i2, 0, grid.nx - 1)
    j2 = np.clip(j2, 0, grid.ny - 1)
    d1 = (xs - i1) ** 2 + 3.0 * (ys - j1) ** 2
    d2 = (xs - i2 - 0.5) ** 2 + 3.0 * (ys - j2 - 0.5) ** 2
    main = (grid.nx + 1) * (grid.ny + 1)
    c1 = i1 * (grid.ny + 1) + j1
    c2 = main + i2 * grid.ny + j2
    cells = np.where(d1 <= d2, c1, c2).astype(np.int64)
    return np.where(missing, -1, cells)


def count_groups(counts: Sequence[int], groups: int) -> list[float]:
    """Upper edges of ``groups`` colour classes of equal width over the released counts."""
    if not counts:
        return []
    lo, hi = min(counts), max(counts)
    if hi == lo:
        return [float(hi)]
    step = (hi - lo) / groups
    return [round_sig(lo + step * (g + 1), 4) for g in range(groups)]


def group_of(count: int, edges: Sequence[float]) -> int:
    """The colour class (0-based) of a released count."""
    for g, edge in enumerate(edges):
        if count <= edge:
            return g
    return max(len(edges) - 1, 0)


def box_statistics(
    gate: Any,
    cells: np.ndarray,
    n_cells: int,
    values: np.ndarray,
    contributors: Contributors,
    *,
    variable: str,
    population: np.ndarray,
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """One released box per cell: quartiles, mean, whiskers, the released count; and the notes
    of the gate's releases behind the boxes (the mean's :attr:`MagnitudeRelease.notes`).

    A box whose cell is suppressed or too small for quartiles holds ``withheld`` (the marker)
    instead of numbers; no minimum, maximum or outlier is ever part of a box.
    """
    quants, ns = gate.protect_quantiles(cells, n_cells, values, contributors, BOX_PROBS)
    mags = gate.protect_magnitudes(
        cells,
        n_cells,
        values,
        contributors,
        variable=variable,
        population=population,
        stats=("mean",),
    )
    boxes: list[dict[str, Any]] = []
    for i in range(n_cells):
        q, n = quants[i], ns[i]
        core = [q.get(p) for p in (0.25, 0.5, 0.75)]
        if isinstance(n, str) or any(v is None or isinstance(v, str) for v in core):
            boxes.append({"n": n, "withheld": n if isinstance(n, str) else "x"})
            continue
        box: dict[str, Any] = {"n": n, "p25": core[0], "p50": core[1], "p75": core[2]}
        mean = mags.values[i].get("mean")
        box["mean"] = mean if isinstance(mean, (int, float)) else None
        box["whiskers"] = None
        for lo_p, hi_p, name in WHISKERS:
            lo, hi = q.get(lo_p), q.get(hi_p)
            if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                box.update(
                    whisker_low=min(lo, core[0]), whisker_high=max(hi, core[2]), whiskers=name
                )
                break
        if box["whiskers"] is None:
            box.update(whisker_low=core[0], whisker_high=core[2])
        boxes.append(box)
    return boxes, tuple(mags.notes)


def extreme_substitute(
    gate: Any,
    cells: np.ndarray,
    n_cells: int,
    values: np.ndarray,
    contributors: Contributors,
    upper: bool,
) -> tuple[list[Any], list[str]]:
    """Released stand-ins for a minimum (``upper=False``) or maximum: the P1 (P99) of each cell
    when it is large enough, else P5 (P95), else withheld ``"x"``; and which was used per cell."""
    probs = (0.99, 0.95) if upper else (0.01, 0.05)
    quants, ns = gate.protect_quantiles(cells, n_cells, values, contributors, probs)
    out: list[Any] = []
    used: list[str] = []
    for q, n in zip(quants, ns, strict=True):
        if isinstance(n, str):
            out.append(n)
            used.append("")
            continue
        for p in probs:
            if isinstance(q.get(p), (int, float)):
                out.append(q[p])
                used.append(f"p{round(p * 100)}")
                break
        else:
            out.append("x")
            used.append("")
    return out, used


def class_rule(policy: Any) -> Rule:
    """D13 for a whole figure: the selection is too small to be broken down by a sensitive variable."""
    return Rule(
        "D13 class disclosure",
        f"fewer than {policy.class_group} persons would be broken down by a sensitive variable",
        "widen the condition, or combine categories",
    )


def axis_bounds(
    gate: Any, values: np.ndarray, contributors: Contributors
) -> tuple[float, float] | None:
    """The range of a figure's numeric axis: the released (micro-aggregated, D6) P1 and P99 of
    the whole column — the dataset, not the command's selection — else P5 and P95, else None.

    No single person's value, and never a minimum or maximum, decides where an axis ends;
    values beyond the range are counted at its ends.
    """
    values = np.asarray(values, dtype=np.float64)
    cells = np.where(np.isnan(values), -1, 0)
    quants, _ = gate.protect_quantiles(cells, 1, values, contributors, (0.01, 0.99, 0.05, 0.95))
    q = quants[0]
    for lo_p, hi_p in ((0.01, 0.99), (0.05, 0.95)):
        lo, hi = q.get(lo_p), q.get(hi_p)
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
            return float(lo), float(hi)
    return None
