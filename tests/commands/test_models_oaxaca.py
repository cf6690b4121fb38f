"""Blinder-Oaxaca decomposition: components against independent OLS fits, summing to the gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from test_models_support import context, statement

from mdlang.commands.models_oaxaca import oaxaca
from mdlang.errors import MdlRuntimeError


def data(n: int = 3000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(1, 3, n).astype(float)
    x1 = rng.normal(10 + (g == 2), 2, n)
    x2 = rng.normal(5, 1, n)
    y = np.where(g == 1, 1 + 0.6 * x1 + 0.3 * x2, 2 + 0.4 * x1 + 0.5 * x2) + rng.normal(0, 1, n)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g})


D = data()


def run(text: str, f: pd.DataFrame = D):
    stmt = statement(text)
    return oaxaca(context(f, stmt.name), stmt)


def group_fits(f: pd.DataFrame):
    out = {}
    for level in (1.0, 2.0):
        sub = f[f["g"] == level]
        X = sm.add_constant(sub[["x1", "x2"]], prepend=False)
        out[level] = (sm.OLS(sub["y"], X).fit(), X.mean().to_numpy())
    return out


def test_three_fold_components_match_independent_fits_and_sum_to_the_gap():
    (res,) = run("oaxaca y x1 x2 by g")
    rows = {r[0]: r[1] for r in res.data["rows"]}
    (fa, xa), (fb, xb) = group_fits(D).values()
    ba, bb = fa.params.to_numpy(), fb.params.to_numpy()
    gap = D.loc[D.g == 1, "y"].mean() - D.loc[D.g == 2, "y"].mean()
    e, c, i = (xa - xb) @ bb, xb @ (ba - bb), (xa - xb) @ (ba - bb)
    assert e + c + i == pytest.approx(gap, rel=1e-9)
    assert rows["Difference"] == pytest.approx(gap, rel=5e-4)
    assert rows["Endowments"] == pytest.approx(e, rel=5e-4)
    assert rows["Coefficients"] == pytest.approx(c, rel=5e-4)
    assert rows["Interaction"] == pytest.approx(i, rel=5e-4)
    assert res.notes[0] == "Group A: g at its lower value; group B: g=2."


def test_pooled_two_fold_uses_a_pooled_model_with_a_group_indicator():
    (res,) = run("oaxaca y x1 x2 by g, pool")
    rows = {r[0]: r[1] for r in res.data["rows"]}
    (fa, xa), (fb, xb) = group_fits(D).values()
    Xp = sm.add_constant(D[["x1", "x2"]].assign(a=(D.g == 1).astype(float)), prepend=False)
    bp = sm.OLS(D["y"], Xp).fit().params[["x1", "x2", "const"]].to_numpy()
    q = (xa - xb) @ bp
    u = xa @ (fa.params.to_numpy() - bp) + xb @ (bp - fb.params.to_numpy())
    assert rows["Explained"] == pytest.approx(q, rel=5e-4)
    assert rows["Unexplained"] == pytest.approx(u, rel=5e-4)
    assert "Endowments" not in rows


def test_the_endowment_se_follows_the_delta_method():
    (res,) = run("oaxaca y x1 x2 by g")
    se = {r[0]: r[2] for r in res.data["rows"]}
    (fa, xa), (fb, xb) = group_fits(D).values()
    dx = xa - xb
    va = D.loc[D.g == 1, ["x1", "x2"]].cov().to_numpy() / (D.g == 1).sum()
    vb = D.loc[D.g == 2, ["x1", "x2"]].cov().to_numpy() / (D.g == 2).sum()
    bb = fb.params.to_numpy()
    var = dx @ fb.cov_params().to_numpy() @ dx + bb[:2] @ (va + vb) @ bb[:2]
    assert se["Endowments"] == pytest.approx(np.sqrt(var), rel=5e-4)


def test_a_group_variable_with_three_values_is_an_error():
    f = D.copy()
    f.loc[:10, "g"] = 3.0
    with pytest.raises(MdlRuntimeError, match="g must take exactly two values in the estimation sample"):
        run("oaxaca y x1 x2 by g", f)


def test_a_tiny_group_is_refused_by_the_gate():
    f = D.copy()
    f["g"] = 1.0
    f.loc[:3, "g"] = 2.0
    (res,) = run("oaxaca y x1 x2 by g", f)
    assert res.kind == "refusal"


def test_robust_uses_hc1_group_covariances():
    (res,) = run("oaxaca y x1 x2 by g, robust")
    se = {r[0]: r[2] for r in res.data["rows"]}
    fits = {}
    for level in (1.0, 2.0):
        sub = D[D["g"] == level]
        X = sm.add_constant(sub[["x1", "x2"]], prepend=False)
        fits[level] = (sm.OLS(sub["y"], X).fit(cov_type="HC1"), X.mean().to_numpy())
    (fa, _xa), (fb, xb) = fits[1.0], fits[2.0]
    db = (fa.params - fb.params).to_numpy()
    vxb = D.loc[D.g == 2, ["x1", "x2"]].cov().to_numpy() / (D.g == 2).sum()
    var = xb @ (fa.cov_params() + fb.cov_params()).to_numpy() @ xb + db[:2] @ vxb @ db[:2]
    assert se["Coefficients"] == pytest.approx(np.sqrt(var), rel=5e-4)
    assert "Group models use heteroskedasticity-robust (HC1) covariance matrices." in res.notes
