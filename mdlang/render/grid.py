"""The generic table shape every layout is drawn from.

:func:`build_grid` turns the ``data`` of a table-like result (``columns``, ``rows``, optional
hints) into a :class:`Grid` of formatted strings plus the structure a renderer needs: how many
leading label ("stub") columns there are, which rows are ``Total`` rows, where a ``Total``
column starts a new column group, and how the rows of a multi-content table group together
(``stacked`` rows per row category).
Text, Markdown and HTML renderers draw the same Grid, so they cannot disagree on content.

Optional hints in ``data`` (all documented in docs/output-formats.md): ``stub`` (number of
label columns), ``content`` (the cell contents stacked per row category, e.g.
``["freq", "rowpct"]``), ``colvar`` (the column variable's name, shown above the categories),
``depvar`` (a model's dependent variable), ``level`` (confidence level), ``layout``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mdlang.render.numbers import format_cell, format_label, is_marker

#: Display names of cell contents, for the key printed above a multi-content table.
CONTENT_NAMES = {
    "freq": "frequency",
    "rowpct": "row percentage",
    "colpct": "column percentage",
    "cellpct": "cell percentage",
    "mean": "mean",
    "std": "standard deviation",
    "sum": "sum",
    "p25": "25th percentile",
    "p50": "median",
    "p75": "75th percentile",
    "gini": "Gini coefficient",
    "iqr": "interquartile range",
}

_COUNT_HEADERS = {"freq.", "freq", "frequency", "n", "obs", "obs.", "count", "antall"}
_PCT_HEADERS = {"percent", "cum.", "cum", "%", "pct", "prosent"}
_PVALUE_HEADERS = {"p>|t|", "p>|z|", "p", "p-value", "pr", "prob"}
_STAT_HEADERS = {"t", "z"}

#: Model rows by position: term, coef, se, t|z, p, ci_low, ci_high.
_MODEL_STYLES = ("label", "general", "general", "stat", "pvalue", "general", "general")

#: Stata's headings of model columns; the JSON keeps the keys (``odds_ratio``, ``dydx``, …).
_MODEL_HEADERS = {
    "coef": "Coefficient",
    "odds_ratio": "Odds ratio",
    "irr": "IRR",
    "hazard_ratio": "Haz. ratio",
    "margin": "Margin",
    "dydx": "dy/dx",
    "eyex": "ey/ex",
    "dyex": "dy/ex",
    "eydx": "ey/dx",
    "se": "Std. err.",
    "t": "t",
    "z": "z",
    "beta": "Beta",
}


#: Headings of the estimate tables that are not model results (``hausman``'s comparison, the
#: parameters of ``weibull``): their columns start with ``term``, as a model's do.
_TERM_TABLE_HEADERS = {
    "term": "",
    "coef": "Coefficient",
    "se": "Std. err.",
    "fe": "(b) fe",
    "re": "(B) re",
    "diff": "(b-B) Difference",
}


@dataclass(frozen=True)
class Grid:
    """A table of formatted cells and its structure (see the module docstring)."""

    title: str
    headers: tuple[str, ...]
    stub: int
    rows: tuple[tuple[str, ...], ...]
    total_rows: frozenset[int] = frozenset()
    group_starts: tuple[int, ...] = ()
    row_groups: tuple[int, ...] = ()
    key: tuple[str, ...] = ()
    spanner: str = ""
    stacked: int = 1

    @property
    def width(self) -> int:
        """Number of columns."""
        return len(self.headers)


def _content_base(name: str) -> tuple[str, str]:
    """``"mean(lønn)"`` → ``("mean", "lønn")``; ``"freq"`` → ``("freq", "")``."""
    base, _, rest = name.partition("(")
    return base.strip(), rest.rstrip(")").strip()


def content_style(name: str) -> str:
    """The number style of a cell content (``freq`` → counts, ``*pct`` → percentages)."""
    base, _ = _content_base(name)
    if base == "freq":
        return "count"
    if base.endswith("pct"):
        return "pct"
    return "general"


def content_name(name: str) -> str:
    """A cell content in words, for the key above a multi-content table."""
    base, var = _content_base(name)
    words = CONTENT_NAMES.get(base, base)
    return f"{words} of {var}" if var else words


def header_style(header: str) -> str:
    """The number style a column header implies; ``auto`` when it implies none."""
    h = header.strip().lower()
    if h in _COUNT_HEADERS:
        return "count"
    if h in _PCT_HEADERS or "percent" in h or h.endswith("%"):
        return "pct"
    if h in _PVALUE_HEADERS:
        return "pvalue"
    if h in _STAT_HEADERS:
        return "stat"
    return "auto"


def _auto(value: Any, style: str) -> str:
    """Format with ``style``; ``auto`` shows ints as counts and floats in general form."""
    if style == "auto":
        style = "count" if isinstance(value, int) else "general"
    return format_cell(value, style)


def _infer_stub(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Leading columns holding only labels (strings that are not markers, or None)."""
    stub = 1
    while stub < len(columns) - 1:
        cells = [row[stub] for row in rows if stub < len(row)]
        labels = [c for c in cells if c is not None]
        if not labels or not all(isinstance(c, str) and not is_marker(c) for c in labels):
            break
        stub += 1
    return stub


def _stub_count(data: Mapping[str, Any], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    hint = data.get("stub")
    if isinstance(hint, int) and not isinstance(hint, bool) and 0 <= hint <= len(columns):
        return hint
    if not columns:
        return 0
    return _infer_stub(columns, rows)


def _model_headers(columns: Sequence[str], data: Mapping[str, Any]) -> list[str]:
    """Display headers of a model table; generic names become Stata's."""
    names = [str(c) for c in columns]
    lowered = [n.lower() for n in names]
    test = "z" if "z" in lowered or data.get("test") == "z" else "t"
    level = data.get("level", 95)
    level_text = format_label(level)
    out = []
    for i, (name, low) in enumerate(zip(names, lowered, strict=True)):
        if i == 0 and (low in ("term", "variable", "")):
            out.append(str(data.get("depvar") or ""))
        elif low in _MODEL_HEADERS:
            out.append(_MODEL_HEADERS[low])
        elif low in ("t|z", "stat"):
            out.append(test)
        elif low == "p":
            out.append(f"P>|{test}|")
        elif low == "ci_low":
            out.append(f"[{level_text}% conf.")
        elif low == "ci_high":
            out.append("interval]")
        else:
            out.append(name)
    return out


def cell_contents(key: Sequence[str]) -> str:
    """The line that says what the cells of a table hold, top to bottom."""
    order = " (top to bottom)" if len(key) > 1 else ""
    return f"Cell contents{order}: {', '.join(key)}"


def _is_total(label: str) -> bool:
    return label.strip().lower() == "total"


def _column_variable(title: str, headers: Sequence[str], stub: int, group_starts: Sequence[int]) -> str:
    """The column variable of a cross-table titled ``"rowvar × colvar"`` (tabulate's titles):
    the last title part when the others are exactly the stub headers and a Total column exists."""
    parts = [p.strip() for p in title.split("×")]
    if len(parts) >= 2 and group_starts and list(parts[:-1]) == list(headers[:stub]):
        return parts[-1]
    return ""


def build_grid(kind: str, data: Mapping[str, Any]) -> Grid:
    """Build the :class:`Grid` of a ``table``, ``summary`` or ``model`` result's data."""
    columns = [str(c) for c in data.get("columns") or []]
    raw_rows = [list(r) for r in data.get("rows") or []]
    width = max([len(columns)] + [len(r) for r in raw_rows]) if (columns or raw_rows) else 0
    columns += [""] * (width - len(columns))
    raw_rows = [r + [None] * (width - len(r)) for r in raw_rows]

    content = [str(c) for c in data.get("content") or []]
    if kind == "model":
        stub = 1 if width else 0
        headers = _model_headers(columns, data)
        col_styles = [_MODEL_STYLES[i] if i < len(_MODEL_STYLES) else "general" for i in range(width)]
    else:
        stub = _stub_count(data, columns, raw_rows)
        headers = columns
        if columns and columns[0].lower() == "term":
            headers = [_TERM_TABLE_HEADERS.get(c.lower(), c) for c in columns]
        col_styles = ["label" if i < stub else header_style(h) for i, h in enumerate(columns)]

    # ``content`` either names the value columns one by one (flattened and one-way tables) or
    # the rows stacked per row category (two-way tables with several cell contents).
    values = columns[stub:]
    per_column = len(content) == len(values) > 0 and not any(_is_total(h) for h in values)
    per_row = len(content) if not per_column and content and len(raw_rows) % len(content) == 0 else 0
    if per_column:
        for i, name in enumerate(content, start=stub):
            if col_styles[i] == "auto":
                col_styles[i] = content_style(name)

    rows: list[tuple[str, ...]] = []
    row_groups: list[int] = []
    total_rows: set[int] = set()
    for r, raw in enumerate(raw_rows):
        row_style = content_style(content[r % per_row]) if per_row else "auto"
        cells = []
        for i, value in enumerate(raw):
            style = col_styles[i]
            if style == "label":
                cells.append(format_label(value))
            else:
                cells.append(_auto(value, row_style if style == "auto" else style))
        first_of_group = per_row <= 1 or r % per_row == 0
        if not first_of_group:
            # The stub labels the group once; repeated labels on its other rows are dropped.
            lead = rows[r - r % per_row]
            cells[:stub] = ["" if cells[i] == lead[i] else cells[i] for i in range(stub)]
        row_groups.append(r // per_row if per_row else r)
        if stub and first_of_group and _is_total(cells[0]):
            total_rows.add(r)
        rows.append(tuple(cells))

    group_starts = tuple(i for i in range(stub + 1, width) if _is_total(headers[i]))
    spanner = str(data.get("colvar") or "") or _column_variable(str(data.get("title") or ""), headers, stub, group_starts)
    return Grid(
        title=str(data.get("title") or ""),
        headers=tuple(headers),
        stub=stub,
        rows=tuple(rows),
        total_rows=frozenset(total_rows),
        group_starts=group_starts,
        row_groups=tuple(row_groups),
        key=tuple(content_name(c) for c in content) if per_row > 1 or (per_row and content != ["freq"]) else (),
        spanner=spanner,
        stacked=max(per_row, 1),
    )
