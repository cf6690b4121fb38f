"""transitions-panel: a cell counts the persons making a transition, a margin is the sum of its
cells (so row percentages add up), checked against counts and keys computed here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.commands.describe import SEVERAL_ROWS_NOTE
from mdlang.commands.panel import transitions_panel
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax import ast

MASK = (1 << 64) - 1
PERSONS = 1500


def _context() -> tuple[AnalysisContext, np.ndarray, np.ndarray]:
    """Three times; a person's state is '1' until a switch time (pid % 3: 0 = never, 1 = at the
    second time, 2 = at the third) and '2' after it; persons with pid % 5 == 0 switch back at
    the third time."""
    pid = np.arange(1, PERSONS + 1, dtype=np.int64)
    ids = np.repeat(pid, 3)
    t = np.tile(np.arange(3), PERSONS)
    switch = np.repeat(np.where(pid % 3 == 0, 9, pid % 3), 3)
    state = np.where(t >= switch, "2", "1")
    back = np.repeat(pid % 5 == 0, 3) & (t == 2) & (switch == 1)
    state = np.where(back, "1", state)
    frame = pd.DataFrame({"s": pd.Categorical(state), "date@panel": (18000 + 365 * t).astype(np.float64)})
    ctx = AnalysisContext(
        frame=frame, contributors=Contributors(person_id=ids),
        variables={"s": VariableInfo("s", False), "date@panel": VariableInfo("date@panel", True)},
        unit_type="PERSON", kind="panel", gate=Gate(Policy(), bytes(range(32))), command="transitions-panel", line=1,
    )
    return ctx, ids, state


def _pairs(ids: np.ndarray, state: np.ndarray) -> pd.DataFrame:
    """Every consecutive (from, to) of every person, computed directly."""
    frm, to = state.reshape(-1, 3)[:, :-1].ravel(), state.reshape(-1, 3)[:, 1:].ravel()
    who = ids.reshape(-1, 3)[:, :-1].ravel()
    return pd.DataFrame({"who": who, "frm": frm, "to": to})


def test_transition_margins_are_sums_of_person_cells() -> None:
    ctx, ids, state = _context()
    gate = ctx.gate
    (r,) = transitions_panel(ctx, ast.Command("transitions-panel", (ast.Name("s"),)))
    pairs = _pairs(ids, state).drop_duplicates()
    keys = {}
    for (a, b), grp in pairs.groupby(["frm", "to"]):
        keys[(a, b)] = (len(grp), sum(int(k) for k in gate.record_keys(grp["who"].to_numpy())) & MASK)
    rows = r.data["rows"]
    assert r.data["columns"] == ["s", "1", "2", "Total"]
    # rows: (1, freq), (1, rowpct), (2, freq), (2, rowpct), (Total, freq), (Total, rowpct)
    for i, a in enumerate(("1", "2")):
        freq = rows[2 * i]
        for j, b in enumerate(("1", "2")):
            n, k = keys.get((a, b), (0, 0))
            assert freq[1 + j] == (gate.noisy_count(n, k) if n >= 10 else "<10")
        n_sum = sum(keys[(a, b)][0] for b in ("1", "2") if (a, b) in keys)
        k_sum = sum(keys[(a, b)][1] for b in ("1", "2") if (a, b) in keys) & MASK
        assert freq[-1] == gate.noisy_count(n_sum, k_sum)
        pct = rows[2 * i + 1]
        assert abs(pct[1] + pct[2] - 100.0) < 1.0
    assert SEVERAL_ROWS_NOTE in r.notes
