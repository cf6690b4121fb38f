"""``histogram`` and ``piechart``: distributions drawn from protected counts (disclosure.md D8).

Each command releases one result of kind ``figure`` whose ``data.spec`` holds exactly the
released aggregates the picture is drawn from (bin edges and protected counts, slice counts),
nothing else. Bin edges come from the population-wide winsorisation bounds, never from the
data's smallest or largest value (attack A19). ``barchart`` and ``boxplot`` live in
:mod:`mdlang.commands.graphics_bars`, ``hexbin`` and ``sankey`` in
:mod:`mdlang.commands.graphics_flows`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mdlang.commands.graphics_common import (
    Factor,
    class_note,
    class_withheld,
    factor,
    is_number,
    number_option,
    numeric_values,
    option_vars,
    options,
    range_note,
    release_figure,
    require_numeric,
    selected,
    span_of,
    threshold_note,
    variable_name,
)
from mdlang.commands.registry import analysis
from mdlang.disclosure.figures import (
    MAX_BINS,
    axis_bounds,
    bin_cells,
    class_rule,
    combine,
    histogram_edges,
    released_counts,
)
from mdlang.disclosure.refusals import threshold_rule
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

SCALES = {"density": "density", "freq": "frequency", "fraction": "fraction", "percent": "percent"}


def _scale(opts: dict[str, ast.Option]) -> str:
    chosen = [SCALES[name] for name in SCALES if name in opts]
    if len(chosen) > 1:
        raise MdlRuntimeError(
            "choose only one of density, freq, fraction and percent",
            span_of(opts[next(n for n in SCALES if n in opts)]),
        )
    return chosen[0] if chosen else "density"


def groups_of(ctx: AnalysisContext, by: list[str]) -> Factor:
    """The ``by()`` groups (one group labelled None-free ``""`` when there is no by())."""
    if not by:
        return Factor("", np.zeros(len(ctx.frame), dtype=np.int64), [""])
    if len(by) > 1:
        raise MdlRuntimeError("by() takes one variable", None, hint="write by(variable)")
    return factor(ctx, by[0])


def heights(counts: list[Any], widths: list[float], scale: str) -> list[float | None]:
    """Bar heights on the chosen scale, from released counts only (markers get None)."""
    total = sum(c for c in counts if is_number(c))
    out: list[float | None] = []
    for c, w in zip(counts, widths, strict=True):
        if not is_number(c) or total <= 0:
            out.append(None)
        elif scale == "frequency":
            out.append(float(c))
        elif scale == "fraction":
            out.append(round_sig(c / total, 4))
        elif scale == "percent":
            out.append(round_sig(100.0 * c / total, 4))
        else:
            out.append(round_sig(c / (total * w), 4))
    return out


def _default_bins(n: int) -> int:
    """Stata's default number of bins, from the released count: min(sqrt(N), 10·log10(N))."""
    if n <= 1:
        return 1
    return int(max(1, min(MAX_BINS, round(min(math.sqrt(n), 10.0 * math.log10(n))))))


@analysis("histogram")
def histogram(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``histogram var [if] [, by() density|freq|fraction|percent bin() width() normal discrete]``."""
    opts = options(stmt)
    var = variable_name(ctx, stmt.args[0], "histogram")
    if "discrete" not in opts:
        require_numeric(ctx, var, "histogram", stmt.args[0])
    scale = _scale(opts)
    if "discrete" in opts and "bin" in opts:
        raise MdlRuntimeError(
            "discrete cannot be combined with bin()",
            span_of(opts["bin"]),
            hint="remove bin() or discrete",
        )
    if "width" in opts and "bin" in opts:
        raise MdlRuntimeError(
            "bin() cannot be combined with width()",
            span_of(opts["width"]),
            hint="give either bin() or width()",
        )
    groups = groups_of(ctx, option_vars(ctx, opts.get("by"), "histogram"))
    gate = ctx.gate
    if "discrete" in opts:
        return [_discrete(ctx, var, groups, scale)]
    values = numeric_values(ctx, var)
    valid = selected(ctx) & ~np.isnan(values) & (groups.codes >= 0)
    gcodes = np.where(valid, groups.codes, -1)
    totals = released_counts(gate, gcodes, len(groups.labels), ctx.contributors)
    if not any(is_number(t) for t in totals):
        return [gate.refuse(ctx.command, ctx.line, threshold_rule(gate.policy))]
    bounds = axis_bounds(gate, values, ctx.contributors)
    if bounds is None:
        return [gate.refuse(ctx.command, ctx.line, threshold_rule(gate.policy))]
    width = number_option(opts["width"], "histogram", integer=False) if "width" in opts else None
    if "bin" in opts:
        bins = int(number_option(opts["bin"], "histogram", integer=True))
    else:
        bins = _default_bins(max(t for t in totals if is_number(t)))
    try:
        edges = histogram_edges(bounds, bins=bins, width=width)
    except ValueError:
        raise MdlRuntimeError(
            f"width() gives more than {MAX_BINS} bins",
            span_of(opts.get("width")),
            hint="choose a wider width() or use bin()",
        ) from None
    nb = len(edges) - 1
    cells = combine(gcodes, bin_cells(values, edges, bounds), nb)
    counts = released_counts(gate, cells, len(groups.labels) * nb, ctx.contributors)
    normal, gate_notes = (
        _normal(ctx, var, values, gcodes, len(groups.labels)) if "normal" in opts else (None, ())
    )
    widths = [edges[i + 1] - edges[i] for i in range(nb)]
    panels = []
    for g, label in enumerate(groups.labels):
        part = counts[g * nb : (g + 1) * nb]
        hs = heights(part, widths, scale)
        bars = [
            {"lo": edges[i], "hi": edges[i + 1], "count": part[i], "height": hs[i]}
            for i in range(nb)
        ]
        panel: dict[str, Any] = {"label": label or None, "bins": bars}
        if normal is not None:
            panel["normal"] = normal[g]
        panels.append(panel)
    spec = {
        "type": "histogram",
        "variable": var,
        "by": groups.name or None,
        "scale": scale,
        "discrete": False,
        "panels": panels,
    }
    notes = [threshold_note(ctx, "bins"), range_note()]
    if normal is not None:
        notes.append("The normal curve uses the released (protected) mean and standard deviation.")
    return [release_figure(ctx, _title(var, groups), spec, notes, len(counts), gate_notes)]


def _title(var: str, groups: Factor) -> str:
    return f"Histogram of {var}" + (f" by {groups.name}" if groups.name else "")


def _normal(
    ctx: AnalysisContext, var: str, values: np.ndarray, gcodes: np.ndarray, n: int
) -> tuple[list[dict[str, Any] | None], tuple[str, ...]]:
    """The released mean and sd of each panel (None where either is withheld), and the notes of
    that release."""
    rel = ctx.gate.protect_magnitudes(
        gcodes, n, values, ctx.contributors, variable=var, population=values, stats=("mean", "sd")
    )
    out: list[dict[str, Any] | None] = []
    for cell in rel.values:
        mean, sd = cell.get("mean"), cell.get("sd")
        out.append(
            {"mean": mean, "sd": sd} if is_number(mean) and is_number(sd) and sd > 0 else None
        )
    return out, rel.notes


def _discrete(ctx: AnalysisContext, var: str, groups: Factor, scale: str) -> Result:
    """One bar per value; values whose count is suppressed in every panel are not shown at all,
    so a value held by few persons (an outlier) is never named."""
    fac = factor(ctx, var)
    gcodes = np.where(selected(ctx) & (fac.codes >= 0), groups.codes, -1)
    nv = len(fac.labels)
    if nv > MAX_BINS:
        raise MdlRuntimeError(
            f"{var} has more than {MAX_BINS} distinct values: too many for discrete",
            None,
            hint="leave out discrete (bins are then formed), or recode the variable",
        )
    cells = combine(gcodes, fac.codes, nv)
    counts = released_counts(ctx.gate, cells, len(groups.labels) * nv, ctx.contributors)
    withheld, _ = class_withheld(ctx, [groups, fac], selected(ctx))
    counts = ["x" if w else c for c, w in zip(counts, withheld, strict=True)]
    shown = [
        v
        for v in range(nv)
        if any(is_number(counts[g * nv + v]) for g in range(len(groups.labels)))
    ]
    if not shown:
        return ctx.gate.refuse(ctx.command, ctx.line, threshold_rule(ctx.gate.policy))
    panels = []
    for g, label in enumerate(groups.labels):
        part = [counts[g * nv + v] for v in shown]
        hs = heights(part, [1.0] * len(part), scale)
        bars = [
            {"value": fac.labels[v], "count": c, "height": h}
            for v, c, h in zip(shown, part, hs, strict=True)
        ]
        panels.append({"label": label or None, "bins": bars})
    spec = {
        "type": "histogram",
        "variable": var,
        "by": groups.name or None,
        "scale": scale,
        "discrete": True,
        "panels": panels,
    }
    notes = [threshold_note(ctx, "values")] + ([class_note(ctx)] if any(withheld) else [])
    return release_figure(ctx, _title(var, groups), spec, notes, len(counts))


@analysis("piechart")
def piechart(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``piechart var [if]``: one slice per category with a released count."""
    var = variable_name(ctx, stmt.args[0], "piechart")
    fac = factor(ctx, var)
    codes = np.where(selected(ctx), fac.codes, -1)
    counts = released_counts(ctx.gate, codes, len(fac.labels), ctx.contributors)
    withheld, _ = class_withheld(ctx, [fac], selected(ctx))
    if any(withheld):
        return [ctx.gate.refuse(ctx.command, ctx.line, class_rule(ctx.gate.policy))]
    kept = [(label, c) for label, c in zip(fac.labels, counts, strict=True) if is_number(c)]
    if not kept:
        return [ctx.gate.refuse(ctx.command, ctx.line, threshold_rule(ctx.gate.policy))]
    total = sum(c for _, c in kept)
    slices = [
        {"label": label, "count": c, "percent": round(100.0 * c / total, 2)} for label, c in kept
    ]
    spec = {"type": "piechart", "variable": var, "slices": slices}
    notes = [
        threshold_note(ctx, "categories"),
        "Shares are computed from the released counts of the slices shown.",
    ]
    return [release_figure(ctx, f"Pie chart of {var}", spec, notes, len(counts))]
