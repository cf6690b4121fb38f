"""import-event and import-panel seen from the multi-level side: spell boundaries, open spells,
several spells in the interval, panel dates (the engine implements them; these pin the rows
that collapse, merge and the panel commands receive)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_multilevel_store import STATUS_DATES, WAGE, N, build, session_after

from mdlang.datastore.dates import parse_date


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made multi-level store, built once per module."""
    return build(tmp_path_factory.mktemp("multi-store"))


def _events(store: Path, start: str, stop: str):
    ses = session_after(store, f"create-dataset e\nimport-event db/SIVSTAND {start} to {stop} as siv\n")
    return ses.datasets["e"]


@pytest.mark.parametrize(
    ("start", "stop", "rows", "values"),
    [
        ("2013-12-31", "2014-01-01", 2000, {"1"}),  # the odd persons' spell ends on the first day
        ("2014-01-01", "2015-06-30", 1000, {"1"}),  # the even persons' '2' starts the day after
        ("2015-06-30", "2015-07-01", 2000, {"1", "2"}),  # both of an even person's spells touch
        ("2016-01-01", "2017-12-31", 1000, {"2"}),  # only the open spell
        ("2010-01-01", "2020-12-31", 4000, {"1", "2", "3"}),  # every spell
    ],
)
def test_spell_boundaries(store: Path, start: str, stop: str, rows: int, values: set[str]) -> None:
    ds = _events(store, start, stop)
    assert ds.kind == "event" and len(ds) == rows
    assert set(ds.frame["siv"].astype(str)) == values
    assert ds.variables == ["siv", "START@siv", "STOP@siv"]


def test_open_spells_have_missing_stop(store: Path) -> None:
    ds = _events(store, "2019-01-01", "2019-12-31")
    siv = ds.frame["siv"].astype(str).to_numpy()
    stop = ds.frame["STOP@siv"].to_numpy(dtype=float)
    assert set(siv) == {"2", "3"} and np.isnan(stop).all()
    start = ds.frame["START@siv"].to_numpy(dtype=float)
    assert set(start[siv == "3"]) == {parse_date("2018-01-01")}


def test_several_spells_keep_person_order_and_contributors(store: Path) -> None:
    ds = _events(store, "2010-01-01", "2020-12-31")
    assert ds.ids.tolist()[:4] == [1, 1, 2, 2]
    assert ds.contributors.person_id.tolist() == ds.ids.tolist()
    starts = ds.frame["START@siv"].to_numpy(dtype=float)[:4]
    assert starts.tolist() == [parse_date("2012-01-01"), parse_date("2018-01-01"), parse_date("2010-01-01"), parse_date("2015-07-01")]


def test_panel_dates_and_values(store: Path) -> None:
    ses = session_after(store, "create-dataset p\nimport db/INNTEKT as inn\nclone-units p pan\nuse pan\n"
                               "import-panel db/LONN 2019-12-31 2020-12-31 2021-12-31\n")
    ds = ses.datasets["pan"]
    assert ds.kind == "panel" and len(ds) == 3 * N
    assert ds.frame["date@panel"].tolist()[:3] == [float(d) for d in STATUS_DATES]
    values = ds.frame["LONN"].to_numpy().reshape(N, 3)
    for k, d in enumerate(STATUS_DATES):
        np.testing.assert_allclose(values[:, k], WAGE[d])
    assert ds.contributors.person_id.tolist()[:6] == [1, 1, 1, 2, 2, 2]
