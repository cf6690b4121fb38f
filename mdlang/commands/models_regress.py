"""``regress``: linear regression with every option of language.md §3.6, released through the
model gate (D7).

The coefficient table has Stata's layout (``[term, coef, se, t, p, ci_low, ci_high]``, ``_cons``
last, ``control()`` terms fitted but not shown); ``standardize`` replaces the interval by a
``beta`` column. ``vif``, ``ov``, ``het_bp``/``het_iid``/``het_fstat`` and ``margins()`` each
add a small released table after the model.
"""

from __future__ import annotations

import numpy as np

from mdlang.commands.models_common import Prepared, prepare
from mdlang.commands.models_design import Design
from mdlang.commands.models_linalg import crossprod, scaled_inverse
from mdlang.commands.models_margins import margin_rows
from mdlang.commands.models_ols import OLSFit, fit_ols, t_table
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.context import AnalysisContext
from mdlang.results import Result
from mdlang.syntax import ast

TITLE = "Linear regression"
DIAG_COLUMNS = ("Test", "Statistic", "df", "p")


def coefficient_rows(design: Design, coef: np.ndarray, se: np.ndarray, df: int | None, level: float) -> list[list]:
    """``[term, coef, se, stat, p, lo, hi]`` for every shown column (``_cons`` is last)."""
    stat, p, lo, hi = t_table(coef, se, df, level)
    return [
        [design.names[j], coef[j], se[j], stat[j], p[j], lo[j], hi[j]]
        for j in range(design.k) if design.shown[j]
    ]


def omitted_note(design: Design) -> list[str]:
    """A note naming the terms left out for collinearity (names as written in the script)."""
    if not design.omitted:
        return []
    return ["Omitted because of collinearity: " + ", ".join(design.omitted) + "."]


def vce_note(fit_vce: str, cluster: str | None, linear: bool = True) -> list[str]:
    """What the standard errors are."""
    if fit_vce == "robust":
        return ["Standard errors are heteroskedasticity-robust (HC1)." if linear
                else "Standard errors are robust (sandwich estimator)."]
    if fit_vce == "cluster":
        return [f"Standard errors are adjusted for clusters in {cluster}."]
    return []


def _stats(fit: OLSFit) -> dict:
    stats = {"n": fit.n, "df_m": fit.df_m, "df_r": fit.df_test, "f": fit.f, "p_f": fit.p_f,
             "r2": fit.r2, "adj_r2": fit.adj_r2, "rmse": fit.rmse}
    if fit.vce == "ols":
        stats.update(ss_model=fit.ss_model, ss_resid=fit.ss_resid,
                     ms_model=fit.ss_model / fit.df_m if fit.df_m else None,
                     ms_resid=fit.ss_resid / fit.df_r)
    else:
        stats.pop("adj_r2")
    return stats


def _standardized(design: Design, fit: OLSFit) -> list[list]:
    rows = []
    sd_y = float(np.std(design.y, ddof=1))
    stat, p, _lo, _hi = t_table(fit.coef, fit.se, fit.df_test, 95.0)
    for j in range(design.k):
        if not design.shown[j]:
            continue
        if design.names[j] == "_cons":
            beta = None
        else:
            beta = fit.coef[j] * float(np.std(design.X[:, j], ddof=1)) / sd_y
        rows.append([design.names[j], fit.coef[j], fit.se[j], stat[j], p[j], beta])
    return rows


def vif_rows(design: Design) -> list[list]:
    """Variance inflation factors of the shown regressors (centred when there is a constant)."""
    k = design.k
    slopes = [j for j in range(k) if design.names[j] != "_cons"]
    if len(slopes) < 1:
        return []
    X = design.X[:, slopes]
    centre = X.mean(axis=0) if design.constant else np.zeros(len(slopes))
    ztz = crossprod(X, centre)[0]
    d = np.sqrt(np.diag(ztz))
    corr = ztz / d[:, None] / d[None, :]
    vif = np.diag(scaled_inverse(corr))
    rows = [[design.names[j], float(v), 1.0 / float(v)] for j, v in zip(slopes, vif, strict=True) if design.shown[j]]
    return rows


def reset_test(design: Design, fit: OLSFit) -> tuple[float, int, int, float]:
    """Ramsey RESET: F test of fitted values to the powers 2–4 added to the model."""
    from scipy import stats as sps
    yhat = fit.fitted
    z = (yhat - yhat.mean()) / (yhat.std() or 1.0)
    extra = np.column_stack([z**2, z**3, z**4])
    cols = design.X[:, :-1] if design.constant else design.X
    X = np.column_stack([cols, extra] + ([design.X[:, -1]] if design.constant else []))
    big = fit_ols(X, design.y, constant=design.constant)
    df1, df2 = 3, big.df_r
    f = ((fit.ss_resid - big.ss_resid) / df1) / (big.ss_resid / df2)
    return float(f), df1, df2, float(sps.f.sf(f, df1, df2))  # df2 is n-k-3: not released


def het_tests(fit: OLSFit, which: list[str]) -> list[list]:
    """Breusch-Pagan tests on the fitted values: normal (het_bp), studentised (het_iid), F (het_fstat)."""
    from scipy import stats as sps
    e2 = fit.resid**2
    n = len(e2)
    X = np.column_stack([fit.fitted, np.ones(n)])
    rows = []
    if "het_bp" in which:
        aux = fit_ols(X, e2 / (fit.ss_resid / n), constant=True)
        chi2 = aux.ss_model / 2.0
        rows.append(["Breusch-Pagan chi2", chi2, 1, float(sps.chi2.sf(chi2, 1))])
    if "het_iid" in which or "het_fstat" in which:
        aux = fit_ols(X, e2, constant=True)
        if "het_iid" in which:
            chi2 = n * aux.r2
            rows.append(["Breusch-Pagan chi2 (studentised)", chi2, 1, float(sps.chi2.sf(chi2, 1))])
        if "het_fstat" in which:
            rows.append(["Breusch-Pagan F", aux.f, 1, aux.p_f])
    return rows


def _table(title: str, columns: tuple[str, ...], rows: list[list]) -> ModelTable:
    return ModelTable(title=title, depvar="", rows=rows, stats={}, columns=columns, kind="table")


@analysis("regress")
def regress(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The ``regress`` command (see the module docstring)."""
    command = ctx.command or "regress"
    prep = prepare(ctx, stmt, command)
    if isinstance(prep, Result):
        return [prep]
    return release_regress(ctx, prep, command)


def release_regress(ctx: AnalysisContext, prep: Prepared, command: str) -> list[Result]:
    """Fit, gate and release a prepared linear regression with its extra tables."""
    d, o = prep.design, prep.options
    het = [h for h in ("het_bp", "het_iid", "het_fstat") if h in o.flags]
    fit = fit_ols(d.X, d.y, constant=d.constant, vce=o.vce, clusters=prep.clusters,
                  keep_arrays=bool(het) or "ov" in o.flags, sufficient=d.sufficient)
    gate = ctx.gate
    refusal = (model_gate.check_leverage(gate, fit.max_leverage, command=command, line=ctx.line)
               or model_gate.check_r2(gate, fit.r2, command=command, line=ctx.line))
    if refusal is not None:
        return [refusal]
    notes = omitted_note(d) + vce_note(fit.vce, o.cluster[0] if o.cluster else None)
    if "standardize" in o.flags:
        rows = _standardized(d, fit)
        columns = ("term", "coef", "se", "t", "p", "beta")
    else:
        rows = coefficient_rows(d, fit.coef, fit.se, fit.df_test, o.level)
        columns = ModelTable.columns
    if o.control:
        notes.append("Control variables are estimated but not shown.")
    table = ModelTable(TITLE, d.depvar, rows, _stats(fit), "t", o.level, columns, notes,
                       df_r_from_n=fit.vce != "cluster")
    out = [model_gate.release_model(gate, table, prep.contributors, command=command, line=ctx.line,
                                       rows=d.rows)]
    if "vif" in o.flags:
        rows = vif_rows(d)
        mean = float(np.mean([r[1] for r in rows])) if rows else None
        vt = _table("Variance inflation factors", ("Variable", "VIF", "1/VIF"), rows)
        vt.stats = {"mean_vif": mean}
        out.append(model_gate.release_model(gate, vt, None, command=command, line=ctx.line))
    diag: list[list] = []
    if "ov" in o.flags:
        f, df1, df2, p = reset_test(d, fit)
        diag.append(["Ramsey RESET F", f, df1, p])
    diag += het_tests(fit, het) if het else []
    if diag:
        out.append(model_gate.release_model(gate, _table("Specification tests", DIAG_COLUMNS, diag), None,
                                            command=command, line=ctx.line))
    if o.margins is not None:
        mrows = margin_rows(ctx, d, o.margins, lambda xb: (xb, np.ones_like(xb)), fit.coef, fit.cov,
                            fit.df_test, o.level)
        mt = ModelTable("Predictive margins", d.depvar, mrows, {}, "t", o.level,
                        ("term", "margin", "se", "t", "p", "ci_low", "ci_high"))
        out.append(model_gate.release_model(gate, mt, None, command=command, line=ctx.line))
    return out
