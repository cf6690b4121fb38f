"""Plain-text rendering in layouts researchers know from Stata.

Each result is echoed (``. tabulate kjønn``), then drawn: tables and summaries by
:mod:`mdlang.render.textgrid`, models in the ``regress`` layout of
:mod:`mdlang.render.textmodel`, messages as they are, refusals clearly marked with their rule and
remedy, figures by title and file names; notes follow as footnotes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from mdlang.render.grid import build_grid, cell_contents
from mdlang.render.stats import stat_lines
from mdlang.render.textgrid import LINE_WIDTH, draw_grid
from mdlang.render.textmodel import model_lines, stat_block
from mdlang.results import Result


def echo(source: str) -> list[str]:
    """Stata's echo of a command: ``. cmd`` and ``> `` for continuation lines."""
    lines = [line.rstrip() for line in source.strip("\n").splitlines()] or [""]
    return [f". {lines[0]}"] + [f"> {line}" for line in lines[1:]]


def footnotes(notes: Sequence[str], width: int = LINE_WIDTH) -> list[str]:
    """Notes under a result: ``Note: …`` for one, a numbered ``Notes:`` list for several."""
    if not notes:
        return []
    if len(notes) == 1:
        return textwrap.wrap(f"Note: {notes[0]}", width, subsequent_indent="      ")
    out = ["Notes:"]
    for i, note in enumerate(notes, 1):
        out += textwrap.wrap(f"{i}. {note}", width, initial_indent="  ", subsequent_indent="     ")
    return out


class TextRenderer:
    """Renders results as plain text for a terminal or a log file."""

    name = "text"

    def __init__(self, width: int = LINE_WIDTH) -> None:
        self.width = width

    def header(self) -> str:
        """Nothing precedes the first result in text output."""
        return ""

    def footer(self) -> str:
        """Nothing follows the last result in text output."""
        return ""

    def render(self, result: Result, source: str | None = None) -> str:
        """One result as a block of lines ending in a blank line."""
        if result.command == "textblock":
            source = None  # the block's text is its own output; echoing it would repeat it
        lines = echo(source) if source else []
        body = self.body(result)
        if lines and result.kind in ("table", "summary", "model"):
            lines.append("")
        lines += body
        notes = footnotes(result.notes, self.width)
        if notes:
            lines += [""] + notes
        return "\n".join(line.rstrip() for line in lines) + "\n\n"

    def body(self, result: Result) -> list[str]:
        """The lines of a result without its echo and notes."""
        data = result.data
        if result.kind == "message":
            return [line.rstrip() for line in str(data.get("text", "")).splitlines()]
        if result.kind == "refusal":
            return self._refusal(data)
        if result.kind == "figure":
            return self._figure(data)
        grid = build_grid(result.kind, data)
        title = [grid.title, ""] if grid.title and grid.title != result.command else []
        stats = data.get("stats") or {}
        if result.kind == "model":
            return title + model_lines(grid, stats, self.width)
        key = [cell_contents(grid.key), ""] if grid.key else []
        table = draw_grid(grid, self.width)
        extra = stat_block(stat_lines(stats))
        return title + key + table + ([""] + extra if extra else [])

    def _refusal(self, data: Mapping[str, Any]) -> list[str]:
        out = ["*** Output withheld by disclosure control ***"]
        text = str(data.get("text", "")).strip()
        rule = str(data.get("rule") or "")
        parts = [text] if text else []
        if rule and rule not in text:
            parts.append(f"Rule: {rule}")
        if data.get("remedy"):
            parts.append(f"What to do: {data['remedy']}")
        for part in parts:
            for line in part.splitlines():
                out += textwrap.wrap(line, self.width, subsequent_indent="  ") or [""]
        return out

    @staticmethod
    def _figure(data: Mapping[str, Any]) -> list[str]:
        title = str(data.get("title") or "")
        out = [f"Figure: {title}" if title else "Figure"]
        files = [str(f) for f in data.get("files") or []]
        out += [f"  written to {f}" for f in files] or ["  (no file written)"]
        return out
