"""tabulate and summarize on hand-built analysis contexts, checked against independent pandas/numpy."""

from __future__ import annotations

import re
from dataclasses import replace as dataclasses_replace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from mdlang.commands.describe import summarize, tabulate
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.quantiles import micro_quantile
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast

SECRET = bytes(range(32))
N = 12_000



#: Fyllingsdalen holds fewer than T persons in the whole dataset: it is pooled, not named.
RARE = "values of fewer than 10 persons each"

def make_frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "kjonn": pd.Categorical(rng.choice(["1", "2"], n), categories=["1", "2"]),
            "bydel": pd.Categorical(rng.choice(["01", "02", "03", "04"], n, p=[0.5, 0.3, 0.1996, 0.0004]), categories=["01", "02", "03", "04"]),
            "alder": rng.integers(0, 20, n).astype(np.int64),
            "bmi": np.where(rng.random(n) < 0.05, np.nan, rng.normal(21, 3, n)),
            "inntekt": rng.lognormal(12, 1, n),
        }
    )


VARS = {
    "kjonn": VariableInfo("kjonn", False, {"1": "Gutt", "2": "Jente"}),
    "bydel": VariableInfo("bydel", False, {"01": "Arna", "02": "Bergenhus", "03": "Fana", "04": "Fyllingsdalen"}),
    "alder": VariableInfo("alder", True),
    "bmi": VariableInfo("bmi", True),
    "inntekt": VariableInfo("inntekt", True),
}


def context(frame: pd.DataFrame | None = None, mask=None, ids=None, policy: Policy | None = None, command: str = "tabulate") -> AnalysisContext:
    frame = make_frame() if frame is None else frame
    ids = np.arange(len(frame), dtype=np.int64) * 3 + 11 if ids is None else ids
    return AnalysisContext(
        frame=frame,
        contributors=Contributors(person_id=ids),
        variables=VARS,
        unit_type="PERSON",
        kind="cross",
        gate=Gate(policy or Policy(), SECRET),
        command=command,
        line=7,
        mask=mask,
    )


def option(name: str, *args) -> ast.Option:
    items = tuple(ast.Name(a) if isinstance(a, str) and a.isidentifier() else (ast.Number(a) if isinstance(a, int) else ast.String(a)) for a in args)
    return ast.Option(name, items if args or name.endswith("sort") else None)


def command(name: str, *args: str, options: tuple = ()) -> ast.Command:
    return ast.Command(name, tuple(ast.Name(a) for a in args), options=options)


def run(ctx: AnalysisContext, stmt: ast.Command):
    fn = tabulate if stmt.name == "tabulate" else summarize
    (result,) = fn(ctx, stmt)
    return result


# -- tabulate -------------------------------------------------------------------------------------


def test_one_way_layout_labels_and_noise_bound() -> None:
    frame = make_frame()
    r = run(context(frame), command("tabulate", "kjonn"))
    d = r.data
    assert r.kind == "table" and r.command == "tabulate" and r.line == 7
    assert d["columns"] == ["kjonn", "Freq.", "Percent", "Cum."]
    assert [row[0] for row in d["rows"]] == ["Gutt", "Jente", "Total"]
    true = frame["kjonn"].value_counts().reindex(["1", "2"]).tolist()
    for row, t in zip(d["rows"][:2], true, strict=True):
        assert abs(row[1] - t) <= 3
    total = d["rows"][-1][1]
    assert abs(total - N) <= 3
    assert d["rows"][0][2] == round(100 * d["rows"][0][1] / total, 2)
    assert d["rows"][1][3] == round(d["rows"][0][2] + d["rows"][1][2], 2)
    assert any("perturbed" in n and "|noise| <= 3" in n for n in r.notes)


def test_nolabels_shows_codes() -> None:
    d = run(context(), command("tabulate", "kjonn", options=(option("nolabels"),))).data
    assert [row[0] for row in d["rows"]] == ["1", "2", "Total"]


def test_small_cell_is_suppressed_and_percentages_withheld() -> None:
    d = run(context(), command("tabulate", "bydel")).data
    fylling = d["rows"][3]
    assert fylling[0] == RARE and fylling[1] == "<10" and fylling[2] == "x" and fylling[3] == "x"


def test_filter_selects_only_the_masked_rows() -> None:
    frame = make_frame()
    mask = (frame["alder"] >= 10).to_numpy()
    d = run(context(frame, mask=mask), command("tabulate", "kjonn")).data
    true = frame.loc[mask, "kjonn"].value_counts().reindex(["1", "2"]).tolist()
    assert all(abs(row[1] - t) <= 3 for row, t in zip(d["rows"], true, strict=False))


def test_rephrased_filters_selecting_the_same_people_give_identical_output() -> None:
    frame = make_frame()
    a = (frame["alder"] > 9).to_numpy()
    b = ~(frame["alder"] <= 9).to_numpy()
    stmt = command("tabulate", "kjonn", "bydel")
    assert run(context(frame, mask=a), stmt).to_json() == run(context(frame, mask=b), stmt).to_json()
    # the same people in another row order
    perm = np.random.default_rng(3).permutation(len(frame))
    ids = np.arange(len(frame), dtype=np.int64) * 3 + 11
    shuffled = frame.iloc[perm].reset_index(drop=True)
    again = run(context(shuffled, mask=a[perm], ids=ids[perm]), stmt)
    assert again.to_json() == run(context(frame, mask=a), stmt).to_json()
    # repeating the query gives the same numbers
    assert run(context(frame, mask=a), stmt).to_json() == run(context(frame, mask=a), stmt).to_json()


def test_event_style_rows_count_persons_once() -> None:
    frame = make_frame(3000)
    ids = np.repeat(np.arange(1000, dtype=np.int64), 3)  # three rows per person
    frame["kjonn"] = pd.Categorical(np.repeat(np.random.default_rng(1).choice(["1", "2"], 1000), 3), categories=["1", "2"])
    d = run(context(frame, ids=ids), command("tabulate", "kjonn")).data
    true = pd.Series(frame["kjonn"].to_numpy()[::3]).value_counts().reindex(["1", "2"]).tolist()
    assert all(abs(row[1] - t) <= 3 for row, t in zip(d["rows"], true, strict=False))
    assert abs(d["rows"][-1][1] - 1000) <= 3


def test_two_way_layout_margins_and_rowpct() -> None:
    frame = make_frame()
    r = run(context(frame), command("tabulate", "kjonn", "bydel", options=(option("freq"), option("rowpct"))))
    d = r.data
    assert d["columns"] == ["kjonn", "Arna", "Bergenhus", "Fana", RARE, "Total"]
    assert d["content"] == ["freq", "rowpct"]
    assert [row[0] for row in d["rows"]] == ["Gutt", "Gutt", "Jente", "Jente", "Total", "Total"]
    true = pd.crosstab(frame["kjonn"], frame["bydel"]).to_numpy()
    freq = d["rows"][0]
    for c in range(3):
        assert abs(freq[1 + c] - true[0, c]) <= 3
    assert abs(freq[-1] - true[0].sum()) <= 3
    pct = d["rows"][1]
    assert pct[1] == round(100 * freq[1] / freq[-1], 2)
    assert pct[4] == "x"
    total_row = d["rows"][4]
    assert abs(total_row[-1] - N) <= 3


def test_percentages_only_when_freq_not_asked() -> None:
    d = run(context(), command("tabulate", "kjonn", "bydel", options=(option("colpct"),))).data
    assert d["content"] == ["colpct"]
    assert d["rows"][-1][1] == 100.0


def test_chi2_on_released_counts() -> None:
    frame = make_frame()
    d = run(context(frame), command("tabulate", "kjonn", "alder", options=(option("chi2"),))).data
    counts = np.array([row[1:-1] for row in d["rows"][:-1]], dtype=float)
    stat, p, df, _ = chi2_contingency(counts, correction=False)
    assert d["stats"]["chi2"] == pytest.approx(stat, rel=1e-3)
    assert d["stats"]["p"] == pytest.approx(p, rel=1e-3)
    assert d["stats"]["df"] == df == 19


def test_flatten_one_row_per_cell() -> None:
    d = run(context(), command("tabulate", "kjonn", "bydel", options=(option("flatten"),))).data
    assert d["columns"] == ["kjonn", "bydel", "Freq."]
    assert len(d["rows"]) == 2 * 4 + 1
    assert d["rows"][0][:2] == ["Gutt", "Arna"] and d["rows"][-1][0] == "Total"


def test_top_and_bottom_and_sorting() -> None:
    d = run(context(), command("tabulate", "bydel", options=(option("top", 2),))).data
    assert [row[0] for row in d["rows"]] == ["Arna", "Bergenhus", "Total"]
    d = run(context(), command("tabulate", "bydel", options=(option("bottom", 2),))).data
    assert [row[0] for row in d["rows"]] == [RARE, "Fana", "Total"]
    d = run(context(), command("tabulate", "bydel", options=(option("rowsort"),))).data
    assert [row[0] for row in d["rows"]] == [RARE, "Fana", "Bergenhus", "Arna", "Total"]
    d = run(context(), command("tabulate", "bydel", "kjonn", options=(option("colsort", "2"),))).data
    values = [row[2] for row in d["rows"][:-1]]
    assert values == sorted(values, key=lambda v: 0 if isinstance(v, str) else v)


def test_missing_option_adds_a_category() -> None:
    frame = make_frame()
    frame["bydel"] = frame["bydel"].astype(object).where(frame["alder"] != 3, None).astype(pd.CategoricalDtype(["01", "02", "03", "04"]))
    d = run(context(frame), command("tabulate", "bydel", options=(option("missing"),))).data
    assert d["rows"][-2][0] == "."
    assert abs(d["rows"][-2][1] - int((frame["alder"] == 3).sum())) <= 3
    d2 = run(context(frame), command("tabulate", "bydel")).data
    assert "." not in [row[0] for row in d2["rows"]]


def test_too_many_cells_is_refused() -> None:
    policy = Policy(max_table_cells=30)
    r = run(context(policy=policy), command("tabulate", "alder", "bydel"))
    assert r.kind == "refusal"
    assert "fewer categories" in r.data["remedy"]
    assert set(re.findall(r"\d+", r.data["text"])) == {"30"}


def test_summarize_option_gives_protected_cell_means() -> None:
    frame = make_frame()
    stmt = command("tabulate", "kjonn", options=(option("summarize", "bmi"), option("mean"), option("p50"), option("freq")))
    d = run(context(frame), stmt).data
    assert d["columns"] == ["kjonn", "Freq.", "mean(bmi)", "p50(bmi)"]
    valid = frame.dropna(subset=["bmi"])
    lo, hi = np.nanpercentile(frame["bmi"], [1, 99])
    for row, code in zip(d["rows"], ["1", "2"], strict=False):
        cell = np.clip(valid.loc[valid["kjonn"] == code, "bmi"].to_numpy(), lo, hi)
        assert row[2] == pytest.approx(cell.mean(), rel=0.002)
        assert row[3] == micro_quantile(np.sort(valid.loc[valid["kjonn"] == code, "bmi"].to_numpy()), 0.5, 10, 3)


def test_unknown_variable_error_names_it() -> None:
    with pytest.raises(MdlRuntimeError) as info:
        run(context(), command("tabulate", "kjønn"))
    assert info.value.message == "kjønn is not a variable of the active dataset"


# -- summarize ------------------------------------------------------------------------------------


def test_summarize_rows_against_independent_computation() -> None:
    frame = make_frame()
    r = run(context(frame, command="summarize"), command("summarize", "bmi", "inntekt", options=(option("iqr"),)))
    assert r.kind == "summary"
    d = r.data
    assert d["columns"] == ["Variable", "N", "Mean", "Std. dev.", "P1", "P25", "P50", "P75", "P99", "IQR"]
    for row, name in zip(d["rows"], ["bmi", "inntekt"], strict=True):
        x = frame[name].dropna().to_numpy()
        lo, hi = np.percentile(x, [1, 99])
        w = np.clip(x, lo, hi)
        assert row[0] == name
        assert abs(row[1] - len(x)) <= 3
        assert row[2] == pytest.approx(w.mean(), rel=0.002)
        assert row[3] == pytest.approx(w.std(ddof=1), rel=0.01)
        s = np.sort(x)
        assert row[4:9] == [micro_quantile(s, p, 10, 3) for p in (0.01, 0.25, 0.5, 0.75, 0.99)]
        assert min(x) not in row and max(x) not in row
        assert row[9] == pytest.approx(row[7] - row[5], rel=1e-3)


def test_summarize_all_numeric_by_default_and_small_groups() -> None:
    frame = make_frame()
    d = run(context(frame, command="summarize"), command("summarize")).data
    assert [row[0] for row in d["rows"]] == ["alder", "bmi", "inntekt"]
    mask = np.zeros(len(frame), dtype=bool)
    mask[:300] = True
    d = run(context(frame, mask=mask, command="summarize"), command("summarize", "inntekt", options=(option("gini"),))).data
    row = d["rows"][0]
    assert row[4] is None and row[8] is None  # p1/p99 need 1000 persons
    assert row[5] is not None and row[-1] is not None
    mask[:] = False
    mask[:8] = True
    d = run(context(frame, mask=mask, command="summarize"), command("summarize", "inntekt")).data
    assert d["rows"][0][1:] == ["<10"] * 8


def test_summarize_refuses_text_variables() -> None:
    with pytest.raises(MdlRuntimeError, match="kjonn is not numeric"):
        run(context(command="summarize"), command("summarize", "kjonn"))


def test_class_disclosure_withholds_small_groups_of_a_sensitive_variable() -> None:
    rng = np.random.default_rng(8)
    n = 4000
    frame = pd.DataFrame(
        {
            "skole": pd.Categorical(np.where(np.arange(n) < 30, "S1", rng.choice(["S2", "S3"], n)), categories=["S1", "S2", "S3"]),
            "angst": pd.Categorical(np.where(np.arange(n) < 30, "1", rng.choice(["0", "1"], n)), categories=["0", "1"]),
        }
    )
    variables = {"skole": VariableInfo("skole", False), "angst": VariableInfo("angst", False, sensitive=True)}
    ctx = dataclasses_replace(context(frame), variables=variables)
    r = run(ctx, command("tabulate", "skole", "angst"))
    rows = {row[0]: row for row in r.data["rows"]}
    assert rows["S1"][1:3] == ["x", "x"] and abs(rows["S1"][3] - 30) <= 3  # all 30 in S1 have angst
    assert all(isinstance(v, int) for v in rows["S2"][1:])
    assert any("class-disclosure" in note for note in r.notes)
    plain = {"skole": VariableInfo("skole", False), "angst": VariableInfo("angst", False)}
    r2 = run(dataclasses_replace(context(frame), variables=plain), command("tabulate", "skole", "angst"))
    assert r2.data["rows"][0][1] == "<10" and isinstance(r2.data["rows"][0][2], int)


def test_class_rule_on_one_way_table_of_small_selection() -> None:
    frame = make_frame()
    variables = dict(VARS, kjonn=VariableInfo("kjonn", False, sensitive=True))
    mask = np.zeros(len(frame), dtype=bool)
    mask[:40] = True
    r = run(dataclasses_replace(context(frame, mask=mask), variables=variables), command("tabulate", "kjonn"))
    assert [row[1] for row in r.data["rows"][:2]] == ["x", "x"]


def test_rows_do_not_depend_on_the_selection() -> None:
    frame = make_frame()
    mask = np.zeros(len(frame), dtype=bool)
    mask[np.flatnonzero((frame["bydel"] == "04").to_numpy())[:1]] = True  # one person in Fyllingsdalen
    d = run(context(frame, mask=mask), command("tabulate", "bydel")).data
    assert [row[0] for row in d["rows"]] == ["Arna", "Bergenhus", "Fana", RARE, "Total"]
    assert [row[1] for row in d["rows"]] == ["<10"] * 5
    nobody = run(context(frame, mask=np.zeros(len(frame), dtype=bool)), command("tabulate", "bydel")).data
    assert [row[1] for row in nobody["rows"]] == ["<10"] * 5
    s = run(context(frame, mask=np.zeros(len(frame), dtype=bool), command="summarize"), command("summarize", "bmi")).data
    assert s["rows"][0][1:] == ["<10"] * 8


# -- panel variants -------------------------------------------------------------------------------


def _panel() -> tuple[pd.DataFrame, np.ndarray, dict]:
    rng = np.random.default_rng(12)
    persons = 800
    dates = [18262.0, 18628.0]  # 2020-01-01 and 2021-01-01 as days since 1970
    ids = np.repeat(np.arange(persons, dtype=np.int64), 2)
    frame = pd.DataFrame(
        {
            "sivstand": pd.Categorical(rng.choice(["1", "2"], 2 * persons)),
            "lonn": rng.normal(500.0, 50.0, 2 * persons),
            "date@panel": np.tile(dates, persons),
        }
    )
    variables = {
        "sivstand": VariableInfo("sivstand", False, {"1": "Ugift", "2": "Gift"}),
        "lonn": VariableInfo("lonn", True),
        "date@panel": VariableInfo("date@panel", True),
    }
    return frame, ids, variables


def test_tabulate_panel_has_times_as_columns() -> None:
    frame, ids, variables = _panel()
    ctx = dataclasses_replace(context(frame, ids=ids, command="tabulate-panel"), variables=variables)
    from mdlang.commands.describe import tabulate_panel

    (r,) = tabulate_panel(ctx, command("tabulate-panel", "sivstand"))
    assert r.data["columns"] == ["sivstand", "2020-01-01", "2021-01-01", "Total"]
    first = frame[frame["date@panel"] == 18262.0]
    assert abs(r.data["rows"][0][1] - int((first["sivstand"] == "1").sum())) <= 3
    # several rows per person: margins are sums of their cells (person-times), not distinct persons
    assert abs(r.data["rows"][-1][-1] - 1600) <= 3
    assert abs(r.data["rows"][-1][1] - 800) <= 3  # each time counts its 800 persons
    assert abs(r.data["rows"][0][-1] - int((frame["sivstand"] == "1").sum())) <= 3
    assert any(n.startswith("Several rows per person") for n in r.notes)


def test_summarize_panel_one_row_per_time() -> None:
    frame, ids, variables = _panel()
    ctx = dataclasses_replace(context(frame, ids=ids, command="summarize-panel"), variables=variables)
    from mdlang.commands.describe import summarize_panel

    (r,) = summarize_panel(ctx, command("summarize-panel", "lonn"))
    assert r.data["columns"][:3] == ["Variable", "Time", "N"]
    assert [row[:2] for row in r.data["rows"]] == [["lonn", "2020-01-01"], ["lonn", "2021-01-01"]]
    for row, day in zip(r.data["rows"], (18262.0, 18628.0), strict=True):
        x = frame.loc[frame["date@panel"] == day, "lonn"].to_numpy()
        assert abs(row[2] - 800) <= 3
        lo, hi = np.percentile(frame["lonn"], [1, 99])
        assert row[3] == pytest.approx(np.clip(x, lo, hi).mean(), rel=0.001)


def test_panel_commands_need_a_panel() -> None:
    from mdlang.commands.describe import summarize_panel

    with pytest.raises(MdlRuntimeError, match="summarize-panel needs a panel dataset"):
        summarize_panel(context(command="summarize-panel"), command("summarize-panel", "bmi"))


def test_rowsort_by_a_row_code_orders_the_columns() -> None:
    frame = make_frame()
    d = run(context(frame), command("tabulate", "kjonn", "bydel", options=(option("rowsort", "2"),))).data
    jente = d["rows"][1]
    assert jente[0] == "Jente"
    values = jente[1:-1]
    assert values == sorted(values, key=lambda v: 0 if isinstance(v, str) else v)
    assert d["columns"][1] == RARE
