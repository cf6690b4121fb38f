"""What tabulate and summarize count when rows are not one per person: person-times in panel
and event datasets, units in collapsed datasets — checked against counts and keys computed here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.commands.describe import SEVERAL_ROWS_NOTE, summarize, tabulate
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax import ast

SECRET = bytes(range(32))
MASK = (1 << 64) - 1


def _ctx(frame: pd.DataFrame, contributors: Contributors, variables: dict, unit: str = "PERSON", command: str = "tabulate") -> AnalysisContext:
    return AnalysisContext(
        frame=frame, contributors=contributors, variables=variables, unit_type=unit, kind="cross",
        gate=Gate(Policy(), SECRET), command=command, line=3,
    )


def _cmd(name: str, *args: str) -> ast.Command:
    return ast.Command(name, tuple(ast.Name(a) for a in args))


def _key_sum(gate: Gate, ids: np.ndarray) -> int:
    """Sum of the record keys of distinct ids, mod 2**64, in Python integers."""
    return sum(int(k) for k in gate.record_keys(np.unique(ids))) & MASK


# -- several rows per person -------------------------------------------------------------------


def _panel(persons: int = 900, times: int = 2) -> tuple[pd.DataFrame, np.ndarray]:
    ids = np.repeat(np.arange(1, persons + 1, dtype=np.int64), times)
    year = np.tile(np.arange(2018, 2018 + times), persons)
    return pd.DataFrame({"date@panel": pd.Categorical(year.astype(str))}), ids


PANEL_VARS = {"date@panel": VariableInfo("date@panel", True)}


def test_panel_one_way_total_is_the_sum_of_cells_and_percentages_end_at_100() -> None:
    frame, ids = _panel()
    ctx = _ctx(frame, Contributors(person_id=ids), PANEL_VARS)
    (r,) = tabulate(ctx, _cmd("tabulate", "date@panel"))
    rows = r.data["rows"]
    gate = ctx.gate
    cell_keys = [_key_sum(gate, ids[frame["date@panel"] == y]) for y in ("2018", "2019")]
    assert [row[1] for row in rows[:2]] == [gate.noisy_count(900, k) for k in cell_keys]
    assert rows[-1][1] == gate.noisy_count(1800, sum(cell_keys) & MASK)
    assert rows[-1][:3] == ["Total", rows[-1][1], 100.0]
    for row in rows[:2]:
        assert row[2] == min(round(100.0 * row[1] / rows[-1][1], 2), 100.0)
        assert abs(row[2] - 50.0) < 0.5
    assert rows[1][3] == min(round(rows[0][2] + rows[1][2], 2), 100.0)
    assert abs(rows[1][3] - 100.0) < 0.5
    assert SEVERAL_ROWS_NOTE in r.notes


def test_sum_of_cells_is_withheld_when_its_distinct_persons_are_below_the_threshold() -> None:
    # 4 persons seen in 6 years: every cell and the total (24 person-years) rest on 4 persons
    frame, ids = _panel(persons=4, times=6)
    (r,) = tabulate(_ctx(frame, Contributors(person_id=ids), PANEL_VARS), _cmd("tabulate", "date@panel"))
    assert [row[1] for row in r.data["rows"]] == ["<10"] * 7


def test_two_way_margins_on_a_panel_are_sums_of_their_cells() -> None:
    frame, ids = _panel(persons=1200, times=3)
    group = np.where(ids % 3 == 0, "a", "b")
    frame["g"] = pd.Categorical(group)
    variables = {**PANEL_VARS, "g": VariableInfo("g", False)}
    ctx = _ctx(frame, Contributors(person_id=ids), variables)
    (r,) = tabulate(ctx, _cmd("tabulate", "g", "date@panel"))
    gate = ctx.gate
    a_rows = frame["g"] == "a"
    assert r.data["columns"] == ["g", "2018", "2019", "2020", "Total"]
    # row margin of a: 400 persons x 3 years, keyed on the sum of its three cells' keys
    keys = [_key_sum(gate, ids[a_rows & (frame["date@panel"] == y)]) for y in ("2018", "2019", "2020")]
    assert r.data["rows"][0][-1] == gate.noisy_count(1200, sum(keys) & MASK)
    # a column margin counts the 1200 persons of its year
    year_key = _key_sum(gate, ids[frame["date@panel"] == "2019"])
    assert r.data["rows"][-1][2] == gate.noisy_count(1200, year_key)
    assert abs(r.data["rows"][-1][-1] - 3600) <= 3


def test_one_row_per_person_is_unchanged() -> None:
    ids = np.arange(1, 2001, dtype=np.int64)
    frame = pd.DataFrame({"g": pd.Categorical(np.where(ids % 4 == 0, "a", "b"))})
    ctx = _ctx(frame, Contributors(person_id=ids), {"g": VariableInfo("g", False)})
    (r,) = tabulate(ctx, _cmd("tabulate", "g"))
    assert r.data["rows"][-1][1] == ctx.gate.noisy_count(2000, _key_sum(ctx.gate, ids))
    assert SEVERAL_ROWS_NOTE not in r.notes


# -- collapsed datasets ------------------------------------------------------------------------

PERSONS = np.array([4000, 5200, 3100, 6000, 2500, 4700, 5600, 6432], dtype=np.int64)
KEYS = np.array([(0x9E3779B97F4A7C15 * (i + 1)) & MASK for i in range(8)], dtype=np.uint64)
BYDEL_VARS = {
    "bydel": VariableInfo("bydel", False, {"01": "Arna", "02": "Bergenhus"}),
    "vekt": VariableInfo("vekt", True),
}


def _collapsed(persons: np.ndarray = PERSONS) -> tuple[pd.DataFrame, Contributors]:
    frame = pd.DataFrame(
        {
            "bydel": pd.Categorical(["01", "01", "01", "02", "02", "02", "02", "02"]),
            "vekt": [3400.0, 3500.0, np.nan, 3300.0, 3450.0, 3380.0, 3520.0, 3410.0],
        }
    )
    return frame, Contributors(count=persons, key_sum=KEYS)


def test_summarize_on_a_collapsed_dataset_counts_units() -> None:
    frame, contributors = _collapsed()
    ctx = _ctx(frame, contributors, BYDEL_VARS, unit="BYDEL", command="summarize")
    (r,) = summarize(ctx, _cmd("summarize", "vekt"))
    valid = ~np.isnan(frame["vekt"].to_numpy())
    key = sum(int(k) for k in KEYS[valid]) & MASK
    assert r.data["rows"][0][:2] == ["vekt", ctx.gate.noisy_count(7, key)]
    assert r.notes[1] == (
        "Each row of this dataset aggregates several persons: N and counts are numbers of units (bydel), "
        "perturbed; the threshold of 10 applies to the persons behind them."
    )


def test_summarize_on_a_collapsed_dataset_withholds_n_of_few_persons() -> None:
    frame, contributors = _collapsed(np.array([1, 1, 1, 1, 1, 1, 1, 1], dtype=np.int64))
    (r,) = summarize(_ctx(frame, contributors, BYDEL_VARS, command="summarize"), _cmd("summarize", "vekt"))
    assert r.data["rows"][0][1] == "<10"


def test_tabulate_on_a_collapsed_dataset_counts_units_per_cell() -> None:
    frame, contributors = _collapsed()
    ctx = _ctx(frame, contributors, BYDEL_VARS, unit="BYDEL")
    (r,) = tabulate(ctx, _cmd("tabulate", "bydel"))
    gate = ctx.gate
    first = sum(int(k) for k in KEYS[:3]) & MASK
    second = sum(int(k) for k in KEYS[3:]) & MASK
    assert [row[:2] for row in r.data["rows"]] == [
        ["Arna", gate.noisy_count(3, first)],
        ["Bergenhus", gate.noisy_count(5, second)],
        ["Total", gate.noisy_count(8, (first + second) & MASK)],
    ]
    assert r.notes[0].endswith("counts of fewer than 10 persons are shown as <10.")


def test_tabulate_cell_of_a_collapsed_dataset_with_few_persons_is_withheld() -> None:
    persons = PERSONS.copy()
    persons[:3] = [2, 3, 1]  # Arna: 3 units, 6 persons
    frame, contributors = _collapsed(persons)
    (r,) = tabulate(_ctx(frame, contributors, BYDEL_VARS, unit="BYDEL"), _cmd("tabulate", "bydel"))
    rows = {row[0]: row for row in r.data["rows"]}
    assert rows["values of fewer than 10 persons each"][1:3] == ["<10", "x"]  # Arna, pooled
    assert "Arna" not in rows
    assert all(isinstance(row[1], int) for label, row in rows.items() if label != "values of fewer than 10 persons each")
