"""``rdd y runvar [x…] [, cutoff(#) polynomial(#) fuzzy(var) derivate(#) level(#) cluster(var)]``:
a regression discontinuity design (language.md §3.6), released through the model gate (D7).

The estimator is a global polynomial on each side of the cutoff over the estimation sample
(no bandwidth or kernel weighting): with ``r = runvar − cutoff`` and ``D = (runvar ≥ cutoff)``,
least squares of ``y`` on ``D, r, …, r^p, D·r, …, D·r^p`` (plus the covariates and a constant).
The effect at the cutoff is the jump in the ``d``-th derivative (``derivate(d)``):
``d! ×`` the coefficient of ``D·r^d`` (of ``D`` for d = 0). With ``fuzzy(t)`` the same regression
of the treatment ``t`` gives the jump in the treatment probability, and the effect is the Wald
ratio of the two jumps. Standard errors are heteroskedasticity-robust (HC1), or clustered with
``cluster()``; the fuzzy ratio's by the delta method over the joint sandwich of both regressions.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from mdlang.commands.models_common import prepare
from mdlang.commands.models_design import (
    Term,
    TermPart,
    expr_name,
    numeric_values,
    parse_terms,
    two_sides,
)
from mdlang.commands.models_linalg import scaled_inverse
from mdlang.commands.models_ols import fit_ols, t_table
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

MAX_POLYNOMIAL = 4
OWN_OPTIONS = ("cutoff", "polynomial", "fuzzy", "derivate")


def _number(opt: ast.Option, integer: bool) -> float:
    value = opt.args[0].value if opt.args and len(opt.args) == 1 and isinstance(opt.args[0], ast.Number) else None
    if value is None or (integer and (value != int(value) or value < 0)):
        kind = "a whole number of at least 0" if integer else "a number"
        raise MdlRuntimeError(f"{opt.name}() needs {kind}", getattr(opt, "span", None),
                              hint=f"for example: {opt.name}(1)")
    return float(value)


def rdd_options(stmt: ast.Command) -> tuple[float, int, str | None, int]:
    """(cutoff, polynomial, fuzzy variable, derivative order) of a statement."""
    cutoff, poly, fuzzy, deriv = 0.0, 1, None, 0
    for opt in stmt.options:
        if opt.name == "cutoff":
            cutoff = _number(opt, False)
        elif opt.name == "polynomial":
            poly = int(_number(opt, True))
            if not 0 <= poly <= MAX_POLYNOMIAL:
                raise MdlRuntimeError(f"polynomial() must be between 0 and {MAX_POLYNOMIAL}", getattr(opt, "span", None),
                                      hint="for example: polynomial(2)")
        elif opt.name == "derivate":
            deriv = int(_number(opt, True))
        elif opt.name == "fuzzy":
            if not opt.args or len(opt.args) != 1:
                raise MdlRuntimeError("fuzzy() needs one variable name", getattr(opt, "span", None),
                                      hint="for example: fuzzy(treated)")
            fuzzy = expr_name(opt.args[0])
    if deriv > poly:
        raise MdlRuntimeError("derivate() cannot be larger than polynomial()", getattr(stmt, "span", None),
                              hint="raise polynomial() or lower derivate()")
    return cutoff, poly, fuzzy, deriv


def rd_design(run: np.ndarray, cutoff: float, poly: int, covariates: np.ndarray, constant: bool) -> np.ndarray:
    """Columns ``D, r..r^p, D·r..D·r^p, covariates, [1]`` (see the module docstring)."""
    r = run - cutoff
    above = (run >= cutoff).astype(np.float64)
    cols = [above] + [r**j for j in range(1, poly + 1)] + [above * r**j for j in range(1, poly + 1)]
    cols += [covariates[:, j] for j in range(covariates.shape[1])]
    if constant:
        cols.append(np.ones(len(run)))
    return np.column_stack(cols)


def jump_index(poly: int, deriv: int) -> int:
    """Column of the jump in the ``deriv``-th derivative."""
    return 0 if deriv == 0 else poly + deriv


def fuzzy_cov(X: np.ndarray, e1: np.ndarray, e2: np.ndarray, clusters: np.ndarray | None, j: int) -> float:
    """Sandwich covariance of coefficient ``j`` between two regressions on the same ``X``
    (HC1, or cluster-robust with Stata's small-sample factor)."""
    n, k = X.shape
    inv = scaled_inverse(X.T @ X)
    if clusters is None:
        meat = (X * (e1 * e2)[:, None]).T @ X
        q = n / (n - k)
    else:
        codes, uniq = pd.factorize(clusters)
        G = len(uniq)
        s1 = np.column_stack([np.bincount(codes, weights=X[:, c] * e1, minlength=G) for c in range(k)])
        s2 = np.column_stack([np.bincount(codes, weights=X[:, c] * e2, minlength=G) for c in range(k)])
        meat = s1.T @ s2
        q = G / (G - 1) * (n - 1) / (n - k)
    return float(q * (inv @ meat @ inv)[j, j])


@analysis("rdd")
def rdd(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The ``rdd`` command (see the module docstring)."""
    command = ctx.command or "rdd"
    cutoff, poly, fuzzy, deriv = rdd_options(stmt)
    if len(stmt.args) < 2:
        raise MdlRuntimeError("rdd needs an outcome and a running variable", getattr(stmt, "span", None),
                              hint="for example: rdd y score, cutoff(50)")
    run_name = expr_name(stmt.args[1])
    run_span = getattr(stmt.args[1], "span", None)
    if fuzzy is not None:
        values = numeric_values(ctx, fuzzy, None, command)
        extra_missing = np.isnan(values)
        mask = ~extra_missing if ctx.mask is None else np.asarray(ctx.mask, dtype=bool) & ~extra_missing
        ctx = replace(ctx, mask=mask)
    options = tuple(o for o in stmt.options if o.name not in OWN_OPTIONS)
    terms = [Term((TermPart(run_name, False, run_span),))] + parse_terms(stmt.args[2:])
    prep = prepare(ctx, replace(stmt, options=options), command, terms=terms)
    if isinstance(prep, Result):
        return [prep]
    d = prep.design
    if d.names[0] != run_name:
        raise MdlRuntimeError(f"{run_name} does not vary in the estimation sample", run_span,
                              hint="check the running variable and the if condition")
    run_values = d.X[:, 0]
    covs = d.X[:, 1: d.k - int(d.constant)]
    X = rd_design(run_values, cutoff, poly, covs, d.constant)
    above = X[:, 0].astype(np.int64)
    if above.min(initial=1) == above.max(initial=0):
        raise MdlRuntimeError(f"the estimation sample has no observations on one side of the cutoff {cutoff:g}",
                              run_span, hint=f"choose a cutoff inside the range of {run_name}")
    cells = [("the side of the cutoff", above, 2)]
    if fuzzy is not None:  # the treatment is a dummy too: a treated group of one would be revealed (A09)
        sides = two_sides(numeric_values(ctx, fuzzy, None, command)[d.rows])
        if sides is not None:
            cells.append((fuzzy, sides, 2))
    refusal = model_gate.check_sample(
        ctx.gate, prep.contributors, n_rows=d.n, n_params=X.shape[1], groups=cells,
        command=command, line=ctx.line, rows=d.rows,
    )
    if refusal is not None:
        return [refusal]
    vce = "cluster" if prep.clusters is not None else "robust"
    fit = fit_ols(X, d.y, constant=d.constant, vce=vce, clusters=prep.clusters, keep_arrays=fuzzy is not None)
    refusal = (model_gate.check_leverage(ctx.gate, fit.max_leverage, command=command, line=ctx.line)
               or model_gate.check_r2(ctx.gate, fit.r2, command=command, line=ctx.line))
    if refusal is not None:
        return [refusal]
    j = jump_index(poly, deriv)
    scale = float(math.factorial(deriv))
    label = "Jump at the cutoff" if deriv == 0 else f"Jump in derivative {deriv} at the cutoff"
    est = [scale * fit.coef[j]]
    se = [scale * fit.se[j]]
    names = [label]
    notes = [f"Cutoff {cutoff:g}; polynomial of order {poly} on each side over the estimation sample."]
    if fuzzy is not None:
        t = numeric_values(ctx, fuzzy, None, command)[d.rows]
        first = fit_ols(X, t, constant=d.constant, vce=vce, clusters=prep.clusters, keep_arrays=True)
        jy, jt = fit.coef[j], first.coef[j]
        if abs(jt) < 1e-12:
            raise MdlRuntimeError(f"{fuzzy} does not jump at the cutoff, so the fuzzy design is not identified",
                                  None, hint="check the treatment variable and the cutoff")
        tau = jy / jt
        cyt = fuzzy_cov(X, fit.resid, first.resid, prep.clusters, j)
        var = (fit.se[j] ** 2 - 2 * tau * cyt + tau**2 * first.se[j] ** 2) / jt**2
        est = [scale * jy, scale * jt, tau]
        se = [scale * fit.se[j], scale * first.se[j], float(np.sqrt(max(var, 0.0)))]
        names = [f"{label} in {d.depvar}", f"{label} in {fuzzy}", "Fuzzy RD effect (Wald ratio)"]
        notes.append(f"Fuzzy design: the effect is the jump in {d.depvar} divided by the jump in {fuzzy}.")
    est_a, se_a = np.array(est), np.array(se)
    z, p, lo, hi = t_table(est_a, se_a, None, prep.options.level)
    rows = [[names[i], est_a[i], se_a[i], z[i], p[i], lo[i], hi[i]] for i in range(len(names))]
    notes.append(f"Standard errors are adjusted for clusters in {prep.options.cluster[0]}." if vce == "cluster"
                 else "Standard errors are heteroskedasticity-robust (HC1).")
    table = ModelTable("Regression discontinuity", d.depvar, rows, {"n": d.n, "polynomial": poly}, "z",
                       prep.options.level, ("term", "coef", "se", "z", "p", "ci_low", "ci_high"), notes)
    return [model_gate.release_model(ctx.gate, table, prep.contributors, command=command, line=ctx.line, rows=d.rows)]
