"""Class disclosure (disclosure.md D13): no small group broken down by a sensitive variable.

If everyone (or no one) in a small group has a sensitive attribute, a table shows it as a 0 % or
100 % cell, and anyone who knows a person is in the group learns the attribute. Deciding on the
true 0 %/100 % pattern would itself leak it (a withheld group would mean "all or none"), so the
rule is decided on released margins only: in a table with a sensitive variable, every group —
a slice over the other variables, including the whole selection — whose *released* person count
is below G (or suppressed) has its cells across the sensitive variable withheld (``"x"``). The
group's own margin stays.
"""

from __future__ import annotations

from typing import Any

WITHHELD = "x"


def _small(value: Any, group: int) -> bool:
    return isinstance(value, str) or value < group


def apply_class_rule(counts: list[list[Any]], rows_sensitive: bool, cols_sensitive: bool, group: int) -> tuple[list[list[Any]], bool]:
    """Withhold the interior cells of small groups across a sensitive dimension of a count grid.

    ``counts`` has the row margins in its last column and the column margins in its last row.
    Returns the new grid and whether anything was withheld.
    """
    grid = [list(r) for r in counts]
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    changed = False
    if cols_sensitive:  # groups are rows (and the whole selection, the Total row)
        for r in range(n_rows + 1):
            if _small(grid[r][n_cols], group):
                for c in range(n_cols):
                    changed |= grid[r][c] != WITHHELD
                    grid[r][c] = WITHHELD
    if rows_sensitive:  # groups are columns (and the whole selection, the Total column)
        for c in range(n_cols + 1):
            if _small(counts[n_rows][c], group):
                for r in range(n_rows):
                    changed |= grid[r][c] != WITHHELD
                    grid[r][c] = WITHHELD
    return grid, changed
