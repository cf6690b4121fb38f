"""``regress`` on hand-made contexts: released numbers against statsmodels, names, options, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from test_models_support import context, frame, rounded, sig_digits, statement

from mdlang.commands.models_regress import regress
from mdlang.errors import MdlRuntimeError

F = frame()


def run(text: str, f: pd.DataFrame = F, **kw):
    stmt = statement(text)
    return regress(context(f, stmt.name, **kw), stmt)


def design_ref(f: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    ok = f["lønn"].notna().to_numpy()
    g = f.loc[ok]
    X = pd.DataFrame({
        "alder": g["alder"],
        "kjønn=Kvinne": (g["kjønn"] == "2").astype(float),
        "bydel=2": (g["bydel"] == 2).astype(float),
        "bydel=3": (g["bydel"] == 3).astype(float),
        "bydel=4": (g["bydel"] == 4).astype(float),
        "_cons": 1.0,
    })
    return g["lønn"].to_numpy(), X


def test_released_table_matches_statsmodels_rounded_to_4_digits():
    (res,) = run("regress lønn alder i.kjønn i.bydel")
    y, X = design_ref(F)
    ref = sm.OLS(y, X).fit()
    data = res.data
    assert res.kind == "model" and data["depvar"] == "lønn" and data["test"] == "t"
    assert data["columns"] == ["term", "coef", "se", "t", "p", "ci_low", "ci_high"]
    assert [r[0] for r in data["rows"]] == list(X.columns)
    ci = ref.conf_int()
    for row, name in zip(data["rows"], X.columns, strict=True):
        assert row[1] == rounded(ref.params[name])
        assert row[2] == rounded(ref.bse[name])
        assert row[3] == rounded(ref.tvalues[name])
        assert row[4] == round(ref.pvalues[name], 4)
        assert row[5] == rounded(ci.loc[name, 0]) and row[6] == rounded(ci.loc[name, 1])
        for cell in row[1:4] + row[5:]:
            assert sig_digits(cell) <= 4
    st = data["stats"]
    assert st["r2"] == rounded(ref.rsquared) and st["adj_r2"] == rounded(ref.rsquared_adj)
    assert st["f"] == rounded(ref.fvalue) and st["rmse"] == rounded(np.sqrt(ref.scale))
    assert st["ss_resid"] == rounded(ref.ssr) and st["ss_model"] == rounded(ref.ess)
    assert st["df_m"] == 5
    # Number of obs carries the count noise; df_r moves with it.
    assert abs(st["n"] - len(y)) <= 3 and st["df_r"] == st["n"] - 6
    assert any("4 significant digits" in note for note in res.notes)


def test_robust_and_cluster_standard_errors_match_statsmodels():
    y, X = design_ref(F)
    ok = F["lønn"].notna().to_numpy()
    (rob,) = run("regress lønn alder i.kjønn i.bydel, robust")
    ref = sm.OLS(y, X).fit(cov_type="HC1")
    assert [r[2] for r in rob.data["rows"]] == [rounded(v) for v in ref.bse]
    assert "ss_model" not in rob.data["stats"]
    (clu,) = run("regress lønn alder i.kjønn i.bydel, cluster(fylke)")
    refc = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": F.loc[ok, "fylke"].to_numpy()})
    assert [r[2] for r in clu.data["rows"]] == [rounded(v) for v in refc.bse]
    t = sps.t(29)  # G - 1 degrees of freedom
    assert clu.data["rows"][0][4] == round(2 * t.sf(abs(refc.params.iloc[0] / refc.bse.iloc[0])), 4)
    assert clu.data["stats"]["df_r"] == 29
    assert clu.notes[0] == "Standard errors are adjusted for clusters in fylke."


def test_factor_names_interactions_and_full_factorial():
    (res,) = run("regress lønn alder i.kjønn#c.alder c.alder#c.alder mann##i.bydel")
    names = [r[0] for r in res.data["rows"]]
    assert names == [
        "alder", "kjønn=Kvinne#alder", "alder#alder", "mann=1", "bydel=2", "bydel=3", "bydel=4",
        "mann=1#bydel=2", "mann=1#bydel=3", "mann=1#bydel=4", "_cons",
    ]
    f = F[F["lønn"].notna()]
    X = np.column_stack([
        f["alder"], (f["kjønn"] == "2") * f["alder"], f["alder"] ** 2, f["mann"],
        *[(f["bydel"] == b) for b in (2, 3, 4)], *[f["mann"] * (f["bydel"] == b) for b in (2, 3, 4)],
        np.ones(len(f)),
    ]).astype(float)
    ref = sm.OLS(f["lønn"].to_numpy(), X).fit()
    assert [r[1] for r in res.data["rows"]] == [rounded(v) for v in ref.params]


def test_control_terms_are_fitted_but_not_shown_and_if_mask_applies():
    mask = (F["alder"] > 30).to_numpy()
    (res,) = run("regress lønn alder, control(i.bydel mann)", mask=mask)
    assert [r[0] for r in res.data["rows"]] == ["alder", "_cons"]
    f = F[mask & F["lønn"].notna().to_numpy()]
    X = np.column_stack([f["alder"], *[(f["bydel"] == b) for b in (2, 3, 4)], f["mann"], np.ones(len(f))]).astype(float)
    ref = sm.OLS(f["lønn"].to_numpy(), X).fit()
    assert res.data["rows"][0][1] == rounded(ref.params[0])
    assert res.data["stats"]["df_m"] == 5
    assert "Control variables are estimated but not shown." in res.notes


def test_noconstant_and_level():
    (res,) = run("regress lønn alder mann, noconstant level(90)")
    f = F[F["lønn"].notna()]
    ref = sm.OLS(f["lønn"].to_numpy(), f[["alder", "mann"]].to_numpy()).fit()
    ci = ref.conf_int(alpha=0.10)
    assert [r[0] for r in res.data["rows"]] == ["alder", "mann"]
    assert res.data["rows"][0][5] == rounded(ci[0, 0]) and res.data["level"] == 90.0


def test_standardize_gives_beta_coefficients():
    (res,) = run("regress lønn alder mann, standardize")
    f = F[F["lønn"].notna()]
    ref = sm.OLS(f["lønn"], sm.add_constant(f[["alder", "mann"]], prepend=False)).fit()
    assert res.data["columns"] == ["term", "coef", "se", "t", "p", "beta"]
    beta = ref.params["alder"] * f["alder"].std() / f["lønn"].std()
    assert res.data["rows"][0][5] == rounded(beta)
    assert res.data["rows"][-1][5] is None


def test_vif_tests_and_margins_tables():
    results = run("regress lønn alder mann i.bydel, vif ov het_bp het_iid het_fstat margins(mann)")
    assert [r.data["title"] for r in results] == [
        "Linear regression", "Variance inflation factors", "Specification tests", "Predictive margins",
    ]
    f = F[F["lønn"].notna()]
    X = np.column_stack([f["alder"], f["mann"], *[(f["bydel"] == b) for b in (2, 3, 4)]]).astype(float)
    corr = np.corrcoef(X, rowvar=False)
    vif = np.diag(np.linalg.inv(corr))
    assert [r[1] for r in results[1].data["rows"]] == [rounded(v) for v in vif]
    Xc = np.column_stack([X, np.ones(len(f))])
    ref = sm.OLS(f["lønn"].to_numpy(), Xc).fit()
    from statsmodels.stats.diagnostic import het_breuschpagan

    lm, lm_p, fval, f_p = het_breuschpagan(ref.resid, np.column_stack([ref.fittedvalues, np.ones(len(f))]))
    tests = {r[0]: r for r in results[2].data["rows"]}
    assert tests["Breusch-Pagan chi2 (studentised)"][1] == rounded(lm)
    assert tests["Breusch-Pagan F"][1] == rounded(fval)
    # Stata's default hettest: half the explained sum of squares of e²/σ̂² on the fitted values.
    e2 = ref.resid**2 / (ref.ssr / len(f))
    aux = sm.OLS(e2, np.column_stack([ref.fittedvalues, np.ones(len(f))])).fit()
    assert tests["Breusch-Pagan chi2"][1] == rounded(aux.ess / 2)
    # RESET: powers 2-4 of the fitted values (standardised first: the span, so F, is the same).
    z = (ref.fittedvalues - ref.fittedvalues.mean()) / ref.fittedvalues.std()
    big = sm.OLS(f["lønn"].to_numpy(), np.column_stack([Xc, z**2, z**3, z**4])).fit()
    reset = ((ref.ssr - big.ssr) / 3) / (big.ssr / big.df_resid)
    assert tests["Ramsey RESET F"][1] == rounded(reset)
    assert tests["Ramsey RESET F"][3] == round(float(sps.f.sf(reset, 3, big.df_resid)), 4)
    margins = results[3].data["rows"]
    xbar = Xc.mean(axis=0)
    for row, v in zip(margins, (0.0, 1.0), strict=True):
        x = xbar.copy()
        x[1] = v
        assert row[0] == f"mann={v:g}"
        assert row[1] == rounded(float(x @ ref.params))
        assert row[2] == rounded(float(np.sqrt(x @ ref.cov_params() @ x)))


def test_collinear_terms_are_omitted_with_a_note():
    f = F.copy()
    f["alder2"] = f["alder"] * 2
    (res,) = run("regress lønn alder alder2", f)
    assert [r[0] for r in res.data["rows"]] == ["alder", "_cons"]
    assert res.notes[0] == "Omitted because of collinearity: alder2."


@pytest.mark.parametrize(("text", "message"), [
    ("regress lønn ukjent", "ukjent is not a variable of the active dataset"),
    ("regress lønn sivil", "sivil is alphanumeric and cannot enter regress as a number"),
    ("regress lønn lønn", "lønn is the dependent variable and cannot also be a regressor"),
    ("regress lønn alder, cluster(alder)", "the cluster variable alder cannot also be in the model"),
    ("regress lønn alder, cluster(mann)", "cluster() needs at least 10 groups of mann in the estimation sample"),
    ("regress lønn alder, margins(bydel)", "bydel is not an explanatory variable of the model"),
    ("regress lønn alder, level(5)", "level() needs a number between 10 and 99.99"),
])
def test_errors_name_the_problem(text, message):
    with pytest.raises(MdlRuntimeError) as err:
        run(text)
    assert err.value.message == message


def test_robust_with_cluster_is_an_error():
    with pytest.raises(MdlRuntimeError, match="robust and cluster\\(\\) cannot be combined"):
        run("regress lønn alder, robust cluster(fylke)")
