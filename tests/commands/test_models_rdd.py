"""Regression discontinuity: the jump against an independent polynomial fit with statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from test_models_support import context, statement

from mdlang.commands.models_rdd import rdd
from mdlang.errors import MdlRuntimeError


def data(n: int = 4000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r = rng.uniform(0, 100, n)
    above = r >= 50
    treated = (rng.random(n) < np.where(above, 0.8, 0.2)).astype(float)
    y = 10 + 0.05 * r + 0.001 * (r - 50) ** 2 + 4 * treated + rng.normal(0, 2, n)
    sharp = 10 + 0.05 * r + 3 * above + 0.02 * above * (r - 50) + rng.normal(0, 2, n)
    return pd.DataFrame({"y": y, "s": sharp, "r": r, "t": treated, "c": rng.integers(0, 40, n).astype(float)})


D = data()


def run(text: str, f: pd.DataFrame = D):
    stmt = statement(text)
    return rdd(context(f, stmt.name), stmt)


def reference(outcome: str, poly: int, cutoff: float = 50.0):
    rc = D["r"] - cutoff
    a = (D["r"] >= cutoff).astype(float)
    cols = {"D": a} | {f"r{j}": rc**j for j in range(1, poly + 1)} | {f"Dr{j}": a * rc**j for j in range(1, poly + 1)}
    X = sm.add_constant(pd.DataFrame(cols), prepend=False)
    return sm.OLS(D[outcome], X).fit(cov_type="HC1"), X


def test_sharp_jump_matches_statsmodels_with_hc1():
    (res,) = run("rdd s r, cutoff(50)")
    ref, _X = reference("s", 1)
    (row,) = res.data["rows"]
    assert row[0] == "Jump at the cutoff"
    assert row[1] == pytest.approx(ref.params["D"], rel=5e-4)
    assert row[2] == pytest.approx(ref.bse["D"], rel=5e-4)


def test_derivative_jump_is_the_factorial_times_the_interaction_slope():
    (res,) = run("rdd s r, cutoff(50) polynomial(2) derivate(1)")
    ref, _X = reference("s", 2)
    (row,) = res.data["rows"]
    assert row[0] == "Jump in derivative 1 at the cutoff"
    assert row[1] == pytest.approx(ref.params["Dr1"], rel=5e-4)


def test_fuzzy_effect_is_the_wald_ratio_of_the_jumps():
    (res,) = run("rdd y r, cutoff(50) polynomial(2) fuzzy(t)")
    ry, X = reference("y", 2)
    rt, _ = reference("t", 2)
    tau = ry.params["D"] / rt.params["D"]
    rows = {r[0]: r for r in res.data["rows"]}
    assert rows["Fuzzy RD effect (Wald ratio)"][1] == pytest.approx(tau, rel=5e-4)
    # delta method over the joint HC1 sandwich: equals the just-identified IV (2SLS) HC1 SE
    Z = X.to_numpy()
    Xiv = Z.copy()
    Xiv[:, 0] = D["t"]
    b = np.linalg.solve(Z.T @ Xiv, Z.T @ D["y"].to_numpy())
    e = D["y"].to_numpy() - Xiv @ b
    A = np.linalg.inv(Z.T @ Xiv)
    n, k = Z.shape
    V = n / (n - k) * A @ ((Z * e[:, None] ** 2).T @ Z) @ A.T
    assert b[0] == pytest.approx(tau, rel=1e-9)
    assert rows["Fuzzy RD effect (Wald ratio)"][2] == pytest.approx(np.sqrt(V[0, 0]), rel=5e-4)


def test_options_are_checked():
    with pytest.raises(MdlRuntimeError, match=r"derivate\(\) cannot be larger than polynomial\(\)"):
        run("rdd s r, cutoff(50) derivate(2)")
    with pytest.raises(MdlRuntimeError, match=r"polynomial\(\) must be between 0 and 4"):
        run("rdd s r, polynomial(7)")


def test_a_cutoff_with_few_persons_on_one_side_is_refused():
    few = (D["r"] >= 99.9).sum()
    assert 0 < few < 20
    (res,) = run("rdd s r, cutoff(99.9)")
    assert res.kind == "refusal"
    assert "the side of the cutoff" in str(res.data)
    with pytest.raises(MdlRuntimeError, match="the estimation sample has no observations on one side of the cutoff 200"):
        run("rdd s r, cutoff(200)")


def test_cluster_standard_errors_match_statsmodels():
    (res,) = run("rdd s r, cutoff(50) cluster(c)")
    ref, X = reference("s", 1)
    clustered = sm.OLS(D["s"], X).fit(cov_type="cluster", cov_kwds={"groups": D["c"].astype(int)})
    (row,) = res.data["rows"]
    assert row[2] == pytest.approx(clustered.bse["D"], rel=5e-4)
    assert res.notes[1] == "Standard errors are adjusted for clusters in c."
