"""``cox``: Cox proportional-hazards regression (Breslow ties) through the model gate (D7).

``cox <event> <time> [<xvars>] [if] [, hazard level(#)]`` (without explanatory variables only
N, events and the log partial likelihood are shown). The design (factor terms allowed) comes
from the model commands' builder with the time variable in the place of the dependent variable
and no constant; :mod:`survival_coxfit` fits it (checked against statsmodels' ``PHReg``). Before fitting, the sample passes the model
gate's rules (N, every level of every factor and two-valued variable, leverage of the design
with a constant) and two survival rules: at least
T events, and no more parameters than the policy's ratio times the events. ``hazard`` shows
hazard ratios with their intervals and no standard errors, as microdata.no does.
"""

from __future__ import annotations

import numpy as np

from mdlang.commands.models_common import check_person_leverage
from mdlang.commands.models_design import (
    build_design,
    check_variable,
    expr_name,
    numeric_values,
    parse_terms,
)
from mdlang.commands.models_glm import design_leverage
from mdlang.commands.models_ols import t_table
from mdlang.commands.models_options import read_options
from mdlang.commands.registry import analysis
from mdlang.commands.survival_coxfit import fit_breslow, null_loglik
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.disclosure.refusals import Rule
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError, Span
from mdlang.results import Result
from mdlang.syntax import ast


def event_rule(policy: object) -> Rule:
    """Too few events for a survival model."""
    threshold = getattr(policy, "threshold", 10)
    return Rule(
        "D7 model gate", f"a survival model needs at least {threshold} events",
        "use a wider condition or a longer follow-up",
    )


def _span(node: object) -> Span | None:
    span = getattr(node, "span", None)
    return span if span is not None and span.line else None


def _event_persons(ctx: AnalysisContext, rows: np.ndarray, event: np.ndarray) -> int:
    cells = np.full(len(ctx.contributors), -1, dtype=np.int64)
    cells[rows] = np.where(event == 1, 0, -1)
    agg = ctx.gate.aggregate(cells, 1, ctx.contributors)
    return ctx.gate.noisy_count(int(agg.persons[0]), agg.key_sums[0])


@analysis("cox")
def cox(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """Fit and release a Cox model (coefficients or hazard ratios)."""
    from scipy.stats import chi2
    command = "cox"
    for opt in stmt.options:
        if opt.name not in ("hazard", "level"):
            raise MdlRuntimeError(f"cox has no option {opt.name}", _span(opt), hint="cox takes hazard and level(#)")
    opts = read_options(stmt, command)
    if len(stmt.args) < 2:
        raise MdlRuntimeError(
            "cox needs an event variable and a time variable", _span(stmt),
            hint="for example: cox død dager alder i.kjønn",
        )
    event_var, event_span = expr_name(stmt.args[0]), _span(stmt.args[0])
    time_var, time_span = expr_name(stmt.args[1]), _span(stmt.args[1])
    check_variable(ctx, event_var, event_span, command)
    terms = parse_terms(stmt.args[2:])
    for term in terms:
        for part in term.parts:
            if part.name in (event_var, time_var):
                raise MdlRuntimeError(
                    f"{part.name} is the event or time variable and cannot also be explanatory", part.span,
                    hint=f"remove {part.name} from the list of explanatory variables",
                )
    numeric_values(ctx, event_var, event_span, command)
    design = build_design(ctx, stmt, command=command, dependent=(time_var, time_span), terms=terms,
                          constant=False, extra=[(event_var, event_span)])
    event = ctx.frame[event_var].to_numpy(dtype=np.float64, na_value=np.nan)[design.rows]
    if not np.all((event == 0) | (event == 1)):
        raise MdlRuntimeError(
            f"the event variable {event_var} must be 0 (censored) or 1 (event)", event_span,
            hint=f"make it with: generate {event_var}01 = <condition>",
        )
    if np.any(design.y < 0):
        raise MdlRuntimeError(f"the time variable {time_var} must not be negative", time_span,
                              hint="count time units from the start date and drop negative durations")
    gate = ctx.gate
    refusal = model_gate.check_sample(
        gate, ctx.contributors, n_rows=design.n, n_params=design.k,
        groups=[(g.label, g.cells, g.n_cells) for g in design.groups], command=command, line=ctx.line,
        rows=design.rows,
    )
    if refusal is not None:
        return [refusal]
    events = _event_persons(ctx, design.rows, event)
    if events < gate.policy.threshold:
        return [model_gate.refuse(gate, command, ctx.line, event_rule(gate.policy))]
    if design.k > gate.policy.model_max_param_ratio * events:
        return [model_gate.refuse(gate, command, ctx.line, model_gate.parameter_rule(gate.policy))]
    if design.k:
        # the baseline hazard acts as the constant: an observation that its own column (or a
        # polynomial of a variable held by it alone) singles out has leverage 1 (A09, A11)
        with_constant = np.column_stack([design.X, np.ones(design.n)])
        refusal = (model_gate.check_leverage(gate, design_leverage(with_constant), command=command, line=ctx.line)
                   or check_person_leverage(ctx, with_constant, design.rows, True, command))
        if refusal is not None:
            return [refusal]
    if design.k == 0 and terms:
        raise MdlRuntimeError("every explanatory variable of cox was dropped as collinear", _span(stmt),
                              hint="choose explanatory variables that vary in the sample")
    if design.k:
        fit = fit_breslow(design.y, event, design.X)
        params, cov, ll, ll0 = fit.params, fit.cov, fit.loglik, fit.loglik0
    else:
        params, cov = np.zeros(0), np.zeros((0, 0))
        ll = ll0 = null_loglik(design.y, event)
    se = np.sqrt(np.diag(cov))
    z, p, lo, hi = t_table(params, se, None, opts.level)
    hazard = "hazard" in opts.flags
    rows = []
    for j, name in enumerate(design.names):
        if not design.shown[j]:
            continue
        if hazard:
            # the SE column stays (empty) so that every model table has Stata's column order
            rows.append([name, float(np.exp(params[j])), None, z[j], p[j], float(np.exp(lo[j])), float(np.exp(hi[j]))])
        else:
            rows.append([name, params[j], se[j], z[j], p[j], lo[j], hi[j]])
    lr = 2.0 * (ll - ll0)
    stats = {"n": design.n, "events": events, "ll": ll}
    if design.k:
        stats.update(chi2=lr, df_m=design.k, p_chi2=float(chi2.sf(lr, design.k)))
    columns = ("term", "hazard_ratio", "se", "z", "p", "ci_low", "ci_high") if hazard else (
        "term", "coef", "se", "z", "p", "ci_low", "ci_high")
    notes = ["Cox proportional hazards, Breslow method for ties; events are perturbed like a count."]
    if hazard:
        notes.append("Hazard ratios are exp(coef); standard errors are not shown for them.")
    if design.omitted:
        notes.append("Omitted because of collinearity: " + ", ".join(design.omitted) + ".")
    table = ModelTable("Cox regression", f"{event_var} ({time_var})", rows, stats, "z", opts.level, columns, notes)
    return [model_gate.release_model(gate, table, ctx.contributors, command=command, line=ctx.line, rows=design.rows)]
