"""Reading the documentation pages for the docs tests: fenced blocks, links and anchors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from mdlang.commands.reference import slug

DOCS = Path(__file__).resolve().parents[2] / "docs"

_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^\s`]*)[^\n]*$")
_LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def pages() -> list[Path]:
    """Every Markdown page under docs/, in a fixed order."""
    return sorted(DOCS.rglob("*.md"))


def fenced_blocks(text: str) -> Iterator[tuple[str, int, str]]:
    """(info word, first line number of the body, body) of every fenced code block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group(1), m.group(2)
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            body.append(lines[j])
            j += 1
        yield info, i + 2, "\n".join(body) + "\n"
        i = j + 1


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of every line outside fenced code blocks, inline code removed."""
    in_fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if in_fence is None and m:
            in_fence = m.group(1)
            continue
        if in_fence is not None:
            if line.startswith(in_fence):
                in_fence = None
            continue
        yield number, re.sub(r"`[^`]*`", "", line)


def anchors(text: str) -> set[str]:
    """The anchors of a page as GitHub makes them: one per heading (duplicates get -1, -2 …),
    plus explicit ``<a id="…">``."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for _, line in _heading_lines(text):
        base = slug(line)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    out.update(_HTML_ANCHOR.findall(text))
    return out


def _heading_lines(text: str) -> Iterator[tuple[int, str]]:
    in_fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FENCE.match(line)
        if in_fence is None and m:
            in_fence = m.group(1)
            continue
        if in_fence is not None:
            if line.startswith(in_fence):
                in_fence = None
            continue
        h = _HEADING.match(line)
        if h:
            yield number, h.group(2)


def links(text: str) -> Iterator[tuple[int, str]]:
    """(line number, target) of every Markdown link outside code."""
    for number, line in prose_lines(text):
        for m in _LINK.finditer(line):
            yield number, m.group(1)
