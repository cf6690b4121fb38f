"""JSON Lines rendering: one released result per line, exactly ``Result.to_dict()``.

This is the wire format a client or a future server reads (interfaces.md), so it carries the
result unchanged: no source echo, no formatting, UTF-8 text, keys in the contract's order.
"""

from __future__ import annotations

from mdlang.results import Result


class JsonRenderer:
    """Renders each result as one line of JSON."""

    name = "json"

    def header(self) -> str:
        """JSON Lines has no header."""
        return ""

    def footer(self) -> str:
        """JSON Lines has no footer."""
        return ""

    def render(self, result: Result, source: str | None = None) -> str:
        """One JSON object and a newline; ``source`` is not part of the wire format."""
        return result.to_json() + "\n"
