"""The speed-ups of the disclosure primitives give exactly the results of the plain computations
they replaced (bench/README.md; no timings here)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mdlang.disclosure import bounds as bounds_mod
from mdlang.disclosure.bounds import DatastoreBounds, column_percentiles
from mdlang.disclosure.cells import first_in_cell
from mdlang.disclosure.magnitude import keyed_normal, winsor_bounds
from mdlang.disclosure.policy import Policy


def _reference_first(cells: np.ndarray, ids: np.ndarray) -> np.ndarray:
    inside = cells >= 0
    frame = pd.DataFrame({"c": cells[inside], "p": ids[inside]})
    first = np.zeros(len(cells), dtype=bool)
    first[np.flatnonzero(inside)] = ~frame.duplicated().to_numpy()
    return first


@pytest.mark.parametrize("seed", range(6))
def test_first_in_cell_equals_two_column_duplicated(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(60):
        n = int(rng.integers(0, 400))
        cells = rng.integers(-1, int(rng.integers(1, 6)), n)
        ids = rng.integers(-3, 50, n) * 10 ** int(rng.integers(0, 16))
        if trial % 2:
            ids = np.sort(ids)  # panels and event data come sorted by person
        if trial % 3 == 0:
            cells = np.where(cells >= 0, 0, cells)  # one cell (a model's sample)
        assert np.array_equal(first_in_cell(cells, ids), _reference_first(cells, ids))


def test_first_in_cell_keeps_the_earliest_row_of_each_pair() -> None:
    cells = np.array([1, 0, 1, -1, 0, 1])
    ids = np.array([7, 7, 7, 7, 8, 8])
    assert first_in_cell(cells, ids).tolist() == [True, True, False, False, True, True]


def _write(path, array: pa.Array, rows_per_group: int) -> None:
    pq.write_table(pa.table({"value": array}), path, row_group_size=rows_per_group)


@pytest.mark.parametrize("seed", range(8))
def test_streamed_percentiles_equal_numpy_bit_for_bit(tmp_path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(25):
        n = int(rng.integers(1, 3000))
        if trial % 3 == 0:
            array = pa.array(rng.integers(-40, 40, n), mask=rng.random(n) < 0.1)
        elif trial % 3 == 1:
            raw = rng.lognormal(10, 1.5, n)
            raw[rng.random(n) < 0.05] = np.nan
            array = pa.array(raw)
        else:
            array = pa.array(rng.normal(size=n), mask=rng.random(n) < 0.4)
        path = tmp_path / f"v{trial}.parquet"
        _write(path, array, int(rng.integers(1, 700)))
        lower = float(rng.choice([0.0, 1.0, 2.5, 10.0, 50.0]))
        upper = float(rng.choice([50.0, 90.0, 99.0, 99.5, 100.0]))
        got = column_percentiles(path, "value", lower, upper)
        values = array.to_numpy(zero_copy_only=False).astype(np.float64)
        finite = values[~np.isnan(values)]
        assert got is not None and got.count == len(finite)
        assert got.percentiles == winsor_bounds(values, lower, upper)
        if len(finite):
            assert (got.low, got.high) == (finite.min(), finite.max())


def test_percentiles_of_a_text_column_are_none(tmp_path) -> None:
    _write(tmp_path / "t.parquet", pa.array(["a", "b"]), 10)
    assert column_percentiles(tmp_path / "t.parquet", "value", 1.0, 99.0) is None


class _Store:
    def __init__(self, path) -> None:
        self.path = path


def test_register_bounds_are_persisted_in_the_private_folder_and_reused(tmp_path, monkeypatch) -> None:
    (tmp_path / "variables").mkdir()
    (tmp_path / "private").mkdir()
    values = np.arange(1000, dtype=np.int64) ** 2
    _write(tmp_path / "variables" / "INNTEKT.parquet", pa.array(values), 128)
    monkeypatch.setattr(bounds_mod, "_CACHE", {})
    first = DatastoreBounds(_Store(tmp_path), Policy()).get("INNTEKT")
    expected = tuple(float(v) for v in np.percentile(values.astype(float), [1, 99]))
    assert first is not None and first.bounds == expected and first.values == 1000
    stored = json.loads((tmp_path / "private" / "winsor-bounds.json").read_text())
    assert list(stored) == ["INNTEKT|1.0|99.0"]
    # a new process (empty memory cache) reads the file instead of the column
    monkeypatch.setattr(bounds_mod, "_CACHE", {})
    monkeypatch.setattr(bounds_mod, "compute", lambda *a: pytest.fail("recomputed"))
    assert DatastoreBounds(_Store(tmp_path), Policy()).get("INNTEKT") == first


def test_persisted_bounds_of_a_rewritten_file_are_not_used(tmp_path, monkeypatch) -> None:
    (tmp_path / "variables").mkdir()
    (tmp_path / "private").mkdir()
    path = tmp_path / "variables" / "X.parquet"
    _write(path, pa.array(np.arange(100, dtype=np.int64)), 50)
    monkeypatch.setattr(bounds_mod, "_CACHE", {})
    DatastoreBounds(_Store(tmp_path), Policy()).get("X")
    _write(path, pa.array(np.arange(100, dtype=np.int64) * 1000 + 7), 50)
    monkeypatch.setattr(bounds_mod, "_CACHE", {})
    again = DatastoreBounds(_Store(tmp_path), Policy()).get("X")
    assert again is not None and again.low == 7.0 and again.high == 99007.0


def test_bounds_without_a_private_folder_are_kept_in_memory_only(tmp_path, monkeypatch) -> None:
    (tmp_path / "variables").mkdir()
    _write(tmp_path / "variables" / "X.parquet", pa.array(np.arange(10, dtype=np.int64)), 5)
    monkeypatch.setattr(bounds_mod, "_CACHE", {})
    assert DatastoreBounds(_Store(tmp_path), Policy()).get("X") is not None
    assert not (tmp_path / "private").exists()


def test_keyed_normal_matches_the_inverse_normal_cdf() -> None:
    from scipy.special import ndtri

    from mdlang.disclosure.keys import uniform

    rng = np.random.default_rng(3)
    for key in [0, 1, (1 << 64) - 1, *(int(k) for k in rng.integers(0, 2**63, 2000, dtype=np.int64))]:
        expected = float(np.clip(ndtri(uniform(key)), -3.0, 3.0))
        assert keyed_normal(key) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _reference_aggregate(cells: np.ndarray, n_cells: int, ids: np.ndarray, keys: np.ndarray):
    take = _reference_first(cells, ids)
    persons = np.bincount(cells[take], minlength=n_cells)[:n_cells]
    sums = [sum(int(k) for k in keys[take][cells[take] == c]) % 2**64 for c in range(n_cells)]
    return persons.tolist(), sums


@pytest.mark.parametrize("seed", range(4))
def test_aggregate_counts_and_key_sums_match_a_plain_computation(seed: int) -> None:
    from mdlang.disclosure.cells import aggregate
    from mdlang.engine.context import Contributors

    rng = np.random.default_rng(seed)
    for trial in range(30):
        n = int(rng.integers(0, 300))
        n_cells = int(rng.integers(1, 5))
        cells = rng.integers(-1, n_cells, n)
        unique = trial % 2 == 0
        ids = np.arange(n, dtype=np.int64) * 7 + 3 if unique else np.sort(rng.integers(0, 60, n))
        table = rng.integers(0, 2**63, 1000, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
        keys = table[ids % 1000]  # large keys, so the sums wrap around 2^64
        got = aggregate(cells, n_cells, Contributors(person_id=ids), lambda _ids, k=keys: k)
        persons, sums = _reference_aggregate(cells, n_cells, ids, keys)
        assert got.persons.tolist() == persons
        assert list(got.key_sums) == sums
