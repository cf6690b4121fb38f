"""``ivregress``: instrumental-variable regression (2SLS, LIML, two-step GMM) as Stata does it.

Syntax: ``ivregress y [exog] (endog … = instruments …) [exog] [, tsls|liml|gmm …]``. The
regressors are the endogenous variables, then the exogenous ones, then ``_cons``; the
instruments are the excluded instruments plus the exogenous regressors. Large-sample formulas as
Stata's default: σ² = e'e/n, z statistics, a Wald χ² model test; ``robust`` gives the
heteroskedasticity-robust sandwich, ``cluster()`` the cluster sandwich times G/(G−1); ``gmm``
uses the robust weight matrix and a robust covariance. ``firststage``, ``endog`` (Durbin and
Wu-Hausman) and ``overid`` (Sargan and Basmann; Hansen's J after gmm) add tables.
Computation is done on centred columns and mapped back, as for OLS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mdlang.commands.models_common import Prepared, prepare
from mdlang.commands.models_design import Design, Term, parse_terms
from mdlang.commands.models_linalg import max_leverage, scaled_inverse, uncentre
from mdlang.commands.models_ols import fit_ols, t_table
from mdlang.commands.models_regress import omitted_note, vce_note
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

TITLES = {"tsls": "Instrumental variables 2SLS regression", "liml": "Instrumental variables LIML regression",
          "gmm": "Instrumental variables GMM regression"}
TEST_COLUMNS = ("Test", "Statistic", "df", "p")


@dataclass
class IVFit:
    """A fitted IV model in the original coordinates (unit-level arrays are never released)."""

    coef: np.ndarray
    cov: np.ndarray
    resid: np.ndarray
    n: int
    r2: float
    rmse: float
    kappa: float


def split_terms(stmt: ast.Command, command: str) -> tuple[list[Term], list[Term], list[Term]]:
    """(exogenous, endogenous, excluded instruments) terms of an ivregress statement."""
    blocks = [a for a in stmt.args[1:] if isinstance(a, ast.IVBlock)]
    if len(blocks) != 1:
        raise MdlRuntimeError(
            f"{command} needs one block (endogenous = instruments)", None,
            hint=f"for example: {command} y x1 (x2 = z1 z2)",
        )
    block = blocks[0]
    exog = parse_terms(tuple(a for a in stmt.args[1:] if not isinstance(a, ast.IVBlock)))
    endog = parse_terms(block.endogenous)
    inst = parse_terms(block.instruments)
    if len(inst) < len(endog):
        raise MdlRuntimeError(
            f"{command} needs at least as many instruments as endogenous variables", None,
            hint="add instruments or remove endogenous variables",
        )
    return exog, endog, inst


def _centre(A: np.ndarray, constant: bool) -> tuple[np.ndarray, np.ndarray]:
    c = A.mean(axis=0) if constant else np.zeros(A.shape[1])
    if constant:
        c[-1] = 0.0
    return A - c, c


def _sandwich_meat(U: np.ndarray, e: np.ndarray, vce: str, clusters: np.ndarray | None) -> np.ndarray:
    if vce == "cluster":
        codes, uniq = pd.factorize(clusters)
        g = len(uniq)
        sums = np.zeros((g, U.shape[1]))
        for j in range(U.shape[1]):
            sums[:, j] = np.bincount(codes, weights=U[:, j] * e, minlength=g)
        return sums.T @ sums * (g / (g - 1))
    ue = U * e[:, None]
    return ue.T @ ue


def fit_iv(y: np.ndarray, X: np.ndarray, Z: np.ndarray, n_endog: int, *, constant: bool,
           estimator: str = "tsls", vce: str = "ols", clusters: np.ndarray | None = None) -> IVFit:
    """Fit ``y = X b`` with instruments ``Z`` (the constant last in both when ``constant``;
    the first ``n_endog`` columns of X are endogenous, the exogenous ones are also in Z)."""
    n = len(y)
    Xc, cx = _centre(X, constant)
    Zc, _cz = _centre(Z, constant)
    ybar = float(y.mean()) if constant else 0.0
    yc = y - ybar
    zz_inv = scaled_inverse(Zc.T @ Zc)
    zx = Zc.T @ Xc
    zy = Zc.T @ yc
    kappa = 1.0
    if estimator == "gmm":
        A0 = zx.T @ zz_inv @ zx
        e1 = yc - Xc @ np.linalg.solve(A0, zx.T @ zz_inv @ zy)
        S = _sandwich_meat(Zc, e1, "cluster" if vce == "cluster" else "robust", clusters)
        W = scaled_inverse(S)
        A = zx.T @ W @ zx
        b = np.linalg.solve(A, zx.T @ W @ zy)
        e = yc - Xc @ b
        S2 = _sandwich_meat(Zc, e, "cluster" if vce == "cluster" else "robust", clusters)
        bread = np.linalg.inv(A)
        cov_c = bread @ (zx.T @ W @ S2 @ W @ zx) @ bread
    else:
        xx = Xc.T @ Xc
        xpx = zx.T @ zz_inv @ zx
        xy = Xc.T @ yc
        xpy = zx.T @ zz_inv @ zy
        if estimator == "liml":
            kappa = liml_kappa(yc, Xc[:, :n_endog], Zc, Z.shape[1] - (X.shape[1] - n_endog), zz_inv)
        A = (1 - kappa) * xx + kappa * xpx
        b = np.linalg.solve(A, (1 - kappa) * xy + kappa * xpy)
        e = yc - Xc @ b
        bread = np.linalg.inv(A)
        if vce == "ols":
            cov_c = (float(e @ e) / n) * bread
        else:
            U = (1 - kappa) * Xc + kappa * (Zc @ (zz_inv @ zx))
            cov_c = bread @ _sandwich_meat(U, e, vce, clusters) @ bread
    coef, cov = uncentre(b, cov_c, cx, ybar, constant)
    ssr = float(e @ e)
    tss = float(yc @ yc)
    return IVFit(coef, (cov + cov.T) / 2.0, e, n, 1.0 - ssr / tss if tss > 0 else float("nan"),
                 float(np.sqrt(ssr / n)), kappa)


def liml_kappa(yc: np.ndarray, endog: np.ndarray, Zc: np.ndarray, n_excluded: int, zz_inv: np.ndarray) -> float:
    """The LIML κ: the smallest root of |Y'M_exog Y − κ Y'M_Z Y| = 0, Y = [y, endogenous]."""
    import scipy.linalg
    Y = np.column_stack([yc, endog])
    yy = Y.T @ Y
    zy = Zc.T @ Y
    m_z = yy - zy.T @ zz_inv @ zy
    exog = Zc[:, n_excluded:]
    ey = exog.T @ Y
    m_x = yy - ey.T @ scaled_inverse(exog.T @ exog) @ ey
    return float(scipy.linalg.eigh(m_x, m_z, eigvals_only=True)[0])


def _columns(design: Design, term_ids: set[int]) -> list[int]:
    return [j for j, t in enumerate(design.term_of) if t in term_ids]


def _first_stage(design: Design, endog_cols: list[int], Z: np.ndarray, n_inst: int) -> list[list]:
    """Per endogenous regressor: R², adjusted R², partial R² of the instruments and their F."""
    from scipy import stats as sps
    rows = []
    exog_Z = Z[:, n_inst:]
    for j in endog_cols:
        x = design.X[:, j]
        full = fit_ols(Z, x, constant=design.constant)
        restricted = fit_ols(exog_Z, x, constant=design.constant) if exog_Z.shape[1] else None
        ssr_r = restricted.ss_resid if restricted is not None else float(x @ x)
        partial = 1.0 - full.ss_resid / ssr_r
        f = ((ssr_r - full.ss_resid) / n_inst) / (full.ss_resid / full.df_r)
        rows.append([design.names[j], full.r2, full.adj_r2, partial, f, float(sps.f.sf(f, n_inst, full.df_r))])
    return rows


def _endog_tests(design: Design, endog_cols: list[int], X: np.ndarray, Z: np.ndarray) -> list[list]:
    """Durbin (score) χ² and Wu-Hausman F that the endogenous regressors are exogenous."""
    from scipy import stats as sps
    vhat = np.column_stack([fit_ols(Z, design.X[:, j], constant=design.constant, keep_arrays=True).resid
                            for j in endog_cols])
    base = fit_ols(X, design.y, constant=design.constant)
    aug_X = np.column_stack([X[:, :-1], vhat, X[:, -1:]]) if design.constant else np.column_stack([X, vhat])
    aug = fit_ols(aug_X, design.y, constant=design.constant)
    q = len(endog_cols)
    durbin = design.n * (base.ss_resid - aug.ss_resid) / base.ss_resid
    wu = ((base.ss_resid - aug.ss_resid) / q) / (aug.ss_resid / aug.df_r)
    return [["Durbin chi2", durbin, q, float(sps.chi2.sf(durbin, q))],
            ["Wu-Hausman F", wu, q, float(sps.f.sf(wu, q, aug.df_r))]]


def _overid_tests(fit: IVFit, Z: np.ndarray, constant: bool, n_over: int, estimator: str,
                  vce: str, clusters: np.ndarray | None) -> list[list]:
    """Sargan and Basmann (2SLS, LIML) or Hansen's J (GMM) tests of overidentifying restrictions."""
    from scipy import stats as sps
    Zc, _ = _centre(Z, constant)
    e = fit.resid - (fit.resid.mean() if constant else 0.0)
    ze = Zc.T @ e
    if estimator == "gmm":
        S = _sandwich_meat(Zc, e, "cluster" if vce == "cluster" else "robust", clusters)
        j = float(ze @ scaled_inverse(S) @ ze)
        return [["Hansen J chi2", j, n_over, float(sps.chi2.sf(j, n_over))]]
    explained = float(ze @ scaled_inverse(Zc.T @ Zc) @ ze)
    ee = float(e @ e)
    sargan = fit.n * explained / ee
    basmann = (fit.n - Z.shape[1]) * explained / (ee - explained)
    return [["Sargan chi2", sargan, n_over, float(sps.chi2.sf(sargan, n_over))],
            ["Basmann chi2", basmann, n_over, float(sps.chi2.sf(basmann, n_over))]]


@analysis("ivregress")
def ivregress(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The ``ivregress`` command (see the module docstring)."""
    command = ctx.command or "ivregress"
    exog, endog, inst = split_terms(stmt, command)
    prep = prepare(ctx, stmt, command, terms=endog + exog + inst)
    if isinstance(prep, Result):
        return [prep]
    return release_iv(ctx, prep, command, len(endog), len(exog))


def estimator_of(prep: Prepared) -> str:
    """The estimator option given (tsls, liml or gmm; tsls when none)."""
    chosen = [e for e in ("tsls", "liml", "gmm") if e in prep.options.flags]
    if len(chosen) > 1:
        raise MdlRuntimeError("choose one of tsls, liml and gmm", None, hint="remove the others")
    return chosen[0] if chosen else "tsls"


def iv_columns(d: Design, n_endog_terms: int, n_exog_terms: int) -> tuple[list[int], list[int], int]:
    """Columns of the regressors (endogenous, exogenous, constant) and of the instruments
    (excluded, exogenous, constant) in the combined design, and the number of endogenous ones."""
    endog_cols = _columns(d, set(range(n_endog_terms)))
    exog_cols = _columns(d, set(range(n_endog_terms, n_endog_terms + n_exog_terms)))
    inst_cols = [j for j, t in enumerate(d.term_of) if t >= n_endog_terms + n_exog_terms]
    const = [d.k - 1] if d.constant else []
    if len(inst_cols) < len(endog_cols) or not endog_cols:
        raise MdlRuntimeError(
            "ivregress needs at least as many instruments as endogenous variables", None,
            hint="some instruments were dropped as collinear; add instruments or remove endogenous variables",
        )
    return endog_cols + exog_cols + const, inst_cols + exog_cols + const, len(endog_cols)


def release_iv(ctx: AnalysisContext, prep: Prepared, command: str, n_endog_terms: int, n_exog_terms: int) -> list[Result]:
    """Fit, gate and release an IV model with its optional test tables."""
    from scipy import stats as sps
    d, o = prep.design, prep.options
    estimator = estimator_of(prep)
    x_cols, z_cols, n_endog = iv_columns(d, n_endog_terms, n_exog_terms)
    endog_cols = x_cols[:n_endog]
    exog_cols = [j for j in x_cols[n_endog:] if d.names[j] != "_cons" or not d.constant]
    inst_cols = z_cols[: len(z_cols) - len(exog_cols) - (1 if d.constant else 0)]
    const = [d.k - 1] if d.constant else []
    X = d.X[:, endog_cols + exog_cols + const]
    Z = d.X[:, inst_cols + exog_cols + const]
    gate = ctx.gate
    for design_matrix in (X, Z):
        zero = np.zeros(design_matrix.shape[1])
        lev = max_leverage(design_matrix, zero, scaled_inverse(design_matrix.T @ design_matrix))
        refusal = model_gate.check_leverage(gate, lev, command=command, line=ctx.line)
        if refusal is not None:
            return [refusal]
    fit = fit_iv(d.y, X, Z, len(endog_cols), constant=d.constant, estimator=estimator, vce=o.vce,
                 clusters=prep.clusters)
    refusal = model_gate.check_r2(gate, fit.r2, command=command, line=ctx.line)
    if refusal is not None:
        return [refusal]
    names = [d.names[j] for j in endog_cols + exog_cols + const]
    se = np.sqrt(np.clip(np.diag(fit.cov), 0.0, None))
    stat, p, lo, hi = t_table(fit.coef, se, None, o.level)
    rows = [[names[i], fit.coef[i], se[i], stat[i], p[i], lo[i], hi[i]] for i in range(len(names))]
    slopes = [i for i, nm in enumerate(names) if nm != "_cons"]
    b = fit.coef[slopes]
    chi2 = float(b @ np.linalg.solve(fit.cov[np.ix_(slopes, slopes)], b)) if slopes else float("nan")
    # A negative R-squared (residual sum of squares above the total) means nothing for an IV
    # model; Stata shows it as missing, and so does the release (null, with a note).
    r2 = fit.r2 if fit.r2 >= 0 else None
    stats = {"n": fit.n, "chi2": chi2, "df_m": len(slopes), "p_chi2": float(sps.chi2.sf(chi2, len(slopes))),
             "r2": r2, "rmse": fit.rmse}
    # gmm's weight matrix makes its standard errors robust at least; cluster() keeps its own note
    vce = "robust" if estimator == "gmm" and o.vce == "ols" else o.vce
    notes = omitted_note(d) + vce_note(vce, o.cluster[0] if o.cluster else None, linear=False)
    if r2 is None:
        notes.append("R-squared is missing (.): it is negative, which can happen with instrumental variables "
                     "and has no meaning there.")
    notes.append("Instrumented: " + ", ".join(d.names[j] for j in endog_cols) + ". Instruments: "
                 + ", ".join(d.names[j] for j in inst_cols + exog_cols) + ".")
    table = ModelTable(TITLES[estimator], d.depvar, rows, stats, "z", o.level,
                       ("term", "coef", "se", "z", "p", "ci_low", "ci_high"), notes)
    out = [model_gate.release_model(gate, table, prep.contributors, command=command, line=ctx.line, rows=d.rows)]
    if "firststage" in o.flags:
        fs = _first_stage(d, endog_cols, Z, len(inst_cols))
        t = ModelTable("First-stage regression summary statistics", "", fs, {},
                       columns=("Variable", "R-sq.", "Adj. R-sq.", "Partial R-sq.", "F", "p"), kind="table")
        out.append(model_gate.release_model(gate, t, None, command=command, line=ctx.line))
    tests: list[list] = []
    if "endog" in o.flags:
        tests += _endog_tests(d, endog_cols, X, Z)
    if "overid" in o.flags:
        n_over = len(inst_cols) - len(endog_cols)
        if n_over > 0:
            tests += _overid_tests(fit, Z, d.constant, n_over, estimator, o.vce, prep.clusters)
    if tests:
        t = ModelTable("Tests", "", tests, {}, columns=TEST_COLUMNS, kind="table")
        out.append(model_gate.release_model(gate, t, None, command=command, line=ctx.line))
    elif "overid" in o.flags:
        out.append(gate.message(command, ctx.line, "The model is exactly identified: there are no overidentifying restrictions to test."))
    return out
