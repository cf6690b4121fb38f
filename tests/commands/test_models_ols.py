"""Least squares from sufficient statistics against NIST's certified Longley values and statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from mdlang.commands.models_linalg import CHUNK
from mdlang.commands.models_ols import fit_ols

# NIST StRD "Longley" (y, x1..x6), 16 observations.
LONGLEY = np.array([
    [60323, 83.0, 234289, 2356, 1590, 107608, 1947],
    [61122, 88.5, 259426, 2325, 1456, 108632, 1948],
    [60171, 88.2, 258054, 3682, 1616, 109773, 1949],
    [61187, 89.5, 284599, 3351, 1650, 110929, 1950],
    [63221, 96.2, 328975, 2099, 3099, 112075, 1951],
    [63639, 98.1, 346999, 1932, 3594, 113270, 1952],
    [64989, 99.0, 365385, 1870, 3547, 115094, 1953],
    [63761, 100.0, 363112, 3578, 3350, 116219, 1954],
    [66019, 101.2, 397469, 2904, 3048, 117388, 1955],
    [67857, 104.6, 419180, 2822, 2857, 118734, 1956],
    [68169, 108.4, 442769, 2936, 2798, 120445, 1957],
    [66513, 110.8, 444546, 4681, 2637, 121950, 1958],
    [68655, 112.6, 482704, 3813, 2552, 123366, 1959],
    [69564, 114.2, 502601, 3931, 2514, 125368, 1960],
    [69331, 115.7, 518173, 4806, 2572, 127852, 1961],
    [70551, 116.9, 554894, 4007, 2827, 130081, 1962],
], dtype=np.float64)

# Certified values (x1..x6, then the intercept, our order: constant last).
CERT_B = [15.0618722713733, -0.358191792925910e-01, -2.02022980381683, -1.03322686717359,
          -0.511041056535807e-01, 1829.15146461355, -3482258.63459582]
CERT_SE = [84.9149257747669, 0.334910077722432e-01, 0.488399681651699, 0.214274163161675,
           0.226073200069370, 455.478499142212, 890420.383607373]
CERT_RSD = 304.854073561965
CERT_R2 = 0.995479004577296
CERT_F = 330.285339234588
CERT_SSR = 836424.055505915
CERT_SSREG = 184172401.944494


def sig7(a: float, b: float) -> bool:
    return abs(a - b) <= 0.5e-6 * abs(b)


def test_longley_matches_nist_certified_values_to_7_digits():
    y, X = LONGLEY[:, 0], np.column_stack([LONGLEY[:, 1:], np.ones(16)])
    fit = fit_ols(X, y, constant=True)
    for got, cert in zip(fit.coef, CERT_B, strict=True):
        assert sig7(got, cert), (got, cert)
    for got, cert in zip(fit.se, CERT_SE, strict=True):
        assert sig7(got, cert), (got, cert)
    assert sig7(fit.rmse, CERT_RSD)
    assert sig7(fit.r2, CERT_R2)
    assert sig7(fit.f, CERT_F)
    assert sig7(fit.ss_resid, CERT_SSR)
    assert sig7(fit.ss_model, CERT_SSREG)
    assert fit.df_r == 9 and fit.df_m == 6


def seeded(n: int = 3000, seed: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(50, 10, n)
    x2 = rng.integers(0, 2, n).astype(float)
    x3 = rng.exponential(3, n)
    groups = rng.integers(0, 40, n)
    e = rng.normal(0, 1 + 0.1 * x3, n) + rng.normal(0, 1, 40)[groups]
    y = 3 + 0.5 * x1 - 2 * x2 + 0.7 * x3 + e
    X = np.column_stack([x1, x2, x3, np.ones(n)])
    return X, y, groups


def rel_close(a, b, tol=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.all(np.abs(a - b) <= tol * np.maximum(np.abs(b), 1e-12)), (a, b)


@pytest.mark.parametrize("vce", ["ols", "robust", "cluster"])
def test_coefficients_and_standard_errors_match_statsmodels(vce):
    X, y, groups = seeded()
    fit = fit_ols(X, y, constant=True, vce=vce, clusters=groups.astype(float))
    if vce == "ols":
        ref = sm.OLS(y, X).fit()
    elif vce == "robust":
        ref = sm.OLS(y, X).fit(cov_type="HC1")
    else:
        ref = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    rel_close(fit.coef, ref.params)
    rel_close(fit.se, ref.bse)
    rel_close(fit.r2, ref.rsquared)
    rel_close(fit.ss_resid, ref.ssr)
    if vce == "ols":
        rel_close(fit.f, ref.fvalue)
        rel_close(fit.adj_r2, ref.rsquared_adj)
    else:
        # Stata's Wald F on the slopes, with G-1 denominator df under clustering.
        rel_close(fit.f, float(ref.f_test(np.eye(4)[:3]).fvalue))
    assert fit.df_test == (39 if vce == "cluster" else len(y) - 4)


def test_noconstant_uses_uncentred_sums_like_stata():
    X, y, _ = seeded()
    fit = fit_ols(X[:, :3], y, constant=False)
    ref = sm.OLS(y, X[:, :3]).fit()
    rel_close(fit.coef, ref.params)
    rel_close(fit.se, ref.bse)
    rel_close(fit.r2, ref.rsquared)  # statsmodels is uncentred without a constant, too
    assert fit.df_m == 3


def test_leverage_in_chunks_equals_the_hat_diagonal():
    n = CHUNK + 500  # more than one chunk
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.normal(size=n), rng.normal(size=n) ** 3, np.ones(n)])
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=n)
    fit = fit_ols(X, y, constant=True, keep_arrays=True)
    q, _ = np.linalg.qr(X)
    hat = np.einsum("ij,ij->i", q, q)
    rel_close(fit.leverage, hat, 1e-8)
    assert fit.max_leverage == pytest.approx(hat.max(), rel=1e-10)
    rel_close(fit.resid, y - X @ fit.coef, 1e-6)
