"""Panel regressions (language.md §3.6): ``regress-panel`` (fe, re, be, pooled),
``regress-panel-predict``, ``regress-panel-diff`` and ``hausman``, released through the model
gate (D7) with persons counted once, not panel rows.

The panel unit is the dataset's person id (``ctx.contributors.person_id``). Conventions follow
Stata's ``xtreg``:

* **fe** — within transformation ``x − x̄ᵢ + x̿`` and OLS with the residual degrees of freedom
  ``N − n − K`` (n units, K slopes); R² within/between/overall as squared correlations;
  ``sigma_u`` is the standard deviation of the estimated unit effects over the sample rows,
  ``sigma_e`` the root mean squared error, ``rho = σu²/(σu²+σe²)``; F test that all uᵢ = 0.
* **re** — Swamy–Arora GLS: σe² from the within fit, σu² = SSR_between/(n − K − 1) − σe²/T̄
  (T̄ the harmonic mean of the Tᵢ, truncated at 0), quasi-demeaning with
  θᵢ = 1 − √(σe²/(Tᵢσu² + σe²)); z statistics and a Wald χ².
* **be** — OLS of the unit means.
* **pooled** — OLS of the rows.

``robust`` clusters the standard errors on the panel unit; ``cluster(var)`` on another variable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mdlang.commands.data import check_new
from mdlang.commands.models_common import Prepared, prepare
from mdlang.commands.models_design import (
    Design,
    Term,
    TermPart,
    expr_name,
    numeric_values,
    parse_terms,
)
from mdlang.commands.models_linalg import (
    chol_factor,
    scaled_inverse,
    scaled_solve,
    uncentre,
    within_crossprods,
    within_residuals,
)
from mdlang.commands.models_ols import chi2_sf, f_sf, fit_ols, t_table
from mdlang.commands.models_predict import store_predictions
from mdlang.commands.registry import analysis, handler
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.analysis import build_context
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session

ESTIMATORS = ("fe", "re", "be", "pooled")
TITLES = {
    "fe": "Fixed-effects (within) regression",
    "re": "Random-effects GLS regression",
    "be": "Between regression (regression on unit means)",
    "pooled": "Pooled OLS regression",
}
PREDICT_OUTPUTS = ("predicted", "residuals", "effects")


@dataclass
class PanelFit:
    """A fitted panel model (unit-level arrays are never released)."""

    estimator: str
    coef: np.ndarray
    cov: np.ndarray
    names: list[str]
    n: int
    n_groups: int
    df: int | None  # df of t tests; None = normal (z)
    stats: dict[str, Any]
    max_leverage: float
    r2: float
    fitted: np.ndarray | None = field(default=None, repr=False)  # x·b (+ constant), per sample row
    effects: np.ndarray | None = field(default=None, repr=False)  # estimated u_i per sample row
    resid: np.ndarray | None = field(default=None, repr=False)  # e_it per sample row
    sigma2: float = float("nan")  # residual variance of the fit (for hausman's sigmamore/sigmaless)
    design: Design | None = field(default=None, repr=False)  # the design actually fitted

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


def group_codes(ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes 0..n-1 of the panel units of the sample rows, and n."""
    if len(ids) and np.all(ids[1:] >= ids[:-1]):  # panel datasets are usually sorted by unit
        starts = np.empty(len(ids), dtype=bool)
        starts[0] = True
        np.not_equal(ids[1:], ids[:-1], out=starts[1:])
        codes = np.cumsum(starts, dtype=np.int64) - 1
        return codes, int(codes[-1]) + 1
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), len(uniques)


@dataclass
class PanelGroups:
    """The panel units of a model's sample rows, found once per fit: a code per row (ascending
    with the unit id), the number of units and the rows per unit."""

    codes: np.ndarray
    n: int
    counts: np.ndarray  # float64, one per unit


def panel_groups(ids: np.ndarray) -> PanelGroups:
    """The :class:`PanelGroups` of the panel unit ids of the sample rows."""
    codes, n = group_codes(ids)
    return PanelGroups(codes, n, np.bincount(codes, minlength=n).astype(np.float64))


def _codes(ids: np.ndarray, groups: PanelGroups | None) -> tuple[np.ndarray, int]:
    return (groups.codes, groups.n) if groups is not None else group_codes(ids)


def group_means(values: np.ndarray, codes: np.ndarray, n_groups: int, counts: np.ndarray | None = None) -> np.ndarray:
    """Per-unit means of the columns of ``values`` (1-d or 2-d); ``counts`` the rows per unit
    when known."""
    if counts is None:
        counts = np.bincount(codes, minlength=n_groups).astype(np.float64)
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups) / counts
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups) / counts
    return out


@dataclass
class WithinSums:
    """What a fixed-effects fit needs from the rows, gathered in one pass: the unit means, the
    overall means, and the centred cross products ``(Z'Z, Z'y, y'y)`` of the within deviations
    ``[S − S̄ᵢ, 1]``, ``y − ȳᵢ`` and of the pooled deviations ``[S − S̄, 1]``, ``y − ȳ`` (the
    constant column last)."""

    Sm: np.ndarray
    ym: np.ndarray
    Sbar: np.ndarray
    ybar: float
    within: tuple[np.ndarray, np.ndarray, float]
    pooled: tuple[np.ndarray, np.ndarray, float]

    def select(self, kept: list[int]) -> WithinSums:
        """The sums of the slope columns ``kept`` (and the constant)."""
        idx = [*kept, self.Sm.shape[1]]

        def sub(t: tuple[np.ndarray, np.ndarray, float]) -> tuple[np.ndarray, np.ndarray, float]:
            return t[0][np.ix_(idx, idx)], t[1][idx], t[2]

        return WithinSums(self.Sm[:, kept], self.ym, self.Sbar[kept], self.ybar, sub(self.within), sub(self.pooled))


def within_sums(y: np.ndarray, S: np.ndarray, groups: PanelGroups) -> WithinSums:
    """The :class:`WithinSums` of outcome ``y`` and slope columns ``S``."""
    Sm = group_means(S, groups.codes, groups.n, groups.counts)
    ym = group_means(y, groups.codes, groups.n, groups.counts)
    Sbar = S.mean(axis=0) if len(y) else np.zeros(S.shape[1])
    ybar = float(y.mean()) if len(y) else 0.0
    within, pooled = within_crossprods(S, y, groups.codes, Sm, ym, Sbar, ybar)
    return WithinSums(Sm, ym, Sbar, ybar, within, pooled)


def _corr2(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1] ** 2)


def _split(X: np.ndarray, constant: bool) -> np.ndarray:
    """The slope columns of a design (the constant, when present, is last)."""
    return X[:, :-1] if constant else X


def _r2s(y: np.ndarray, S: np.ndarray, b: np.ndarray, codes: np.ndarray, n_groups: int) -> dict[str, float]:
    """Stata's R² within, between and overall for slopes ``b`` of the columns ``S``."""
    xb = S @ b if S.shape[1] else np.zeros(len(y))
    ym, xbm = group_means(y, codes, n_groups), group_means(xb, codes, n_groups)
    return {
        "r2_within": _corr2(xb - xbm[codes], y - ym[codes]),
        "r2_between": _corr2(xbm, ym),
        "r2_overall": _corr2(xb, y),
    }


def _vce(prep: Prepared, ids: np.ndarray) -> tuple[str, np.ndarray | None]:
    """``robust`` = cluster on the panel unit; ``cluster(var)`` as given."""
    o = prep.options
    if o.vce == "cluster":
        return "cluster", prep.clusters
    if o.vce == "robust":
        return "cluster", ids
    return "ols", None


def _wald(b: np.ndarray, cov: np.ndarray) -> float:
    """b' V⁻¹ b; NaN when V is singular (e.g. an outcome that never changes within a unit, whose
    fit the R² rule then refuses) instead of an internal error."""
    try:
        return float(b @ np.linalg.solve(cov, b))
    except np.linalg.LinAlgError:
        return float("nan")


def _corr2_sums(sab: float, saa: float, sbb: float, sa: float, sb: float, n: int) -> float:
    """Squared correlation of two columns from their sums, cross products and sums of squares."""
    if n < 2:
        return float("nan")
    caa, cbb = saa - sa * sa / n, sbb - sb * sb / n
    if caa <= 0 or cbb <= 0:
        return float("nan")
    cab = sab - sa * sb / n
    return float(cab * cab / (caa * cbb))


def _r2s_from_sums(sums: WithinSums, b: np.ndarray, n: int) -> dict[str, float]:
    """Stata's R² within, between and overall for slopes ``b`` (as :func:`_r2s`), from the sums
    of :class:`WithinSums` instead of new passes over the rows."""
    K = len(b)
    out = {}
    for key, (ztz, zty, yty) in (("r2_within", sums.within), ("r2_overall", sums.pooled)):
        out[key] = _corr2_sums(float(b @ zty[:K]), float(b @ ztz[:K, :K] @ b), yty, float(b @ ztz[:K, K]),
                               float(zty[K]), n)
    xbm = sums.Sm @ b if K else np.zeros(len(sums.ym))
    return {"r2_within": out["r2_within"], "r2_between": _corr2(xbm, sums.ym), "r2_overall": out["r2_overall"]}


def _cluster_cov(inv: np.ndarray, S: np.ndarray, groups: PanelGroups, Sm: np.ndarray, resid: np.ndarray,
                 clusters: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Cluster-robust covariance of the centred within fit (Stata's small-sample factor) and the
    number of clusters."""
    gcodes, uniq = pd.factorize(clusters)
    G = len(uniq)
    K = S.shape[1]
    scores = np.empty((G, K + 1))
    for j in range(K):
        scores[:, j] = np.bincount(gcodes, weights=(S[:, j] - Sm[groups.codes, j]) * resid, minlength=G)
    scores[:, K] = np.bincount(gcodes, weights=resid, minlength=G)
    q = (G / (G - 1)) * ((n - 1) / (n - K - 1)) if G > 1 else float("nan")
    return q * (inv @ (scores.T @ scores) @ inv), G


def _fe_arrays(y: np.ndarray, S: np.ndarray, groups: PanelGroups, sums: WithinSums) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted values x·b + constant, unit effects u_i and residuals per sample row, for
    regress-panel-predict. The slopes come from OLS of the materialised within design
    ``x − x̄ᵢ + x̿`` (more memory than the fit's passes, and bit for bit the values this command
    has always stored, down to the rounding noise of a singleton unit's zero residual)."""
    n, K = S.shape
    codes = groups.codes
    St = S - sums.Sm[codes] + S.mean(axis=0)
    yt = y - sums.ym[codes] + y.mean()
    fit = fit_ols(np.column_stack([St, np.ones(n)]), yt, constant=True)
    b, cons = fit.coef[:K], fit.coef[K]
    u_rows = (sums.ym - sums.Sm @ b - cons)[codes]
    fitted = S @ b + cons
    return fitted, u_rows, y - fitted - u_rows


def fit_fe(y: np.ndarray, X: np.ndarray, ids: np.ndarray, *, constant: bool, vce: str = "ols",
           clusters: np.ndarray | None = None, keep_arrays: bool = False,
           groups: PanelGroups | None = None, sums: WithinSums | None = None) -> PanelFit:
    """Fixed-effects (within) estimator with Stata's conventions (module docstring).

    OLS of the within deviations on a constant, from the cross products of :class:`WithinSums`
    (``sums``, computed here unless given) and one more pass for the residual sums and the
    leverage; the pooled fit of the F test that all u_i = 0 comes from the same passes.
    """
    groups = groups if groups is not None else panel_groups(ids)
    codes, n_groups = groups.codes, groups.n
    n = len(y)
    S = _split(X, constant)
    K = S.shape[1]
    sums = sums if sums is not None else within_sums(y, S, groups)
    w_ztz, w_zty, w_yty = sums.within
    p_ztz, p_zty, p_yty = sums.pooled
    coef_c = scaled_solve(w_ztz, w_zty)
    inv = scaled_inverse(w_ztz)
    coef_p = scaled_solve(p_ztz, p_zty)
    ssr = max(w_yty - float(coef_c @ w_zty), 0.0)
    ssr_p = max(p_yty - float(coef_p @ p_zty), 0.0)
    ss_w, ss_p, max_lev, resid_c = within_residuals(
        S, y, codes, sums.Sm, sums.ym, coef_c, chol_factor(inv), sums.Sbar, sums.ybar, coef_p,
        keep_resid=vce == "cluster",
    )
    # the direct residual sums are the accurate ones when a fit is close to perfect
    if ss_w > 0 and abs(ss_w - ssr) > 1e-6 * ss_w:
        ssr = ss_w
    if ss_p > 0 and abs(ss_p - ssr_p) > 1e-6 * ss_p:
        ssr_p = ss_p
    df_r = n - n_groups - K
    if vce == "ols":
        cov_c = (ssr / (n - K - 1) if n - K - 1 > 0 else float("nan")) * inv
        df_test = df_r
        scale = (n - K - 1) / df_r
    else:
        cov_c, G = _cluster_cov(inv, S, groups, sums.Sm, resid_c, clusters, n)
        df_test = G - 1
        scale = 1.0
    full, full_cov = uncentre(coef_c, cov_c, np.append(sums.Sbar, 0.0), sums.ybar, True)
    full_cov = (full_cov + full_cov.T) / 2.0 * scale
    b = full[:K]
    cons = full[K]
    coef = full if constant else b
    cov = full_cov if constant else full_cov[:K, :K]
    sigma_e = float(np.sqrt(ssr / df_r)) if df_r > 0 else float("nan")
    u = sums.ym - sums.Sm @ b - cons
    # sigma_u: the standard deviation of u_i over the sample rows (each unit weighs its rows)
    mu = float(groups.counts @ u) / n if n else float("nan")
    sigma_u = float(np.sqrt(float(groups.counts @ (u - mu) ** 2) / (n - 1))) if n > 1 else float("nan")
    rho = sigma_u**2 / (sigma_u**2 + sigma_e**2) if np.isfinite(sigma_u) else float("nan")
    df_u = n_groups - 1
    f_u = ((ssr_p - ssr) / df_u) / (ssr / df_r) if df_u > 0 and df_r > 0 and ssr > 0 else float("nan")
    stats = {"n": n, "n_groups": n_groups, **_r2s_from_sums(sums, b, n),
             "sigma_u": sigma_u, "sigma_e": sigma_e, "rho": rho,
             "f_u": f_u, "p_f_u": f_sf(f_u, df_u, df_r) if np.isfinite(f_u) else float("nan")}
    if K:
        wald = _wald(b, full_cov[:K, :K]) / K
        stats.update(f=wald, df_m=K, p_f=f_sf(wald, K, df_test))
    r2 = (w_yty - ssr) / w_yty if w_yty > 0 else float("nan")
    fitted = effects = resid = None
    if keep_arrays:
        fitted, effects, resid = _fe_arrays(y, S, groups, sums)
    return PanelFit("fe", coef, cov, [], n, n_groups, df_test, stats, max_lev, r2,
                    fitted=fitted, effects=effects, resid=resid, sigma2=sigma_e**2)


def swamy_arora(y: np.ndarray, S: np.ndarray, codes: np.ndarray, n_groups: int) -> tuple[float, float]:
    """(σe², σu²) of the Swamy–Arora random-effects estimator (σu² truncated at 0)."""
    n, K = S.shape
    Sm, ym = group_means(S, codes, n_groups), group_means(y, codes, n_groups)
    St = S - Sm[codes]
    yt = y - ym[codes]
    if K:
        bw = np.linalg.lstsq(St.T @ St, St.T @ yt, rcond=None)[0]  # normal equations: n × K SVD is slow
        ssr_w = float(np.sum((yt - St @ bw) ** 2))
    else:
        ssr_w = float(yt @ yt)
    sigma_e2 = ssr_w / (n - n_groups - K)
    Xb = np.column_stack([Sm, np.ones(n_groups)])
    bb = np.linalg.lstsq(Xb.T @ Xb, Xb.T @ ym, rcond=None)[0]
    ssr_b = float(np.sum((ym - Xb @ bb) ** 2))
    T = np.bincount(codes, minlength=n_groups).astype(np.float64)
    t_bar = n_groups / float(np.sum(1.0 / T))
    sigma_u2 = max(ssr_b / (n_groups - K - 1) - sigma_e2 / t_bar, 0.0)
    return sigma_e2, sigma_u2


def fit_re(y: np.ndarray, X: np.ndarray, ids: np.ndarray, *, constant: bool, vce: str = "ols",
           clusters: np.ndarray | None = None, keep_arrays: bool = False,
           groups: PanelGroups | None = None) -> PanelFit:
    """Random-effects GLS (Swamy–Arora) with Stata's conventions (module docstring)."""
    codes, n_groups = _codes(ids, groups)
    n = len(y)
    S = _split(X, constant)
    K = S.shape[1]
    sigma_e2, sigma_u2 = swamy_arora(y, S, codes, n_groups)
    T = np.bincount(codes, minlength=n_groups).astype(np.float64)
    theta = 1.0 - np.sqrt(sigma_e2 / (T * sigma_u2 + sigma_e2))
    th = theta[codes]
    Xf = np.column_stack([S, np.ones(n)]) if constant else S
    Xm, ym = group_means(Xf, codes, n_groups), group_means(y, codes, n_groups)
    Xs = Xf - th[:, None] * Xm[codes]
    ys = y - th * ym[codes]
    gram_inv = np.linalg.pinv(Xs.T @ Xs)
    coef = gram_inv @ (Xs.T @ ys)
    e = ys - Xs @ coef
    if vce == "ols":
        cov = sigma_e2 * gram_inv
    else:
        gcodes, guniq = pd.factorize(clusters)
        G = len(guniq)
        scores = np.column_stack([np.bincount(gcodes, weights=Xs[:, j] * e, minlength=G) for j in range(Xs.shape[1])])
        cov = (G / (G - 1)) * gram_inv @ (scores.T @ scores) @ gram_inv
    cov = (cov + cov.T) / 2.0
    b = coef[:K]
    stats: dict[str, Any] = {"n": n, "n_groups": n_groups, **_r2s(y, S, b, codes, n_groups),
                             "sigma_u": float(np.sqrt(sigma_u2)), "sigma_e": float(np.sqrt(sigma_e2)),
                             "rho": sigma_u2 / (sigma_u2 + sigma_e2)}
    if K:
        chi2 = _wald(b, cov[:K, :K])
        stats.update(chi2=chi2, df_m=K, p_chi2=chi2_sf(chi2, K))
    h = np.einsum("ij,jk,ik->i", Xs, gram_inv, Xs)
    fitted = Xf @ coef if keep_arrays else None
    effects = resid = None
    if keep_arrays:
        # BLUP of u_i: the unit's mean residual shrunk by T_i σu² / (T_i σu² + σe²) = 1 − (1 − θ_i)²
        effects = ((1.0 - (1.0 - theta) ** 2) * group_means(y - fitted, codes, n_groups))[codes]
        resid = y - fitted - effects
    r2 = stats["r2_overall"]
    return PanelFit("re", coef, cov, [], n, n_groups, None, stats, float(h.max()) if n else 0.0, r2,
                    fitted=fitted, effects=effects, resid=resid, sigma2=float(e @ e) / (n - Xs.shape[1]))


def fit_be(y: np.ndarray, X: np.ndarray, ids: np.ndarray, *, constant: bool, keep_arrays: bool = False,
           groups: PanelGroups | None = None) -> PanelFit:
    """Between estimator: OLS of the unit means (one row per unit)."""
    codes, n_groups = _codes(ids, groups)
    S = _split(X, constant)
    K = S.shape[1]
    Xm, ym = group_means(X, codes, n_groups), group_means(y, codes, n_groups)
    fit = fit_ols(Xm, ym, constant=constant)
    b = fit.coef[:K]
    stats = {"n": len(y), "n_groups": n_groups, **_r2s(y, S, b, codes, n_groups),
             "f": fit.f, "df_m": fit.df_m, "p_f": fit.p_f, "rmse": fit.rmse}
    fitted = X @ fit.coef if keep_arrays else None
    return PanelFit("be", fit.coef, fit.cov, [], len(y), n_groups, fit.df_r, stats, fit.max_leverage, fit.r2,
                    fitted=fitted, resid=(y - fitted) if keep_arrays else None)


def fit_pooled(y: np.ndarray, X: np.ndarray, ids: np.ndarray, *, constant: bool, vce: str = "ols",
               clusters: np.ndarray | None = None, keep_arrays: bool = False,
               groups: PanelGroups | None = None) -> PanelFit:
    """Pooled OLS of the panel rows."""
    n_groups = _codes(ids, groups)[1]
    fit = fit_ols(X, y, constant=constant, vce=vce, clusters=clusters, keep_arrays=keep_arrays)
    stats = {"n": len(y), "n_groups": n_groups, "f": fit.f, "df_m": fit.df_m, "p_f": fit.p_f,
             "r2": fit.r2, "rmse": fit.rmse}
    return PanelFit("pooled", fit.coef, fit.cov, [], len(y), n_groups, fit.df_test, stats, fit.max_leverage,
                    fit.r2, fitted=fit.fitted, resid=fit.resid)


def panel_ids(ctx: AnalysisContext, command: str) -> np.ndarray:
    """The panel unit of every dataset row; an error unless the active dataset is a panel."""
    if ctx.kind != "panel" or ctx.contributors.person_id is None:
        raise MdlRuntimeError(
            f"{command} needs a panel dataset", None,
            hint="create the dataset with import-panel (or reshape-to-panel) before " + command,
        )
    return ctx.contributors.person_id


def estimator_of(prep: Prepared, command: str) -> str:
    """fe (default), re, be or pooled; an error when more than one is given."""
    chosen = [e for e in ESTIMATORS if e in prep.options.flags]
    if len(chosen) > 1:
        raise MdlRuntimeError(
            "choose one of fe, re, be and pooled", None, hint=f"for example: {command} y x, re"
        )
    return chosen[0] if chosen else "fe"


#: a column whose within-unit variation is below this share of its total variation is time-invariant
WITHIN_TOL = 1e-10


def _within_kept(sums: WithinSums, tol: float = 1e-9) -> list[int]:
    """The slope columns that vary within units and are not collinear after the within
    transformation, by :func:`~mdlang.commands.models_design.drop_collinear`'s rule (the constant
    first, then each column in order) on the within cross products."""
    G = sums.within[0].copy()
    K = G.shape[0] - 1
    # a time-invariant column leaves rounding noise (1e-13) after the transformation, which the
    # relative collinearity test cannot tell from variation: zero it against the total variation
    flat = np.diag(G)[:K] <= WITHIN_TOL * np.diag(sums.pooled[0])[:K]
    G[:K][flat, :] = 0.0
    G[:, :K][:, flat] = 0.0
    keep = [K]
    for j in range(K):
        gjj = G[j, j]
        if gjj <= 0:
            continue
        rhs = G[keep, j]
        coef = np.linalg.lstsq(G[np.ix_(keep, keep)], rhs, rcond=None)[0]
        if gjj - rhs @ coef <= tol * gjj:
            continue
        keep.append(j)
    return sorted(j for j in keep if j != K)


def within_design(d: Design, ids: np.ndarray, *, groups: PanelGroups | None = None) -> Design:
    """The design without the columns that do not vary within units (time-invariant variables,
    absorbed by the fixed effects) or are collinear after the within transformation; they are
    listed as omitted, as the manual says their coefficients are not shown."""
    return _within_design_and_sums(d, groups if groups is not None else panel_groups(ids))[0]


def _within_design_and_sums(d: Design, groups: PanelGroups) -> tuple[Design, WithinSums]:
    """:func:`within_design` and the :class:`WithinSums` of the columns it keeps (for the fit)."""
    sums = within_sums(d.y, _split(d.X, d.constant), groups)
    kept = _within_kept(sums)
    if len(kept) < d.k - int(d.constant):
        return _keep_slopes(d, kept), sums.select(kept)
    return d, sums


def _keep_slopes(d: Design, kept: list[int]) -> Design:
    """The design with only the slope columns ``kept`` (and the constant); the others omitted."""
    K = d.k - int(d.constant)
    cols = kept + ([d.k - 1] if d.constant else [])
    dropped = [d.names[j] for j in range(K) if j not in kept]
    return dataclasses.replace(
        d, X=np.asfortranarray(d.X[:, cols]), names=[d.names[j] for j in cols], shown=[d.shown[j] for j in cols],
        omitted=[*d.omitted, *dropped], term_of=[d.term_of[j] for j in cols] if d.term_of else [],
        sufficient=None,
    )


def fit_panel(prep: Prepared, ids_all: np.ndarray, estimator: str, command: str, *,
              keep_arrays: bool = False) -> PanelFit:
    """Fit the prepared design with the chosen estimator."""
    d = prep.design
    ids = ids_all[d.rows]
    vce, clusters = _vce(prep, ids)
    if estimator == "be" and vce != "ols":
        raise MdlRuntimeError(
            "the between estimator (be) takes no robust or cluster() standard errors", None,
            hint="remove robust/cluster(), or use fe, re or pooled",
        )
    groups = panel_groups(ids)
    if estimator in ("fe", "re") and (len(ids) - groups.n - (d.k - int(d.constant))) < 1:
        raise MdlRuntimeError(
            f"{command}, {estimator} needs units observed more than once", None,
            hint="use a panel with at least two dates, or the pooled estimator",
        )
    if estimator == "fe":
        d, sums = _within_design_and_sums(d, groups)
        fit = fit_fe(d.y, d.X, ids, constant=d.constant, vce=vce, clusters=clusters, keep_arrays=keep_arrays,
                     groups=groups, sums=sums)
    elif estimator == "re":
        fit = fit_re(d.y, d.X, ids, constant=d.constant, vce=vce, clusters=clusters, keep_arrays=keep_arrays,
                     groups=groups)
    elif estimator == "be":
        fit = fit_be(d.y, d.X, ids, constant=d.constant, keep_arrays=keep_arrays, groups=groups)
    else:
        fit = fit_pooled(d.y, d.X, ids, constant=d.constant, vce=vce, clusters=clusters, keep_arrays=keep_arrays,
                         groups=groups)
    fit.names = list(d.names)
    fit.design = d
    return fit


def gate_fit(ctx: AnalysisContext, fit: PanelFit, command: str) -> Result | None:
    """The D7 rules decided after fitting (leverage, and R² for the linear fits)."""
    return (model_gate.check_leverage(ctx.gate, fit.max_leverage, command=command, line=ctx.line)
            or model_gate.check_r2(ctx.gate, fit.r2, command=command, line=ctx.line))


def _vce_notes(prep: Prepared) -> list[str]:
    o = prep.options
    if o.vce == "cluster" and o.cluster is not None:
        return [f"Standard errors are adjusted for clusters in {o.cluster[0]}."]
    if o.vce == "robust":
        return ["Standard errors are adjusted for clusters in the panel unit (robust)."]
    return []


def _df_noise(vce: str, estimator: str, rows_noise: int, persons_noise: int) -> int:
    """The noise of the residual df of a panel fit, that of the counts it is made of: rows − K − 1
    (pooled), persons − K − 1 (be), rows − persons − K (fe), persons − 1 (robust: clusters are the
    persons); clusters of another variable are not a count of rows or persons (none)."""
    if vce == "cluster":
        return 0
    if vce == "robust" or estimator == "be":
        return persons_noise
    return rows_noise - persons_noise if estimator == "fe" else rows_noise


def panel_table(ctx: AnalysisContext, prep: Prepared, fit: PanelFit, title: str) -> ModelTable:
    """The released table of a panel fit (counts of rows and of units are perturbed)."""
    d = fit.design if fit.design is not None else prep.design
    stat, p, lo, hi = t_table(fit.coef, fit.se, fit.df, prep.options.level)
    rows = [[fit.names[j], fit.coef[j], fit.se[j], stat[j], p[j], lo[j], hi[j]]
            for j in range(len(fit.coef)) if d.shown[j]]
    stats = dict(fit.stats)
    # Number of obs (rows) and Number of groups (persons) each carry their own cell-key noise:
    # with one noise for both, rows − persons was released exactly, and a pair of models that
    # differ by one person told that person's number of rows. Degrees of freedom move with the
    # counts they are made of, so that none of them gives back a true count or that difference.
    persons_noise = model_gate.count_noise(ctx.gate, prep.contributors, d.rows)
    rows_noise = model_gate.row_count_noise(ctx.gate, prep.contributors, d.rows)
    stats["n_groups"] = int(stats["n_groups"]) + persons_noise
    if "p_f_u" in stats and np.isfinite(stats["p_f_u"]):
        stats["p_f_u"] = round(float(stats["p_f_u"]), model_gate.P_DECIMALS)
    if "f" in stats and fit.df is not None:
        stats["df_r"] = int(fit.df) + _df_noise(prep.options.vce, fit.estimator, rows_noise, persons_noise)
    if "f_u" in stats:
        k = len(fit.coef) - int(d.constant)
        stats["df_u_num"] = stats["n_groups"] - 1
        stats["df_u_den"] = fit.n - fit.n_groups - k + rows_noise - persons_noise
    columns = ("term", "coef", "se", "t" if fit.df is not None else "z", "p", "ci_low", "ci_high")
    notes = (["Omitted because of collinearity: " + ", ".join(d.omitted) + "."] if d.omitted else [])
    notes += _vce_notes(prep)
    notes.append("Number of groups is the number of panel units (persons), perturbed like a count.")
    if prep.options.control:
        notes.append("Control variables are estimated but not shown.")
    return ModelTable(title, d.depvar, rows, stats, "t" if fit.df is not None else "z", prep.options.level,
                      columns, notes, n_noise=rows_noise)


def _release(ctx: AnalysisContext, prep: Prepared, fit: PanelFit, title: str, command: str,
             first_notes: tuple[str, ...] = ()) -> list[Result]:
    refusal = gate_fit(ctx, fit, command)
    if refusal is not None:
        return [refusal]
    table = panel_table(ctx, prep, fit, title)
    table.notes[:0] = first_notes
    return [model_gate.release_model(ctx.gate, table, prep.contributors, command=command, line=ctx.line,
                                     rows=prep.design.rows)]


@analysis("regress-panel")
def regress_panel(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``regress-panel y x… [, fe|re|be|pooled noconstant level() robust cluster()]``."""
    command = ctx.command or "regress-panel"
    ids = panel_ids(ctx, command)
    prep = prepare(ctx, stmt, command)
    if isinstance(prep, Result):
        return [prep]
    estimator = estimator_of(prep, command)
    fit = fit_panel(prep, ids, estimator, command)
    return _release(ctx, prep, fit, TITLES[estimator], command)


def _binary(ctx: AnalysisContext, name: str, span: Any, command: str) -> None:
    values = numeric_values(ctx, name, span, command)
    ok = values[~np.isnan(values)]
    if not np.all((ok == 0) | (ok == 1)):
        raise MdlRuntimeError(
            f"{name} must be a 0/1 variable in {command}", span,
            hint=f"recode {name} to 1 for the group or period of interest and 0 otherwise",
        )


@analysis("regress-panel-diff")
def regress_panel_diff(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``regress-panel-diff y group treated [x…]``: the ATET is the coefficient of
    group#treated in a pooled regression with both main effects (difference in differences);
    ``robust`` clusters on the panel unit, as in ``regress-panel``."""
    command = ctx.command or "regress-panel-diff"
    ids = panel_ids(ctx, command)
    if len(stmt.args) < 3:
        raise MdlRuntimeError(f"{command} needs an outcome, a group and a treated variable", None,
                              hint=f"for example: {command} y group treated")
    names = [(expr_name(a), getattr(a, "span", None)) for a in stmt.args[1:3]]
    for name, span in names:
        _binary(ctx, name, span, command)
    (g, gs), (t, ts) = names
    terms = [Term((TermPart(g, True, gs),)), Term((TermPart(t, True, ts),)),
             Term((TermPart(g, True, gs), TermPart(t, True, ts)))]
    terms += parse_terms(stmt.args[3:])
    prep = prepare(ctx, stmt, command, terms=terms)
    if isinstance(prep, Result):
        return [prep]
    fit = fit_panel(prep, ids, "pooled", command)
    inter = [n for n in fit.names if n.startswith(f"{g}=") and f"#{t}=" in n]
    first = (f"The treatment effect on the treated (ATET) is the coefficient of {inter[0]}.",) if inter else ()
    return _release(ctx, prep, fit, "Difference-in-differences (pooled OLS)", command, first)


def hausman_rows(fe: PanelFit, re: PanelFit, *, include_constant: bool, scale: str) -> tuple[list[list], float, int]:
    """Rows ``[term, fe, re, diff, se]`` and (chi2, df) of the Hausman test."""
    names = [nm for nm in fe.names if nm in re.names and (nm != "_cons" or include_constant)]
    common = [fe.names.index(nm) for nm in names]
    other = [re.names.index(nm) for nm in names]
    b, B = fe.coef[common], re.coef[other]
    Vb, VB = fe.cov[np.ix_(common, common)], re.cov[np.ix_(other, other)]
    s2_fe, s2_re = fe.sigma2, re.sigma2
    if scale == "sigmamore":
        # both matrices on the GLS residual variance; RE's own (Swamy-Arora) sigma_e equals FE's,
        # so the default and sigmaless coincide
        Vb, VB = Vb * s2_re / s2_fe, VB * s2_re / s2_fe
    V = Vb - VB
    d = b - B
    w, vecs = np.linalg.eigh((V + V.T) / 2.0)
    tol = max(w.max(initial=0.0), 0.0) * len(w) * 1e-10
    keep = w > tol
    chi2 = float(((vecs[:, keep].T @ d) ** 2 / w[keep]).sum())
    se = np.sqrt(np.clip(np.diag(V), 0.0, None))
    rows = [[nm, b[i], B[i], d[i], se[i]] for i, nm in enumerate(names)]
    return rows, chi2, int(keep.sum())


@analysis("hausman")
def hausman(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``hausman y x… [, noconstant level() sigmamore sigmaless include_constant]``: FE against RE."""
    command = ctx.command or "hausman"
    ids = panel_ids(ctx, command)
    prep = prepare(ctx, stmt, command)
    if isinstance(prep, Result):
        return [prep]
    flags = prep.options.flags
    if {"sigmamore", "sigmaless"} <= flags:
        raise MdlRuntimeError("choose one of sigmamore and sigmaless", None, hint="remove one of the two options")
    fe = fit_panel(prep, ids, "fe", command)
    re = fit_panel(prep, ids, "re", command)
    for fit in (fe, re):
        refusal = gate_fit(ctx, fit, command)
        if refusal is not None:
            return [refusal]
    scale = "sigmamore" if "sigmamore" in flags else "sigmaless" if "sigmaless" in flags else "own"
    rows, chi2, df = hausman_rows(fe, re, include_constant="include_constant" in flags, scale=scale)
    rows = [r for r in rows if prep.design.shown[prep.design.names.index(r[0])]]
    out = [model_gate.release_model(ctx.gate, panel_table(ctx, prep, fit, TITLES[fit.estimator]), prep.contributors,
                                    command=command, line=ctx.line, rows=prep.design.rows) for fit in (fe, re)]
    p = chi2_sf(chi2, df) if df else float("nan")
    notes = ["b = fixed effects (consistent); B = random effects (efficient under H0).",
             "H0: the difference in coefficients is not systematic; P < 0.05 favours fixed effects."]
    if scale != "own":
        notes.append(f"Both covariance matrices use the {'random' if scale == 'sigmamore' else 'fixed'}-effects error variance ({scale}).")
    table = ModelTable("Hausman test", prep.design.depvar, rows, {"chi2": chi2, "df": df, "p_chi2": p},
                       columns=("term", "fe", "re", "diff", "se"), notes=notes, kind="table")
    out.append(model_gate.release_model(ctx.gate, table, None, command=command, line=ctx.line))
    return out


def run_panel_predict(session: Session, stmt: ast.Command) -> list[Result]:
    """``regress-panel-predict``: store predicted values (x·b + constant), residuals
    (y − prediction − unit effect) or the unit effects as new variables; release a message."""
    command = stmt.name
    ctx = build_context(session, command, stmt)
    ids = panel_ids(ctx, command)
    prep = prepare(ctx, stmt, command, outputs=PREDICT_OUTPUTS)
    if isinstance(prep, Result):
        return [prep]
    estimator = estimator_of(prep, command)
    asked = prep.options.outputs or {"predicted": "predicted"}
    ds = session.active_dataset(stmt.span)
    spans = {o.name: (o.args[0].span if o.args else o.span) for o in stmt.options}
    for kind, name in asked.items():
        span = spans.get(kind)
        check_new(ds, name, span if span is not None and span.line else None)
        if kind == "effects" and estimator not in ("fe", "re"):
            raise MdlRuntimeError("effects() needs the fe or re estimator", span,
                                  hint=f"for example: {command} y x, fe effects(u)")
    fit = fit_panel(prep, ids, estimator, command, keep_arrays=True)
    refusal = gate_fit(ctx, fit, command)
    if refusal is not None:
        return [refusal]
    made = {"predicted": fit.fitted, "residuals": fit.resid, "effects": fit.effects}
    rows = prep.design.rows
    columns = [(name, made[kind]) for kind, name in asked.items()]
    return store_predictions(ctx, ds, command, prep.design.depvar, rows, columns)


handler("regress-panel-predict")(run_panel_predict)
