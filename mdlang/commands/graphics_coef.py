"""``coefplot <model command written in full>``: a coefficient plot drawn from the released model.

The model runs through its own analysis handler, so it passes the model gate (D7) exactly as it
would on its own; the figure then holds only numbers that were already released (coefficients
and confidence bounds, rounded by the gate), never anything computed afresh from the data
(disclosure.md D8). ``_cons`` is left out, as Stata's coefplot does by default.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mdlang.commands import registry
from mdlang.commands.registry import analysis
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

#: model commands whose released table has coefficients and confidence bounds to plot
PLOTTABLE = ("regress", "logit", "probit", "poisson", "negative-binomial", "mlogit", "ivregress",
             "regress-panel", "regress-mml", "cox")


@analysis("coefplot")
def coefplot(ctx: AnalysisContext, stmt: ast.Coefplot) -> list[Result]:
    """Run the model written after ``coefplot`` and plot its released coefficients."""
    inner = stmt.model
    if inner.name not in PLOTTABLE or inner.name not in registry.ANALYSES:
        raise MdlRuntimeError(
            f"coefplot cannot plot {inner.name}",
            stmt.span,
            hint="write a model command after coefplot, e.g. coefplot regress y x1 x2",
        )
    released = registry.ANALYSES[inner.name](replace(ctx, command=inner.name), inner)
    model = next((r for r in released if r.kind == "model"), None)
    if model is None:  # the model itself was refused: pass its refusal on
        return list(released)
    spec = coefficient_spec(model.data)
    title = f"Coefficients: {model.data.get('title') or inner.name}"
    notes = ("Drawn from the released coefficients and confidence bounds of the model.", *model.notes)
    return [ctx.gate.release("coefplot", ctx.line, "figure", {"title": title, "spec": spec, "files": []},
                             notes)]


def coefficient_spec(data: dict[str, Any]) -> dict[str, Any]:
    """The figure spec of a released model table: one point and interval per shown term."""
    columns = list(data.get("columns") or [])
    pick = {name: columns.index(name) for name in ("term", "ci_low", "ci_high") if name in columns}
    # standardize releases beta coefficients without interval bounds: plot them as points
    value_col = next((c for c in ("beta", "coef", "odds_ratio", "irr", "hazard_ratio") if c in columns), None)
    if value_col is None or "term" not in pick or (value_col != "beta" and len(pick) < 3):
        raise MdlRuntimeError("coefplot found no coefficients with confidence bounds in the model's output",
                              hint="use a model command that reports confidence intervals")
    terms = []
    for row in data.get("rows") or []:
        term = str(row[pick["term"]])
        if term == "_cons":
            continue
        terms.append({"term": term, "coef": row[columns.index(value_col)],
                      "ci_low": row[pick["ci_low"]] if "ci_low" in pick else None,
                      "ci_high": row[pick["ci_high"]] if "ci_high" in pick else None})
    return {"type": "coefplot", "value": value_col, "level": data.get("level"), "terms": terms}
