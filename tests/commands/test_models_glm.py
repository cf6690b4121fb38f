"""logit, probit, poisson, negative-binomial and mlogit against statsmodels: pre-release numbers
to 1e-6 relative, released tables rounded to 4 significant digits, options and outcome checks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.discrete.discrete_model as dm
from test_models_support import context, frame, rounded, statement

from mdlang.commands.models_glm import ml_model
from mdlang.commands.models_ml import fit_ml
from mdlang.errors import MdlRuntimeError

F = frame(3000, seed=3)


def run(text: str, f: pd.DataFrame = F, **kw):
    stmt = statement(text)
    return ml_model(context(f, stmt.name, **kw), stmt)


def rel_close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.all(np.abs(a - b) <= tol * np.maximum(np.abs(b), 1e-10)), (a, b)


def seeded(n: int = 2500, seed: int = 8):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), np.ones(n)])
    groups = rng.integers(0, 30, n)
    p = 1 / (1 + np.exp(-(X @ [0.6, -0.4, 0.1])))
    yb = (rng.random(n) < p).astype(float)
    yc = rng.negative_binomial(2, 2 / (2 + np.exp(X @ [0.3, 0.2, 0.5]))).astype(float)
    ym = rng.integers(0, 3, n).astype(float) + (X[:, 0] > 1)
    ym = np.minimum(ym, 2.0)
    return X, yb, yc, ym, groups


def reference(family, y, X, offset=None):
    cls = {"logit": dm.Logit, "probit": dm.Probit, "poisson": dm.Poisson, "mlogit": dm.MNLogit}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "nbreg":
            return dm.NegativeBinomial(y, X, loglike_method="nb2", offset=offset)
        kw = {"offset": offset} if family == "poisson" else {}
        return cls[family](y, X, **kw)


@pytest.mark.parametrize("family", ["logit", "probit", "poisson", "nbreg", "mlogit"])
@pytest.mark.parametrize("vce", ["ols", "robust", "cluster"])
def test_estimates_and_standard_errors_match_statsmodels(family, vce):
    X, yb, yc, ym, groups = seeded()
    y = {"logit": yb, "probit": yb, "poisson": yc, "nbreg": yc, "mlogit": ym}[family]
    fit = fit_ml(family, y, X, constant=True, vce=vce, clusters=groups)
    model = reference(family, y, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if vce == "ols":
            ref = model.fit(disp=0, method="newton", maxiter=200)
            scale = 1.0
        elif vce == "robust":
            ref = model.fit(disp=0, method="newton", maxiter=200, cov_type="HC0")
            scale = len(y) / (len(y) - 1)  # Stata's n/(n-1)
        else:
            ref = model.fit(disp=0, method="newton", maxiter=200, cov_type="cluster",
                            cov_kwds={"groups": groups, "use_correction": False})
            scale = 30 / 29  # Stata's G/(G-1)
    params = np.asarray(ref.params).ravel(order="F")
    bse = np.asarray(ref.bse).ravel(order="F") * np.sqrt(scale)
    rel_close(fit.params, params, 1e-5 if family == "nbreg" else 1e-6)
    rel_close(np.sqrt(np.diag(fit.cov)), bse, 1e-5 if family == "nbreg" else 1e-6)
    rel_close(fit.ll, ref.llf, 1e-9)


def test_logit_table_or_and_lr_test():
    (res,) = run("logit gift alder i.kjønn")
    f = F
    X = np.column_stack([f["alder"], (f["kjønn"] == "2").astype(float), np.ones(len(f))])
    ref = sm.Logit(f["gift"].to_numpy(), X).fit(disp=0)
    data = res.data
    assert data["test"] == "z" and data["columns"][3] == "z"
    assert [r[0] for r in data["rows"]] == ["alder", "kjønn=Kvinne", "_cons"]
    assert [r[1] for r in data["rows"]] == [rounded(v) for v in ref.params]
    assert [r[2] for r in data["rows"]] == [rounded(v) for v in ref.bse]
    st = data["stats"]
    assert st["chi2"] == rounded(ref.llr) and st["pseudo_r2"] == rounded(ref.prsquared)
    assert st["ll"] == rounded(ref.llf) and st["df_m"] == 2
    (odds,) = run("logit gift alder i.kjønn, or")
    row = odds.data["rows"][1]
    assert row[1] == rounded(np.exp(ref.params[1]))
    assert row[2] == rounded(np.exp(ref.params[1]) * ref.bse[1])
    assert row[5] == rounded(np.exp(ref.conf_int()[1, 0]))
    assert row[3] == rounded(ref.tvalues[1])
    assert "Odds ratios are shown." in odds.notes


@pytest.mark.parametrize("method", ["dydx", "eyex", "dyex", "eydx"])
@pytest.mark.parametrize("at", ["overall", "mean", "median", "zero"])
def test_marginal_effects_match_statsmodels(method, at):
    results = run(f"probit gift alder mann, mfx({method}) mfx_at({at})")
    f = F
    X = np.column_stack([f["alder"], f["mann"], np.ones(len(f))])
    ref = sm.Probit(f["gift"].to_numpy(), X).fit(disp=0).get_margeff(at=at, method=method)
    rows = results[1].data["rows"]
    assert results[1].data["title"] == f"Marginal effects ({method}, at {at})"
    assert [r[1] for r in rows] == [rounded(v) for v in ref.margeff]
    for r, se in zip(rows, ref.margeff_se, strict=True):
        assert r[2] == pytest.approx(rounded(se), rel=2e-3)  # numeric Jacobian vs analytic


def test_poisson_exposure_and_irr():
    (res,) = run("poisson antall alder mann, irr exposure(eks)")
    f = F
    X = np.column_stack([f["alder"], f["mann"], np.ones(len(f))])
    ref = sm.Poisson(f["antall"].to_numpy(), X, offset=np.log(f["eks"].to_numpy())).fit(disp=0)
    assert [r[1] for r in res.data["rows"]] == [rounded(np.exp(v)) for v in ref.params]


def test_negative_binomial_reports_alpha():
    f = F.copy()
    rng = np.random.default_rng(11)
    mu = np.exp(-0.5 + 0.02 * f["alder"].to_numpy())
    f["besøk"] = rng.negative_binomial(1.5, 1.5 / (1.5 + mu)).astype(float)
    (res,) = run("negative-binomial besøk alder", f)
    X = np.column_stack([f["alder"], np.ones(len(f))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.NegativeBinomial(f["besøk"].to_numpy(), X).fit(disp=0, method="newton", maxiter=200)
    assert res.data["stats"]["alpha"] == pytest.approx(rounded(ref.params[-1]), rel=1e-3)
    assert [r[0] for r in res.data["rows"]] == ["alder", "_cons"]


def test_mlogit_uses_the_most_frequent_outcome_as_base():
    (res,) = run("mlogit sivil alder mann")
    names = [r[0] for r in res.data["rows"]]
    assert names == ["sivil=2: alder", "sivil=2: mann", "sivil=2: _cons",
                     "sivil=3: alder", "sivil=3: mann", "sivil=3: _cons"]
    assert "Base outcome: sivil=1." in res.notes
    codes = F["sivil"].map({"1": 0, "2": 1, "3": 2}).to_numpy()
    X = np.column_stack([F["alder"], F["mann"], np.ones(len(F))])
    ref = sm.MNLogit(codes, X).fit(disp=0)
    assert [r[1] for r in res.data["rows"]] == [rounded(v) for v in np.asarray(ref.params).ravel(order="F")]


def test_margins_after_logit_are_probabilities():
    results = run("logit gift alder mann, margins()")
    X = np.column_stack([F["alder"], F["mann"], np.ones(len(F))])
    ref = sm.Logit(F["gift"].to_numpy(), X).fit(disp=0)
    xbar = X.mean(axis=0)
    p = 1 / (1 + np.exp(-xbar @ ref.params))
    grad = p * (1 - p) * xbar
    assert results[1].data["rows"][0][1] == rounded(p)
    assert results[1].data["rows"][0][2] == rounded(float(np.sqrt(grad @ ref.cov_params() @ grad)))


@pytest.mark.parametrize(("text", "message"), [
    ("logit alder mann", "alder must be a 0/1 variable for this model"),
    ("poisson lønn mann", "lønn must be a count (whole numbers of 0 or more) for this model"),
    ("poisson antall mann, exposure(mann)", "the exposure variable mann cannot also be in the model"),
    ("mlogit mann alder", "mlogit needs an outcome with more than two categories; mann has fewer"),
])
def test_outcome_errors(text, message):
    with pytest.raises(MdlRuntimeError) as err:
        run(text)
    assert err.value.message == message


def test_exposure_must_be_positive():
    f = F.copy()
    f.loc[3, "eks"] = 0.0
    with pytest.raises(MdlRuntimeError, match="the exposure variable eks must be greater than 0"):
        run("poisson antall alder, exposure(eks)", f)
