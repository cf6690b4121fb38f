"""The ``*-predict`` commands: fit the model as its estimation command does and store
predictions as new dataset variables; the only released output is a message naming them.

The model passes the same gate rules as its estimation command before anything is created
(A12: a saturated model's fitted values would be cell means of tiny groups). Rows outside the
estimation sample get missing. A new variable inherits the outcome's sensitivity: when the
outcome's register metadata marks it sensitive, that metadata is attached to the new variable
too, so class disclosure (D13) and every later gate treat it like the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from mdlang.commands.data import check_new
from mdlang.commands.models_common import Prepared, prepare
from mdlang.commands.models_design import sort_key
from mdlang.commands.models_glm import FAMILY_OF, design_leverage, fit_prepared
from mdlang.commands.models_iv import estimator_of, fit_iv, iv_columns, split_terms
from mdlang.commands.models_ols import fit_ols
from mdlang.commands.registry import handler
from mdlang.disclosure import model_gate
from mdlang.engine.analysis import build_context
from mdlang.engine.context import AnalysisContext
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session

#: command → its output options in the order of the spec (the first is the default)
OUTPUTS: dict[str, tuple[str, ...]] = {
    "regress-predict": ("predicted", "residuals", "cooksd"),
    "logit-predict": ("probabilities", "predicted", "residuals"),
    "probit-predict": ("probabilities", "predicted"),
    "poisson-predict": ("predicted", "residuals"),
    "negative-binomial-predict": ("predicted", "residuals"),
    "mlogit-predict": ("probabilities", "predicted"),
    "ivregress-predict": ("predicted", "residuals"),
}

Columns = dict[str, np.ndarray]


def _linear(ctx: AnalysisContext, prep: Prepared, command: str) -> Columns | Result:
    d = prep.design
    fit = fit_ols(d.X, d.y, constant=d.constant, keep_arrays=True, sufficient=d.sufficient)
    refusal = (model_gate.check_leverage(ctx.gate, fit.max_leverage, command=command, line=ctx.line)
               or model_gate.check_r2(ctx.gate, fit.r2, command=command, line=ctx.line))
    if refusal is not None:
        return refusal
    h = fit.leverage
    s2 = fit.ss_resid / fit.df_r
    cooksd = fit.resid**2 * h / (d.k * s2 * (1.0 - h) ** 2)
    return {"predicted": fit.fitted, "residuals": fit.resid, "cooksd": cooksd}


def _likelihood(ctx: AnalysisContext, prep: Prepared, command: str, family: str) -> Columns | Result:
    d = prep.design
    fit = fit_prepared(ctx, prep, family, command)
    if isinstance(fit, Result):
        return fit
    if family == "mlogit":
        probs = np.asarray(fit.fitted)  # rows × categories, base category first
        levels = fit.model_levels  # type: ignore[attr-defined]
        order = sorted(range(len(levels)), key=lambda i: sort_key(levels[i]))
        cols = {f"probabilities_{n + 1}": probs[:, i] for n, i in enumerate(order)}
        number = np.empty(len(levels))
        number[order] = np.arange(1, len(levels) + 1)
        cols["predicted"] = number[probs.argmax(axis=1)]
        return cols
    mu = np.asarray(fit.fitted, dtype=np.float64)
    y = d.y
    if family in ("logit", "probit"):
        with np.errstate(divide="ignore", invalid="ignore"):
            pearson = (y - mu) / np.sqrt(mu * (1.0 - mu))
        return {"probabilities": mu, "predicted": (mu >= 0.5).astype(np.float64), "residuals": pearson}
    return {"predicted": mu, "residuals": y - mu}


def _iv(ctx: AnalysisContext, stmt: ast.Command, command: str) -> tuple[Prepared, Columns] | Result:
    exog, endog, inst = split_terms(stmt, command)
    prep = prepare(ctx, stmt, command, outputs=OUTPUTS[command], terms=endog + exog + inst)
    if isinstance(prep, Result):
        return prep
    d = prep.design
    cols = iv_columns(d, len(endog), len(exog))
    X, Z = d.X[:, cols[0]], d.X[:, cols[1]]
    for matrix in (X, Z):
        refusal = model_gate.check_leverage(ctx.gate, design_leverage(matrix), command=command, line=ctx.line)
        if refusal is not None:
            return refusal
    fit = fit_iv(d.y, X, Z, cols[2], constant=d.constant, estimator=estimator_of(prep))
    fitted = X @ fit.coef
    return prep, {"predicted": fitted, "residuals": d.y - fitted}


def _names(command: str, prep: Prepared, stmt: ast.Command) -> list[tuple[str, str, Any]]:
    """(output kind, new variable name, span) for every output asked for (default: the first)."""
    asked = prep.options.outputs or {OUTPUTS[command][0]: OUTPUTS[command][0]}
    spans = {o.name: (o.args[0].span if o.args else o.span) for o in stmt.options}
    return [(kind, name, spans.get(kind)) for kind, name in asked.items()]


def run_predict(session: Session, stmt: ast.Command) -> list[Result]:
    """Fit, gate and store the outputs of one ``*-predict`` statement."""
    command = stmt.name
    base = command.removesuffix("-predict")
    ctx = build_context(session, command, stmt)
    family = FAMILY_OF.get(base)
    ds = session.active_dataset(stmt.span)
    if base == "ivregress":
        done = _iv(ctx, stmt, command)
        if isinstance(done, Result):
            return [done]
        prep, made = done
        wanted = _names(command, prep, stmt)
        for _kind, name, span in wanted:
            check_new(ds, name, span if span is not None and span.line else None)
    else:
        prep = prepare(ctx, stmt, command, factor_outcome=family == "mlogit", outputs=OUTPUTS[command])
        if isinstance(prep, Result):
            return [prep]
        wanted = _names(command, prep, stmt)
        for _kind, name, span in wanted:
            check_new(ds, name, span if span is not None and span.line else None)
        made = _linear(ctx, prep, command) if family is None else _likelihood(ctx, prep, command, family)
        if isinstance(made, Result):
            return [made]
    columns = []
    for kind, name, _span in wanted:
        parts = {k: v for k, v in made.items() if k == kind or k.startswith(kind + "_")}
        columns += [(name + key[len(kind):], values) for key, values in parts.items()]
    return store_predictions(ctx, ds, command, prep.design.depvar, prep.design.rows, columns)


def store_predictions(
    ctx: AnalysisContext, ds: Any, command: str, outcome: str, rows: np.ndarray, columns: list[tuple[str, Any]]
) -> list[Result]:
    """Add predicted columns (missing outside the estimation ``rows``), each inheriting the
    outcome's sensitivity (D7, A12), and release only a message naming them."""
    meta = ds.register.get(outcome)
    for name, values in columns:
        full = np.full(len(ds.frame), np.nan)
        full[rows] = values
        ds.set_column(name, full)
        if meta is not None and getattr(meta, "sensitive", False):
            ds.register[name] = meta
    names = ", ".join(name for name, _ in columns)
    text = f"{command}: created {names} (missing outside the estimation sample)."
    return [ctx.gate.message(command, ctx.line, text)]


def _register() -> None:
    fn: Callable[..., list[Result]] = run_predict
    handler(*OUTPUTS)(fn)


_register()
