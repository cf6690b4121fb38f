"""import-panel's grid join (issue #10, workload 7: cells of units × dates, no sort of the rows)
builds exactly the panel of the sorted join it replaced — same ids, dates, values, column types and
contributors — into an empty dataset or a clone-units population, with dates given out of order,
missing values, units outside the population, rows not in date blocks, and a cell held twice
(where the sorted join's handling is kept)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.engine import imports
from mdlang.engine.dataset import Dataset

META = [
    VariableMetadata("A", "PERSON", Temporality.ACCUMULATED, DataType.LONG),
    VariableMetadata("B", "PERSON", Temporality.ACCUMULATED, DataType.DOUBLE),
    VariableMetadata("C", "PERSON", Temporality.STATUS, DataType.STRING, code_list=(Code("1", "x"), Code("2", "y"))),
]


def _part(rng: np.random.Generator, units: np.ndarray, dates: list[int], kind: str, blocks: bool) -> pd.DataFrame:
    rows = [(u, d) for d in dates for u in units if rng.random() < 0.75]
    frame = pd.DataFrame(rows, columns=["unit_id", "date"], dtype=np.int64)
    if not blocks:
        frame = frame.sample(frac=1.0, random_state=int(rng.integers(1000))).reset_index(drop=True)
    n = len(frame)
    if kind == "A":
        values = pd.array(rng.integers(0, 1000, n), dtype="Int64")
        values[rng.random(n) < 0.1] = pd.NA
        frame["value"] = values
    elif kind == "B":
        values = rng.normal(0, 1, n)
        values[rng.random(n) < 0.1] = np.nan
        frame["value"] = values
    else:
        frame["value"] = pd.Categorical(rng.choice(["1", "2"], n), categories=["1", "2"])
    return frame


def _build(parts: list[pd.DataFrame], population: np.ndarray | None) -> Dataset:
    ds = Dataset("p")
    if population is not None:
        ds.set_population("PERSON", population)
    imports.import_panel(ds, [(m.name, m, part) for m, part in zip(META, parts, strict=True)], None)
    return ds


@pytest.mark.parametrize("seed", range(6))
def test_grid_join_equals_the_sorted_join(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    units = np.sort(rng.choice(np.arange(10**6, 10**6 + 900), 150, replace=False)).astype(np.int64)
    dates = [int(d) for d in rng.choice(np.arange(18000, 19000), 6, replace=False)]
    blocks = seed % 3 != 2  # read_panel gives date blocks; a frame need not
    parts = [_part(rng, units, dates, m.name, blocks) for m in META]
    # a cell twice in another variable (the first row holding it wins), and in the first one
    parts[1] = pd.concat([parts[1].iloc[[5]].assign(value=-1.0), parts[1]], ignore_index=True)
    if seed % 2:
        parts[0] = pd.concat([parts[0], parts[0].iloc[[3]]], ignore_index=True)
    population = np.sort(rng.choice(units, 100, replace=False)) if seed >= 3 else None
    grid = _build(parts, population)
    monkeypatch.setattr(imports._PanelGrid, "of", classmethod(lambda cls, ds, first: None))  # the sorted join
    sorted_join = _build(parts, population)
    assert len(grid.ids) > 100
    np.testing.assert_array_equal(grid.ids, sorted_join.ids)
    np.testing.assert_array_equal(grid.contributors.person_id, sorted_join.contributors.person_id)
    pd.testing.assert_frame_equal(grid.frame, sorted_join.frame, check_exact=True)


def test_the_grid_is_used_and_declines_a_cell_held_twice() -> None:
    rng = np.random.default_rng(1)
    units = np.arange(1, 40, dtype=np.int64)
    first = _part(rng, units, [5, 3, 9], "A", True)
    assert imports._PanelGrid.of(Dataset("p"), first) is not None
    twice = pd.concat([first, first.iloc[[0]]], ignore_index=True)
    assert imports._PanelGrid.of(Dataset("p"), twice) is None
