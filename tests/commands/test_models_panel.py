"""Panel regressions against textbook formulas computed independently here, and statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from test_models_support import SECRET, statement

from mdlang.commands.models_panel import (
    fit_be,
    fit_fe,
    fit_re,
    hausman,
    regress_panel,
    regress_panel_diff,
)
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.errors import MdlRuntimeError


def panel(n_units: int = 600, seed: int = 3, unbalanced: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    T = rng.integers(2, 6, n_units) if unbalanced else np.full(n_units, 4)
    ids = np.repeat(np.arange(n_units, dtype=np.int64) * 11 + 5, T)
    u = np.repeat(rng.normal(0, 2, n_units), T)
    n = len(ids)
    x1 = rng.normal(10, 3, n) + 0.5 * u
    x2 = rng.integers(0, 2, n).astype(float)
    y = 1.5 + 0.8 * x1 - 1.2 * x2 + u + rng.normal(0, 1.5, n)
    return pd.DataFrame({"id": ids, "y": y, "x1": x1, "x2": x2})


P = panel()


def ctx_for(f: pd.DataFrame, command: str, kind: str = "panel") -> AnalysisContext:
    data = f.drop(columns=["id"])
    infos = {c: VariableInfo(c, True) for c in data.columns}
    return AnalysisContext(frame=data, contributors=Contributors(person_id=f["id"].to_numpy()), variables=infos,
                           unit_type="PERSON", kind=kind, gate=Gate(Policy(), SECRET), command=command, line=3)


def rel_close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.all(np.abs(a - b) <= tol * np.maximum(np.abs(b), 1e-12)), (a, b)


def design(f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = np.column_stack([f["x1"], f["x2"], np.ones(len(f))])
    return f["y"].to_numpy(), X, f["id"].to_numpy()


def within_reference(f: pd.DataFrame):
    """Textbook within estimator: demean by unit, OLS, residual df N - n - K."""
    g = f.groupby("id")
    yd = (f["y"] - g["y"].transform("mean")).to_numpy()
    Xd = np.column_stack([f[c] - g[c].transform("mean") for c in ("x1", "x2")])
    b = np.linalg.solve(Xd.T @ Xd, Xd.T @ yd)
    e = yd - Xd @ b
    n, n_units, K = len(f), f["id"].nunique(), 2
    s2 = e @ e / (n - n_units - K)
    return b, np.sqrt(np.diag(s2 * np.linalg.inv(Xd.T @ Xd))), s2, e


def test_fixed_effects_match_the_within_estimator_and_lsdv():
    P = panel(150, seed=8)  # LSDV with one dummy per unit: keep it small
    y, X, ids = design(P)
    fit = fit_fe(y, X, ids, constant=True)
    b, se, s2, _e = within_reference(P)
    rel_close(fit.coef[:2], b)
    rel_close(fit.se[:2], se)
    rel_close(fit.stats["sigma_e"], np.sqrt(s2))
    # LSDV with statsmodels: same slopes and SEs; the F test that all u_i = 0
    dummies = pd.get_dummies(P["id"], drop_first=True, dtype=float)
    lsdv = sm.OLS(P["y"], pd.concat([P[["x1", "x2"]], dummies], axis=1).assign(c=1.0)).fit()
    rel_close(fit.se[:2], lsdv.bse[["x1", "x2"]].to_numpy())
    pooled = sm.OLS(P["y"], sm.add_constant(P[["x1", "x2"]])).fit()
    n_units = P["id"].nunique()
    f_u = ((pooled.ssr - lsdv.ssr) / (n_units - 1)) / (lsdv.ssr / lsdv.df_resid)
    rel_close(fit.stats["f_u"], f_u)
    # Stata's constant: grand mean of y minus grand means of x times b
    rel_close(fit.coef[2], P["y"].mean() - P[["x1", "x2"]].mean().to_numpy() @ b)
    # R² within is the R² of the demeaned regression
    g = P.groupby("id")
    yd = P["y"] - g["y"].transform("mean")
    xb = P[["x1", "x2"]].to_numpy() @ b
    xbd = xb - pd.Series(xb).groupby(P["id"].to_numpy()).transform("mean").to_numpy()
    rel_close(fit.stats["r2_within"], np.corrcoef(xbd, yd)[0, 1] ** 2)
    rel_close(fit.stats["r2_overall"], np.corrcoef(xb, P["y"])[0, 1] ** 2)
    u = (g["y"].transform("mean") - pd.DataFrame(P[["x1", "x2"]].to_numpy() @ b).groupby(P["id"].to_numpy()).transform("mean")[0].to_numpy() - fit.coef[2])
    rel_close(fit.stats["sigma_u"], np.std(u, ddof=1))
    rel_close(fit.stats["rho"], fit.stats["sigma_u"] ** 2 / (fit.stats["sigma_u"] ** 2 + s2))


def test_fixed_effects_cluster_robust_matches_statsmodels_on_the_demeaned_data():
    y, X, ids = design(P)
    fit = fit_fe(y, X, ids, constant=True, vce="cluster", clusters=ids)
    b, _se, _s2, e = within_reference(P)
    g = P.groupby("id")
    Xd = np.column_stack([P[c] - g[c].transform("mean") for c in ("x1", "x2")])
    bread = np.linalg.inv(Xd.T @ Xd)
    codes = pd.factorize(P["id"])[0]
    scores = np.column_stack([np.bincount(codes, weights=Xd[:, j] * e) for j in range(2)])
    G, n, k = codes.max() + 1, len(P), 3
    V = G / (G - 1) * (n - 1) / (n - k) * bread @ scores.T @ scores @ bread  # Stata's xtreg fe, vce(cluster)
    rel_close(fit.coef[:2], b)
    rel_close(fit.se[:2], np.sqrt(np.diag(V)))
    assert fit.df == G - 1


def test_random_effects_swamy_arora_gls():
    y, X, ids = design(P)
    fit = fit_re(y, X, ids, constant=True)
    g = P.groupby("id")
    b, _se, s2e, _e = within_reference(P)
    means = g[["y", "x1", "x2"]].mean()
    between = sm.OLS(means["y"], sm.add_constant(means[["x1", "x2"]])).fit()
    T = g.size().to_numpy()
    t_bar = len(T) / np.sum(1 / T)
    s2u = max(between.ssr / (len(T) - 3) - s2e / t_bar, 0.0)
    theta = 1 - np.sqrt(s2e / (T * s2u + s2e))
    th = pd.Series(theta, index=means.index).reindex(P["id"]).to_numpy()
    ys = P["y"].to_numpy() - th * g["y"].transform("mean").to_numpy()
    Xs = np.column_stack([P[c].to_numpy() - th * g[c].transform("mean").to_numpy() for c in ("x1", "x2")] + [1 - th])
    gls = sm.OLS(ys, Xs).fit()
    rel_close(fit.coef, gls.params)
    rel_close(fit.se, np.sqrt(np.diag(s2e * np.linalg.inv(Xs.T @ Xs))))
    rel_close(fit.stats["sigma_u"], np.sqrt(s2u))
    rel_close(fit.stats["sigma_e"], np.sqrt(s2e))
    assert fit.df is None


def test_between_estimator_is_ols_on_unit_means():
    y, X, ids = design(P)
    fit = fit_be(y, X, ids, constant=True)
    means = P.groupby("id")[["y", "x1", "x2"]].mean()
    ref = sm.OLS(means["y"], sm.add_constant(means[["x1", "x2"]], prepend=False)).fit()
    rel_close(fit.coef, ref.params)
    rel_close(fit.se, ref.bse)
    assert fit.df == len(means) - 3


def run(command_text: str, f: pd.DataFrame = P, kind: str = "panel"):
    stmt = statement(command_text)
    fn = {"regress-panel": regress_panel, "hausman": hausman, "regress-panel-diff": regress_panel_diff}[stmt.name]
    return fn(ctx_for(f, stmt.name, kind), stmt)


def test_released_fe_table_is_rounded_and_counts_are_noisy():
    (res,) = run("regress-panel y x1 x2")
    assert res.kind == "model"
    assert res.data["title"] == "Fixed-effects (within) regression"
    b, se, _s2, _e = within_reference(P)
    rows = {r[0]: r for r in res.data["rows"]}
    assert set(rows) == {"x1", "x2", "_cons"}
    assert rows["x1"][1] == pytest.approx(b[0], rel=5e-4)
    assert rows["x1"][2] == pytest.approx(se[0], rel=5e-4)
    stats = res.data["stats"]
    assert abs(stats["n_groups"] - P["id"].nunique()) <= 5
    assert abs(stats["n"] - len(P)) <= 5
    # rows and persons carry noises of their own (tests/redteam/test_panel_counts.py); the dfs
    # are made of the released counts
    assert stats["df_u_den"] == stats["n"] - stats["n_groups"] - 2
    assert stats["df_r"] == stats["n"] - stats["n_groups"] - 2
    assert {"r2_within", "r2_between", "r2_overall", "sigma_u", "sigma_e", "rho", "f_u"} <= set(stats)


def test_re_release_uses_z_and_pooled_robust_clusters_on_the_unit():
    (re,) = run("regress-panel y x1 x2, re")
    assert re.data["test"] == "z" and "chi2" in re.data["stats"]
    (pooled,) = run("regress-panel y x1 x2, pooled robust")
    ref = sm.OLS(P["y"], sm.add_constant(P[["x1", "x2"]], prepend=False)).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(P["id"])[0]})
    rows = {r[0]: r for r in pooled.data["rows"]}
    assert rows["x1"][2] == pytest.approx(ref.bse["x1"], rel=5e-4)
    assert "clusters in the panel unit" in " ".join(pooled.notes)


def test_hausman_statistic_matches_the_textbook_formula():
    fe_res, re_res, h = run("hausman y x1 x2")
    y, X, ids = design(P)
    fe, re = fit_fe(y, X, ids, constant=True), fit_re(y, X, ids, constant=True)
    d = fe.coef[:2] - re.coef[:2]
    V = fe.cov[:2, :2] - re.cov[:2, :2]
    chi2 = float(d @ np.linalg.solve(V, d))
    assert h.data["stats"]["chi2"] == pytest.approx(chi2, rel=5e-4)
    assert h.data["stats"]["df"] == 2
    assert [r[0] for r in h.data["rows"]] == ["x1", "x2"]
    assert fe_res.data["title"].startswith("Fixed") and re_res.data["title"].startswith("Random")


def test_diff_in_diff_atet_is_the_interaction_coefficient():
    rng = np.random.default_rng(9)
    n_units = 800
    ids = np.repeat(np.arange(n_units, dtype=np.int64) + 1, 2)
    group = np.repeat(rng.integers(0, 2, n_units), 2).astype(float)
    after = np.tile([0.0, 1.0], n_units)
    y = 2 + group + 0.5 * after + 3 * group * after + rng.normal(0, 1, 2 * n_units)
    f = pd.DataFrame({"id": ids, "y": y, "g": group, "t": after})
    (res,) = run("regress-panel-diff y g t", f)
    ref = sm.OLS(y, np.column_stack([group, after, group * after, np.ones(len(y))])).fit()
    rows = {r[0]: r for r in res.data["rows"]}
    assert rows["g=1#t=1"][1] == pytest.approx(ref.params[2], rel=5e-4)
    assert res.notes[0] == "The treatment effect on the treated (ATET) is the coefficient of g=1#t=1."


def test_a09_dummy_for_one_person_is_refused():
    f = P.copy()
    canary = f["id"] == f["id"].iloc[0]
    f["d"] = canary.astype(float)
    (res,) = run("regress-panel y x1 d", f)
    assert res.kind == "refusal"
    assert "every category of d" in res.data["rule"] or "every category of d" in str(res.data)


def test_a10_dummy_for_everyone_but_one_person_is_refused():
    f = P.copy()
    f["d"] = (f["id"] != f["id"].iloc[0]).astype(float)
    (res,) = run("regress-panel y x1 d, re", f)
    assert res.kind == "refusal"


def test_panel_commands_need_a_panel_dataset():
    with pytest.raises(MdlRuntimeError, match="regress-panel needs a panel dataset"):
        run("regress-panel y x1", kind="cross")


def test_be_refuses_robust():
    with pytest.raises(MdlRuntimeError, match="the between estimator"):
        run("regress-panel y x1 x2, be robust")


def with_fixed_trait(f: pd.DataFrame = P) -> pd.DataFrame:
    f = f.copy()
    f["z"] = (f["id"] % 3).astype(float)  # constant within each unit
    f["y"] = f["y"] + 0.5 * f["z"]
    return f


def test_time_invariant_variables_are_omitted_by_fe_but_estimated_by_re():
    f = with_fixed_trait()
    (fe,) = run("regress-panel y x1 z", f)
    assert [r[0] for r in fe.data["rows"]] == ["x1", "_cons"]
    assert "Omitted because of collinearity: z." in fe.notes
    (re,) = run("regress-panel y x1 z, re", f)
    assert [r[0] for r in re.data["rows"]] == ["x1", "z", "_cons"]


def test_hausman_compares_the_common_coefficients_and_scales_with_sigmamore():
    f = with_fixed_trait()
    _fe, _re, h = run("hausman y x1 x2 z", f)
    assert [r[0] for r in h.data["rows"]] == ["x1", "x2"]
    y = f["y"].to_numpy()
    ids = f["id"].to_numpy()
    fe = fit_fe(y, np.column_stack([f["x1"], f["x2"], np.ones(len(f))]), ids, constant=True)
    re = fit_re(y, np.column_stack([f["x1"], f["x2"], f["z"], np.ones(len(f))]), ids, constant=True)
    d = fe.coef[:2] - re.coef[:2]
    V = fe.cov[:2, :2] - re.cov[:2, :2]
    assert h.data["stats"]["chi2"] == pytest.approx(float(d @ np.linalg.solve(V, d)), rel=5e-4)
    _fe, _re, more = run("hausman y x1 x2 z, sigmamore", f)
    assert more.data["stats"]["chi2"] == pytest.approx(float(d @ np.linalg.solve(V, d)) * fe.sigma2 / re.sigma2, rel=5e-4)
    assert "Both covariance matrices use the random-effects error variance (sigmamore)." in more.notes


def test_released_p_values_have_four_decimals():
    (res,) = run("regress-panel y x1 x2")
    stats = res.data["stats"]
    assert stats["p_f_u"] == round(stats["p_f_u"], 4)
    assert all(r[4] == round(r[4], 4) for r in res.data["rows"])


def test_random_effects_predictions_are_blups():
    y, X, ids = design(P)
    fit = fit_re(y, X, ids, constant=True, keep_arrays=True)
    s2e, s2u = fit.stats["sigma_e"] ** 2, fit.stats["sigma_u"] ** 2
    e = pd.Series(y - X @ fit.coef)
    T = e.groupby(ids).transform("size").to_numpy()
    blup = T * s2u / (T * s2u + s2e) * e.groupby(ids).transform("mean").to_numpy()
    rel_close(fit.effects, blup, 1e-9)
    rel_close(fit.resid + fit.effects + fit.fitted, y, 1e-12)
