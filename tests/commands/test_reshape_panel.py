"""reshape-to-panel / reshape-from-panel (round trip, suffixes, contributors) and the panel
analyses on both kinds of panel (import-panel and reshape-to-panel)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_multilevel_store import INCOME, STATUS_DATES, WAGE, N, build, run, session_after

from mdlang.errors import MdlError


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made multi-level store, built once per module."""
    return build(tmp_path_factory.mktemp("multi-store"))

WIDE = ("create-dataset p\nimport db/KJOENN as kj\n"
        "import db/LONN 2019-12-31 as lønn2019\nimport db/LONN 2020-12-31 as lønn2020\nimport db/LONN 2021-12-31 as lønn2021\n"
        "generate hoy2019 = lønn2019 > 300000\ngenerate hoy2021 = lønn2021 > 300000\n")


def test_reshape_to_panel_layout(store: Path) -> None:
    ds = session_after(store, WIDE + "reshape-to-panel lønn hoy\n").datasets["p"]
    assert ds.kind == "panel" and len(ds) == 3 * N
    assert ds.variables == ["kj", "lønn", "hoy", "date@panel"]
    assert ds.frame["date@panel"].tolist()[:6] == [2019.0, 2020.0, 2021.0] * 2
    assert ds.ids.tolist()[:6] == [1, 1, 1, 2, 2, 2]
    assert ds.contributors.person_id.tolist()[:6] == [1, 1, 1, 2, 2, 2]
    lønn = ds.frame["lønn"].to_numpy().reshape(N, 3)
    for k, d in enumerate(STATUS_DATES):
        np.testing.assert_allclose(lønn[:, k], WAGE[d])
    hoy = ds.frame["hoy"].to_numpy(dtype=float).reshape(N, 3)
    assert np.isnan(hoy[:, 1]).all()  # no hoy2020: missing for that suffix
    assert (hoy[:, 0] == (WAGE[STATUS_DATES[0]] > 300000)).all()
    assert ds.frame["kj"].astype(str).tolist()[:6] == ["1", "1", "1", "2", "2", "2"]  # fixed, repeated


def test_round_trip(store: Path) -> None:
    ses = session_after(store, WIDE + "clone-dataset p orig\nreshape-to-panel lønn\nreshape-from-panel\n")
    back, orig = ses.datasets["p"], ses.datasets["orig"]
    assert back.kind == "cross" and back.ids.tolist() == orig.ids.tolist()
    assert back.contributors.person_id.tolist() == orig.contributors.person_id.tolist()
    for year in (2019, 2020, 2021):
        np.testing.assert_allclose(back.frame[f"lønn{year}"], orig.frame[f"lønn{year}"])
    # fixed variables come back suffixed, as in the manual (drop kj2020 / rename kj2019 kj)
    assert {"kj2019", "kj2020", "kj2021", "hoy20192019"} <= set(back.variables)
    assert back.frame["kj2019"].astype(str).tolist() == orig.frame["kj"].astype(str).tolist()


def test_import_panel_spreads_with_dates(store: Path) -> None:
    ses = session_after(store, "create-dataset p\nimport db/INNTEKT as inn\nclone-units p pan\nuse pan\n"
                        "import-panel db/LONN 2019-12-31 2021-12-31\nreshape-from-panel\n")
    ds = ses.datasets["pan"]
    assert ds.variables == ["LONN20191231", "LONN20211231"]
    np.testing.assert_allclose(ds.frame["LONN20211231"], WAGE[STATUS_DATES[2]])


def test_underscore_suffixes(store: Path) -> None:
    ds = session_after(store, "create-dataset p\nimport db/INNTEKT as x2021_01_01\ngenerate x2021_06_30 = x2021_01_01 * 2\n"
                       "reshape-to-panel x\n").datasets["p"]
    assert sorted(set(ds.frame["date@panel"])) == [20210101.0, 20210630.0]
    assert ds.code_labels["date@panel"][20210630.0] == "2021_06_30"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("reshape-to-panel inntekt", "there are no variables named inntekt followed by digits"),
        ("generate lønn2019x = 1\nreshape-to-panel lønn", "the suffix of lønn2019x after lønn is not made of digits"),
        ("generate lønn = 1\nreshape-to-panel lønn", "the variable lønn already exists, so the long variable cannot take its name"),
        ("reshape-from-panel", "reshape-from-panel needs a panel dataset; p is a cross-section dataset"),
        ("reshape-to-panel lønn\nreshape-to-panel hoy", "reshape-to-panel needs a cross-section dataset; p is a panel dataset"),
    ],
)
def test_reshape_errors(store: Path, body: str, message: str) -> None:
    with pytest.raises(MdlError) as info:
        session_after(store, WIDE + body + "\n")
    assert info.value.message == message


def test_collapsed_rows_are_not_reshaped(store: Path) -> None:
    with pytest.raises(MdlError) as info:
        session_after(store, "create-dataset p\nimport db/INNTEKT as inn2019\nimport db/BOSTED as kom\n"
                      "collapse (mean) inn2019, by(kom)\nreshape-to-panel inn\n")
    assert info.value.message.startswith("reshape-to-panel works on datasets of persons")


PANEL = ("create-dataset p\nimport db/INNTEKT as inn\nclone-units p pan\nuse pan\n"
         "import-panel db/LONN 2019-12-31 2020-12-31 2021-12-31\ngenerate nivå = 1 + (LONN > 250000) + (LONN > 400000)\n")


def _true_transitions() -> dict[tuple[int, int], int]:
    """Distinct persons per (from, to) level between consecutive dates, computed directly."""
    level = [1 + (WAGE[d] > 250000).astype(int) + (WAGE[d] > 400000).astype(int) for d in STATUS_DATES]
    persons: dict[tuple[int, int], set[int]] = {}
    for a, b in ((0, 1), (1, 2)):
        for i in range(N):
            persons.setdefault((int(level[a][i]), int(level[b][i])), set()).add(i)
    return {k: len(v) for k, v in persons.items()}


def test_transitions_panel_counts_persons(store: Path) -> None:
    results = [r for r in run(store, PANEL + "transitions-panel nivå\n") if r.command == "transitions-panel"]
    data = results[0].data
    assert data["columns"] == ["nivå", "1", "2", "3", "Total"]
    assert data["content"] == ["freq", "rowpct"]
    truth = _true_transitions()
    freq_rows = data["rows"][0:6:2]
    for a, row in enumerate(freq_rows, start=1):
        for b, value in enumerate(row[1:4], start=1):
            true = truth.get((a, b), 0)
            if true >= 20:
                assert abs(value - true) <= 3
            elif true < 7:
                assert value == "<10"
    assert any("persons making each transition" in note for note in results[0].notes)


def test_transitions_with_if_and_missing(store: Path) -> None:
    body = PANEL + "replace nivå = . if date@panel == date(2020,12,31)\ntransitions-panel nivå\n"
    table = [r for r in run(store, body) if r.command == "transitions-panel"][0].data
    # every transition touches 2020 (missing), so nothing remains: all cells suppressed
    assert all(v == "<10" for row in table["rows"][0::2] for v in row[1:] if v is not None)


def test_panel_analyses_on_reshaped_panel(store: Path) -> None:
    results = run(store, WIDE + "reshape-to-panel lønn\nsummarize-panel lønn\ntabulate-panel kj\ntransitions-panel kj\n")
    summary = next(r for r in results if r.command == "summarize-panel").data
    assert [row[0] for row in summary["rows"]] == ["lønn"] * 3
    lo, hi = np.percentile(np.concatenate([WAGE[d] for d in STATUS_DATES]), [1, 99])
    for row, d in zip(summary["rows"], STATUS_DATES, strict=True):
        assert abs(row[2] - N) <= 3
        assert row[3] == pytest.approx(np.clip(WAGE[d], lo, hi).mean(), rel=0.01)
    table = next(r for r in results if r.command == "tabulate-panel").data
    assert table["columns"][-1] == "Total" and len(table["columns"]) == 5
    assert abs(table["rows"][-1][-1] - 3 * N) <= 3  # the grand total sums its cells: person-times
    transitions = next(r for r in results if r.command == "transitions-panel").data
    assert abs(transitions["rows"][0][1] - N // 2) <= 3 and transitions["rows"][0][2] == "<10"


def test_transitions_needs_a_panel(store: Path) -> None:
    with pytest.raises(MdlError) as info:
        run(store, "create-dataset p\nimport db/KJOENN as kj\ntransitions-panel kj\n")
    assert "needs a panel dataset" in info.value.message
    assert INCOME.size == N


def test_suffixes_survive_clone(store: Path) -> None:
    ses = session_after(store, WIDE + "reshape-to-panel lønn\nclone-dataset p kopi\nuse kopi\nreshape-from-panel\n")
    assert {"lønn2019", "lønn2020", "lønn2021"} <= set(ses.datasets["kopi"].variables)


def test_tabulate_panel_names_reshaped_times_by_their_suffix(store: Path) -> None:
    """Two-digit suffixes (the manual's 18/19/20 style) are times, not days since 1970."""
    script = ("create-dataset p\nimport db/KJOENN as kj\n"
              "import db/LONN 2019-12-31 as l19\nimport db/LONN 2020-12-31 as l20\n"
              "generate h19 = l19 > 300000\ngenerate h20 = l20 > 300000\n"
              "reshape-to-panel h\ntabulate-panel kj\n")
    table = run(store, script)[-1]
    assert table.kind == "table"
    header = " ".join(str(c) for c in table.data["columns"])
    assert "19" in header and "20" in header and "1970" not in header
