"""Ordinary least squares from sufficient statistics, with classical, HC1 and cluster SEs.

The fit needs two passes over the design (centred ``Z'Z``/``Z'y``, then residual-based sums:
the hat diagonal for the leverage rule, ``Σ z z' e²`` for HC1, per-cluster score sums for
cluster SEs), each in chunks, so 5.5 M rows × 10 terms never need more than the design itself.
Columns are centred when the model has a constant (the constant is the last column) and the
estimates are mapped back, so ill-conditioned data keep their digits.

Formulas follow Stata's ``regress``: HC1 scales by n/(n−k); cluster scales by
G/(G−1)·(n−1)/(n−k) and uses G−1 degrees of freedom for t and F.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mdlang.commands.models_linalg import (
    centred_chunks,
    chol_factor,
    crossprod,
    scaled_inverse,
    scaled_solve,
    uncentre,
)


@dataclass
class OLSFit:
    """A fitted linear model (unit-level arrays only when asked for; never released)."""

    coef: np.ndarray
    cov: np.ndarray
    n: int
    k: int
    df_r: int  # residual df of the model (n - k)
    df_test: int  # df of t and F (n - k, or G - 1 with clusters)
    ss_model: float
    ss_resid: float
    ss_total: float
    r2: float
    adj_r2: float
    rmse: float
    f: float
    df_m: int
    p_f: float
    vce: str
    max_leverage: float
    n_clusters: int = 0
    resid: np.ndarray | None = field(default=None, repr=False)
    fitted: np.ndarray | None = field(default=None, repr=False)
    leverage: np.ndarray | None = field(default=None, repr=False)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


Sufficient = tuple[np.ndarray, float, np.ndarray, np.ndarray, float]


def sufficient_statistics(X: np.ndarray, y: np.ndarray | None, constant: bool) -> Sufficient:
    """``(centre, ybar, Z'Z, Z'y, y'y)`` of the centred design (uncentred without a constant);
    without ``y`` only the centre and ``Z'Z`` are meaningful."""
    k = X.shape[1]
    centre = X.mean(axis=0) if constant else np.zeros(k)
    ybar = float(y.mean()) if constant and y is not None and len(y) else 0.0
    if constant:
        centre[k - 1] = 0.0
    ztz, zty, yty = crossprod(X, centre, y, ybar)
    return centre, ybar, ztz, zty, yty


def fit_ols(
    X: np.ndarray,
    y: np.ndarray,
    *,
    constant: bool,
    vce: str = "ols",
    clusters: np.ndarray | None = None,
    keep_arrays: bool = False,
    sufficient: Sufficient | None = None,
) -> OLSFit:
    """Least squares of ``y`` on ``X`` (constant last when ``constant``); see the module docstring.

    ``sufficient`` reuses statistics already computed for this X and y (by the collinearity check).
    """
    n, k = X.shape
    centre, ybar, ztz, zty, yty = sufficient if sufficient is not None else sufficient_statistics(X, y, constant)
    coef_c = scaled_solve(ztz, zty)
    inv = scaled_inverse(ztz)
    L = chol_factor(inv)
    ss_resid = max(yty - float(coef_c @ zty), 0.0)
    ss_total = yty  # centred with a constant, uncentred without (as Stata)
    ss_model = ss_total - ss_resid

    need_meat = vce == "robust"
    meat = np.zeros((k, k))
    max_lev = 0.0
    resid = np.empty(n) if keep_arrays else None
    fitted = np.empty(n) if keep_arrays else None
    leverage = np.empty(n) if keep_arrays else None
    codes = None
    n_groups = 0
    scores = None
    if vce == "cluster":
        codes, uniq = pd.factorize(clusters)
        n_groups = len(uniq)
        scores = np.zeros((n_groups, k))
        e_all = np.empty(n)
    ss_check = 0.0
    for sl, Z in centred_chunks(X, centre):
        fit_c = Z @ coef_c
        e = (y[sl] - ybar) - fit_c
        ss_check += float(e @ e)
        W = Z @ L
        h = np.einsum("ij,ij->i", W, W)
        if len(h):
            max_lev = max(max_lev, float(h.max()))
        if keep_arrays:
            resid[sl] = e
            fitted[sl] = fit_c + ybar
            leverage[sl] = h
        if need_meat:
            ze = Z * e[:, None]
            meat += ze.T @ ze
        if vce == "cluster":
            e_all[sl] = e
    if vce == "cluster":
        for j in range(k):
            scores[:, j] = np.bincount(codes, weights=(X[:, j] - centre[j]) * e_all, minlength=n_groups)
    if ss_check > 0 and abs(ss_check - ss_resid) > 1e-6 * ss_check:
        # The direct residual sum is the accurate one when the fit is close to perfect.
        ss_resid = ss_check
        ss_model = ss_total - ss_resid

    df_r = n - k
    sigma2 = ss_resid / df_r if df_r > 0 else float("nan")
    if vce == "ols":
        cov_c = sigma2 * inv
        df_test = df_r
    elif vce == "robust":
        cov_c = (n / df_r) * (inv @ meat @ inv)
        df_test = df_r
    else:
        meat = scores.T @ scores
        q = (n_groups / (n_groups - 1)) * ((n - 1) / df_r) if n_groups > 1 else float("nan")
        cov_c = q * (inv @ meat @ inv)
        df_test = n_groups - 1
    coef, cov = uncentre(coef_c, cov_c, centre, ybar, constant)
    cov = (cov + cov.T) / 2.0

    df_m = k - 1 if constant else k
    r2 = ss_model / ss_total if ss_total > 0 else float("nan")
    adj_r2 = 1.0 - (1.0 - r2) * ((n - 1) if constant else n) / df_r if df_r > 0 else float("nan")
    f, p_f = _f_test(coef, cov, constant, vce, ss_model, sigma2, df_m, df_test)
    return OLSFit(
        coef=coef, cov=cov, n=n, k=k, df_r=df_r, df_test=df_test, ss_model=ss_model,
        ss_resid=ss_resid, ss_total=ss_total, r2=r2, adj_r2=adj_r2, rmse=float(np.sqrt(sigma2)),
        f=f, df_m=df_m, p_f=p_f, vce=vce, max_leverage=max_lev, n_clusters=n_groups,
        resid=resid, fitted=fitted, leverage=leverage,
    )


def f_sf(x: float, df_num: float, df_den: float) -> float:
    """Upper tail P(F > x) of the F distribution: ``scipy.stats.f.sf`` without importing
    scipy.stats (its import costs more CPU than a model at 100 000 persons); NaN for invalid
    degrees of freedom and 1 below the support, as scipy.stats gives."""
    from scipy.special import fdtrc

    if not (df_num > 0 and df_den > 0):
        return float("nan")
    return 1.0 if x < 0 else float(fdtrc(df_num, df_den, x))


def chi2_sf(x: float, df: float) -> float:
    """Upper tail P(X > x) of the chi-squared distribution, as ``scipy.stats.chi2.sf`` (see
    :func:`f_sf`)."""
    from scipy.special import chdtrc

    if not df > 0:
        return float("nan")
    return 1.0 if x < 0 else float(chdtrc(df, x))


def _f_test(coef: np.ndarray, cov: np.ndarray, constant: bool, vce: str, ss_model: float,
            sigma2: float, df_m: int, df_den: int) -> tuple[float, float]:
    """The overall F test: from sums of squares for classical SEs, a Wald test otherwise."""
    if df_m == 0 or df_den <= 0:
        return float("nan"), float("nan")
    if vce == "ols":
        f = (ss_model / df_m) / sigma2 if sigma2 > 0 else float("nan")
    else:
        idx = slice(0, len(coef) - 1) if constant else slice(0, len(coef))
        b = coef[idx]
        V = cov[idx, idx]
        if vce == "cluster" and df_m > df_den:
            return float("nan"), float("nan")
        try:
            f = float(b @ np.linalg.solve(V, b)) / df_m
        except np.linalg.LinAlgError:
            return float("nan"), float("nan")
    return float(f), f_sf(f, df_m, df_den)


def wald_f(coef: np.ndarray, cov: np.ndarray, idx: list[int], df_den: int) -> tuple[float, float]:
    """F test that the coefficients ``idx`` are all zero."""
    b = coef[idx]
    V = cov[np.ix_(idx, idx)]
    f = float(b @ np.linalg.solve(V, b)) / len(idx)
    return f, f_sf(f, len(idx), df_den)


def t_table(coef: np.ndarray, se: np.ndarray, df: int | None, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Test statistic, two-sided p-value and confidence bounds (t with ``df``, normal if None)."""
    # scipy.special gives the very numbers of scipy.stats' t and norm, without its import
    from scipy.special import ndtr, ndtri, stdtr, stdtrit

    with np.errstate(divide="ignore", invalid="ignore"):
        stat = coef / se
    q = 0.5 + level / 200.0
    if df is None:
        p, crit = 2.0 * ndtr(-np.abs(stat)), ndtri(q)
    else:
        p, crit = 2.0 * stdtr(df, -np.abs(stat)), stdtrit(df, q)
    return stat, p, coef - crit * se, coef + crit * se
