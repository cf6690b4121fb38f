"""``regress-mml y x… by g1 [g2] [, control() noconstant level()]`` and ``regress-mml-predict``:
linear models with random intercepts (language.md §3.6), fitted by restricted maximum
likelihood with statsmodels' ``MixedLM`` and released through the model gate (D7).

With one group variable the model has a random intercept per group; with two, ``g1`` is the
higher level and ``g2`` is nested in it (a variance component for the ``g2`` groups within each
``g1`` group). Fixed effects are released with z statistics, and the variances of the random
intercepts and of the residual; the predicted random effects (BLUPs) are never released.
``regress-mml-predict`` stores ``predicted`` (the fixed part x·b) and ``residuals``
(y − x·b − the predicted random effects) as new variables.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mdlang.commands.data import check_new
from mdlang.commands.models_common import Prepared, prepare
from mdlang.commands.models_design import expr_name, parse_terms
from mdlang.commands.models_oaxaca import split_by
from mdlang.commands.models_ols import fit_ols, t_table
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

OUTPUTS = ("predicted", "residuals")


@dataclass
class MixedFit:
    """A fitted random-intercept model (unit-level arrays are never released)."""

    coef: np.ndarray
    cov: np.ndarray
    variances: list[tuple[str, float]]
    llf: float
    converged: bool
    fitted_fixed: np.ndarray
    fitted_full: np.ndarray


#: a variance component below this share of the residual variance is reported as 0
BOUNDARY = 1e-6
#: a second optimum whose REML log likelihood is higher by more than this replaces the first
LLF_GAIN = 1e-3


def _best_fit(model: Any) -> Any:
    """The REML fit with the highest likelihood of statsmodels' default gradient search and a
    derivative-free (Powell) search. The default start can stall at a local optimum with a
    group variance far too large (seen on the sample: var(fylke) 30 000 times its REML value);
    a better Powell optimum is polished by the gradient search from there."""
    res = model.fit(reml=True)
    try:
        alt = model.fit(reml=True, method=["powell"])
    except (np.linalg.LinAlgError, ValueError):
        return res
    if not np.isfinite(alt.llf) or (np.isfinite(res.llf) and alt.llf <= res.llf + LLF_GAIN):
        return res
    try:
        polished = model.fit(reml=True, start_params=alt.params_object)
    except (np.linalg.LinAlgError, ValueError):
        return alt
    return polished if np.isfinite(polished.llf) and polished.llf >= alt.llf - LLF_GAIN else alt


def fit_mixed(y: np.ndarray, X: np.ndarray, g1: np.ndarray, g2: np.ndarray | None, names: tuple[str, str | None]) -> MixedFit:
    """REML fit with a random intercept for ``g1`` and, when given, for ``g2`` within ``g1``."""
    from statsmodels.regression.mixed_linear_model import MixedLM
    exog_vc = None
    if g2 is not None:
        exog_vc = {names[1]: {}}
        frame = pd.DataFrame({"g1": g1, "g2": g2})
        for key, idx in frame.groupby("g1", sort=True).indices.items():
            codes, _u = pd.factorize(frame["g2"].to_numpy()[idx], sort=True)
            mat = np.zeros((len(idx), codes.max() + 1))
            mat[np.arange(len(idx)), codes] = 1.0
            exog_vc[names[1]][key] = mat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MixedLM(y, X, groups=g1, exog_re=np.ones((len(y), 1)), exog_vc=exog_vc)
        res = _best_fit(model)
    k = X.shape[1]
    variances = [(f"var({names[0]})", float(np.asarray(res.cov_re)[0, 0]))]
    if g2 is not None:
        variances.append((f"var({names[1]} within {names[0]})", float(res.vcomp[0])))
    variances.append(("var(Residual)", float(res.scale)))
    # a group variance at the boundary comes out as optimiser noise (1e-5 and the like): show 0
    floor = BOUNDARY * float(res.scale)
    variances = [(name, value if value > floor else 0.0) for name, value in variances]
    fixed = X @ np.asarray(res.fe_params)
    return MixedFit(np.asarray(res.fe_params), np.asarray(res.cov_params())[:k, :k], variances, float(res.llf),
                    bool(res.converged), fixed, np.asarray(res.fittedvalues))


def _prepare(ctx: AnalysisContext, stmt: ast.Command, command: str, outputs: tuple[str, ...] = ()) -> tuple[Prepared, list[str]] | Result:
    before, after = split_by(stmt, command)
    if len(after) > 2:
        raise MdlRuntimeError(f"{command} takes one or two group variables after by", getattr(after[2], "span", None),
                              hint="give the highest level first: by kommune skole")
    groups = [expr_name(a) for a in after]
    spans = [getattr(a, "span", None) for a in after]
    terms = parse_terms(before[1:])
    # the group variables must be present on every row; they are not regressors
    for name, span in zip(groups, spans, strict=True):
        if name not in ctx.frame.columns:
            raise MdlRuntimeError(f"{name} is not a variable of the active dataset", span,
                                  hint=f"import or generate {name} before {command}")
    mask = np.ones(len(ctx.frame), dtype=bool) if ctx.mask is None else np.asarray(ctx.mask, dtype=bool)
    for name in groups:
        mask = mask & ctx.frame[name].notna().to_numpy()
    prep = prepare(replace(ctx, mask=mask), replace(stmt, args=before), command, terms=terms, outputs=outputs)
    return prep if isinstance(prep, Result) else (prep, groups)


def _check_groups(ctx: AnalysisContext, prep: Prepared, groups: list[str], g1: np.ndarray, g2: np.ndarray | None,
                  command: str) -> Result | None:
    """Every group (and every lower-level group within a higher one) needs T persons, like the
    levels of a factor (D7): with a group of one person the fixed intercept is, in effect, an
    average of that person's value and the others' (A09 on the group variable)."""
    c1, n1 = pd.factorize(g1)[0], len(pd.unique(g1))
    cells = [(groups[0], c1.astype(np.int64), n1)]
    if g2 is not None:
        c12 = pd.factorize(pd.MultiIndex.from_arrays([g1, g2]))[0]
        cells.append((f"{groups[1]} within {groups[0]}", c12.astype(np.int64), int(c12.max()) + 1))
    d = prep.design
    return model_gate.check_sample(ctx.gate, prep.contributors, n_rows=d.n, n_params=d.k, groups=cells,
                                   command=command, line=ctx.line, rows=d.rows)


def _fit(ctx: AnalysisContext, prep: Prepared, groups: list[str], command: str) -> MixedFit | Result:
    d = prep.design
    ols = fit_ols(d.X, d.y, constant=d.constant, sufficient=d.sufficient)
    refusal = (model_gate.check_leverage(ctx.gate, ols.max_leverage, command=command, line=ctx.line)
               or model_gate.check_r2(ctx.gate, ols.r2, command=command, line=ctx.line))
    if refusal is not None:
        return refusal
    g1 = ctx.frame[groups[0]].to_numpy()[d.rows]
    g2 = ctx.frame[groups[1]].to_numpy()[d.rows] if len(groups) > 1 else None
    if len(pd.unique(g1)) < 2:
        raise MdlRuntimeError(f"{groups[0]} needs at least two groups in the estimation sample", None,
                              hint="use a group variable with more groups")
    refusal = _check_groups(ctx, prep, groups, g1, g2, command)
    if refusal is not None:
        return refusal
    return fit_mixed(d.y, d.X, g1, g2, (groups[0], groups[1] if len(groups) > 1 else None))


@analysis("regress-mml")
def regress_mml(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The ``regress-mml`` command (see the module docstring)."""
    command = ctx.command or "regress-mml"
    done = _prepare(ctx, stmt, command)
    if isinstance(done, Result):
        return [done]
    prep, groups = done
    fit = _fit(ctx, prep, groups, command)
    if isinstance(fit, Result):
        return [fit]
    d = prep.design
    se = np.sqrt(np.clip(np.diag(fit.cov), 0.0, None))
    z, p, lo, hi = t_table(fit.coef, se, None, prep.options.level)
    rows: list[list[Any]] = [[d.names[j], fit.coef[j], se[j], z[j], p[j], lo[j], hi[j]]
                             for j in range(d.k) if d.shown[j]]
    rows += [[name, value, None, None, None, None, None] for name, value in fit.variances]
    notes = ["Random intercepts, restricted maximum likelihood (REML); the last rows are variance components."]
    if not fit.converged:
        notes.append("The optimiser did not report convergence; treat the estimates with care.")
    if prep.options.control:
        notes.append("Control variables are estimated but not shown.")
    if d.omitted:
        notes.append("Omitted because of collinearity: " + ", ".join(d.omitted) + ".")
    table = ModelTable("Mixed-effects linear regression", d.depvar, rows, {"n": d.n, "ll": fit.llf}, "z",
                       prep.options.level, ("term", "coef", "se", "z", "p", "ci_low", "ci_high"), notes)
    return [model_gate.release_model(ctx.gate, table, prep.contributors, command=command, line=ctx.line, rows=d.rows)]


def run_mml_predict(session: Session, stmt: ast.Command) -> list[Result]:
    """``regress-mml-predict``: store the fixed-part prediction and/or the residuals."""
    command = stmt.name
    ctx = build_context(session, command, stmt)
    done = _prepare(ctx, stmt, command, outputs=OUTPUTS)
    if isinstance(done, Result):
        return [done]
    prep, groups = done
    asked = prep.options.outputs or {"predicted": "predicted"}
    ds = session.active_dataset(stmt.span)
    spans = {o.name: (o.args[0].span if o.args else o.span) for o in stmt.options}
    for kind, name in asked.items():
        span = spans.get(kind)
        check_new(ds, name, span if span is not None and span.line else None)
    fit = _fit(ctx, prep, groups, command)
    if isinstance(fit, Result):
        return [fit]
    d = prep.design
    made = {"predicted": fit.fitted_fixed, "residuals": d.y - fit.fitted_full}
    columns = [(name, made[kind]) for kind, name in asked.items()]
    return store_predictions(ctx, ds, command, d.depvar, d.rows, columns)


handler("regress-mml-predict")(run_mml_predict)
