"""Yearly amounts held compactly: the chunks they give back equal a plain sort of the rows."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.datastore.samplegen.amounts import YearlyAmounts, year_rows


def _parts(store: YearlyAmounts, years: range) -> list:
    return [(*store.get("x", y), 1000 * y, 1000 * y + 999) for y in years]


@pytest.mark.parametrize("budget", [10**9, 0])  # all in memory / everything spilled to disk
def test_year_rows_equal_a_stable_sort_by_id_then_year(budget):
    rng = np.random.default_rng(3)
    n = 1_003  # not a multiple of 8 or of the chunk size
    sorted_ids = np.sort(rng.choice(10**6, n, replace=False)).astype(np.int64)
    years = range(1, 8)
    store = YearlyAmounts(budget)
    expect = []
    for y in years:
        mask = rng.random(n) < 0.6
        values = np.round(rng.normal(0, 1e5, mask.sum()), -2)
        if y == 3:
            values = values + 0.5  # not whole: kept as float64
        if y == 4:
            values = values * 1e5  # beyond int32: kept as float64
        store.put("x", y, mask, values)
        expect += [(i, y, v) for i, v in zip(sorted_ids[mask], values, strict=True)]
    assert (store.folder is not None) == (budget == 0)
    chunks = list(year_rows(_parts(store, years), sorted_ids, np.float64, chunk_persons=96))
    assert len(chunks) > 5
    ids = np.concatenate([c[0] for c in chunks])
    vals = np.concatenate([c[1] for c in chunks])
    starts = np.concatenate([c[2] for c in chunks])
    stops = np.concatenate([c[3] for c in chunks])
    expect.sort(key=lambda r: (r[0], r[1]))
    assert ids.tolist() == [r[0] for r in expect]
    assert starts.tolist() == [1000 * r[1] for r in expect]
    assert (stops - starts).tolist() == [999] * len(expect)
    assert vals.tolist() == [r[2] for r in expect]
    folder = store.folder
    store.close()
    assert folder is None or not folder.exists()


def test_whole_numbers_are_stored_in_32_bits():
    store = YearlyAmounts()
    store.put("x", 1, np.array([True, False, True]), np.array([100.0, -2_000_000_000.0]))
    store.put("x", 2, np.array([True, True, False]), np.array([1.5, 2.0]))
    assert store.get("x", 1)[1].dtype == np.int32
    assert store.get("x", 2)[1].dtype == np.float64
    with pytest.raises(KeyError):
        store.get("x", 3)


def test_no_rows_give_no_chunks():
    store = YearlyAmounts()
    store.put("x", 1, np.zeros(20, bool), np.empty(0))
    assert list(year_rows(_parts(store, range(1, 2)), np.arange(20), np.int64)) == []
