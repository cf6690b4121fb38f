"""regress-mml against statsmodels' MixedLM fitted directly from a formula (REML)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.regression.mixed_linear_model import MixedLM
from test_models_support import context, statement

from mdlang.commands.models_mml import regress_mml
from mdlang.errors import MdlRuntimeError


def data(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 50, n)
    h = g * 10 + rng.integers(0, 2, n)  # two subgroups per group: each holds the T persons D7 asks for
    x = rng.normal(size=n)
    y = 1 + 0.7 * x + rng.normal(0, 2, 50)[g] + rng.normal(0, 3, 500)[h] + rng.normal(0, 5, n)
    return pd.DataFrame({"y": y, "x": x, "g": g.astype(float), "h": h.astype(float)})


D = data()


def run(text: str, f: pd.DataFrame = D):
    stmt = statement(text)
    return regress_mml(context(f, stmt.name), stmt)


def reference(nested: bool):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vc = {"h": "0 + C(h)"} if nested else None
        return MixedLM.from_formula("y ~ x", D, groups="g", re_formula="1", vc_formula=vc).fit(reml=True)


def test_two_level_model_matches_statsmodels():
    (res,) = run("regress-mml y x by g")
    ref = reference(False)
    rows = {r[0]: r for r in res.data["rows"]}
    assert rows["x"][1] == pytest.approx(ref.fe_params["x"], rel=5e-4)
    assert rows["x"][2] == pytest.approx(ref.bse_fe["x"], rel=5e-4)
    assert rows["_cons"][1] == pytest.approx(ref.fe_params["Intercept"], rel=5e-4)
    assert rows["var(g)"][1] == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=5e-4)
    assert rows["var(Residual)"][1] == pytest.approx(ref.scale, rel=5e-4)
    assert res.data["test"] == "z"


def test_three_level_model_matches_statsmodels_variance_components():
    (res,) = run("regress-mml y x by g h")
    ref = reference(True)
    rows = {r[0]: r for r in res.data["rows"]}
    assert rows["x"][1] == pytest.approx(ref.fe_params["x"], rel=5e-4)
    assert rows["var(g)"][1] == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=5e-4)
    assert rows["var(h within g)"][1] == pytest.approx(float(ref.vcomp[0]), rel=5e-4)
    assert rows["var(Residual)"][1] == pytest.approx(ref.scale, rel=5e-4)


def test_missing_by_is_an_error():
    with pytest.raises(MdlRuntimeError, match="regress-mml needs by and a group variable at the end"):
        run("regress-mml y x g")


def test_a_group_with_fewer_than_t_persons_is_refused():
    """Random-effect groups are levels of a factor to the gate (D7): with one small group the fixed
    intercept is in effect an average of that group's mean and the others'."""
    f = D.copy()
    f.loc[:4, "g"] = 99.0  # a group of five persons
    (res,) = run("regress-mml y x by g", f)
    assert res.kind == "refusal" and "every category of g" in res.data["text"]
    (res,) = run("regress-mml y x by g h")
    assert res.kind == "model"
