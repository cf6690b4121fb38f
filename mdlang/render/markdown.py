"""Markdown rendering: the text layouts' content as GitHub-flavoured pipe tables.

``textblock`` content passes through as Markdown; every other string is escaped so that a label
or a message cannot turn into markup. The source line is shown as a fenced code block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mdlang.render.grid import Grid, build_grid, cell_contents
from mdlang.render.stats import ANOVA_KEYS, anova_rows, has_anova, stat_lines
from mdlang.results import Result

_INLINE = re.compile(r"([\\`*\[\]|])|(?<![0-9A-Za-zÀ-ÿ])_|_(?![0-9A-Za-zÀ-ÿ])|<(?=[A-Za-z/!?])")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape(text: str) -> str:
    """Escape inline Markdown (``* _ ` [ ] | \\`` and ``<`` before a tag) in one line of text."""
    return _INLINE.sub(lambda m: "\\" + m.group(0), text)


def escape_line(text: str) -> str:
    """Escape a paragraph line, including a leading heading, list or quote marker."""
    escaped = escape(text)
    return _BLOCK_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1],
                            escaped, count=1)


def fenced(text: str, info: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *text.strip("\n").splitlines(), fence]


def pipe_table(headers: Sequence[str], rows: Sequence[Sequence[str]], stub: int = 1) -> list[str]:
    """A pipe table: stub columns left-aligned, value columns right-aligned, cells escaped."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(escape(c) if c else " " for c in cells) + " |"

    align = [":---" if i < stub else "---:" for i in range(len(headers))]
    return [line(headers), "|" + "|".join(align) + "|", *(line(r) for r in rows)]


def notes_block(notes: Sequence[str]) -> list[str]:
    """Notes as a footnote line (one) or a numbered list (several)."""
    if not notes:
        return []
    if len(notes) == 1:
        return [f"*Note:* {escape_line(notes[0])}"]
    return ["*Notes:*", ""] + [f"{i}. {escape(n)}" for i, n in enumerate(notes, 1)]


class MarkdownRenderer:
    """Renders results as Markdown (one block per result, blocks separated by a blank line)."""

    name = "markdown"

    def header(self) -> str:
        """Nothing precedes the first result."""
        return ""

    def footer(self) -> str:
        """Nothing follows the last result."""
        return ""

    def render(self, result: Result, source: str | None = None) -> str:
        """One result as Markdown ending in a blank line."""
        if result.command == "textblock":
            source = None  # the block's text is its own output; echoing it would repeat it
        lines = fenced(source) + [""] if source else []
        lines += self.body(result)
        notes = notes_block(result.notes)
        if notes:
            lines += [""] + notes
        return "\n".join(line.rstrip() for line in lines) + "\n\n"

    def body(self, result: Result) -> list[str]:
        """The Markdown of a result without its source and notes."""
        data = result.data
        if result.kind == "message":
            return self._message(result.command, data)
        if result.kind == "refusal":
            return self._refusal(data)
        if result.kind == "figure":
            return self._figure(data)
        grid = build_grid(result.kind, data)
        stats = data.get("stats") or {}
        out = self._title(grid) if grid.title != result.command else []
        if result.kind == "model" and has_anova(stats):
            headers, rows = anova_rows(stats)
            out += pipe_table(headers, rows) + [""]
        if grid.key:
            out += [f"*{escape(cell_contents(grid.key))}*", ""]
        out += pipe_table(grid.headers, grid.rows, grid.stub) if grid.headers else ["*(empty table)*"]
        hide = ANOVA_KEYS if result.kind == "model" and has_anova(stats) else ()
        pairs = stat_lines(stats, hide=hide)
        if pairs:
            out += [""] + [f"- {escape(label)} = {escape(value)}" for label, value in pairs]
        return out

    @staticmethod
    def _title(grid: Grid) -> list[str]:
        title = grid.title
        if grid.spanner and grid.spanner not in title:
            title = f"{title} (columns: {grid.spanner})" if title else f"Columns: {grid.spanner}"
        return [f"**{escape(title)}**", ""] if title else []

    @staticmethod
    def _message(command: str, data: Mapping[str, Any]) -> list[str]:
        text = str(data.get("text", ""))
        if command == "textblock" or data.get("format") == "markdown":
            return [line.rstrip() for line in text.strip("\n").splitlines()]
        lines = text.strip("\n").splitlines()
        if len(lines) <= 1:
            return [escape_line(text.strip())] if text.strip() else []
        return fenced(text, "text")

    @staticmethod
    def _refusal(data: Mapping[str, Any]) -> list[str]:
        out = ["> **Output withheld by disclosure control.**"]
        text = str(data.get("text", "")).strip("\n")
        out += [f"> {escape_line(line)}" if line.strip() else ">" for line in text.splitlines()]
        rule = str(data.get("rule") or "")
        if rule and rule not in text:
            out += [">", f"> *Rule:* {escape(rule)}"]
        if data.get("remedy"):
            out += [">", f"> *What to do:* {escape(str(data['remedy']))}"]
        return out

    @staticmethod
    def _figure(data: Mapping[str, Any]) -> list[str]:
        title = str(data.get("title") or "")
        out = [f"**Figure:** {escape(title)}" if title else "**Figure**"]
        files = [str(f) for f in data.get("files") or []]
        if not files:
            return out + ["", "*(no file written)*"]
        for path in files:
            target = f"<{path}>" if any(c in path for c in " ()<>") else path
            if path.lower().endswith((".png", ".svg", ".jpg", ".jpeg")):
                out += ["", f"![{escape(title or path)}]({target})"]
            else:
                out += ["", f"[{escape(path)}]({target})"]
        return out
