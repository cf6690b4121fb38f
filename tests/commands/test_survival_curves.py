"""kaplan-meier and weibull on hand-made contexts: pre-release numbers against independent
computations, the band rules of D8 (at-risk and events >= T, no step at one person's time,
attack A19), by() groups, key figures and refusals."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from test_models_support import SECRET, statement

from mdlang.commands.survival_curves import kaplan_meier, weibull
from mdlang.commands.survival_data import protected_bands, time_grid
from mdlang.commands.survival_weibull import fit_weibull, median_se
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.errors import MdlRuntimeError

T = 10
LABELS = {"kjønn": {"1": "Mann", "2": "Kvinne"}}


def survival_frame(n: int = 2000, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    women = rng.integers(0, 2, n)
    latent = rng.weibull(1.4, n) * np.where(women == 1, 30.0, 45.0)
    censor = rng.uniform(0, 100, n)
    return pd.DataFrame({
        "dager": np.ceil(np.minimum(latent, censor)),
        "død": (latent <= censor).astype(np.float64),
        "kjønn": pd.Categorical(np.where(women == 1, "2", "1"), categories=["1", "2"]),
    })


def ctx_for(f: pd.DataFrame, command: str, mask=None) -> AnalysisContext:
    ids = np.arange(len(f), dtype=np.int64) * 5 + 11
    infos = {c: VariableInfo(c, c != "kjønn", LABELS.get(c)) for c in f.columns}
    return AnalysisContext(
        frame=f, contributors=Contributors(person_id=ids), variables=infos, unit_type="PERSON",
        kind="cross", gate=Gate(Policy.from_preset("register"), secret=SECRET), command=command, line=3,
        mask=mask,
    )


def run(text: str, f: pd.DataFrame, mask=None):
    stmt = statement(text)
    fn = kaplan_meier if stmt.name == "kaplan-meier" else weibull
    return fn(ctx_for(f, stmt.name, mask), stmt)


def hand_km(time: np.ndarray, event: np.ndarray, at: float) -> tuple[float, float]:
    """Product-limit survival just before ``at`` and its Greenwood sum, written out plainly."""
    s, gw = 1.0, 0.0
    for u in sorted(set(time[event == 1].tolist())):
        if u >= at:
            break
        n = int(np.sum(time >= u))
        d = int(np.sum((time == u) & (event == 1)))
        s *= 1.0 - d / n
        gw += d / (n * (n - d)) if n > d else math.inf
    return s, gw


# -- pre-release numbers ----------------------------------------------------------------------


def test_band_survival_matches_a_hand_written_product_limit() -> None:
    f = survival_frame()
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    grid = [float(x) for x in range(0, 101, 5)]
    bands = protected_bands(t, d, grid, T)
    assert len(bands) > 5
    for band in bands:
        s, gw = hand_km(t, d, band.end)
        assert band.survival == pytest.approx(s, rel=1e-12)
        assert band.greenwood == pytest.approx(gw, rel=1e-12)
        assert band.at_risk == int(np.sum(t >= band.start))
        assert band.events == int(np.sum((t >= band.start) & (t < band.end) & (d == 1)))


def test_bands_obey_the_risk_set_and_event_rules() -> None:
    f = survival_frame(400, seed=9)
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    grid = [float(x) for x in range(0, 101, 2)]
    bands = protected_bands(t, d, grid, T)
    assert bands
    for band in bands:
        assert band.events >= T
        assert np.sum(t >= band.start) >= T
        assert np.sum(t >= band.start) - band.events >= T  # risk set and event set differ by >= T
        last = t[(t >= band.start) & (t < band.end) & (d == 1)].max()
        assert np.sum(t >= last) >= T  # no step where fewer than T are at risk
        assert band.start in grid and band.end in grid


def test_loglog_interval_of_a_released_band() -> None:
    f = survival_frame()
    [figure, _] = run("kaplan-meier død dager", f)
    band = figure.data["spec"]["curves"][0]["bands"][3]
    s, gw = hand_km(f["dager"].to_numpy(), f["død"].to_numpy(), band["end"])
    sigma = math.sqrt(gw) / abs(math.log(s))
    z = stats.norm.ppf(0.975)
    assert band["survival"] == pytest.approx(s, rel=5e-4)
    assert band["ci_low"] == pytest.approx(s ** math.exp(z * sigma), rel=5e-4)
    assert band["ci_high"] == pytest.approx(s ** math.exp(-z * sigma), rel=5e-4)


# -- released curves --------------------------------------------------------------------------


def test_released_curve_is_on_protected_bands_with_noisy_counts() -> None:
    f = survival_frame()
    figure, table = run("kaplan-meier død dager", f)
    assert figure.kind == "figure" and table.kind == "table"
    spec = figure.data["spec"]
    assert spec["type"] == "survival" and spec["method"] == "kaplan-meier" and spec["x"] == "dager"
    t = f["dager"].to_numpy()
    bands = spec["curves"][0]["bands"]
    prev = 1.0
    for band in bands:
        assert band["at_risk"] >= T and band["events"] >= T
        assert abs(band["at_risk"] - np.sum(t >= band["start"])) <= 3
        assert band["survival"] <= prev
        prev = band["survival"]
        assert band["ci_low"] < band["survival"] < band["ci_high"]
    ends = [b["end"] for b in bands]
    assert [b["start"] for b in bands[1:]] == ends[:-1]
    grid = time_grid(ctx_for(f, "kaplan-meier"), "dager")
    assert set(ends) <= set(grid) and grid[1] in (1.0, 2.0, 2.5, 5.0)  # a grid of round numbers


def test_one_extreme_survival_time_leaves_no_trace() -> None:
    f = survival_frame()
    g = f.copy()
    g.loc[0, "dager"] = 98765.0
    g.loc[0, "død"] = 1.0
    a = run("kaplan-meier død dager", f)[0].data["spec"]["curves"][0]["bands"]
    b_fig, b_tab = run("kaplan-meier død dager", g)
    b = b_fig.data["spec"]["curves"][0]["bands"]
    assert [(x["start"], x["end"]) for x in a] == [(x["start"], x["end"]) for x in b]
    text = json.dumps([b_fig.to_dict(), b_tab.to_dict()])
    assert "98765" not in text and "9.877e" not in text


def test_a_single_persons_event_time_is_not_a_step() -> None:
    f = survival_frame(300, seed=2)
    f.loc[0, "dager"] = 13.7
    f.loc[0, "død"] = 1.0
    [figure, _] = run("kaplan-meier død dager", f)
    grid = time_grid(ctx_for(f, "kaplan-meier"), "dager")
    bands = figure.data["spec"]["curves"][0]["bands"]
    bounds = {b["start"] for b in bands} | {b["end"] for b in bands}
    assert 13.7 not in bounds
    assert bounds <= set(grid)
    t = f["dager"].to_numpy()
    assert all(np.sum(t >= b["start"]) >= T for b in bands)


def test_key_figures_are_band_boundaries_where_survival_crosses() -> None:
    f = survival_frame()
    figure, table = run("kaplan-meier død dager", f)
    bands = figure.data["spec"]["curves"][0]["bands"]
    row = table.data["rows"][0]
    assert table.data["columns"] == ["group", "N", "events", "p25", "median", "p75"]
    assert abs(row[1] - len(f)) <= 3 and abs(row[2] - f["død"].sum()) <= 3
    ends = [b["end"] for b in bands]
    for value, level in zip(row[3:], (0.75, 0.5, 0.25), strict=True):
        if value is None:
            assert bands[-1]["survival"] > level
            continue
        i = ends.index(value)
        assert bands[i]["survival"] <= level and (i == 0 or bands[i - 1]["survival"] > level)
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    assert hand_km(t, d, row[4])[0] <= 0.5


def test_by_groups_get_their_own_curves_and_small_groups_are_left_out() -> None:
    f = survival_frame()
    f["kjønn"] = f["kjønn"].cat.add_categories(["3"])
    f.loc[:5, "kjønn"] = "3"
    LABELS["kjønn"]["3"] = "Annet"
    try:
        figure, table = run("kaplan-meier død dager, by(kjønn)", f)
    finally:
        del LABELS["kjønn"]["3"]
    labels = [c["label"] for c in figure.data["spec"]["curves"]]
    assert labels == ["Mann", "Kvinne"]
    for curve, code in zip(figure.data["spec"]["curves"], ("1", "2"), strict=True):
        assert abs(curve["n"] - int((f["kjønn"] == code).sum())) <= 3
        assert abs(curve["events"] - int(f.loc[f["kjønn"] == code, "død"].sum())) <= 3
    assert figure.data["spec"]["by"] == "kjønn"
    rows = {r[0]: r for r in table.data["rows"]}
    assert "Annet" not in rows  # six persons: a category that small is pooled, not named
    assert rows["values of fewer than 10 persons each"][1:] == ["<10", "<10", None, None, None]
    women = f["kjønn"] == "2"
    t, d = f.loc[women, "dager"].to_numpy(), f.loc[women, "død"].to_numpy()
    band = figure.data["spec"]["curves"][1]["bands"][2]
    assert band["survival"] == pytest.approx(hand_km(t, d, band["end"])[0], rel=5e-4)


def test_if_condition_selects_the_rows() -> None:
    f = survival_frame()
    mask = (f["kjønn"] == "1").to_numpy()
    [figure, _] = run("kaplan-meier død dager", f, mask=mask)
    band = figure.data["spec"]["curves"][0]["bands"][2]
    t, d = f.loc[mask, "dager"].to_numpy(), f.loc[mask, "død"].to_numpy()
    assert band["survival"] == pytest.approx(hand_km(t, d, band["end"])[0], rel=5e-4)


def test_small_dataset_ends_its_axis_at_a_lower_percentile() -> None:
    f = survival_frame(150, seed=5)  # too few persons for P95 or P99 (D6)
    grid = time_grid(ctx_for(f, "kaplan-meier"), "dager")
    t = np.sort(f["dager"].to_numpy())
    assert grid is not None and abs(grid[-1] - t[int(0.75 * len(t))]) <= grid[1] + 5
    [figure, _] = run("kaplan-meier død dager", f)
    assert figure.kind == "figure" and figure.data["spec"]["curves"][0]["bands"][-1]["end"] <= grid[-1]


def test_persons_with_several_rows_are_counted_once() -> None:
    f = survival_frame(1000)
    stmt = statement("kaplan-meier død dager")
    ctx = ctx_for(f, "kaplan-meier")
    twice = AnalysisContext(
        frame=ctx.frame, contributors=Contributors(person_id=np.arange(len(f), dtype=np.int64) // 2),
        variables=ctx.variables, unit_type="PERSON", kind="event", gate=ctx.gate, command=ctx.command, line=3,
    )
    figure, table = kaplan_meier(twice, stmt)
    ids = np.arange(len(f)) // 2
    t = f["dager"].to_numpy()
    for band in figure.data["spec"]["curves"][0]["bands"]:
        assert abs(band["at_risk"] - len(np.unique(ids[t >= band["start"]]))) <= 3
    assert abs(table.data["rows"][0][1] - 500) <= 3


def test_tiny_data_is_refused() -> None:
    f = survival_frame(8)
    [result] = run("kaplan-meier død dager", f)
    assert result.kind == "refusal"
    assert result.data["rule"] == (
        "D8 survival curves: a survival curve is shown only on time bands with at least 10 persons "
        "at risk and 10 events"
    )
    assert result.data["remedy"] == "use a wider condition or fewer by() groups"


def test_event_variable_must_be_zero_one() -> None:
    f = survival_frame()
    f.loc[3, "død"] = 2.0
    with pytest.raises(MdlRuntimeError) as err:
        run("kaplan-meier død dager", f)
    assert err.value.message == "the event variable død must be 0 (censored) or 1 (event)"


def test_negative_time_is_an_error() -> None:
    f = survival_frame()
    f.loc[3, "dager"] = -1.0
    with pytest.raises(MdlRuntimeError) as err:
        run("weibull død dager", f)
    assert err.value.message == "the time variable dager must not be negative"


def test_grid_ends_at_a_released_percentile_not_the_maximum() -> None:
    f = survival_frame()
    f.loc[0, "dager"] = 98765.0
    grid = time_grid(ctx_for(f, "kaplan-meier"), "dager")
    assert grid is not None and grid[0] == 0.0 and grid[-1] < 200
    assert np.allclose(np.diff(grid), grid[1])


# -- weibull ----------------------------------------------------------------------------------


def scipy_weibull(t: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Censored Weibull MLE with scipy's own log density and survival, optimised tightly."""
    def nll(theta):
        k, lam = np.exp(theta)
        return -(np.sum(stats.weibull_min.logpdf(t[d == 1], k, scale=lam))
                 + np.sum(stats.weibull_min.logsf(t[d == 0], k, scale=lam)))
    res = optimize.minimize(nll, x0=[0.0, np.log(t.mean())], method="Nelder-Mead",
                            options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 20000})
    return np.exp(res.x)


def test_weibull_estimates_match_scipy() -> None:
    f = survival_frame()
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    fit = fit_weibull(t, d)
    k, lam = scipy_weibull(t, d)
    assert fit.shape == pytest.approx(k, rel=1e-6)
    assert fit.scale == pytest.approx(lam, rel=1e-6)
    assert fit.median == pytest.approx(lam * math.log(2) ** (1 / k), rel=1e-6)
    ll = np.sum(stats.weibull_min.logpdf(t[d == 1], k, scale=lam)) + np.sum(stats.weibull_min.logsf(t[d == 0], k, scale=lam))
    assert fit.loglik == pytest.approx(ll, rel=1e-9)


def test_weibull_standard_errors_match_a_numerical_hessian() -> None:
    from statsmodels.tools.numdiff import approx_hess

    f = survival_frame()
    t, d = f["dager"].to_numpy(), f["død"].to_numpy()
    fit = fit_weibull(t, d)

    def ll(theta):
        k, lam = theta
        return (np.sum(stats.weibull_min.logpdf(t[d == 1], k, scale=lam))
                + np.sum(stats.weibull_min.logsf(t[d == 0], k, scale=lam)))

    cov = np.linalg.inv(-approx_hess(np.array([fit.shape, fit.scale]), ll))
    assert fit.se_shape == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-4)
    assert fit.se_scale == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-4)
    grad = np.array([fit.median * math.log(math.log(2)) * -1 / fit.shape**2, fit.median / fit.scale])
    assert median_se(fit) == pytest.approx(math.sqrt(grad @ cov @ grad), rel=1e-4)


def test_weibull_release_per_group() -> None:
    f = survival_frame()
    figure, table = run("weibull død dager, by(kjønn)", f)
    assert table.data["columns"] == ["term", "coef", "se"]
    terms = [r[0] for r in table.data["rows"]]
    assert terms == ["Mann: shape", "Mann: scale", "Mann: median", "Kvinne: shape", "Kvinne: scale", "Kvinne: median"]
    men = (f["kjønn"] == "1").to_numpy()
    upper = time_grid(ctx_for(f, "weibull"), "dager")[-1]
    t, d = f.loc[men, "dager"].to_numpy(), f.loc[men, "død"].to_numpy()
    assert np.any(t > upper)  # the censoring at the axis end matters here
    fit = fit_weibull(np.minimum(t, upper), np.where(t > upper, 0.0, d))
    shape = table.data["rows"][0][1]
    assert shape == float(f"{fit.shape:.4g}")
    km = run("kaplan-meier død dager, by(kjønn)", f)[0].data["spec"]["curves"][0]["bands"]
    points = figure.data["spec"]["curves"][0]["points"]
    assert points[0] == {"t": 0.0, "survival": 1.0}
    assert points[-1]["t"] == km[-1]["end"]  # no further than the protected bands
    mid = points[len(points) // 2]
    assert mid["survival"] == pytest.approx(math.exp(-((mid["t"] / fit.scale) ** fit.shape)), rel=5e-4)


def test_weibull_fit_ignores_one_extreme_time() -> None:
    f = survival_frame()
    g = f.copy()
    g.loc[0, "dager"] = 98765.0
    g.loc[0, "død"] = 1.0
    a = run("weibull død dager", f)[1].data["rows"]
    b = run("weibull død dager", g)[1].data["rows"]
    for ra, rb in zip(a, b, strict=True):
        assert rb[1] == pytest.approx(ra[1], rel=0.01)


def test_weibull_needs_positive_times() -> None:
    f = survival_frame()
    f.loc[3, "dager"] = 0.0
    with pytest.raises(MdlRuntimeError) as err:
        run("weibull død dager", f)
    assert err.value.message == "the Weibull model needs positive times; dager is 0 for some persons"


def test_weibull_tiny_group_refused() -> None:
    f = survival_frame(9)
    f["dager"] = f["dager"].clip(lower=1)
    [result] = run("weibull død dager", f)
    assert result.kind == "refusal"
