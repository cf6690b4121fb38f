"""The figure primitives of mdlang/disclosure/figures.py: round bin edges that cover the bounds,
binning equal to a binary search, hexagon assignment to the nearest centre."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdlang.disclosure.figures import (
    MAX_BINS,
    bin_cells,
    count_groups,
    group_of,
    hex_grid,
    hexagon_cells,
    histogram_edges,
    nice_step,
)


@pytest.mark.parametrize(
    ("span", "bins", "step"),
    [(100.0, 10, 10.0), (100.0, 7, 20.0), (1.0, 4, 0.25), (37.0, 20, 2.0), (1e6, 40, 25000.0)],
)
def test_nice_step(span: float, bins: int, step: float) -> None:
    assert nice_step(span, bins) == pytest.approx(step)


def test_edges_with_width_start_on_a_multiple() -> None:
    assert histogram_edges((3.2, 9.7), width=2.0) == [2.0, 4.0, 6.0, 8.0, 10.0]
    with pytest.raises(ValueError, match="too many bins"):
        histogram_edges((0.0, 1000.0), width=1.0)
    assert len(histogram_edges((0.0, 199.5), width=1.0)) - 1 == MAX_BINS


@settings(max_examples=60, deadline=None)
@given(
    centre=st.floats(-1e5, 1e5),
    spread=st.floats(1e-2, 1e4),
    bins=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_binning_equals_a_binary_search_and_covers_the_bounds(
    centre: float, spread: float, bins: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(centre, spread, 500)
    x[::5] = np.round(x[::5], 1)
    x[7] = np.nan
    bounds = (float(np.nanpercentile(x, 1)), float(np.nanpercentile(x, 99)))
    edges = histogram_edges(bounds, bins=bins)
    assert edges[0] <= bounds[0] and edges[-1] >= bounds[1]
    got = bin_cells(x, edges, bounds)
    clipped = np.clip(x, *bounds)
    want = np.where(
        np.isnan(clipped), -1, np.searchsorted(np.asarray(edges[1:-1]), clipped, side="right")
    )
    assert (got == want).all()


@settings(max_examples=40, deadline=None)
@given(gridsize=st.integers(2, 25), seed=st.integers(0, 2**32 - 1))
def test_each_point_goes_to_its_nearest_hexagon(gridsize: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 10, 300), rng.uniform(-5, 5, 300)
    grid = hex_grid((0.0, 10.0), (-5.0, 5.0), gridsize)
    cells = hexagon_cells(x, y, grid, (0.0, 10.0), (-5.0, 5.0))
    centres = np.array([grid.centre(c) for c in range(grid.n_cells)])
    # distance in the frame where hexagons are regular: x in steps of sx, y in steps of sy/sqrt(3)
    dx = (x[:, None] - centres[None, :, 0]) / grid.sx
    dy = (y[:, None] - centres[None, :, 1]) / grid.sy * math.sqrt(3)
    d = dx**2 + dy**2
    chosen = d[np.arange(len(x)), cells]
    assert np.all(chosen <= d.min(axis=1) + 1e-9)


def test_missing_points_are_in_no_hexagon() -> None:
    grid = hex_grid((0.0, 1.0), (0.0, 1.0), 5)
    cells = hexagon_cells(
        np.array([0.5, np.nan]), np.array([np.nan, 0.5]), grid, (0.0, 1.0), (0.0, 1.0)
    )
    assert cells.tolist() == [-1, -1]


def test_colour_groups() -> None:
    edges = count_groups([10, 20, 30, 110], 5)
    assert edges == [30.0, 50.0, 70.0, 90.0, 110.0]
    assert [group_of(c, edges) for c in (10, 30, 31, 110)] == [0, 0, 1, 4]
    assert count_groups([15, 15], 10) == [15.0]
