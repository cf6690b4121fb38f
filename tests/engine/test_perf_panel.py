"""import-panel's faster join (dense key table, merged sort) builds exactly the panel of the plain
join: every (unit, date) of the first variable, sorted by unit then date, the others left-joined
(no timings here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.engine import imports
from mdlang.engine.dataset import Dataset


def _reference(first: pd.DataFrame, others: list[pd.DataFrame]) -> pd.DataFrame:
    base = first[first["value"].notna()].sort_values(["unit_id", "date"], kind="stable")
    out = base.rename(columns={"value": "V0"}).reset_index(drop=True)
    for i, other in enumerate(others, start=1):
        dedup = other.drop_duplicates(["unit_id", "date"], keep="first")
        merged = out.merge(dedup, on=["unit_id", "date"], how="left")
        out[f"V{i}"] = merged["value"].astype("float64").to_numpy()
    return out


def _part(rng: np.random.Generator, units: np.ndarray, dates: list[int]) -> pd.DataFrame:
    rows = [(u, d) for d in dates for u in units if rng.random() < 0.7]  # date by date, as read_panel
    frame = pd.DataFrame(rows, columns=["unit_id", "date"], dtype=np.int64)
    values = rng.integers(0, 1000, len(frame)).astype("float64")
    values[rng.random(len(frame)) < 0.1] = np.nan
    frame["value"] = values
    return frame


@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_panel_join_equals_a_sorted_left_merge(seed: int, dense: bool, monkeypatch) -> None:
    if not dense:
        monkeypatch.setattr(imports, "_DENSE_LIMIT", 0)  # the binary-search fallback
    rng = np.random.default_rng(seed)
    units = np.sort(rng.choice(np.arange(10**15, 10**15 + 500), 60, replace=False))
    dates = [int(d) for d in rng.choice(np.arange(100, 200), 5, replace=False)]
    if seed % 2:
        dates = sorted(dates)
    parts = [_part(rng, units, dates) for _ in range(3)]
    meta = [VariableMetadata(f"V{i}", "PERSON", Temporality.ACCUMULATED, DataType.LONG) for i in range(3)]
    ds = Dataset("p")
    imports.import_panel(ds, [(f"V{i}", meta[i], parts[i]) for i in range(3)], None)
    expected = _reference(parts[0], parts[1:])
    assert ds.ids.tolist() == expected["unit_id"].tolist()
    assert ds.frame["date@panel"].tolist() == expected["date"].astype(float).tolist()
    for i in range(3):
        assert np.array_equal(ds.frame[f"V{i}"].to_numpy(), expected[f"V{i}"].to_numpy(), equal_nan=True)


@pytest.mark.parametrize("spread", [1, 3, 10**12])
def test_lookup_with_a_dense_table_equals_binary_search(spread: int, monkeypatch) -> None:
    rng = np.random.default_rng(spread % 97)
    ids = np.unique(rng.integers(0, 5000, 3000)) * spread + 17
    wanted = np.concatenate([rng.choice(ids, 4000), rng.integers(-10, 5000 * spread + 40, 4000)])
    expected = np.array([int(np.searchsorted(ids, w)) if w in set(ids.tolist()) else -1 for w in wanted])
    monkeypatch.setattr(imports, "_DENSE_MIN", 1)
    assert imports.lookup(ids, wanted).tolist() == expected.tolist()
    assert imports.lookup(ids, wanted[:5]).tolist() == expected[:5].tolist()  # the cached table
    monkeypatch.setattr(imports, "_DENSE_MIN", 10**9)
    assert imports.lookup(ids, wanted).tolist() == expected.tolist()


@pytest.mark.parametrize("spread", [1, 3, 10**12])
def test_lookup_of_a_unique_population_equals_binary_search(spread: int, monkeypatch) -> None:
    """``wanted_unique``: the table is built over the dataset's ids (kept across imports)."""
    rng = np.random.default_rng(spread % 89)
    ids = np.unique(rng.integers(0, 5000, 3000)) * spread + 17
    population = rng.permutation(np.unique(np.concatenate([rng.choice(ids, 2000), rng.integers(-10, 5000 * spread + 40, 2000)])))
    known = {int(v): i for i, v in enumerate(ids.tolist())}
    expected = [known.get(int(w), -1) for w in population]
    monkeypatch.setattr(imports, "_DENSE_MIN", 1)
    assert imports.lookup(ids, population, wanted_unique=True).tolist() == expected
    other = ids[::2]  # a second variable into the same population reuses the population's table
    known2 = {int(v): i for i, v in enumerate(other.tolist())}
    assert imports.lookup(other, population, wanted_unique=True).tolist() == [known2.get(int(w), -1) for w in population]
    assert imports.lookup(ids, population).tolist() == expected  # the forward table, same answer
