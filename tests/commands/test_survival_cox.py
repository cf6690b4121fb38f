"""cox against a hand-written Breslow Newton solver and statsmodels: pre-release numbers to 1e-6
relative, released tables (coefficients, hazard ratios without SEs, level()), and the model gate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_models_support import SECRET, rounded, statement

from mdlang.commands.survival_cox import cox
from mdlang.commands.survival_coxfit import fit_breslow
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.errors import MdlRuntimeError

LABELS = {"kjønn": {"1": "Mann", "2": "Kvinne"}}


def cox_frame(n: int = 1500, seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alder = rng.normal(40, 10, n)
    women = rng.integers(0, 2, n)
    bydel = rng.integers(1, 4, n)
    rate = np.exp(0.03 * (alder - 40) + 0.5 * women - 0.2 * (bydel == 3))
    latent = rng.exponential(30 / rate)
    censor = rng.uniform(0, 80, n)
    return pd.DataFrame({
        "dager": np.ceil(np.minimum(latent, censor)),  # whole days: many ties
        "død": (latent <= censor).astype(np.float64),
        "alder": alder,
        "kjønn": pd.Categorical(np.where(women == 1, "2", "1"), categories=["1", "2"]),
        "bydel": bydel.astype(np.int64),
        "mann": (1 - women).astype(np.float64),
    })


def ctx_for(f: pd.DataFrame, mask=None) -> AnalysisContext:
    ids = np.arange(len(f), dtype=np.int64) * 3 + 1
    infos = {c: VariableInfo(c, c != "kjønn", LABELS.get(c)) for c in f.columns}
    return AnalysisContext(
        frame=f, contributors=Contributors(person_id=ids), variables=infos, unit_type="PERSON",
        kind="cross", gate=Gate(Policy.from_preset("register"), secret=SECRET), command="cox", line=7,
        mask=mask,
    )


def run(text: str, f: pd.DataFrame, mask=None):
    return cox(ctx_for(f, mask), statement(text))


def breslow_newton(t: np.ndarray, d: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Breslow partial likelihood maximised by plain Newton steps (independent of statsmodels)."""
    beta = np.zeros(X.shape[1])
    event_times = np.unique(t[d == 1])
    for _ in range(50):
        ll, grad, hess = 0.0, np.zeros_like(beta), np.zeros((len(beta), len(beta)))
        w = np.exp(X @ beta)
        for u in event_times:
            risk = t >= u
            dead = (t == u) & (d == 1)
            m = dead.sum()
            s0 = w[risk].sum()
            s1 = X[risk].T @ w[risk]
            s2 = (X[risk] * w[risk, None]).T @ X[risk]
            ll += X[dead].sum(axis=0) @ beta - m * np.log(s0)
            grad += X[dead].sum(axis=0) - m * s1 / s0
            hess -= m * (s2 / s0 - np.outer(s1, s1) / s0**2)
        step = np.linalg.solve(hess, grad)
        beta = beta - step
        if np.max(np.abs(step)) < 1e-13:
            break
    return beta, np.linalg.inv(-hess), ll


def design(f: pd.DataFrame) -> np.ndarray:
    return np.column_stack([
        f["alder"], (f["kjønn"] == "2").astype(float), (f["bydel"] == 2).astype(float),
        (f["bydel"] == 3).astype(float),
    ])


def test_fit_matches_a_hand_written_breslow_solver() -> None:
    f = cox_frame()
    X = design(f)
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    fit = fit_breslow(t, d, X)
    beta, ref_cov, ref_ll = breslow_newton(t, d, X)
    np.testing.assert_allclose(fit.params, beta, rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), np.sqrt(np.diag(ref_cov)), rtol=1e-6)
    assert fit.loglik == pytest.approx(ref_ll, rel=1e-9)
    assert fit.loglik0 < fit.loglik


def test_fit_matches_statsmodels_phreg() -> None:
    from statsmodels.duration.hazard_regression import PHReg

    f = cox_frame(3000, seed=2)
    X = design(f)
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    fit = fit_breslow(t, d, X)
    model = PHReg(t, X, status=d, ties="breslow")
    ref = model.fit()
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), ref.bse, rtol=1e-6)
    assert fit.loglik == pytest.approx(model.loglike(ref.params), rel=1e-9)
    assert fit.loglik0 == pytest.approx(model.loglike(np.zeros(X.shape[1])), rel=1e-9)


def test_released_table_with_factor_terms() -> None:
    f = cox_frame()
    [res] = run("cox død dager alder i.kjønn i.bydel", f)
    assert res.kind == "model"
    assert res.data["columns"] == ["term", "coef", "se", "z", "p", "ci_low", "ci_high"]
    assert [r[0] for r in res.data["rows"]] == ["alder", "kjønn=Kvinne", "bydel=2", "bydel=3"]
    beta, cov, ll = breslow_newton(f["dager"].to_numpy(), f["død"].to_numpy(), design(f))
    se = np.sqrt(np.diag(cov))
    crit = stats.norm.ppf(0.975)
    for row, b, s in zip(res.data["rows"], beta, se, strict=True):
        assert row[1] == rounded(b) and row[2] == rounded(s)
        assert row[3] == rounded(b / s)
        assert row[4] == round(2 * stats.norm.sf(abs(b / s)), 4)
        assert row[5] == rounded(b - crit * s) and row[6] == rounded(b + crit * s)
    st = res.data["stats"]
    assert abs(st["n"] - len(f)) <= 3 and abs(st["events"] - f["død"].sum()) <= 3
    assert st["ll"] == rounded(ll) and st["df_m"] == 4
    assert res.data["test"] == "z" and res.data["depvar"] == "død (dager)"


def test_hazard_ratios_without_standard_errors_and_level() -> None:
    f = cox_frame()
    [res] = run("cox død dager alder i.kjønn, hazard level(90)", f)
    assert res.data["columns"] == ["term", "hazard_ratio", "se", "z", "p", "ci_low", "ci_high"]
    assert res.data["level"] == 90.0
    X = design(f)[:, :2]
    beta, cov, _ = breslow_newton(f["dager"].to_numpy(), f["død"].to_numpy(), X)
    se = np.sqrt(np.diag(cov))
    crit = stats.norm.ppf(0.95)
    for row, b, s in zip(res.data["rows"], beta, se, strict=True):
        assert len(row) == 7 and row[2] is None
        assert row[1] == rounded(np.exp(b))
        assert row[5] == rounded(np.exp(b - crit * s)) and row[6] == rounded(np.exp(b + crit * s))
    assert "Hazard ratios are exp(coef); standard errors are not shown for them." in res.notes


def test_if_condition_restricts_the_sample() -> None:
    f = cox_frame()
    mask = (f["bydel"] != 3).to_numpy()
    [res] = run("cox død dager alder", f, mask=mask)
    g = f[mask]
    beta, _, _ = breslow_newton(g["dager"].to_numpy(), g["død"].to_numpy(), g[["alder"]].to_numpy())
    assert res.data["rows"][0][1] == rounded(beta[0])


def test_small_side_of_a_dummy_is_refused() -> None:
    f = cox_frame()
    f["sjelden"] = 0.0
    f.loc[:4, "sjelden"] = 1.0
    [res] = run("cox død dager alder sjelden", f)
    assert res.kind == "refusal"
    assert res.data["rule"].startswith("D7 model gate: every category of sjelden")


def test_too_few_events_is_refused() -> None:
    f = cox_frame(400)
    f["død"] = 0.0
    f.loc[:5, "død"] = 1.0
    [res] = run("cox død dager alder", f)
    assert res.kind == "refusal"
    assert res.data["rule"] == "D7 model gate: a survival model needs at least 10 events"
    assert res.data["remedy"] == "use a wider condition or a longer follow-up"


def test_too_many_parameters_for_the_events_is_refused() -> None:
    f = cox_frame(400)
    rng = np.random.default_rng(1)
    f["død"] = 0.0
    f.loc[:29, "død"] = 1.0  # 30 events, 12 parameters > 0.33 * 30
    for j in range(12):
        f[f"x{j}"] = rng.normal(size=len(f))
    [res] = run("cox død dager " + " ".join(f"x{j}" for j in range(12)), f)
    assert res.kind == "refusal"
    assert res.data["rule"] == "D7 model gate: a model may have at most 0.33 parameters per person"


def test_tiny_sample_is_refused() -> None:
    f = cox_frame(8)
    [res] = run("cox død dager alder", f)
    assert res.kind == "refusal"
    assert res.data["rule"].startswith("D7 model gate: a model needs at least 10 persons")


def test_event_must_be_zero_one_and_not_a_regressor() -> None:
    f = cox_frame()
    f.loc[0, "død"] = 3.0
    with pytest.raises(MdlRuntimeError) as err:
        run("cox død dager alder", f)
    assert err.value.message == "the event variable død must be 0 (censored) or 1 (event)"
    with pytest.raises(MdlRuntimeError) as err:
        run("cox død dager alder død", cox_frame())
    assert err.value.message == "død is the event or time variable and cannot also be explanatory"


def test_without_explanatory_variables_only_the_likelihood_is_shown() -> None:
    f = cox_frame()
    [res] = run("cox død dager", f)
    assert res.data["rows"] == []
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    ll = -sum(np.sum((t == u) & (d == 1)) * np.log(np.sum(t >= u)) for u in np.unique(t[d == 1]))
    assert res.data["stats"]["ll"] == rounded(ll)
    assert set(res.data["stats"]) == {"n", "events", "ll"}


def test_options_other_than_hazard_and_level_are_errors() -> None:
    with pytest.raises(MdlRuntimeError) as err:
        run("cox død dager alder, cluster(bydel)", cox_frame())
    assert err.value.message == "cox has no option cluster"
