"""Marginal effects of binary and multinomial models (``mfx()``, ``mfx_at()``), with
delta-method SEs.

``dydx`` = ∂P/∂x; ``eyex`` = dydx · x / P; ``dyex`` = dydx · x; ``eydx`` = dydx / P; evaluated
per observation and averaged (``overall``) or at the means, medians or zeros of the regressors.
The Jacobian with respect to the coefficients is taken by central differences.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Effects = Callable[[np.ndarray], np.ndarray]


def link_functions(family: str) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """(cdf, pdf) of a binary model's link."""
    from scipy import stats as sps
    if family == "logit":
        def cdf(z: np.ndarray) -> np.ndarray:
            return 1.0 / (1.0 + np.exp(-z))

        def pdf(z: np.ndarray) -> np.ndarray:
            p = cdf(z)
            return p * (1.0 - p)

        return cdf, pdf
    return sps.norm.cdf, sps.norm.pdf


def evaluation_rows(X: np.ndarray, at: str) -> np.ndarray:
    """The rows the effects are evaluated at: all rows (overall) or one summary row."""
    if at == "overall":
        return X
    if at == "mean":
        return X.mean(axis=0, keepdims=True)
    if at == "median":
        return np.median(X, axis=0, keepdims=True)
    return np.where(np.all(X == 1.0, axis=0), 1.0, 0.0)[None, :]  # zero: constant stays 1


def binary_effects(family: str, X: np.ndarray, method: str, at: str, slopes: list[int]) -> Effects:
    """A function of the coefficients giving the marginal effect of each slope column."""
    cdf, pdf = link_functions(family)
    rows = evaluation_rows(X, at)

    def effects(b: np.ndarray) -> np.ndarray:
        z = rows @ b
        p, dens = cdf(z), pdf(z)
        out = np.empty(len(slopes))
        for i, j in enumerate(slopes):
            d = dens * b[j]
            if method == "eyex":
                d = d * rows[:, j] / p
            elif method == "dyex":
                d = d * rows[:, j]
            elif method == "eydx":
                d = d / p
            out[i] = float(np.mean(d))
        return out

    return effects


def _transform(d: np.ndarray, method: str, x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """dydx turned into the asked elasticity or semi-elasticity."""
    if method == "eyex":
        return d * x / p
    if method == "dyex":
        return d * x
    if method == "eydx":
        return d / p
    return d


def multinomial_effects(X: np.ndarray, method: str, at: str, slopes: list[int], n_outcomes: int) -> Effects:
    """A function of the stacked mlogit coefficients (outcome by outcome, the base outcome's
    fixed at zero) giving each outcome's marginal effect of each slope column, outcome-major
    (the base outcome first, as in the fit's level order)."""
    rows = evaluation_rows(X, at)
    k = X.shape[1]

    def effects(b: np.ndarray) -> np.ndarray:
        B = np.column_stack([np.zeros(k), b.reshape(n_outcomes - 1, k).T])  # k × outcomes
        z = rows @ B
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        P = e / e.sum(axis=1, keepdims=True)  # rows × outcomes
        out = np.empty((n_outcomes, len(slopes)))
        for i, j in enumerate(slopes):
            bar = P @ B[j]  # the probability-weighted mean coefficient per row
            for m in range(n_outcomes):
                d = P[:, m] * (B[j, m] - bar)
                out[m, i] = float(np.mean(_transform(d, method, rows[:, j], P[:, m])))
        return out.ravel()

    return effects


def delta_se(fn: Effects, b: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value of ``fn`` at ``b`` and its delta-method standard errors."""
    value = fn(b)
    jac = np.empty((len(value), len(b)))
    for j in range(len(b)):
        h = 1e-6 * max(1.0, abs(b[j]))
        up, down = b.copy(), b.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (fn(up) - fn(down)) / (2 * h)
    var = np.einsum("ij,jk,ik->i", jac, cov, jac)
    return value, np.sqrt(np.clip(var, 0.0, None))
