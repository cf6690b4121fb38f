"""read_panel's one-pass reader for dated numbers (issue #10, workload 7) returns exactly the frame
of the general path (read the overlapping rows, then pick each date's rows from them): the same
rows in the same order, the same values and the same column types — with missing values, open
and shared-day spells, status dates, dates given out of order or twice, and units whose rows
straddle row groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore import writer
from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.datastore.reader import _Columns, _select_at, _values
from mdlang.datastore.store import open_datastore, write_version
from mdlang.disclosure.policy import default_policy_text

N_UNITS = 400


def _spells(rng: np.random.Generator, temporality: Temporality, dtype: DataType) -> pd.DataFrame:
    rows = []
    for u in range(N_UNITS):
        day = int(rng.integers(0, 300))
        for _ in range(int(rng.integers(0, 7))):
            value = None if rng.random() < 0.08 else float(rng.integers(-50, 10**6))
            if temporality is Temporality.STATUS:
                rows.append((u * 3 + 1, value, int(rng.choice([100, 465, 830, 1195])), None))
                continue
            length = int(rng.integers(0, 700))
            stop = None if (temporality is Temporality.EVENT and rng.random() < 0.15) else day + length
            rows.append((u * 3 + 1, value, day, stop))
            day += length + int(rng.integers(0, 2))  # 0: the next spell starts on this one's last day
    frame = pd.DataFrame(rows, columns=["unit_id", "value", "start", "stop"])
    frame = frame.drop_duplicates(["unit_id", "start"]).reset_index(drop=True)
    frame["value"] = frame["value"].astype("Int64" if dtype is DataType.LONG else "float64")
    frame["start"] = frame["start"].astype("Int64")
    frame["stop"] = frame["stop"].astype("Int64")
    return frame


VARIABLES = [
    ("ACC_L", Temporality.ACCUMULATED, DataType.LONG),
    ("ACC_D", Temporality.ACCUMULATED, DataType.DOUBLE),
    ("EVT_L", Temporality.EVENT, DataType.LONG),
    ("EVT_D", Temporality.EVENT, DataType.DOUBLE),
    ("STA_L", Temporality.STATUS, DataType.LONG),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    rng = np.random.default_rng(5)
    variables = [(VariableMetadata(name, "PERSON", t, d, title={"no": name}), _spells(rng, t, d))
                 for name, t, d in VARIABLES]
    # no nulls at all in one variable: the LONG column then stays int64
    variables.append((VariableMetadata("FULL_L", "PERSON", Temporality.ACCUMULATED, DataType.LONG, title={"no": "F"}),
                      variables[0][1].assign(value=variables[0][1]["value"].fillna(7))))
    root = tmp_path_factory.mktemp("panel-reader")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "ROW_GROUP_SIZE", 97)  # many row groups; units straddle them
        write_version(root, "no.test.pr", 1, variables, policy_text=default_policy_text(), secret=bytes(32))
    return open_datastore("no.test.pr", 1, [str(root)])


def _general(ds, var: str, dates: list[int]) -> pd.DataFrame:
    """The general path: the rows overlapping the dates, then each date's rows picked from them."""
    meta = ds.metadata(var)
    first, last = min(dates), max(dates)
    table = ds._read(meta, ["unit_id", "value", "start_epoch_days", "stop_epoch_days"],
                     lambda s, e: (s <= last) & (np.isnan(e) | (e >= first)))
    cols = _Columns(table)
    picks = [_select_at(meta, cols, d) for d in dates]
    rows = np.concatenate(picks)
    return pd.DataFrame({
        "unit_id": cols.unit[rows],
        "date": np.concatenate([np.full(len(p), d, dtype=np.int64) for p, d in zip(picks, dates, strict=True)]),
        "value": _values(meta, table.column("value"), rows),
    })


DATES = {
    "ordered": [120, 465, 800, 830, 1195, 1500],
    "shuffled": [1195, 100, 830, 465],
    "twice": [465, 830, 465],
    "one": [830],
    "none valid": [5000],
}


@pytest.mark.parametrize("var", [v[0] for v in VARIABLES] + ["FULL_L"])
@pytest.mark.parametrize("case", list(DATES))
def test_one_pass_reader_equals_the_general_path(store, var: str, case: str) -> None:
    dates = DATES[case]
    if var.startswith("STA"):
        dates = [d for d in dates if d in (100, 465, 830, 1195)] or [100]
    got = store.read_panel(var, dates)
    want = _general(store, var, dates)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    if case != "none valid":
        assert len(got) > 0


def test_the_missing_values_and_types_are_those_of_the_general_path(store) -> None:
    # guards against a vacuous comparison: the fixture has nulls, open spells and int64 columns
    assert store.read_panel("ACC_L", DATES["ordered"])["value"].dtype == "Int64"
    assert store.read_panel("ACC_L", DATES["ordered"])["value"].isna().any()
    assert store.read_panel("FULL_L", DATES["ordered"])["value"].dtype == np.int64
    assert store.read_panel("EVT_D", [10**4])["value"].notna().any()  # open spells reach far dates
