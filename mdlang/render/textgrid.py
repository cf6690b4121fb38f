"""Drawing a :class:`~mdlang.render.grid.Grid` as Stata-like text lines.

Right-aligned cells, `` | `` after the stub and before a ``Total`` column group, ``-+-`` rules
under the header and above ``Total`` rows, a blank row between the categories of a stacked
multi-content table. A table wider than the line width is split into panels that repeat the
stub. Widths are display widths, so Unicode labels line up.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdlang.render.grid import Grid
from mdlang.render.width import center, display_width, pad_left

#: Default line width: tables wider than this are split into panels.
LINE_WIDTH = 120

GAP = "  "
_MIN_VALUE_WIDTH = 8


def _widths(grid: Grid) -> list[int]:
    widths = []
    for i, header in enumerate(grid.headers):
        cells = [display_width(row[i]) for row in grid.rows]
        floor = 0 if i < grid.stub else _MIN_VALUE_WIDTH
        widths.append(max([display_width(header), floor] + cells))
    return widths


def column_widths(grid: Grid) -> list[int]:
    """The drawn width of every column (header, cells and the value-column floor)."""
    return _widths(grid)


def _segments(grid: Grid, cols: Sequence[int]) -> list[list[int]]:
    """Split the shown columns into ``|``-separated segments: the stub, then column groups."""
    stub = [i for i in cols if i < grid.stub]
    values = [i for i in cols if i >= grid.stub]
    segments: list[list[int]] = [stub] if stub else []
    group: list[int] = []
    for i in values:
        if group and i in grid.group_starts:
            segments.append(group)
            group = []
        group.append(i)
    if group:
        segments.append(group)
    return segments


def _line(cells_by_segment: list[list[str]]) -> str:
    return " | ".join(GAP.join(cells) for cells in cells_by_segment).rstrip()


def _panels(grid: Grid, widths: list[int], max_width: int) -> list[list[int]]:
    """Column subsets that each fit ``max_width`` (the stub repeats in every panel)."""
    stub = list(range(grid.stub))
    stub_width = sum(widths[i] for i in stub) + len(GAP) * max(len(stub) - 1, 0)
    panels: list[list[int]] = []
    current: list[int] = []
    used = stub_width
    for i in range(grid.stub, grid.width):
        extra = widths[i] + (3 if not current or i in grid.group_starts else len(GAP))
        if current and used + extra > max_width:
            panels.append(current)
            current, used = [], stub_width
            extra = widths[i] + 3
        current.append(i)
        used += extra
    if current or not panels:
        panels.append(current)
    return [stub + panel for panel in panels]


def draw_grid(grid: Grid, max_width: int = LINE_WIDTH, *, frame: bool = False) -> list[str]:
    """The lines of a table; ``frame`` adds full rules above and below (model tables)."""
    if not grid.headers:
        return ["(empty table)"]
    widths = _widths(grid)
    out: list[str] = []
    for p, cols in enumerate(_panels(grid, widths, max_width)):
        if p:
            out.append("")
        out += _draw_panel(grid, widths, cols, frame)
    return out


def _draw_panel(grid: Grid, widths: list[int], cols: list[int], frame: bool) -> list[str]:
    segments = _segments(grid, cols)
    seg_widths = [sum(widths[i] for i in seg) + len(GAP) * (len(seg) - 1) for seg in segments]
    rule = "-+-".join("-" * w for w in seg_widths)
    full = "-" * len(rule)

    def row_line(cells: Sequence[str]) -> str:
        return _line([[pad_left(cells[i], widths[i]) for i in seg] for seg in segments])

    out: list[str] = [full] if frame else []
    if grid.spanner:
        first = 1 if grid.stub else 0
        seg = segments[first] if first < len(segments) else []
        if seg and not any(i in grid.group_starts for i in seg):
            spanned = [[" " * w] for w in seg_widths[:first]]
            out.append(_line(spanned + [[center(grid.spanner, seg_widths[first])]]))
    out.append(row_line(grid.headers))
    out.append(rule)
    previous_group = None
    for r, cells in enumerate(grid.rows):
        group = grid.row_groups[r] if r < len(grid.row_groups) else r
        if r in grid.total_rows and r > 0:
            out.append(rule)
        elif grid.stacked > 1 and previous_group is not None and group != previous_group:
            out.append(_line([[" " * w] for w in seg_widths]))
        out.append(row_line(cells))
        previous_group = group
    if frame:
        out.append(full)
    return out
