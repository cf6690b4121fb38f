"""Quantiles over several rows per person (D6, A20): the window widens to k distinct persons and
each person's values are averaged before the mean is taken."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.quantiles import person_quantile, person_window, sorted_with_persons, window
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import Contributors

SECRET = bytes(range(7, 39))


def _naive_window(ids: np.ndarray, p: float, k: int) -> tuple[int, int]:
    """Widen one row at a time, below first, then above, skipping a side at the end of the data."""
    lo, hi = window(len(ids), p, k)
    below_next = True
    while len(set(ids[lo:hi].tolist())) < k:
        if (below_next and lo > 0) or hi == len(ids):
            lo -= 1
        else:
            hi += 1
        below_next = not below_next
    return lo, hi


def test_a_window_inside_one_persons_rows_widens_to_k_persons() -> None:
    # rows 0..9: persons 0..9; rows 10..29: person 99; rows 30..39: persons 10..19
    ids = np.r_[np.arange(10), np.full(20, 99), np.arange(10, 20)].astype(np.int64)
    # the median window is rows 15..24, all person 99; 19 rows more (10 below, 9 above) reach
    # rows 5..9 and 30..33: nine other persons
    assert window(40, 0.5, 10) == (15, 25)
    assert person_window(ids, 0.5, 10) == _naive_window(ids, 0.5, 10) == (5, 34)
    values = np.arange(40, dtype=np.float64)
    others = [5, 6, 7, 8, 9, 30, 31, 32, 33]  # one row each; person 99's rows 10..29 average 19.5
    assert person_quantile(values, ids, 0.5, 10, 3) == round_sig((sum(others) + 19.5) / 10, 3)


@pytest.mark.parametrize("seed", range(25))
def test_the_bisection_finds_the_smallest_alternating_widening(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.choice([1, 2, 5, 40], size=int(rng.integers(10, 60)), p=[0.4, 0.3, 0.2, 0.1])
    ids = np.repeat(np.arange(len(counts)), counts)
    ids = rng.permutation(ids).astype(np.int64)  # the rows' order after sorting by value
    for p in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99):
        assert person_window(ids, p, 10) == _naive_window(ids, p, 10), p


def test_each_person_weighs_at_most_one_kth() -> None:
    rng = np.random.default_rng(4)
    ids = rng.permutation(np.repeat(np.arange(30), rng.integers(1, 30, 30))).astype(np.int64)
    values = rng.normal(0, 1, len(ids))
    xs, pid = sorted_with_persons(np.zeros(len(ids), dtype=np.int64), values, ids, 1)[0]
    for p in (0.1, 0.5, 0.9):
        lo, hi = person_window(pid, p, 10)
        means = [xs[lo:hi][pid[lo:hi] == q].mean() for q in np.unique(pid[lo:hi])]
        assert len(means) >= 10
        assert person_quantile(xs, pid, p, 10, 3) == round_sig(float(np.mean(means)), 3)


def test_fewer_than_k_persons_give_no_quantile() -> None:
    ids = np.repeat(np.arange(9), 5).astype(np.int64)
    assert person_quantile(np.arange(45, dtype=np.float64), ids, 0.5, 10, 3) is None


def test_the_gate_never_releases_one_persons_rows_as_a_percentile() -> None:
    # 1 400 persons with two rows of 0, twelve with one row of 10 and a canary with 40 rows of 2:
    # the P99 window of the rows falls inside the canary's rows.
    ids = np.repeat(np.arange(1, 1414, dtype=np.int64), [2] * 1400 + [1] * 12 + [40])
    values = np.where(ids > 1400, 10.0, 0.0)
    values[ids == 1413] = 2.0
    lo, hi = window(len(values), 0.99, 10)
    assert set(np.sort(values)[lo:hi]) == {2.0}
    gate = Gate(Policy(), SECRET)
    quants, _ = gate.protect_quantiles(np.zeros(len(ids), dtype=np.int64), 1, values, Contributors(person_id=ids),
                                       (0.5, 0.99))
    xs, pid = sorted_with_persons(np.zeros(len(ids), dtype=np.int64), values, ids, 1)[0]
    lo, hi = _naive_window(pid, 0.99, 10)
    means = [xs[lo:hi][pid[lo:hi] == q].mean() for q in np.unique(pid[lo:hi])]
    assert quants[0][0.99] == round_sig(float(np.mean(means)), 3) != 2.0
    assert quants[0][0.5] == 0.0
