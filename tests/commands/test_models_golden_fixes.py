"""Bugs the model goldens (tests/golden/test_golden_models.py) revealed, each pinned by a test:
mlogit's mfx() was ignored, a negative binomial on a separated factor stopped the script, odds
ratios and IRRs were labelled as coefficients, ivregress gmm with cluster() said "robust", and
coefplot could not plot a standardized regression."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.discrete.discrete_model as dm
from test_models_support import context, frame, rounded, statement

from mdlang.commands.graphics_coef import coefficient_spec
from mdlang.commands.models_glm import ml_model
from mdlang.commands.models_iv import ivregress

F = frame(3000, seed=3)


def run(handler, text: str, f=F):
    stmt = statement(text)
    return handler(context(f, stmt.name), stmt)


def _mnl_reference(at: str, method: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Effects (slopes × outcomes) from statsmodels' fit by the textbook formula
    ∂P_m/∂x = P_m (b_m − Σ_l P_l b_l), transformed and evaluated independently here; SEs from
    statsmodels where it has them (dydx)."""
    X = np.column_stack([F["alder"], F["mann"], np.ones(len(F))])
    y = F["sivil"].astype(int).to_numpy() - 1  # outcomes 1, 2, 3 as 0, 1, 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = dm.MNLogit(y, X).fit(disp=0)
        se = res.get_margeff(at=at, method="dydx").margeff_se if method == "dydx" else None
    B = np.column_stack([np.zeros(3), np.asarray(res.params)])
    rows = {"overall": X, "mean": X.mean(axis=0, keepdims=True),
            "median": np.median(X, axis=0, keepdims=True), "zero": np.array([[0.0, 0.0, 1.0]])}[at]
    e = np.exp(rows @ B)
    P = e / e.sum(axis=1, keepdims=True)
    out = np.empty((2, 3))
    for s in range(2):
        for m in range(3):
            d = P[:, m] * (B[s, m] - P @ B[s])
            d = {"dydx": d, "eyex": d * rows[:, s] / P[:, m], "dyex": d * rows[:, s], "eydx": d / P[:, m]}[method]
            out[s, m] = d.mean()
    return out, se


@pytest.mark.parametrize("method", ["dydx", "eyex", "dyex", "eydx"])
@pytest.mark.parametrize("at", ["overall", "mean", "median", "zero"])
def test_mlogit_marginal_effects_match_an_independent_computation(method, at):
    results = run(ml_model, f"mlogit sivil alder mann, mfx({method}) mfx_at({at})")
    assert len(results) == 2 and results[1].data["title"] == f"Marginal effects ({method}, at {at})"
    assert results[1].data["columns"][1] == method
    rows = {r[0]: r for r in results[1].data["rows"]}
    assert list(rows)[:2] == ["sivil=1: alder", "sivil=1: mann"]  # base outcome (most frequent) first
    ref, se = _mnl_reference(at, method)
    for o, outcome in enumerate(("1", "2", "3")):
        for s, term in enumerate(("alder", "mann")):
            row = rows[f"sivil={outcome}: {term}"]
            assert row[1] == pytest.approx(rounded(ref[s, o]), rel=2e-3, abs=1e-12)
            if se is not None:
                assert row[2] == pytest.approx(rounded(se[s, o]), rel=2e-3)


def test_negative_binomial_refuses_a_factor_cell_without_events():
    f = F.copy()
    f.loc[f["bydel"] == 4, "antall"] = 0.0  # nobody in bydel 4 has a count above zero
    (res,) = run(ml_model, "negative-binomial antall alder i.bydel", f)
    assert res.kind == "refusal" and "separation" in res.data["text"]


def test_odds_ratios_and_incidence_rate_ratios_are_named_as_such():
    (odds,) = run(ml_model, "logit gift alder mann, or")
    (irr,) = run(ml_model, "poisson antall alder mann, irr")
    (plain,) = run(ml_model, "poisson antall alder mann")
    assert odds.data["columns"][1] == "odds_ratio" and irr.data["columns"][1] == "irr"
    assert plain.data["columns"][1] == "coef"
    assert coefficient_spec(odds.data)["value"] == "odds_ratio"  # coefplot's reference line at 1


def test_gmm_with_cluster_names_the_clusters():
    results = run(ivregress, "ivregress lønn alder (mann = bydel), gmm cluster(fylke)")
    assert "Standard errors are adjusted for clusters in fylke." in results[0].notes
    results = run(ivregress, "ivregress lønn alder (mann = bydel), gmm")
    assert "Standard errors are robust (sandwich estimator)." in results[0].notes


def test_coefplot_of_a_standardized_regression_plots_the_betas():
    data = {"columns": ["term", "coef", "se", "t", "p", "beta"], "level": 95.0,
            "rows": [["alder", 50.0, 2.0, 25.0, 0.0, 0.4], ["_cons", 900.0, 80.0, 11.0, 0.0, None]]}
    spec = coefficient_spec(data)
    assert spec["value"] == "beta"
    assert spec["terms"] == [{"term": "alder", "coef": 0.4, "ci_low": None, "ci_high": None}]


def test_mixed_model_finds_the_reml_optimum_where_the_default_start_stalls():
    """On group sizes like the sample's fylker (one large group, many small ones) and no true
    group variance, statsmodels' default search stopped at var(group) ≈ 87 000 with a REML log
    likelihood 25 below the optimum; the released fit must be the optimum (variance near 0)."""
    import warnings as w

    from statsmodels.regression.mixed_linear_model import MixedLM

    from mdlang.commands.models_mml import fit_mixed

    rng = np.random.default_rng(1)
    sizes = [415, 275, 164, 138, 150, 424, 164, 193, 110, 102, 166, 5843, 274, 100, 52]
    g = np.repeat(np.arange(len(sizes)), sizes)
    n = len(g)
    X = np.column_stack([rng.integers(25, 67, n).astype(float), (rng.random(n) < 0.5).astype(float), np.ones(n)])
    y = X @ [2.95, 101.0, 472.0] + rng.normal(0, 456, n)
    with w.catch_warnings():
        w.simplefilter("ignore")
        default = MixedLM(y, X, groups=g, exog_re=np.ones((n, 1))).fit(reml=True)
    fit = fit_mixed(y, X, g, None, ("g", None))
    assert float(np.asarray(default.cov_re)[0, 0]) > 10_000  # the stall this test is about
    assert fit.llf > default.llf + 20
    assert fit.variances[0][1] < 100
    assert fit.variances[0][1] == 0.0 or fit.variances[0][1] > 1e-6 * fit.variances[-1][1]  # no optimiser noise
    # fixed effects then agree with OLS (no group variance), as they must
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(fit.coef, ols, rtol=0.02)


def test_posthoc_names_levels_as_the_model_does_and_orders_them_numerically():
    """Tukey comparisons were labelled "2.0 vs 1.0" for numeric factors and sorted as text
    (10 before 2); they now use the model's level names and numeric order."""
    from statsmodels.stats.multicomp import pairwise_tukeyhsd

    from mdlang.commands.models_anova import anova

    f = F.copy()
    f["grp"] = (f["bydel"] * 4 - 2).astype(np.float64)  # 2, 6, 10, 14: text order would put 10 first
    _, post = run(anova, "anova lønn grp, posthoc", f)
    labels = [r[0] for r in post.data["rows"]]
    assert labels == ["grp: 6 vs 2", "grp: 10 vs 2", "grp: 14 vs 2", "grp: 10 vs 6", "grp: 14 vs 6", "grp: 14 vs 10"]
    ok = f["lønn"].notna()
    ref = pairwise_tukeyhsd(f.loc[ok, "lønn"].to_numpy(), f.loc[ok, "grp"].to_numpy())
    assert [r[1] for r in post.data["rows"]] == [rounded(v) for v in ref.meandiffs]


def test_fixed_effects_with_a_time_invariant_regressor_and_outcome_do_not_crash():
    """A time-invariant column left rounding noise after the within transformation and was kept
    (then the covariance was singular: an internal error). It is now omitted, and an outcome
    that never changes within a unit gives NaN test statistics (the R² rule refuses it)."""
    from mdlang.commands.models_design import Design
    from mdlang.commands.models_panel import fit_fe, within_design

    rng = np.random.default_rng(5)
    ids = np.repeat(np.arange(500), 2)
    fixed = np.repeat(rng.normal(21, 3, 500), 2) * 1.1  # varies between units only
    t = np.tile([0.0, 1.0], 500)
    y = np.repeat(rng.normal(400, 50, 500), 2) + 10 * t + rng.normal(0, 5, 1000)
    X = np.column_stack([fixed, t, np.ones(1000)])
    d = Design("y", y, X, ["bmi", "t", "_cons"], [True] * 3, np.arange(1000), True, term_of=[0, 1, -1])
    w = within_design(d, ids)
    assert w.names == ["t", "_cons"] and w.omitted == ["bmi"]
    fit = fit_fe(w.y, w.X, ids, constant=True)
    assert abs(fit.coef[0] - 10) < 1.0
    still = np.repeat(rng.normal(400, 50, 500), 2)  # the outcome never changes within a unit
    fit = fit_fe(still, w.X, ids, constant=True)
    assert not np.isfinite(fit.stats["f"])
