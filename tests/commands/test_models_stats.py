"""ci, correlate, normaltest and anova against numpy/scipy/statsmodels, and their gate rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as sps
from statsmodels.stats.anova import anova_lm
from test_models_support import context, frame, rounded, statement

from mdlang.commands.models_anova import anova
from mdlang.commands.models_stats import ci, correlate, normaltest

F = frame(3000, seed=2)


def run(fn, text: str, f: pd.DataFrame = F, **kw):
    stmt = statement(text)
    return fn(context(f, stmt.name, **kw), stmt)


def test_ci_interval_is_computed_from_released_mean_and_sd():
    (res,) = run(ci, "ci alder, level(90)")
    name, n, mean, se, lo, hi = res.data["rows"][0]
    assert name == "alder" and abs(n - 3000) <= 3
    assert mean == pytest.approx(F["alder"].mean(), rel=0.01)
    assert res.data["columns"][4] == "[90% conf."
    sd = se * np.sqrt(n)
    assert sd == pytest.approx(F["alder"].std(), rel=0.01)
    crit = sps.t.ppf(0.95, n - 1)
    assert lo == pytest.approx(mean - crit * se, rel=1e-3) and hi == pytest.approx(mean + crit * se, rel=1e-3)


def test_correlate_matches_numpy_rounded():
    results = run(correlate, "correlate lønn alder mann, sig")
    ok = F["lønn"].notna()
    r = np.corrcoef(F.loc[ok, ["lønn", "alder", "mann"]].to_numpy(), rowvar=False)
    rows = results[0].data["rows"]
    assert rows[1][1] == rounded(r[1, 0]) and rows[2][2] == rounded(r[2, 1])
    assert rows[0][2] is None  # upper triangle empty
    p = sps.pearsonr(F.loc[ok, "lønn"], F.loc[ok, "mann"]).pvalue
    assert results[1].data["rows"][2][1] == round(p, 4)


def test_correlate_refuses_a_dummy_for_one_person():
    f = F.copy()
    f["canary"] = 0.0
    f.loc[7, "canary"] = 1.0
    (res,) = run(correlate, "correlate lønn canary", f)
    assert res.kind == "refusal" and "every category of canary" in res.data["rule"]


def test_correlate_withholds_a_perfect_relation():
    f = F.copy()
    f["alder2"] = 2 * f["alder"]
    (res,) = run(correlate, "correlate alder alder2", f)
    assert res.data["rows"][1][1] == "x"


def test_normaltest_on_winsorised_values():
    (res,) = run(normaltest, "normaltest alder")
    x = F["alder"].to_numpy()
    lo, hi = np.percentile(x, [1, 99])
    # alder is uniform on 20..64 so winsorisation at p1/p99 changes little; compare to the clipped values
    gate_x = np.clip(x, lo, hi)
    tests = {r[1]: r for r in res.data["rows"]}
    assert tests["Shapiro-Wilk W"][2] == pytest.approx(rounded(sps.shapiro(gate_x).statistic), rel=1e-3)
    assert tests["Kurtosis"][2] == pytest.approx(rounded(sps.kurtosis(gate_x, fisher=False)), rel=1e-2)


def test_anova_partial_ss_match_statsmodels_type_2_for_main_effects():
    (res,) = run(anova, "anova lønn kjønn bydel c.alder")
    f = F[F["lønn"].notna()].rename(columns={"lønn": "y", "kjønn": "k"})
    model = smf.ols("y ~ C(k) + C(bydel) + alder", data=f).fit()
    ref = anova_lm(model, typ=2)
    rows = {r[0]: r for r in res.data["rows"]}
    assert rows["kjønn"][1] == rounded(ref.loc["C(k)", "sum_sq"])
    assert rows["bydel"][1] == rounded(ref.loc["C(bydel)", "sum_sq"]) and rows["bydel"][2] == 3
    assert rows["alder"][4] == rounded(ref.loc["alder", "F"])
    assert rows["Model"][4] == rounded(model.fvalue)


def test_anova_posthoc_matches_tukey():
    from statsmodels.stats.multicomp import pairwise_tukeyhsd

    _, post = run(anova, "anova lønn bydel, posthoc")
    f = F[F["lønn"].notna()]
    ref = pairwise_tukeyhsd(f["lønn"].to_numpy(), f["bydel"].astype(str).to_numpy())
    assert [r[1] for r in post.data["rows"]] == [rounded(v) for v in ref.meandiffs]
    assert post.data["rows"][0][0] == "bydel: 2 vs 1"
