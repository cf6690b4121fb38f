"""A differencing attack on the two counts a panel model releases: Number of obs (rows) and
Number of groups (persons).

Until this session both counts carried the same cell-key noise (the persons'), so a released
``n − n_groups`` was exactly rows − persons. Two fixed-effects models whose samples differ by one
person (say the attacker adds ``| id == p`` to the ``if`` of the first) then give that person's
number of panel rows exactly: ``(n_B − g_B) − (n_A − g_A) + 1``. The number of rows is unit-level
data: it says in how many years the person had a value of every variable in the model, which with
a suitable ``if`` can be the years on sick leave, on benefits or in a given municipality. The
residual dfs of the fixed-effects table (``N − n − K`` and the F test's denominator) released the
same difference.

Now each count has its own noise (``model_gate.row_count_noise`` for the rows) and the dfs are made
of the released counts. The attack below runs against many target persons: with one noise for
both counts (the rule switched off, as before) every answer is exact; with the fix the answers
scatter and the exact ones are a minority, so none can be trusted. (The overlap audit, D10, may
refuse the second model of such a pair on a real ledger; it is left out here so that the count
noise is tested on its own.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.commands.models_panel import regress_panel
from mdlang.disclosure import model_gate
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax.parser import parse

SECRET = bytes(range(32))
TARGETS = 40


def _panel(seed: int = 17, n_units: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = rng.integers(2, 7, n_units)
    ids = np.repeat(np.arange(n_units, dtype=np.int64) * 13 + 1000, rows)
    u = np.repeat(rng.normal(0, 2, n_units), rows)
    x1 = rng.normal(10, 3, len(ids)) + 0.5 * u
    x2 = rng.normal(0, 1, len(ids))
    y = 1.0 + 0.8 * x1 - 1.2 * x2 + u + rng.normal(0, 1.5, len(ids))
    return pd.DataFrame({"id": ids, "y": y, "x1": x1, "x2": x2})


def _fe(frame: pd.DataFrame) -> dict:
    stmt = parse("regress-panel y x1 x2, fe").statements[0]
    data = frame.drop(columns=["id"]).reset_index(drop=True)
    ctx = AnalysisContext(frame=data, contributors=Contributors(person_id=frame["id"].to_numpy()),
                          variables={c: VariableInfo(c, True) for c in data.columns}, unit_type="PERSON",
                          kind="panel", gate=Gate(Policy(), SECRET), command="regress-panel", line=1)
    (res,) = regress_panel(ctx, stmt)
    assert res.kind == "model"
    return res.data["stats"]


def _attack(panel: pd.DataFrame) -> list[tuple[int, int, int]]:
    """For each target person: (true rows, rows told by n − n_groups, rows told by the F test's df)."""
    out = []
    for person in panel["id"].unique()[:TARGETS]:
        a = _fe(panel[panel["id"] != person])
        b = _fe(panel)
        told = (b["n"] - b["n_groups"]) - (a["n"] - a["n_groups"]) + 1
        told_df = b["df_u_den"] - a["df_u_den"] + 1
        out.append((int((panel["id"] == person).sum()), int(told), int(told_df)))
    return out


def test_rows_of_one_person_are_exact_with_one_noise_for_both_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    # the rule off: the rows get the persons' noise, as before this session
    monkeypatch.setattr(model_gate, "row_count_noise", model_gate.count_noise)
    results = _attack(_panel())
    assert all(told == truth and told_df == truth for truth, told, told_df in results)


def test_rows_of_one_person_are_not_released_exactly() -> None:
    results = _attack(_panel())
    errors = [told - truth for truth, told, _ in results]
    # the df tells what the counts tell, no more
    assert all(told_df == told for _truth, told, told_df in results)
    exact = sum(e == 0 for e in errors)
    assert exact <= len(errors) // 2, errors
    assert len(set(errors)) >= 3, errors  # the answers scatter: a person's rows could be several values


def test_the_rows_noise_is_a_keyed_count_noise_of_its_own() -> None:
    panel = _panel()
    ids = panel["id"].to_numpy()
    gate = Gate(Policy(), SECRET)
    contributors = Contributors(person_id=ids)
    rows = np.arange(len(ids))
    first = model_gate.row_count_noise(gate, contributors, rows)
    # the same rows always get the same noise (no averaging over repeated runs), within D
    assert model_gate.row_count_noise(Gate(Policy(), SECRET), contributors, rows) == first
    assert abs(first) <= Policy().noise_bound
    # over many row sets it differs from the persons' noise
    rng = np.random.default_rng(3)
    differ = 0
    for _ in range(60):
        sample = np.sort(rng.choice(len(ids), len(ids) // 2, replace=False))
        differ += model_gate.row_count_noise(gate, contributors, sample) != model_gate.count_noise(gate, contributors, sample)
    assert differ >= 20
