"""Protected counts: distinct persons, cell-key noise, the threshold, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.disclosure.cells import MASK64, aggregate, limb_sums
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import Contributors

SECRET = bytes(range(32))


def gate() -> Gate:
    return Gate(Policy(), SECRET)


def _population(n: int = 30_000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(10**9, n, replace=False)).astype(np.int64)
    cells = rng.choice(40, n, p=np.r_[np.full(30, 0.998 / 30), np.full(10, 0.0002)]).astype(np.int64)
    return ids, cells


def test_limb_sums_are_exact_mod_2_64() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**64 - 1, 10_000, dtype=np.uint64)
    bins = rng.integers(0, 5, 10_000)
    got = limb_sums(bins, values, 5)
    want = [sum(int(v) for v in values[bins == b]) & MASK64 for b in range(5)]
    assert got == want


def test_aggregate_counts_each_person_once_per_cell() -> None:
    g = gate()
    ids = np.array([5, 5, 5, 7, 7, 9, 11, 11], dtype=np.int64)  # event-style: several rows per person
    cells = np.array([0, 0, 1, 0, -1, 1, 1, 1], dtype=np.int64)
    agg = aggregate(cells, 2, Contributors(person_id=ids), g.record_keys)
    assert agg.persons.tolist() == [2, 3]
    keys = dict(zip(ids.tolist(), g.record_keys(ids).tolist(), strict=True))
    assert agg.key_sums == ((keys[5] + keys[7]) & MASK64, (keys[5] + keys[9] + keys[11]) & MASK64)


def test_collapsed_form_sums_counts_and_key_sums() -> None:
    g = gate()
    c = Contributors(count=np.array([3, 4, 5]), key_sum=np.array([1, 2, 2**64 - 1], dtype=np.uint64))
    agg = aggregate(np.array([0, 0, 1]), 2, c, g.record_keys)
    assert agg.persons.tolist() == [7, 5]
    assert agg.key_sums == (3, 2**64 - 1)


def test_released_counts_within_bound_and_suppressed_below_threshold() -> None:
    g = gate()
    ids, cells = _population()
    released = g.protect_counts(cells, 40, Contributors(person_id=ids))
    true = np.bincount(cells, minlength=40)
    agg = g.aggregate(cells, 40, Contributors(person_id=ids))
    noise = []
    for i, value in enumerate(released):
        noisy = g.noisy_count(int(true[i]), agg.key_sums[i])
        assert abs(noisy - true[i]) <= 3
        if noisy < 10:
            assert value == "<10" and true[i] < 13
        else:
            assert value == noisy
            noise.append(value - true[i])
    assert any(v == "<10" for v in released)
    assert any(v != t for v, t in zip(released, true, strict=True) if isinstance(v, int))


def test_empty_cell_looks_like_a_small_one() -> None:
    g = gate()
    out = g.protect_counts(np.array([0, 0, 0, 1], dtype=np.int64), 3, Contributors(person_id=np.array([1, 2, 3, 4])))
    assert out == ["<10", "<10", "<10"]
    assert g.noisy_count(0, 0) == 0


def test_same_people_same_noise_whatever_order_or_filter() -> None:
    g = gate()
    ids, cells = _population()
    base = g.protect_counts(cells, 40, Contributors(person_id=ids))
    perm = np.random.default_rng(5).permutation(len(ids))
    assert g.protect_counts(cells[perm], 40, Contributors(person_id=ids[perm])) == base
    # the same people selected through a different "filter": extra rows marked -1
    extra_ids = np.arange(10**9, 10**9 + 500, dtype=np.int64)
    all_ids = np.concatenate([ids, extra_ids])
    all_cells = np.concatenate([cells, np.full(500, -1)])
    assert g.protect_counts(all_cells, 40, Contributors(person_id=all_ids)) == base
    # repeating a person's rows (event data) changes nothing either
    dup = np.concatenate([ids, ids[:2000]])
    dup_cells = np.concatenate([cells, cells[:2000]])
    assert g.protect_counts(dup_cells, 40, Contributors(person_id=dup)) == base


def test_noise_is_zero_mean_with_variance_in_range_over_many_cells() -> None:
    g = gate()
    rng = np.random.default_rng(11)
    n_cells = 3000
    ids = np.arange(150_000, dtype=np.int64)
    cells = rng.integers(0, n_cells, len(ids))
    released = np.array(g.protect_counts(cells, n_cells, Contributors(person_id=ids)))
    true = np.bincount(cells, minlength=n_cells)
    noise = released.astype(int) - true
    assert np.abs(noise).max() <= 3
    assert abs(noise.mean()) < 0.1
    assert 1.4 < noise.var() < 2.1


def test_total_is_a_cell_of_its_own() -> None:
    g = gate()
    ids, cells = _population()
    total = g.protect_counts(np.zeros(len(ids), dtype=np.int64), 1, Contributors(person_id=ids))[0]
    assert abs(total - len(ids)) <= 3
    # a person in two cells of an event table counts once in the total
    ev_ids = np.array([1] * 5 + list(range(2, 40)), dtype=np.int64)
    ev_cells = np.zeros(len(ev_ids), dtype=np.int64)
    agg = gate().aggregate(ev_cells, 1, Contributors(person_id=ev_ids))
    assert agg.persons.tolist() == [pd.Series(ev_ids).nunique()]


def test_margins_from_cells_equal_margins_counted_directly(monkeypatch) -> None:
    from mdlang.disclosure.tables import count_grid

    g = gate()
    ids, cells = _population()
    row, col = cells // 8, cells % 8
    contributors = Contributors(person_id=ids)
    fast = count_grid(g, row, col, 5, 8, contributors)
    monkeypatch.setattr(g, "disjoint", lambda c: False)
    slow = count_grid(g, row, col, 5, 8, contributors)
    assert fast == slow
    assert len(fast) == 6 and len(fast[0]) == 9


def test_collapsed_contributors_release_like_their_persons() -> None:
    g = gate()
    ids = np.repeat(np.arange(100, 400, dtype=np.int64), 2)  # two event rows per person
    families = (ids - 100) // 3  # three persons per family → 100 families
    grouped = g.group_contributors(families, 100, Contributors(person_id=ids))
    assert grouped.count.tolist() == [3] * 100
    # a table over the families releases what the same table over the persons releases
    fam_cells = np.arange(100) % 4
    person_cells = fam_cells[families]
    assert g.protect_counts(fam_cells, 4, grouped) == g.protect_counts(person_cells, 4, Contributors(person_id=ids))
