"""Stata-style abbreviation of long row labels, so that a coefficient table stays one block.

Stata shortens a name that does not fit its column by cutting out its middle and marking the cut
with ``~`` (``landbak=EU/EØS, U~#kjønn=Kvinne``). The text renderer does the same for the stub of
a model table: the head keeps the variable, the tail keeps what tells rows apart (the level, the
interaction, the outcome equation). Only the text layout abbreviates; JSON, Markdown and HTML
keep every label whole. Widths are display widths.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from mdlang.render.grid import Grid
from mdlang.render.width import display_width

#: The mark of a cut, as in Stata.
CUT = "~"

#: A stub is never abbreviated below this many cells (Stata's coefficient tables use 12).
MIN_STUB = 12


def _char_width(ch: str) -> int:
    return display_width(ch)


def _head(text: str, width: int) -> str:
    """The longest start of ``text`` that fits ``width`` cells."""
    used = 0
    for i, ch in enumerate(text):
        w = _char_width(ch)
        if used + w > width:
            return text[:i]
        used += w
    return text


def _tail(text: str, width: int) -> str:
    """The longest end of ``text`` that fits ``width`` cells, not starting with a combining mark."""
    used = 0
    start = len(text)
    for i in range(len(text) - 1, -1, -1):
        w = _char_width(text[i])
        if used + w > width:
            break
        used += w
        start = i
    tail = text[start:]
    while tail and _char_width(tail[0]) == 0:
        tail = tail[1:]
    return tail


def abbreviate(text: str, width: int, head: int | None = None) -> str:
    """``text`` cut to ``width`` cells as ``head~tail``; unchanged when it fits.

    ``head`` is the number of cells kept from the start (default: half of what is left after
    the ``~``, the odd cell going to the start).
    """
    if display_width(text) <= width:
        return text
    room = max(width - display_width(CUT), 0)
    keep = room - room // 2 if head is None else min(max(head, 0), room)
    return _head(text, keep) + CUT + _tail(text, room - keep)


def abbreviate_all(labels: Sequence[str], width: int) -> list[str]:
    """Abbreviate every label to ``width`` cells, keeping distinct labels distinct: a label whose
    abbreviation collides with another's tries other cut points, and stays whole if none works."""
    out = [abbreviate(label, width) for label in labels]
    room = max(width - display_width(CUT), 0)
    for i, label in enumerate(labels):
        if not _collides(out, labels, i):
            continue
        for head in _cut_points(room):
            out[i] = abbreviate(label, width, head)
            if not _collides(out, labels, i):
                break
        else:
            out[i] = label
    return out


def _cut_points(room: int) -> list[int]:
    """Cut points to try after the default one: moving towards the start first (more tail)."""
    middle = room - room // 2
    return [h for h in range(middle - 1, -1, -1)] + [h for h in range(middle + 1, room + 1)]


def _collides(out: Sequence[str], labels: Sequence[str], i: int) -> bool:
    return any(out[j] == out[i] and labels[j] != labels[i] for j in range(len(out)) if j != i)


def fit_stub(grid: Grid, widths: Sequence[int], max_width: int) -> Grid:
    """``grid`` with its stub column abbreviated so that the table fits ``max_width`` cells
    (never below :data:`MIN_STUB`); ``widths`` are the drawn column widths. A one-stub grid only
    (model tables); any other grid comes back unchanged."""
    if grid.stub != 1 or grid.width < 2:
        return grid
    values = sum(widths[1:]) + 2 * (grid.width - 2) + 3  # two-cell gaps, " | " after the stub
    target = max(max_width - values, MIN_STUB)
    if widths[0] <= target:
        return grid
    labels = abbreviate_all([row[0] for row in grid.rows], target)
    rows = tuple((label, *row[1:]) for label, row in zip(labels, grid.rows, strict=True))
    headers = (abbreviate(grid.headers[0], target), *grid.headers[1:])
    return dataclasses.replace(grid, rows=rows, headers=headers)
