"""Layouts of released tables (interfaces.md): one-way, two-way and flattened tables built from
grids of *released* values, with percentages and the chi-squared test computed from released
counts only. Nothing here sees unit-level data.

A grid is a list of ``n_rows + 1`` lists of ``n_cols + 1`` released values: the last row holds the
column margins, the last column the row margins (see :mod:`mdlang.disclosure.tables`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mdlang.disclosure.rounding import round_sig
from mdlang.disclosure.tables import Grid

PCT = {"rowpct": "Row %", "colpct": "Col. %", "cellpct": "Cell %"}
WITHHELD = "x"


def percent_of(num: Any, den: Any) -> Any:
    """A percentage of released counts: withheld for a suppressed count, None without a base.

    Cells and totals carry noise of their own, so a cell can exceed its total by a few units;
    the share is capped at 100 rather than shown as an impossible percentage.
    """
    if isinstance(num, str):
        return WITHHELD
    if isinstance(den, str) or not den:
        return None
    return min(round(100.0 * num / den, 2), 100.0)


def percent_grid(counts: Grid, kind: str) -> Grid:
    """Row, column or cell percentages (``kind``) of a released count grid."""
    n_rows, n_cols = len(counts) - 1, len(counts[0]) - 1
    out = []
    for r, row in enumerate(counts):
        cells = []
        for c, value in enumerate(row):
            den = {"rowpct": counts[r][n_cols], "colpct": counts[n_rows][c], "cellpct": counts[n_rows][n_cols]}[kind]
            cells.append(percent_of(value, den))
        out.append(cells)
    return out


def sort_key(value: Any) -> float:
    """A released value as a sort key (suppressed counts sort as 0)."""
    if isinstance(value, str):
        return 0.0
    if value is None:
        return float("-inf")
    return float(value)


def chi2_test(counts: Grid) -> dict[str, Any]:
    """Pearson's chi-squared test of independence on the released interior counts."""
    # scipy.special's upper tail is scipy.stats.chi2.sf's own, without importing scipy.stats
    from scipy.special import chdtrc

    obs = np.array([[sort_key(v) if not isinstance(v, str) else 0.0 for v in row[:-1]] for row in counts[:-1]])
    obs = obs[obs.sum(axis=1) > 0][:, obs.sum(axis=0) > 0]
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        return {"chi2": None, "df": None, "p": None}
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.sum()
    stat = float(((obs - expected) ** 2 / expected).sum())
    df = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    return {"chi2": round_sig(stat, 4), "df": df, "p": round_sig(float(chdtrc(df, stat)), 4)}


def content_header(key: str) -> str:
    """The column header of a cell content (``freq`` → ``Freq.``)."""
    return {"freq": "Freq.", **PCT}.get(key, key)


def one_way(name: str, blocks: dict[str, Grid], labels: list[tuple[str, ...]], order: list[int], summary: list[str]) -> dict[str, Any]:
    """A one-way table: ``[<var>, Freq., Percent, Cum.]`` (or one column per content) and Total."""
    if not summary:
        counts = blocks["freq"]
        total = counts[-1][0]
        rows = []
        running, broken = 0.0, False
        for r in order:
            value = counts[r][0]
            pct = percent_of(value, total)
            if pct is None:
                cum: Any = None
            elif broken or isinstance(pct, str):
                broken, cum = True, WITHHELD  # after a withheld cell the running sum is unknown
            else:
                running += pct
                cum = min(round(running, 2), 100.0)  # noisy cells may sum past their noisy total
            rows.append([labels[r][0], value, pct, cum])
        rows.append(["Total", total, 100.0 if isinstance(total, int) and total > 0 else None, None])
        return {"columns": [name, "Freq.", "Percent", "Cum."], "rows": rows, "content": ["freq"]}
    keys = list(blocks)
    rows = [[labels[r][0]] + [blocks[k][r][0] for k in keys] for r in order]
    rows.append(["Total"] + [blocks[k][-1][0] for k in keys])
    return {"columns": [name] + [content_header(k) for k in keys], "rows": rows, "content": keys}


def two_way(
    names: list[str], blocks: dict[str, Grid], row_labels: list[tuple[str, ...]], col_labels: list[str], order_rows: list[int], order_cols: list[int]
) -> dict[str, Any]:
    """A two-way (or larger) table: row variables, one column per category, Total; one row per
    (row category, content)."""
    keys = list(blocks)
    stub = len(names) - 1
    rows = []
    for r in order_rows + [len(row_labels)]:
        label = row_labels[r] if r < len(row_labels) else ("Total",) + ("",) * (stub - 1)
        for k in keys:
            grid = blocks[k]
            rows.append(list(label) + [grid[r][c] for c in order_cols] + [grid[r][-1]])
    columns = names[:-1] + [col_labels[c] for c in order_cols] + ["Total"]
    return {"columns": columns, "rows": rows, "content": keys}


def flat(
    names: list[str], blocks: dict[str, Grid], row_labels: list[tuple[str, ...]], col_labels: list[str], order_rows: list[int], order_cols: list[int]
) -> dict[str, Any]:
    """A flattened table: one row per cell combination, one column per content, a Total row."""
    keys = list(blocks)
    rows = []
    for r in order_rows:
        for c in order_cols:
            rows.append(list(row_labels[r]) + [col_labels[c]] + [blocks[k][r][c] for k in keys])
    rows.append(["Total"] + [None] * (len(names) - 1) + [blocks[k][-1][-1] for k in keys])
    return {"columns": names + [content_header(k) for k in keys], "rows": rows, "content": keys}
