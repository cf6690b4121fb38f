"""The utility disclosure.md promises survives the protection (on synthetic data)."""

from __future__ import annotations

import numpy as np

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import Contributors

GATE = Gate(Policy(), b"utility-secret-0123456789abcdef!")


def test_counts_of_at_least_100_within_3_percent_median_error() -> None:
    rng = np.random.default_rng(5)
    n_cells = 400
    cells = rng.integers(0, n_cells, 80_000)
    released = np.array(GATE.protect_counts(cells, n_cells, Contributors(person_id=np.arange(80_000, dtype=np.int64))))
    true = np.bincount(cells, minlength=n_cells)
    assert true.min() >= 100
    assert np.median(np.abs(released.astype(int) - true) / true) < 0.03


def test_means_of_200_within_2_percent_inside_the_band() -> None:
    rng = np.random.default_rng(6)
    n_cells = 200
    values = rng.lognormal(12, 0.8, 200 * n_cells)
    cells = np.repeat(np.arange(n_cells), 200)
    rel = GATE.protect_magnitudes(cells, n_cells, values, Contributors(person_id=np.arange(len(values), dtype=np.int64)), variable="v", population=values, stats=("mean",))
    lo, hi = np.percentile(values, [1, 99])
    truth = np.clip(values, lo, hi).reshape(n_cells, 200).mean(axis=1)
    got = np.array([v["mean"] for v in rel.values])
    assert np.max(np.abs(got - truth) / truth) < 0.02
