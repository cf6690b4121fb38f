"""Red-team attacks at the gate level (commands called directly on a frame): A01, A02, A05, A06,
A13–A15, A20, A23. The script-level versions are in test_attacks.py.

A canary is one synthetic person; an attack fails when the released outputs do not pin down the
canary's value (binary: posterior <= 0.9; continuous: off by more than 10 %) or are refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.commands.describe import summarize, tabulate
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax import ast

N = 5000
RNG = np.random.default_rng(2024)
FRAME = pd.DataFrame(
    {
        "skole": pd.Categorical(RNG.choice(["A", "B", "C"], N)),
        "trinn": RNG.integers(1, 11, N).astype(np.int64),
        "angst": pd.Categorical(RNG.choice(["0", "1"], N, p=[0.9, 0.1])),
        "inntekt": RNG.lognormal(12, 0.7, N),
    }
)
CANARY = 17
FRAME.loc[CANARY, "inntekt"] = 2_000_000.0
IDS = np.arange(N, dtype=np.int64) + 1000
VARS = {name: VariableInfo(name, name in ("trinn", "inntekt")) for name in FRAME.columns}


def _ctx(mask=None, frame=FRAME, ids=IDS) -> AnalysisContext:
    return AnalysisContext(frame, Contributors(person_id=ids), VARS, "PERSON", "cross", Gate(Policy(), b"redteam-secret-0123456789abcdef!"), "x", 1, mask)


def _cmd(name: str, *args: str, options=()) -> ast.Command:
    return ast.Command(name, tuple(ast.Name(a) for a in args), options=options)



def test_a01_a02_isolating_condition_shows_nothing_about_the_canary() -> None:
    alone = np.zeros(N, dtype=bool)
    alone[CANARY] = True
    (tab,) = tabulate(_ctx(alone), _cmd("tabulate", "angst"))
    assert [row[1] for row in tab.data["rows"]] == ["<10", "<10", "<10"]
    (summ,) = summarize(_ctx(alone), _cmd("summarize", "inntekt"))
    assert summ.data["rows"][0][1:] == ["<10"] * 8


def test_a05_a06_repetition_and_rephrasing_give_one_answer() -> None:
    group = (FRAME["trinn"] > 8).to_numpy()
    rephrased = ~(FRAME["trinn"] <= 8).to_numpy()
    outputs = {tabulate(_ctx(group), _cmd("tabulate", "skole"))[0].to_json() for _ in range(25)}
    outputs.add(tabulate(_ctx(rephrased), _cmd("tabulate", "skole"))[0].to_json())
    copied = FRAME.assign(skole2=FRAME["skole"])
    gate = Gate(Policy(), b"redteam-secret-0123456789abcdef!")
    variables = {**VARS, "skole2": VariableInfo("skole2", False)}
    ctx = AnalysisContext(copied, Contributors(person_id=IDS), variables, "PERSON", "cross", gate, "x", 1, group)
    copy_rows = tabulate(ctx, _cmd("tabulate", "skole2"))[0].data["rows"]
    assert len(outputs) == 1
    assert [r[1:] for r in copy_rows] == [r[1:] for r in tabulate(_ctx(group), _cmd("tabulate", "skole"))[0].data["rows"]]


def test_a13_a14_no_extremes_and_no_median_of_a_crafted_small_group() -> None:
    small = np.zeros(N, dtype=bool)
    small[CANARY] = True
    small[np.flatnonzero(FRAME["inntekt"].to_numpy() < 100_000)[:10]] = True  # 11 persons
    (summ,) = summarize(_ctx(small), _cmd("summarize", "inntekt"))
    row = summ.data["rows"][0]
    assert row[4:9] == [None] * 5  # no percentile for fewer than 2k persons
    everyone = summarize(_ctx(), _cmd("summarize", "inntekt"))[0].data["rows"][0]
    x = FRAME["inntekt"].to_numpy()
    assert x.min() not in everyone and x.max() not in everyone


def test_a15_dominance_hides_a_canary_holding_most_of_a_sum() -> None:
    frame = FRAME.copy()
    frame["inntekt"] = 1.0
    frame.loc[np.arange(100, 200), "inntekt"] = 10_000.0  # keeps the canary below the p99 bound
    frame.loc[CANARY, "inntekt"] = 9_000.0
    group = np.zeros(N, dtype=bool)
    group[:40] = True
    opts = (ast.Option("summarize", (ast.Name("inntekt"),)), ast.Option("sum"))
    ctx = _ctx(group, frame=frame)
    (tab,) = tabulate(ctx, _cmd("tabulate", "angst", options=opts))
    released = [row[1] for row in tab.data["rows"]]
    assert "x" in released


def test_a20_many_rows_per_person_count_once() -> None:
    ids = np.repeat(IDS[:100], 50)
    frame = FRAME.iloc[np.repeat(np.arange(100), 50)].reset_index(drop=True)
    (tab,) = tabulate(_ctx(frame=frame, ids=ids), _cmd("tabulate", "skole"))
    assert abs(tab.data["rows"][-1][1] - 100) <= 3


def test_a23_no_unrounded_magnitudes() -> None:
    (summ,) = summarize(_ctx(), _cmd("summarize", "inntekt"))
    for value in summ.data["rows"][0][2:]:
        digits = f"{value:.15g}".replace(".", "").replace("-", "").strip("0")
        assert len(digits) <= 4
