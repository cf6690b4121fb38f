"""Magnitudes over several rows per person (D5, A20): each person counts as at most c rows of a
cell, c the 99th percentile of rows per person over the whole dataset."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.magnitude import gini
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.rows import (
    WEIGHT_NOTE,
    row_cap,
    row_weights,
    rows_per_person,
    weighted_gini,
    weighted_moments,
)
from mdlang.engine.context import Contributors

SECRET = bytes(range(5, 37))


def _ids(counts: list[int], first: int = 1) -> np.ndarray:
    return np.repeat(np.arange(first, first + len(counts), dtype=np.int64), counts)


def test_row_cap_is_the_99th_percentile_of_rows_per_person_rounded_up() -> None:
    # 200 persons: the sorted counts hold 2 at ranks 0..189 and 5 at 190..199; h = 0.99·199 = 197.01
    assert row_cap(_ids([2] * 190 + [5] * 10)) == 5
    # h = 0.99·1004 = 993.96 falls among the 1 000 single-row persons
    assert row_cap(_ids([1] * 1000 + [30] * 5)) == 1
    # counts 1..100: h = 98.01 between 99 and 100 → 99.01, rounded up
    assert row_cap(_ids(list(range(1, 101)))) == 100
    assert row_cap(np.zeros(0, dtype=np.int64)) == 1


def test_rows_per_person_do_not_depend_on_row_order() -> None:
    ids = _ids([3, 1, 4, 1, 5, 9, 2, 6])
    shuffled = np.random.default_rng(0).permutation(ids)
    assert sorted(rows_per_person(ids)) == sorted(rows_per_person(shuffled)) == [1, 1, 2, 3, 4, 5, 6, 9]
    assert row_cap(shuffled) == row_cap(ids.copy())


def test_row_weights_count_a_persons_rows_in_each_cell() -> None:
    ids = np.array([7, 7, 7, 7, 7, 7, 7, 8, 8, 9], dtype=np.int64)
    cells = np.array([0, 0, 0, 0, 0, 0, 1, 0, 0, -1])
    w = row_weights(cells, ids, 2)
    # person 7: six rows in cell 0 weigh 2/6, the one in cell 1 weighs 1; person 8: two rows, 1 each
    np.testing.assert_allclose(w, [1 / 3] * 6 + [1.0, 1.0, 1.0, 0.0])


def _by_hand(cells: np.ndarray, values: np.ndarray, ids: np.ndarray, cap: int, cell: int) -> dict[str, float]:
    """The weighted statistics of one cell, person by person in plain Python."""
    persons: dict[int, list[float]] = {}
    for c, x, p in zip(cells, values, ids, strict=True):
        if c == cell and not math.isnan(x):
            persons.setdefault(int(p), []).append(float(x))
    rows = [(min(1.0, cap / len(xs)), x, p) for p, xs in persons.items() for x in xs]
    wsum = sum(w for w, _, _ in rows)
    mean = sum(w * x for w, x, _ in rows) / wsum
    contrib = {p: sum(w * abs(x) for w, x, q in rows if q == p) for p in persons}
    top = sorted(contrib.values(), reverse=True)
    return {
        "rows": wsum, "total": sum(w * x for w, x, _ in rows), "mean": mean,
        "variance": sum(w * (x - mean) ** 2 for w, x, _ in rows) / (wsum - 1),
        "max_abs": top[0], "top_share": (top[0] + top[1]) / sum(top),
        "max_dev2": max(sum(w * (x - mean) ** 2 for w, x, q in rows if q == p) for p in persons),
    }


@pytest.mark.parametrize("seed", range(4))
def test_weighted_moments_match_a_person_by_person_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.choice([1, 2, 3, 25], size=120, p=[0.5, 0.3, 0.15, 0.05])
    ids = rng.permutation(_ids(list(counts), first=1000))
    n = len(ids)
    values = rng.normal(10, 30, n)
    values[rng.random(n) < 0.05] = np.nan
    cells = np.where(np.isnan(values), -1, rng.integers(-1, 3, n))
    cap = row_cap(ids)
    got = weighted_moments(cells, 3, values, ids, row_weights(cells, ids, cap), 2)
    for cell in range(3):
        want = _by_hand(cells, values, ids, cap, cell)
        for name, value in want.items():
            assert getattr(got, name)[cell] == pytest.approx(value, rel=1e-10), (cell, name)


def test_weighted_gini_is_the_gini_of_the_rows_repeated_by_weight() -> None:
    rng = np.random.default_rng(3)
    xs = np.sort(rng.lognormal(3, 1, 40))
    reps = rng.integers(1, 5, 40)
    assert weighted_gini(xs, reps.astype(float)) == pytest.approx(gini(np.repeat(xs, reps)), rel=1e-12)
    assert weighted_gini(xs, np.ones(40)) == pytest.approx(gini(xs), rel=1e-12)
    # scaling every weight changes nothing: weights act as shares
    assert weighted_gini(xs, reps / 7.0) == pytest.approx(gini(np.repeat(xs, reps)), rel=1e-12)
    assert math.isnan(weighted_gini(np.zeros(3), np.ones(3)))


def _events(canary_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1 500 persons with 2 rows of value 0, 30 with 1 row of 10, and a canary with
    ``canary_rows`` rows of 2 (the A20 setting)."""
    ids = _ids([2] * 1500 + [1] * 30 + [canary_rows])
    canary = ids[-1]
    values = np.where(ids > 1500, 10.0, 0.0)
    values[ids == canary] = 2.0
    return ids, values, np.zeros(len(ids), dtype=np.int64)


def test_a_persons_weight_stops_at_c_so_the_release_ignores_the_row_count() -> None:
    releases = []
    for k in (40, 400):
        ids, values, cells = _events(k)
        gate = Gate(Policy(), SECRET)
        # bounds from a fixed population: here the question is the weights, not winsorisation
        rel = gate.protect_magnitudes(cells, 1, values, Contributors(person_id=ids), variable="x",
                                      population=np.linspace(-20, 20, 1001), stats=("sum", "mean", "sd"))
        releases.append(rel.values)
        assert rel.notes == (WEIGHT_NOTE,) and "row weights" in rel.protections
    assert releases[0] == releases[1]
    # c = 2: the canary weighs as two rows of 2; the noise is at most 3 · 0.1 · 10 / 3032
    truth = (30 * 10 + 2 * 2) / (3000 + 30 + 2)
    assert abs(releases[0][0]["mean"] - truth) < 3 * 0.1 * 10 / 3032 + 1e-4
    unweighted = (30 * 10 + 40 * 2) / (3000 + 30 + 40)
    assert abs(releases[0][0]["mean"] - unweighted) > 0.01


def test_no_note_when_every_person_has_at_most_c_rows() -> None:
    rng = np.random.default_rng(8)
    ids = _ids([3] * 400)  # a panel: three rows each, c = 3, every weight 1
    values = rng.normal(100, 15, len(ids))
    gate = Gate(Policy(), SECRET)
    rel = gate.protect_magnitudes(np.zeros(len(ids), dtype=np.int64), 1, values, Contributors(person_id=ids),
                                  variable="y", population=values, stats=("mean", "sd", "gini"))
    assert rel.notes == () and "row weights" not in rel.protections
    # with unit weights the mean is the plain row mean (up to the keyed noise: 0.1 · max |x| / n · 3)
    assert abs(rel.values[0]["mean"] - values.mean()) < 3 * 0.1 * np.abs(values).max() / len(values) + 0.05
    assert rel.values[0]["gini"] == pytest.approx(gini(np.sort(values)), abs=0.01)


def test_c_comes_from_the_whole_dataset_not_the_selection() -> None:
    # 2 000 one-row persons and 10 persons with 8 rows: over the dataset c = 1. A selection of the
    # 10 heavy persons and 20 light ones would give c = 8 on its own and leave every weight at 1.
    ids = _ids([1] * 2000 + [8] * 10)
    values = np.where(ids > 2000, 50.0, 1.0)
    values[ids > 2000] += np.arange(80) % 8  # 50..57 per heavy person: mean 53.5
    cells = np.where((ids <= 20) | (ids > 2000), 0, -1)
    rel = Gate(Policy(), SECRET).protect_magnitudes(cells, 1, values, Contributors(person_id=ids), variable="z",
                                                    population=values, stats=("mean",))
    assert rel.notes == (WEIGHT_NOTE,)
    weighted = (20 * 1.0 + 10 * 53.5) / 30  # each heavy person counts as one row of their mean
    assert abs(rel.values[0]["mean"] - weighted) < 3 * 0.1 * 57 / 30
    assert abs(rel.values[0]["mean"] - (20 + 80 * 53.5) / 100) > 10
