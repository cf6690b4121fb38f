"""With one row per person the A20 rules change nothing (D5, D6): the releases are exactly those
of the gate before the rules existed, and the weighted code with unit weights reproduces the
unweighted quantities."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.magnitude import moments
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.quantiles import micro_quantile, person_quantile
from mdlang.disclosure.rows import weighted_moments
from mdlang.engine.context import Contributors

SECRET = bytes(range(3, 35))
PROBS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _data(seed: int, n: int, n_cells: int) -> tuple[np.ndarray, np.ndarray, Contributors]:
    rng = np.random.default_rng(seed)
    values = np.round(rng.lognormal(10, 1, n), 2)
    values[rng.random(n) < 0.3] *= -0.2
    values[rng.random(n) < 0.05] = np.nan
    cells = rng.integers(-1, n_cells, n)
    ids = rng.permutation(np.arange(10_000, 10_000 + n, dtype=np.int64))
    return cells, values, Contributors(person_id=ids)


#: released by the gate of commit f33fe68 (before the A20 rules) on the data of ``_data``
BEFORE = {
    (11, 2500, 1): (
        [{"sum": 27990000.0, "mean": 23700.0, "sd": 37710.0, "gini": 0.7601}], [1183],
        [{0.01: -28800.0, 0.05: -11100.0, 0.25: -1450.0, 0.5: 14000.0, 0.75: 33200.0, 0.95: 93200.0, 0.99: 200000.0}],
    ),
    (12, 1200, 3): (
        [{"sum": 6570000.0, "mean": 23700.0, "sd": 42090.0, "gini": 0.8019},
         {"sum": 5365000.0, "mean": 24150.0, "sd": 37220.0, "gini": 0.7523},
         {"sum": 8553000.0, "mean": 25360.0, "sd": 41720.0, "gini": 0.7661}], [279, 224, 338],
        [{0.01: None, 0.05: -12600.0, 0.25: -2230.0, 0.5: 13600.0, 0.75: 32500.0, 0.95: 100000.0, 0.99: None},
         {0.01: None, 0.05: -9770.0, 0.25: -1450.0, 0.5: 12900.0, 0.75: 33600.0, 0.95: 109000.0, 0.99: None},
         {0.01: None, 0.05: -11700.0, 0.25: -1390.0, 0.5: 13400.0, 0.75: 33300.0, 0.95: 107000.0, 0.99: None}],
    ),
}


@pytest.mark.parametrize("case", sorted(BEFORE))
def test_one_row_per_person_releases_exactly_what_it_did_before(case: tuple[int, int, int]) -> None:
    seed, n, n_cells = case
    cells, values, contributors = _data(seed, n, n_cells)
    gate = Gate(Policy(), SECRET)
    mags = gate.protect_magnitudes(cells, n_cells, values, contributors, variable="v", population=values,
                                   stats=("sum", "mean", "sd", "gini"))
    quants, _ = gate.protect_quantiles(cells, n_cells, values, contributors, PROBS)
    want_mags, want_n, want_q = BEFORE[case]
    assert mags.values == want_mags and mags.n == want_n and quants == want_q
    assert mags.notes == () and "row weights" not in mags.protections


@pytest.mark.parametrize("seed", range(6))
def test_unit_weights_reproduce_the_unweighted_moments(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_cells = 3000, 5
    values = rng.normal(50, 20, n)
    values[rng.random(n) < 0.1] = np.nan
    cells = rng.integers(-1, n_cells, n)
    ids = rng.permutation(n).astype(np.int64)
    plain = moments(cells, n_cells, values, ids, False, 2)
    weighted = weighted_moments(cells, n_cells, values, ids, np.ones(n), 2)
    for name in ("total", "mean", "variance", "max_abs", "max_dev2"):
        np.testing.assert_array_equal(getattr(weighted, name), getattr(plain, name), err_msg=name)
    np.testing.assert_array_equal(weighted.rows, plain.rows.astype(float))
    np.testing.assert_allclose(weighted.top_share, plain.top_share, rtol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_person_windows_of_distinct_persons_are_the_plain_windows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 400))
    xs = np.sort(np.round(rng.normal(0, 100, n), int(rng.integers(0, 3))))
    ids = rng.permutation(n).astype(np.int64)
    for p in (0.01, 0.1, 0.25, 0.5, 0.9, 0.99):
        assert person_quantile(xs, ids, p, 10, 3) == micro_quantile(xs, p, 10, 3)
