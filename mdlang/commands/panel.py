"""``transitions-panel``: transition tables of a panel dataset (language.md §3.5, §7.11),
released through the gate with the table primitives of :mod:`mdlang.disclosure` and the helpers
of :mod:`mdlang.commands.describe` (whose module also holds ``tabulate-panel`` and
``summarize-panel``).

``transitions-panel x …`` gives, per variable, the table of from-state (rows) × to-state
(columns) between consecutive measurement times, pooled over time, with frequencies and row
percentages. Transitions from or to missing are left out; with ``if``, both ends of a transition
must be selected. mdlang's decision: a cell's frequency is the number of distinct **persons**
who make that transition (a person making it twice counts once), because the person is the
privacy unit (disclosure.md principle 2); percentages are computed from the released counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mdlang.commands import describe as d
from mdlang.commands.registry import analysis
from mdlang.disclosure.table_layout import percent_grid, two_way
from mdlang.engine.context import AnalysisContext, Contributors
from mdlang.engine.imports import PANEL_DATE
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast


def _require_panel(ctx: AnalysisContext, stmt: ast.Command) -> None:
    if ctx.kind != "panel" or PANEL_DATE not in ctx.frame.columns:
        raise MdlRuntimeError(
            f"{ctx.command} needs a panel dataset",
            d._span(stmt),
            hint="build a panel with import-panel or reshape-to-panel, or use one",
        )


def _times(ctx: AnalysisContext) -> tuple[np.ndarray, np.ndarray]:
    """The time number (0..T-1, -1 = none) of each row and the distinct times in order."""
    raw = ctx.frame[PANEL_DATE].to_numpy(dtype=np.float64, na_value=np.nan)
    values = np.unique(raw[~np.isnan(raw)])
    index = np.searchsorted(values, np.nan_to_num(raw))
    return np.where(np.isnan(raw), -1, index).astype(np.int64), values


@analysis("transitions-panel")
def transitions_panel(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """From-state × to-state tables between consecutive times, one per variable."""
    _require_panel(ctx, stmt)
    names = d._variables(ctx, stmt.args, "transitions-panel")
    if not names:
        raise MdlRuntimeError("transitions-panel needs a variable", d._span(stmt), hint="for example: transitions-panel sivstand")
    persons = ctx.contributors.person_id
    if persons is None:
        raise MdlRuntimeError(
            "transitions-panel needs a panel of persons, but the rows of this dataset aggregate several persons",
            d._span(stmt),
            hint="build the panel from person-level data",
        )
    times, _ = _times(ctx)
    selected = d._selected(ctx)
    order = np.lexsort((times, persons))
    nxt = order[1:]
    cur = order[:-1]
    pair = (persons[cur] == persons[nxt]) & (times[nxt] == times[cur] + 1) & (times[cur] >= 0)
    pair &= selected[cur] & selected[nxt]
    frm, to = cur[pair], nxt[pair]
    return [_transition_table(ctx, name, frm, to, persons) for name in names]


def _transition_table(ctx: AnalysisContext, name: str, frm: np.ndarray, to: np.ndarray, persons: np.ndarray) -> Result:
    gate = ctx.gate
    factor = d._factor(ctx, name, with_missing=False)
    a, b = factor.codes[frm], factor.codes[to]
    valid = (a >= 0) & (b >= 0)
    a, b, who = a[valid], b[valid], persons[frm][valid]
    present = np.zeros(len(factor.categories), dtype=bool)
    present[a] = True
    present[b] = True
    remap = np.cumsum(present) - 1
    cats = [c for c, p in zip(factor.categories, present, strict=True) if p]
    n = len(cats)
    row, col = remap[a], remap[b]
    contributors = Contributors(person_id=who)
    notes = [
        d._noise_note(ctx),
        "Frequencies count persons making each transition between consecutive measurement times "
        "(a person making it more than once counts once); transitions from or to missing are left out.",
    ]
    counts = d.count_table(gate, row, col, max(n, 1), max(n, 1), contributors, ctx, notes)
    protections = ["cell-key noise", "threshold"]
    kept = d.Factor(name, row, cats)
    counts = d._class_disclosure(ctx, [kept], d.Factor(name, col, cats), counts, notes, protections)
    blocks: dict[str, Any] = {"freq": counts, "rowpct": percent_grid(counts, "rowpct")}
    labels = [d._label(ctx, name, c, nolabels=False) for c in cats] or ["."]
    data = two_way([name, name], blocks, [(lab,) for lab in labels], labels, list(range(len(labels))), list(range(len(labels))))
    data = {"title": f"transitions {name}", **data, "stats": {}}
    cells = sum(len(r) for g in blocks.values() for r in g)
    return gate.release(ctx.command, ctx.line, "table", data, notes, protections=protections, cells=cells)
