"""``hexbin`` and ``sankey``: two-variable figures from protected counts (D8).

``hexbin`` counts persons in hexagonal cells over the winsorised ranges of two numeric
variables (values beyond the population-wide bounds are counted at the edge); cells whose
released count is below T are dropped, the others carry noisy counts and a colour group.
``sankey`` releases protected flow counts between the categories of consecutive variables; flows
and states below T are dropped.
"""

from __future__ import annotations

import numpy as np

from mdlang.commands.graphics_common import (
    class_withheld,
    factor,
    is_number,
    number_option,
    numeric_values,
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
    axis_bounds,
    class_rule,
    combine,
    count_groups,
    group_of,
    hex_grid,
    hexagon_cells,
    released_counts,
)
from mdlang.disclosure.refusals import table_size_rule, threshold_rule
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

GRIDSIZE_DEFAULT, GRIDSIZE_MAX = 20, 25
GROUPS_DEFAULT, GROUPS_MAX = 10, 10


def _bounded(opts: dict[str, ast.Option], name: str, default: int, most: int) -> int:
    if name not in opts:
        return default
    value = int(number_option(opts[name], "hexbin", integer=True))
    if value > most:
        raise MdlRuntimeError(
            f"{name}() may be at most {most}",
            span_of(opts[name]),
            hint=f"for example: hexbin x y, {name}({most})",
        )
    return value


@analysis("hexbin")
def hexbin(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``hexbin x y [if] [, gridsize(#) groups(#)]``: hexagon counts in place of a scatter plot."""
    opts = options(stmt)
    xname, yname = (variable_name(ctx, e, "hexbin") for e in stmt.args[:2])
    for e, name in zip(stmt.args, (xname, yname), strict=True):
        require_numeric(ctx, name, "hexbin", e)
    gridsize = _bounded(opts, "gridsize", GRIDSIZE_DEFAULT, GRIDSIZE_MAX)
    n_groups = _bounded(opts, "groups", GROUPS_DEFAULT, GROUPS_MAX)
    x, y = numeric_values(ctx, xname), numeric_values(ctx, yname)
    gate = ctx.gate
    xb, yb = axis_bounds(gate, x, ctx.contributors), axis_bounds(gate, y, ctx.contributors)
    if xb is None or yb is None:
        return [gate.refuse(ctx.command, ctx.line, threshold_rule(gate.policy))]
    grid = hex_grid(xb, yb, gridsize)
    cells = np.where(selected(ctx), hexagon_cells(x, y, grid, xb, yb), -1)
    counts = released_counts(gate, cells, grid.n_cells, ctx.contributors)
    kept = [(i, c) for i, c in enumerate(counts) if is_number(c)]
    if not kept:
        return [gate.refuse(ctx.command, ctx.line, threshold_rule(gate.policy))]
    edges = count_groups([c for _, c in kept], n_groups)
    hexes = []
    for i, c in kept:
        cx, cy = grid.centre(i)
        hexes.append(
            {"x": round_sig(cx, 6), "y": round_sig(cy, 6), "count": c, "group": group_of(c, edges)}
        )
    spec = {
        "type": "hexbin",
        "x": xname,
        "y": yname,
        "gridsize": gridsize,
        "groups": n_groups,
        "extent": [xb[0], xb[1], yb[0], yb[1]],
        "size": [round_sig(grid.sx, 6), round_sig(grid.sy, 6)],
        "group_edges": edges,
        "hexagons": hexes,
    }
    notes = [threshold_note(ctx, "hexagons"), range_note()]
    return [
        release_figure(ctx, f"Hexagon plot of {yname} against {xname}", spec, notes, grid.n_cells)
    ]


@analysis("sankey")
def sankey(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """``sankey v1 v2 [v3 ...] [if]``: protected flows between consecutive variables."""
    names = [variable_name(ctx, e, "sankey") for e in stmt.args]
    if len(names) < 2:
        raise MdlRuntimeError(
            "sankey needs two or more variables",
            span_of(stmt),
            hint="for example: sankey status2020 status2021",
        )
    facs = [factor(ctx, n) for n in names]
    valid = selected(ctx)
    for f in facs:
        valid &= f.codes >= 0
    gate = ctx.gate
    n_cells = sum(len(a.labels) * len(b.labels) for a, b in zip(facs, facs[1:], strict=False))
    if n_cells > gate.policy.max_table_cells:
        return [gate.refuse(ctx.command, ctx.line, table_size_rule(gate.policy))]
    stages = []
    withheld_any = False
    for name, f in zip(names, facs, strict=True):
        counts = released_counts(
            gate, np.where(valid, f.codes, -1), len(f.labels), ctx.contributors
        )
        hidden, _ = class_withheld(ctx, [f], valid)
        withheld_any |= any(hidden)
        counts = ["x" if h else c for c, h in zip(counts, hidden, strict=True)]
        nodes = [
            {"label": lab, "count": c}
            for lab, c in zip(f.labels, counts, strict=True)
            if is_number(c)
        ]
        stages.append({"variable": name, "nodes": nodes})
    flows = []
    for s, (a, b) in enumerate(zip(facs, facs[1:], strict=False)):
        cells = combine(np.where(valid, a.codes, -1), b.codes, len(b.labels))
        counts = released_counts(gate, cells, len(a.labels) * len(b.labels), ctx.contributors)
        hidden, _ = class_withheld(ctx, [a, b], valid)
        withheld_any |= any(hidden)
        counts = ["x" if h else c for c, h in zip(counts, hidden, strict=True)]
        for k, c in enumerate(counts):
            if is_number(c):
                i, j = divmod(k, len(b.labels))
                flows.append({"stage": s, "from": a.labels[i], "to": b.labels[j], "count": c})
    if not flows:
        rule = class_rule(gate.policy) if withheld_any else threshold_rule(gate.policy)
        return [gate.refuse(ctx.command, ctx.line, rule)]
    spec = {"type": "sankey", "variables": names, "stages": stages, "flows": flows}
    notes = [
        threshold_note(ctx, "flows and states"),
        "Only units with a value on every variable are counted; states and flows are perturbed on their own, so flows need not add up to states.",
    ]
    if withheld_any:
        notes.append(
            f"Flows and states of groups of fewer than {gate.policy.class_group} persons across a "
            "sensitive variable are left out (class-disclosure rule)."
        )
    return [
        release_figure(
            ctx,
            "Flows " + " → ".join(names),
            spec,
            notes,
            n_cells + sum(len(f.labels) for f in facs),
        )
    ]
