"""``ivregress``: 2SLS against statsmodels, LIML and GMM against independent formulas, tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.sandbox.regression.gmm import IV2SLS
from test_models_support import context, rounded, statement

from mdlang.commands.models_iv import fit_iv, ivregress
from mdlang.errors import MdlRuntimeError

N = 3000


def data(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z1, z2, u, w = (rng.normal(size=N) for _ in range(4))
    x = 0.8 * z1 + 0.5 * z2 + 0.6 * u + rng.normal(size=N)
    y = 1 + 2 * x + 0.5 * w + u * (1 + 0.3 * np.abs(w))
    return pd.DataFrame({"y": y, "x": x, "z1": z1, "z2": z2, "w": w,
                         "kl": rng.integers(0, 40, N).astype(float)})


D = data()
X = np.column_stack([D["x"], D["w"], np.ones(N)])
Z = np.column_stack([D["z1"], D["z2"], D["w"], np.ones(N)])
Y = D["y"].to_numpy()


def rel_close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.all(np.abs(a - b) <= tol * np.maximum(np.abs(b), 1e-12)), (a, b)


def test_tsls_matches_statsmodels():
    fit = fit_iv(Y, X, Z, 1, constant=True)
    ref = IV2SLS(Y, X, Z).fit()
    rel_close(fit.coef, ref.params)
    # Stata's default is the large-sample σ² = e'e/n; statsmodels divides by n - k.
    rel_close(np.sqrt(np.diag(fit.cov)), ref.bse * np.sqrt((N - 3) / N))


def test_tsls_robust_and_cluster_against_an_explicit_sandwich():
    xhat = Z @ np.linalg.solve(Z.T @ Z, Z.T @ X)
    b = np.linalg.solve(xhat.T @ X, xhat.T @ Y)
    e = Y - X @ b
    bread = np.linalg.inv(xhat.T @ xhat)
    meat = (xhat * e[:, None] ** 2).T @ xhat
    rob = fit_iv(Y, X, Z, 1, constant=True, vce="robust")
    rel_close(rob.cov, bread @ meat @ bread)
    groups = D["kl"].to_numpy()
    sums = np.vstack([(xhat * e[:, None])[groups == g].sum(axis=0) for g in np.unique(groups)])
    clu = fit_iv(Y, X, Z, 1, constant=True, vce="cluster", clusters=groups)
    rel_close(clu.cov, bread @ (sums.T @ sums) @ bread * 40 / 39)


def test_liml_equals_the_k_class_estimator_with_the_smallest_root():
    fit = fit_iv(Y, X, Z, 1, constant=True, estimator="liml")
    W = np.column_stack([Y, D["x"]])
    exog = np.column_stack([D["w"], np.ones(N)])

    def resid_cross(A):
        return W.T @ W - W.T @ A @ np.linalg.solve(A.T @ A, A.T @ W)

    kappa = min(np.linalg.eigvals(np.linalg.solve(resid_cross(Z), resid_cross(exog))).real)
    P = Z @ np.linalg.solve(Z.T @ Z, Z.T)
    A = X.T @ ((1 - kappa) * np.eye(N) + kappa * P)
    b = np.linalg.solve(A @ X, A @ Y)
    rel_close(fit.coef, b)
    assert fit.kappa == pytest.approx(kappa, rel=1e-9)


def test_exactly_identified_liml_and_gmm_equal_tsls():
    Zx = Z[:, [0, 2, 3]]
    tsls = fit_iv(Y, X, Zx, 1, constant=True)
    rel_close(fit_iv(Y, X, Zx, 1, constant=True, estimator="liml").coef, tsls.coef, 1e-8)
    rel_close(fit_iv(Y, X, Zx, 1, constant=True, estimator="gmm").coef, tsls.coef, 1e-8)


def test_two_step_gmm_against_an_explicit_computation():
    fit = fit_iv(Y, X, Z, 1, constant=True, estimator="gmm")
    b1 = np.linalg.solve(X.T @ Z @ np.linalg.solve(Z.T @ Z, Z.T @ X), X.T @ Z @ np.linalg.solve(Z.T @ Z, Z.T @ Y))
    e1 = Y - X @ b1
    W = np.linalg.inv((Z * e1[:, None] ** 2).T @ Z)
    b = np.linalg.solve(X.T @ Z @ W @ Z.T @ X, X.T @ Z @ W @ Z.T @ Y)
    rel_close(fit.coef, b, 1e-6)


def test_released_table_names_and_tests():
    stmt = statement("ivregress y w (x = z1 z2), firststage endog overid")
    results = ivregress(context(D, "ivregress"), stmt)
    model, first, tests = results
    assert [r[0] for r in model.data["rows"]] == ["x", "w", "_cons"]
    ref = IV2SLS(Y, X, Z).fit()
    assert [r[1] for r in model.data["rows"]] == [rounded(v) for v in ref.params]
    assert model.data["test"] == "z"
    assert "Instrumented: x. Instruments: z1, z2, w." in model.notes
    fs = sm.OLS(D["x"], Z).fit()
    assert first.data["rows"][0][1] == rounded(fs.rsquared)
    restricted = sm.OLS(D["x"], Z[:, 2:]).fit()
    f = ((restricted.ssr - fs.ssr) / 2) / (fs.ssr / fs.df_resid)
    assert first.data["rows"][0][4] == rounded(f)
    e = Y - X @ ref.params
    aux = sm.OLS(e, Z).fit()
    by_name = {r[0]: r for r in tests.data["rows"]}
    assert by_name["Sargan chi2"][1] == rounded(N * aux.rsquared)
    vhat = fs.resid.to_numpy()
    base = sm.OLS(Y, X).fit()
    aug = sm.OLS(Y, np.column_stack([X, vhat])).fit()
    assert by_name["Wu-Hausman F"][1] == rounded(((base.ssr - aug.ssr)) / (aug.ssr / aug.df_resid))
    assert by_name["Durbin chi2"][1] == rounded(N * (base.ssr - aug.ssr) / base.ssr)


def test_needs_enough_instruments():
    stmt = statement("ivregress y (x w = z1)")
    with pytest.raises(MdlRuntimeError, match="needs at least as many instruments as endogenous variables"):
        ivregress(context(D, "ivregress"), stmt)
