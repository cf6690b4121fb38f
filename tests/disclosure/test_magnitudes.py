"""Protected magnitudes: global winsorisation, dominance, keyed noise, threshold (D5)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.keys import cell_key
from mdlang.disclosure.magnitude import gini, keyed_normal, winsor_bounds
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import Contributors

SECRET = bytes(range(1, 33))


def setup(n: int = 20_000, seed: int = 2):
    rng = np.random.default_rng(seed)
    ids = np.arange(n, dtype=np.int64) * 7 + 100
    values = rng.lognormal(12, 0.8, n)
    cells = rng.integers(0, 4, n).astype(np.int64)
    return Gate(Policy(), SECRET), ids, values, cells


def test_bounds_are_the_population_percentiles() -> None:
    _, _, values, _ = setup()
    lo, hi = winsor_bounds(values, 1.0, 99.0)
    assert (lo, hi) == tuple(np.percentile(values, [1, 99]))
    with_nan = np.r_[values, np.nan]
    assert winsor_bounds(with_nan, 1.0, 99.0) == (lo, hi)


def test_means_close_to_winsorised_truth_and_within_noise() -> None:
    g, ids, values, cells = setup()
    rel = g.protect_magnitudes(cells, 4, values, Contributors(person_id=ids), variable="x", population=values, stats=("mean", "sum", "sd"))
    lo, hi = np.percentile(values, [1, 99])
    w = np.clip(values, lo, hi)
    assert rel.winsorised
    for c in range(4):
        cell = w[cells == c]
        n = len(cell)
        mean_sd = 0.1 * cell.max() / n
        assert abs(rel.values[c]["mean"] - cell.mean()) <= 3 * mean_sd + abs(cell.mean()) * 1e-3
        assert abs(rel.values[c]["sum"] - cell.sum()) <= 3 * 0.1 * cell.max() + abs(cell.sum()) * 1e-3
        assert rel.values[c]["sd"] == pytest.approx(cell.std(ddof=1), rel=0.01)
        assert abs(rel.n[c] - n) <= 3


def test_bounds_come_from_the_population_not_the_subset() -> None:
    g, ids, values, cells = setup()
    sub = np.where(values > np.percentile(values, 95), 0, -1)  # only the top 5 %
    rel = g.protect_magnitudes(sub, 1, values, Contributors(person_id=ids), variable="x", population=values, stats=("mean",))
    hi = np.percentile(values, 99)
    w = np.clip(values[sub == 0], None, hi)
    assert rel.values[0]["mean"] == pytest.approx(w.mean(), rel=0.005)
    assert rel.values[0]["mean"] < values[sub == 0].mean()


def test_same_contributors_same_values_same_output_for_a_copied_variable() -> None:
    g, ids, values, cells = setup()
    c = Contributors(person_id=ids)
    a = g.protect_magnitudes(cells, 4, values, c, variable="x", population=values, stats=("mean", "sd", "sum"))
    b = g.protect_magnitudes(cells, 4, values.copy(), c, variable="x_copy", population=values.copy(), stats=("mean", "sd", "sum"))
    assert a.values == b.values
    perm = np.random.default_rng(1).permutation(len(ids))
    p = g.protect_magnitudes(cells[perm], 4, values[perm], Contributors(person_id=ids[perm]), variable="x", population=values[perm], stats=("mean", "sd", "sum"))
    assert p.values == a.values


def test_dominance_suppresses_a_cell_held_by_two_contributors() -> None:
    g = Gate(Policy(), SECRET)
    n = 2000
    ids = np.arange(n, dtype=np.int64)
    values = np.ones(n)
    cells = np.full(n, -1)
    cells[:40] = 0  # a cell of 40 persons …
    values[:2] = 1000.0  # … two of whom hold almost everything (but inside the population's p99)
    population = values.copy()
    population[40:70] = 5000.0  # keeps the big values below the global p99 bound
    rel = g.protect_magnitudes(cells, 1, values, Contributors(person_id=ids), variable="x", population=population, stats=("sum", "mean"))
    assert rel.dominated
    assert rel.values[0] == {"sum": "x", "mean": "x"}


def test_dominance_counts_a_persons_rows_together() -> None:
    g = Gate(Policy(), SECRET)
    ids = np.r_[np.zeros(30, dtype=np.int64), np.arange(1, 31)]  # person 0 has 30 rows
    values = np.r_[np.full(30, 10.0), np.ones(30)]
    cells = np.zeros(60, dtype=np.int64)
    rel = g.protect_magnitudes(cells, 1, values, Contributors(person_id=ids), variable="x", population=np.r_[values, np.full(10, 20.0)], stats=("sum",))
    # per row no one dominates; per person, person 0 holds 300 of 330
    assert rel.dominated


def test_threshold_on_distinct_persons() -> None:
    g = Gate(Policy(), SECRET)
    ids = np.r_[np.arange(5), np.arange(5)].astype(np.int64)  # 10 rows, 5 persons
    values = np.arange(10.0)
    rel = g.protect_magnitudes(np.zeros(10, dtype=np.int64), 1, values, Contributors(person_id=ids), variable="x", population=values, stats=("mean",))
    assert rel.values[0] == {"mean": "<10"} and rel.n[0] == "<10"


def test_magnitude_noise_is_zero_mean_over_many_keys() -> None:
    z = np.array([keyed_normal(cell_key(i, "mean", ("1",))) for i in range(20_000)])
    assert abs(z.mean()) < 0.03
    assert 0.95 < z.std() < 1.05
    assert np.abs(z).max() <= 3.0


def test_gini_formula() -> None:
    x = np.sort(np.array([1.0, 2.0, 3.0, 10.0]))
    mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(x) == pytest.approx(mad)
    assert math.isnan(gini(np.zeros(3)))


def test_gini_release_close_to_truth() -> None:
    g, ids, values, cells = setup()
    rel = g.protect_magnitudes(np.zeros(len(ids), dtype=np.int64), 1, values, Contributors(person_id=ids), variable="x", population=values, stats=("gini",))
    lo, hi = np.percentile(values, [1, 99])
    assert rel.values[0]["gini"] == pytest.approx(gini(np.sort(np.clip(values, lo, hi))), abs=0.002)
