"""``oaxaca y x… by group [, robust noconstant pool]``: the Blinder–Oaxaca decomposition of the
difference in mean outcome between two groups (language.md §3.6), released through the model
gate (D7).

Group A is the lower value of the group variable, group B the higher; the difference is
``ȳA − ȳB``. With a linear model per group (``βA``, ``βB``) and the groups' mean regressors
``x̄A``, ``x̄B``:

* three-fold (default, B's coefficients as reference): endowments ``(x̄A − x̄B)'βB``,
  coefficients ``x̄B'(βA − βB)``, interaction ``(x̄A − x̄B)'(βA − βB)``;
* two-fold (``pool``): ``β*`` from a pooled model of both groups with a group indicator
  (Neumark's reference); explained ``(x̄A − x̄B)'β*``, unexplained
  ``x̄A'(βA − β*) + x̄B'(β* − βB)``.

With a constant the components sum to the raw difference. Standard errors are first-order delta
method (Jann 2008), treating the groups as independent and the regressor means as random; in the
two-fold case the covariance between β* and the group coefficients is ignored.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mdlang.commands.models_common import prepare
from mdlang.commands.models_design import Term, TermPart, expr_name, parse_terms
from mdlang.commands.models_ols import OLSFit, fit_ols, t_table
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast


def split_by(stmt: ast.Command, command: str) -> tuple[tuple, tuple]:
    """The argument items before and after the ``by`` keyword."""
    at = [i for i, a in enumerate(stmt.args) if isinstance(a, ast.Keyword) and a.word == "by"]
    if not at or at[0] == len(stmt.args) - 1:
        raise MdlRuntimeError(f"{command} needs by and a group variable at the end", getattr(stmt, "span", None),
                              hint=f"for example: {command} y x1 x2 by group")
    return stmt.args[: at[0]], stmt.args[at[0] + 1:]


def _delta(a: np.ndarray, V: np.ndarray) -> float:
    return float(a @ V @ a)


def decompose(y: np.ndarray, X: np.ndarray, in_a: np.ndarray, *, constant: bool, vce: str = "ols",
              pool: bool = False) -> tuple[list[tuple[str, float, float]], dict]:
    """``[(component, estimate, se)]`` of the decomposition (see the module docstring) and the
    group fits (for the gate). ``X`` has the constant last when ``constant``."""
    fits: dict[str, OLSFit] = {}
    means, vmeans = {}, {}
    for name, rows in (("A", in_a), ("B", ~in_a)):
        Xg, yg = X[rows], y[rows]
        fits[name] = fit_ols(Xg, yg, constant=constant, vce=vce)
        means[name] = Xg.mean(axis=0)
        vmeans[name] = np.atleast_2d(np.cov(Xg, rowvar=False)) / len(yg)
        if constant:
            vmeans[name][-1, :] = vmeans[name][:, -1] = 0.0
    bA, bB, VA, VB = fits["A"].coef, fits["B"].coef, fits["A"].cov, fits["B"].cov
    xA, xB = means["A"], means["B"]
    VxA, VxB = vmeans["A"], vmeans["B"]
    dx, db = xA - xB, bA - bB
    yA, yB = float(y[in_a].mean()), float(y[~in_a].mean())
    se_yA = float(np.std(y[in_a], ddof=1) / np.sqrt(in_a.sum()))
    se_yB = float(np.std(y[~in_a], ddof=1) / np.sqrt((~in_a).sum()))
    rows = [("Group A mean", yA, se_yA), ("Group B mean", yB, se_yB),
            ("Difference", yA - yB, float(np.hypot(se_yA, se_yB)))]
    if not pool:
        e = float(dx @ bB)
        c = float(xB @ db)
        i = float(dx @ db)
        rows += [
            ("Endowments", e, np.sqrt(_delta(dx, VB) + _delta(bB, VxA + VxB))),
            ("Coefficients", c, np.sqrt(_delta(xB, VA + VB) + _delta(db, VxB))),
            ("Interaction", i, np.sqrt(_delta(dx, VA + VB) + _delta(db, VxA + VxB))),
        ]
    else:
        k = X.shape[1]
        Xp = np.column_stack([X[:, : k - 1], in_a.astype(np.float64), X[:, k - 1:]]) if constant \
            else np.column_stack([X, in_a.astype(np.float64)])
        pooled = fit_ols(Xp, y, constant=constant, vce=vce)
        keep = [j for j in range(Xp.shape[1]) if j != (k - 1 if constant else k)]
        bP, VP = pooled.coef[keep], pooled.cov[np.ix_(keep, keep)]
        fits["pooled"] = pooled
        q = float(dx @ bP)
        u = float(xA @ (bA - bP) + xB @ (bP - bB))
        rows += [
            ("Explained", q, np.sqrt(_delta(dx, VP) + _delta(bP, VxA + VxB))),
            ("Unexplained", u, np.sqrt(_delta(xA, VA) + _delta(xB, VB) + _delta(bA - bP, VxA) + _delta(bP - bB, VxB))),
        ]
    return [(n, float(v), float(s)) for n, v, s in rows], fits


@analysis("oaxaca")
def oaxaca(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The ``oaxaca`` command (see the module docstring)."""
    command = ctx.command or "oaxaca"
    before, after = split_by(stmt, command)
    if len(after) != 1:
        raise MdlRuntimeError("oaxaca takes one group variable after by", getattr(after[1], "span", None),
                              hint="give the variable that splits the units into two groups")
    group = expr_name(after[0])
    terms = parse_terms(before[1:]) + [Term((TermPart(group, True, getattr(after[0], "span", None)),))]
    prep = prepare(ctx, replace(stmt, args=before), command, terms=terms)
    if isinstance(prep, Result):
        return [prep]
    d = prep.design
    gcols = [j for j in range(d.k) if d.names[j].startswith(f"{group}=")]
    if len(gcols) != 1:
        raise MdlRuntimeError(f"{group} must take exactly two values in the estimation sample", getattr(after[0], "span", None),
                              hint=f"recode {group} into two groups, or use an if condition")
    in_b = d.X[:, gcols[0]] == 1.0
    keep = [j for j in range(d.k) if j != gcols[0]]
    X = d.X[:, keep]
    vce = "robust" if prep.options.vce == "robust" else "ols"
    if prep.options.vce == "cluster":
        raise MdlRuntimeError("oaxaca takes robust but not cluster()", None, hint="use robust")
    rows, fits = decompose(d.y, X, ~in_b, constant=d.constant, vce=vce, pool="pool" in prep.options.flags)
    for fit in fits.values():
        refusal = (model_gate.check_leverage(ctx.gate, fit.max_leverage, command=command, line=ctx.line)
                   or model_gate.check_r2(ctx.gate, fit.r2, command=command, line=ctx.line))
        if refusal is not None:
            return [refusal]
    est = np.array([r[1] for r in rows])
    se = np.array([r[2] for r in rows])
    z, p, lo, hi = t_table(est, se, None, prep.options.level)
    b_label = d.names[gcols[0]]
    table_rows = [[name, est[i], se[i], z[i], p[i], lo[i], hi[i]] for i, (name, _v, _s) in enumerate(rows)]
    kind = "two-fold, pooled reference" if "pool" in prep.options.flags else "three-fold, group B coefficients as reference"
    notes = [f"Group A: {group} at its lower value; group B: {b_label}.",
             f"Decomposition: {kind}; standard errors by the delta method."]
    if prep.options.vce == "robust":
        notes.append("Group models use heteroskedasticity-robust (HC1) covariance matrices.")
    if d.omitted:
        notes.append("Omitted because of collinearity: " + ", ".join(d.omitted) + ".")
    table = ModelTable("Blinder-Oaxaca decomposition", d.depvar, table_rows, {"n": d.n}, "z", prep.options.level,
                       ("term", "coef", "se", "z", "p", "ci_low", "ci_high"), notes)
    return [model_gate.release_model(ctx.gate, table, prep.contributors, command=command, line=ctx.line, rows=d.rows)]
