"""Stata's ``regress`` layout for model results: an ANOVA block when its sums of squares were
released, the fit statistics flush right beside it, then the framed coefficient table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mdlang.render.abbrev import fit_stub
from mdlang.render.grid import Grid
from mdlang.render.stats import (
    ANOVA_KEYS,
    FOOTER_KEYS,
    LABEL_ONLY_KEYS,
    anova_rows,
    has_anova,
    stat_lines,
)
from mdlang.render.textgrid import GAP, LINE_WIDTH, column_widths, draw_grid
from mdlang.render.width import display_width, pad_left

#: A width no table reaches: model tables are drawn as one block, never split into panels.
UNSPLIT = 10**9


def stat_block(pairs: list[tuple[str, str]]) -> list[str]:
    """``label = value`` lines with the ``=`` signs and the values aligned."""
    if not pairs:
        return []
    label_width = max(max(display_width(label) for label, _ in pairs), 15)
    value_width = max(max(display_width(value) for _, value in pairs), 9)
    return [f"{label}{' ' * (label_width - display_width(label))} = {pad_left(value, value_width)}"
            for label, value in pairs]


def _anova_block(stats: Mapping[str, Any], stub_width: int) -> list[str]:
    """The ANOVA block as lines, its ``|`` aligned with the coefficient table's."""
    headers, rows = anova_rows(stats)
    widths = [max([10, display_width(h)] + [display_width(r[i]) for r in rows])
              for i, h in enumerate(headers)]
    stub_width = max(stub_width, len("Residual"))

    def line(cells: Sequence[str]) -> str:
        body = GAP.join(pad_left(c, w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"{pad_left(cells[0], stub_width)} | {body}"

    rule = "-" * stub_width + "-+-" + "-" * (sum(widths[1:]) + len(GAP) * (len(widths) - 2))
    return [line(headers), rule, line(rows[0]), line(rows[1]), rule, line(rows[2])]


def _side_by_side(left: list[str], right: list[str], table_width: int) -> list[str]:
    """Put the statistics block to the right of the ANOVA block, flush with the table's edge."""
    left_width = max((display_width(line) for line in left), default=0)
    right_width = max((display_width(line) for line in right), default=0)
    offset = max(table_width - right_width, left_width + 3 if left else 0)
    out = []
    for i in range(max(len(left), len(right))):
        lhs = left[i] if i < len(left) else ""
        rhs = right[i] if i < len(right) else ""
        out.append((lhs + " " * (offset - display_width(lhs)) + rhs).rstrip())
    return out


def model_lines(grid: Grid, stats: Mapping[str, Any], width: int = LINE_WIDTH) -> list[str]:
    """The whole model layout: statistics (and ANOVA) block, a blank line, the coefficients.

    The coefficient table is always one block: long row labels are abbreviated with ``~`` to fit
    ``width`` (:func:`mdlang.render.abbrev.fit_stub`), and the table is never split into panels.
    """
    grid = fit_stub(grid, column_widths(grid), width)
    table = draw_grid(grid, UNSPLIT, frame=True)
    table_width = max(display_width(line) for line in table)
    anova = has_anova(stats)
    right = stat_block(stat_lines(stats, hide=(ANOVA_KEYS if anova else ()) + FOOTER_KEYS))
    stub_width = max((display_width(r[0]) for r in grid.rows), default=0)
    stub_width = max(stub_width, display_width(grid.headers[0]) if grid.headers else 0)
    left = _anova_block(stats, stub_width) if anova else []
    head = _side_by_side(left, right, table_width)
    return head + ([""] if head else []) + table + _footer(stats, table_width)


def _footer(stats: Mapping[str, Any], table_width: int) -> list[str]:
    """Stata's line under a fixed-effects table: the F test that all u_i=0 on the left, its
    p-value flush with the table's right edge."""
    pairs = [f"{label} = {value}" for label, value in stat_lines({k: stats[k] for k in stats
                                                                 if k in FOOTER_KEYS or k in LABEL_ONLY_KEYS})]
    if not pairs:
        return []
    if len(pairs) == 1:
        return [pairs[0]]
    gap = max(table_width - display_width(pairs[0]) - display_width(pairs[1]), 3)
    return [pairs[0] + " " * gap + pairs[1]]
