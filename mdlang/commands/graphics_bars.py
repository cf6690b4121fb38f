"""``barchart`` and ``boxplot``: bars and boxes drawn from protected statistics (D8).

Bars of ``count``/``percent`` are protected distinct-person counts (percentages computed from
released counts); ``mean``, ``sum`` and ``sd`` are protected magnitudes on winsorised values;
``median`` a micro-aggregated quantile. No true minimum or maximum is ever released: ``min`` and
``max`` bars show the released 1st (99th) percentile when the group is large enough, else the 5th
(95th), else nothing; the note says so. Boxes are released quartiles, a released mean and
whiskers at released percentiles, with no outlier points.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mdlang.commands.graphics import groups_of
from mdlang.commands.graphics_common import (
    Factor,
    class_note,
    class_withheld,
    factor,
    is_number,
    joint,
    numeric_values,
    option_vars,
    options,
    release_figure,
    require_numeric,
    selected,
    span_of,
    threshold_note,
    variable_name,
)
from mdlang.commands.registry import analysis
from mdlang.disclosure.figures import box_statistics, combine, extreme_substitute, released_counts
from mdlang.disclosure.refusals import table_size_rule
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

MAGNITUDES = {"mean": "mean", "sum": "sum", "sd": "sd"}


def _over(ctx: AnalysisContext, opts: dict[str, ast.Option], limit: int | None) -> Factor:
    names = option_vars(ctx, opts.get("over"), ctx.command)
    if limit is not None and len(names) > limit:
        raise MdlRuntimeError(
            f"over() takes at most {limit} variables",
            span_of(opts["over"]),
            hint="use by() for a further split",
        )
    if not names:
        return Factor("", np.zeros(len(ctx.frame), dtype=np.int64), [""])
    return joint([factor(ctx, n) for n in names])


def _by(ctx: AnalysisContext, opts: dict[str, ast.Option]) -> Factor:
    names = option_vars(ctx, opts.get("by"), ctx.command)
    if len(names) > 1:
        return joint([factor(ctx, n) for n in names])
    return groups_of(ctx, names)


@analysis("barchart")
def barchart(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``barchart (stat) vars [if] [, over(v [v]) by(v) stack horizontal]``."""
    opts = options(stmt)
    stat = (stmt.stat or "count").lower()
    names = [variable_name(ctx, e, "barchart") for e in stmt.args]
    over = _over(ctx, opts, 2)
    by = _by(ctx, opts)
    rows = selected(ctx)
    gate_notes: tuple[str, ...] = ()
    if stat in ("count", "percent"):
        if len(names) != 1:
            raise MdlRuntimeError(
                f"barchart ({stat}) takes one categorical variable",
                span_of(stmt.args[-1]),
                hint=f"write barchart ({stat}) x, over(y)",
            )
        panels, n_cells = _count_panels(ctx, names[0], over, by, rows, stat)
        value_label = "Percent" if stat == "percent" else "Count"
        notes = [threshold_note(ctx, "bars")]
        if any(v == "x" for p in panels for s in p["series"] for v in s["values"]):
            notes.append(class_note(ctx))
        if stat == "percent":
            notes.append("Percentages are computed from the released counts.")
    else:
        for e, name in zip(stmt.args, names, strict=True):
            require_numeric(ctx, name, "barchart", e)
        panels, n_cells, note, gate_notes = _stat_panels(ctx, names, over, by, rows, stat)
        value_label = f"{stat} of " + (names[0] if len(names) == 1 else "the variables")
        notes = [threshold_note(ctx, "bars"), note]
    if n_cells > ctx.gate.policy.max_table_cells:
        return [ctx.gate.refuse(ctx.command, ctx.line, table_size_rule(ctx.gate.policy))]
    spec = {
        "type": "barchart",
        "stat": stat,
        "variables": names,
        "over": over.name or None,
        "by": by.name or None,
        "stack": "stack" in opts,
        "horizontal": "horizontal" in opts,
        "value_label": value_label,
        "panels": panels,
    }
    title = f"Bar chart ({stat}) of {', '.join(names)}" + (
        f" over {over.name}" if over.name else ""
    )
    return [release_figure(ctx, title, spec, notes, n_cells, gate_notes)]


def _count_panels(
    ctx: AnalysisContext, var: str, over: Factor, by: Factor, rows: np.ndarray, stat: str
) -> tuple[list[dict[str, Any]], int]:
    fac = factor(ctx, var)
    nf, no, nb = len(fac.labels), len(over.labels), len(by.labels)
    inner = combine(np.where(rows, over.codes, -1), fac.codes, nf)
    cells = combine(by.codes, inner, no * nf)
    counts = released_counts(ctx.gate, cells, nb * no * nf, ctx.contributors)
    withheld, _ = class_withheld(ctx, [by, over, fac], rows)
    counts = ["x" if w and c != "x" else c for c, w in zip(counts, withheld, strict=True)]
    panels = []
    for b in range(nb):
        grid = [[counts[(b * no + o) * nf + f] for f in range(nf)] for o in range(no)]
        if stat == "percent":
            grid = _percent(grid, whole=not over.name)
        if over.name:
            categories, series = (
                over.labels,
                [
                    {"name": fac.labels[f], "values": [grid[o][f] for o in range(no)]}
                    for f in range(nf)
                ],
            )
        else:
            categories, series = fac.labels, [{"name": stat, "values": grid[0]}]
        panels.append({"label": by.labels[b] or None, "categories": categories, "series": series})
    return panels, len(counts)


def _percent(grid: list[list[Any]], whole: bool) -> list[list[Any]]:
    """Percent of each bar's released total (the whole panel's when there is no over())."""
    if whole:
        grid = [[c for row in grid for c in row]]
    out = []
    for row in grid:
        total = sum(c for c in row if is_number(c))
        out.append([round(100.0 * c / total, 2) if is_number(c) and total > 0 else c for c in row])
    return out


def _stat_panels(
    ctx: AnalysisContext, names: list[str], over: Factor, by: Factor, rows: np.ndarray, stat: str
) -> tuple[list[dict[str, Any]], int, str, tuple[str, ...]]:
    """The panels of a statistic bar chart, the cell count, the statistic's note and the notes
    of the gate's releases the bars come from."""
    no, nb = len(over.labels), len(by.labels)
    cells = combine(by.codes, np.where(rows, over.codes, -1), no)
    per_var: list[list[Any]] = []
    used: set[str] = set()
    gate_notes: list[str] = []
    for name in names:
        values = numeric_values(ctx, name)
        if stat in MAGNITUDES:
            rel = ctx.gate.protect_magnitudes(
                cells,
                nb * no,
                values,
                ctx.contributors,
                variable=name,
                population=values,
                stats=(MAGNITUDES[stat],),
            )
            per_var.append([v[MAGNITUDES[stat]] for v in rel.values])
            gate_notes.extend(n for n in rel.notes if n not in gate_notes)
        elif stat == "median":
            quants, _ = ctx.gate.protect_quantiles(cells, nb * no, values, ctx.contributors, (0.5,))
            per_var.append([q[0.5] if q[0.5] is not None else "x" for q in quants])
        elif stat in ("min", "max"):
            vals, which = extreme_substitute(
                ctx.gate, cells, nb * no, values, ctx.contributors, upper=stat == "max"
            )
            per_var.append(vals)
            used.update(w for w in which if w)
        else:
            raise MdlRuntimeError(
                f"unknown barchart statistic {stat}",
                None,
                hint="use count, percent, mean, min, max, median, sum or sd",
            )
    panels = []
    for b in range(nb):
        series = [
            {"name": name, "values": [vals[b * no + o] for o in range(no)]}
            for name, vals in zip(names, per_var, strict=True)
        ]
        panels.append(
            {
                "label": by.labels[b] or None,
                "categories": over.labels if over.name else [""],
                "series": series,
            }
        )
    return panels, nb * no * len(names), _stat_note(stat, used), tuple(gate_notes)


def _stat_note(stat: str, used: set[str]) -> str:
    if stat in ("min", "max"):
        shown = " and ".join(sorted(used)) or "no percentile"
        pair = "P1, else P5" if stat == "min" else "P99, else P95"
        return (
            f"No true {stat}imum is released: each bar shows the released {pair} of its group "
            f"(micro-aggregated; used here: {shown}); bars marked x were too small for either."
        )
    if stat == "median":
        return (
            "Medians are micro-aggregated (the mean of the values nearest to the median), rounded."
        )
    return (
        "Statistics are computed on values winsorised at population-wide bounds, with keyed noise."
    )


@analysis("boxplot")
def boxplot(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``boxplot vars [if] [, over(vars) by(var) horizontal]``: released boxes, no outliers."""
    opts = options(stmt)
    names = [variable_name(ctx, e, "boxplot") for e in stmt.args]
    for e, name in zip(stmt.args, names, strict=True):
        require_numeric(ctx, name, "boxplot", e)
    over = _over(ctx, opts, None)
    by = groups_of(ctx, option_vars(ctx, opts.get("by"), "boxplot"))
    no, nb = len(over.labels), len(by.labels)
    cells = combine(by.codes, np.where(selected(ctx), over.codes, -1), no)
    if nb * no * len(names) > ctx.gate.policy.max_table_cells:
        return [ctx.gate.refuse(ctx.command, ctx.line, table_size_rule(ctx.gate.policy))]
    boxes_of = []
    gate_notes: list[str] = []
    for name in names:
        values = numeric_values(ctx, name)
        boxes, box_notes = box_statistics(
            ctx.gate, cells, nb * no, values, ctx.contributors, variable=name, population=values
        )
        boxes_of.append(boxes)
        gate_notes.extend(n for n in box_notes if n not in gate_notes)
    panels = []
    for b in range(nb):
        boxes = []
        for name, boxes_var in zip(names, boxes_of, strict=True):
            for o in range(no):
                label = ", ".join(
                    p
                    for p in (name if len(names) > 1 or not over.name else "", over.labels[o])
                    if p
                )
                boxes.append({"label": label, "variable": name, **boxes_var[b * no + o]})
        panels.append({"label": by.labels[b] or None, "boxes": boxes})
    spec = {
        "type": "boxplot",
        "variables": names,
        "over": over.name or None,
        "by": by.name or None,
        "horizontal": "horizontal" in opts,
        "panels": panels,
    }
    notes = [
        "Boxes show released quartiles (micro-aggregated, D6) and a protected mean; whiskers end at the "
        "released P1/P99 when the group is large enough, else P5/P95; no minimum, maximum or outlier is shown.",
        threshold_note(ctx, "boxes"),
    ]
    title = f"Box plot of {', '.join(names)}" + (f" over {over.name}" if over.name else "")
    return [release_figure(ctx, title, spec, notes, nb * no * len(names) * 5, gate_notes)]
