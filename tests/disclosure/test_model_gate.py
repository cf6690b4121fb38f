"""The model gate (D7): every rule has a model that trips it (attacks A09-A11), refusals carry
fixed texts without data-derived numbers, and released numbers have 4 significant digits."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mdlang.commands.models_glm import ml_model
from mdlang.commands.models_regress import regress
from mdlang.disclosure import model_gate
from mdlang.disclosure.audit import AuditLog
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax.parser import parse

SECRET = bytes(range(32))


def data(n: int = 2000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = pd.DataFrame({
        "x": rng.normal(0, 1, n),
        "skole": rng.integers(1, 6, n).astype(np.float64),
        "faar": rng.integers(2005, 2010, n).astype(np.float64),
        "kjonn": rng.integers(1, 3, n).astype(np.float64),
    })
    f["bmi"] = 20 + f["x"] + rng.normal(0, 2, n)
    f["angst"] = (rng.random(n) < 0.3).astype(np.float64)
    f["canary"] = 0.0
    f.loc[17, "canary"] = 1.0
    return f


def ctx(f: pd.DataFrame, command: str, mask=None, audit=None) -> AnalysisContext:
    infos = {c: VariableInfo(c, True) for c in f.columns}
    return AnalysisContext(
        frame=f, contributors=Contributors(person_id=np.arange(len(f), dtype=np.int64) + 100),
        variables=infos, unit_type="PERSON", kind="cross", gate=Gate(Policy(), SECRET, audit),
        command=command, line=9, mask=mask,
    )


def run(text: str, f: pd.DataFrame, mask=None, audit=None):
    stmt = parse(text).statements[0]
    fn = regress if stmt.name == "regress" else ml_model
    return fn(ctx(f, stmt.name, mask, audit), stmt)


def refused(results, rule_text: str) -> None:
    assert len(results) == 1
    (res,) = results
    assert res.kind == "refusal", res.data
    assert res.data["rule"] == f"D7 model gate: {rule_text}"
    # Only numbers of the owner's policy may appear in a refusal (D9).
    allowed = {"10", "0.33", "0.99", "0.999"}  # the policy values
    assert set(re.findall(r"\d+(?:\.\d+)?", (res.data["text"] + res.data["remedy"]).replace("D7", ""))) <= allowed


LEVEL_CANARY = ("every category of canary (both values of a two-valued variable, every interaction cell) "
                "needs at least 10 persons")


def test_a09_dummy_for_one_person_is_refused():
    refused(run("regress bmi x canary", data()), LEVEL_CANARY)


def test_a10_dummy_for_all_but_one_person_is_refused():
    f = data()
    f["canary"] = 1.0 - f["canary"]
    refused(run("regress bmi canary", f), LEVEL_CANARY)
    refused(run("regress bmi i.canary", f), LEVEL_CANARY)


def test_a09_through_an_interaction_cell():
    f = data()
    f["skole"] = np.where(np.arange(len(f)) < 1990, 1.0, 2.0)  # level 2 has 10 persons …
    f.loc[1990:1994, "kjonn"] = 1.0
    f.loc[1995:, "kjonn"] = 2.0  # … but the cell skole=2 × kjonn=2 has 5
    refused(run("regress bmi i.skole#i.kjonn", f), "every category of skole#kjonn (both values of a "
            "two-valued variable, every interaction cell) needs at least 10 persons")


def test_a11_saturated_model_is_refused():
    f = data(300)
    res = run("regress bmi i.skole##i.faar##i.kjonn", f)
    assert res[0].kind == "refusal"
    assert res[0].data["rule"].startswith("D7 model gate: ")


def test_too_many_parameters_for_the_persons():
    rng = np.random.default_rng(3)
    f = pd.DataFrame(rng.normal(size=(40, 15)), columns=[f"v{i}" for i in range(15)])
    f["y"] = rng.normal(size=40)
    refused(run("regress y " + " ".join(f.columns[:15]), f), "a model may have at most 0.33 parameters per person")


def test_too_few_persons_or_residual_df():
    f = data()
    rule = "a model needs at least 10 persons and 10 residual degrees of freedom"
    refused(run("regress bmi x", f, mask=np.arange(len(f)) < 6), rule)
    rng = np.random.default_rng(5)
    g = pd.DataFrame(rng.normal(size=(16, 7)), columns=[f"v{i}" for i in range(7)])
    g["y"] = rng.normal(size=16)
    refused(run("regress y v0 v1 v2 v3 v4 v5 v6", g), rule)  # 16 - 8 = 8 residual df


def test_high_leverage_observation_is_refused():
    f = data()
    f["spike"] = (f.index % 2).astype(float)
    f.loc[5, "spike"] = 1e6  # three values, so no dummy; yet one person stands far out
    refused(run("regress bmi x spike", f),
            "an observation has leverage of at least 0.99, so the estimates would reveal it")


def test_nearly_perfect_fit_is_refused():
    f = data()
    f["copy"] = 3 * f["bmi"] + 1e-6 * f["x"]
    refused(run("regress copy bmi", f), "linear models with R-squared of at least 0.999 are not released")


def test_binary_outcome_class_below_threshold_is_refused():
    f = data()
    f["sjelden"] = 0.0
    f.loc[:4, "sjelden"] = 1.0
    refused(run("logit sjelden x", f), "every outcome category needs at least 10 persons")


def test_count_model_needs_zero_and_positive_classes():
    f = data()
    f["teller"] = 0.0
    f.loc[:3, "teller"] = 2.0
    refused(run("poisson teller x", f), "every outcome category needs at least 10 persons")


SEPARATION = ("an explanatory variable predicts the outcome perfectly for a group of persons "
              "(complete or quasi-complete separation)")


def test_quasi_complete_separation_by_a_factor_cell():
    f = data()
    f.loc[f["skole"] == 3, "angst"] = 1.0
    refused(run("logit angst x i.skole", f), SEPARATION)


def test_complete_separation_by_a_continuous_variable():
    f = data()
    f["angst"] = (f["x"] > 0.2).astype(np.float64)
    refused(run("probit angst x", f), SEPARATION)


def test_refusals_are_logged(tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl")
    run("regress bmi x canary", data(), audit=audit)
    (entry,) = audit.entries()
    assert entry["event"] == "refusal" and entry["rule"] == f"D7 model gate: {LEVEL_CANARY}"


def test_a_sound_model_is_released_with_4_significant_digits():
    (res,) = run("regress bmi x i.skole", data())
    assert res.kind == "model"
    for row in res.data["rows"]:
        for value in row[1:4] + row[5:]:
            text = f"{abs(value):.15g}".split("e")[0].replace(".", "").strip("0")
            assert len(text) <= 4


def test_release_model_rounds_and_perturbs_n():
    gate = Gate(Policy(), SECRET)
    who = Contributors(person_id=np.arange(500, dtype=np.int64))
    table = ModelTable("T", "y", [["x", 1.234567, 0.000123456, 10000.06, 0.0123456, -1.5e-7, 98765.4321]],
                       {"n": 500, "df_r": 498, "df_m": 1, "r2": 0.123456, "p_f": 0.00012345},
                       df_r_from_n=True)
    res = model_gate.release_model(gate, table, who, command="regress", line=3)
    assert res.data["rows"] == [["x", 1.235, 0.0001235, 10000.0, 0.0123, -1.5e-7, 98770.0]]
    noise = res.data["stats"]["n"] - 500
    assert abs(noise) <= 3 and res.data["stats"]["df_r"] == 498 + noise
    assert res.data["stats"]["r2"] == 0.1235 and res.data["stats"]["p_f"] == 0.0001
    # the same contributors always get the same noise
    again = model_gate.release_model(gate, table, who, command="regress", line=3)
    assert again.data["stats"]["n"] == res.data["stats"]["n"]


@pytest.mark.parametrize("threshold", [10, 25])
def test_threshold_comes_from_the_policy(threshold):
    gate = Gate(Policy(threshold=threshold), SECRET)
    who = Contributors(person_id=np.arange(400, dtype=np.int64))
    cells = np.zeros(400, dtype=np.int64)
    cells[: threshold + 6] = 1  # comfortably above T even after noise
    ok = model_gate.check_sample(gate, who, n_rows=400, n_params=3, groups=[("d", cells, 2)],
                                 command="regress", line=1)
    assert ok is None
    cells[:] = 0
    cells[: threshold - 5] = 1
    bad = model_gate.check_sample(gate, who, n_rows=400, n_params=3, groups=[("d", cells, 2)],
                                  command="regress", line=1)
    assert bad is not None and f"at least {threshold} persons" in bad.data["rule"]
