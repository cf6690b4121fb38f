"""Renderers: released results → text, Markdown or JSON Lines.

A renderer only ever sees :class:`mdlang.results.Result` objects, never data of units; it imports
nothing from the engine, the datastore, pandas or numpy (``tests/test_boundary.py`` checks).

Streaming: the runner writes ``header()``, then ``render(result, source)`` for each result as it
arrives, then ``footer()``. Formats live in :data:`FORMATS`; a new one (html) is added with
:func:`register_format`.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from mdlang.errors import UsageError
from mdlang.results import Result

__all__ = ["FORMATS", "PLANNED", "Renderer", "register_format", "renderer"]


class Renderer(Protocol):
    """What every output format provides."""

    name: str

    def header(self) -> str:
        """Text written once before the first result."""
        ...

    def render(self, result: Result, source: str | None = None) -> str:
        """One result; ``source`` is the script text that produced it, if known."""
        ...

    def footer(self) -> str:
        """Text written once after the last result."""
        ...


#: format name → ``"module:class"``; imported on first use.
FORMATS: dict[str, str] = {
    "text": "mdlang.render.text:TextRenderer",
    "markdown": "mdlang.render.markdown:MarkdownRenderer",
    "json": "mdlang.render.json:JsonRenderer",
}

#: Formats the CLI already names but that are not built yet.
PLANNED: dict[str, str] = {
    "html": "the HTML report comes in a later release",
}


def register_format(name: str, target: str) -> None:
    """Add (or replace) an output format: ``target`` is ``"module:ClassName"``."""
    FORMATS[name] = target
    PLANNED.pop(name, None)


def renderer(fmt: str) -> Renderer:
    """A new renderer for ``fmt`` (one per run: the runner streams through it)."""
    target = FORMATS.get(fmt)
    if target is None:
        available = ", ".join(sorted(FORMATS))
        if fmt in PLANNED:
            raise UsageError(
                f"output format {fmt!r} is not available yet: {PLANNED[fmt]}",
                hint=f"use --output with one of: {available}",
            )
        raise UsageError(f"unknown output format {fmt!r}", hint=f"use --output with one of: {available}")
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)()


register_format("html", "mdlang.render.html:HtmlRenderer")
