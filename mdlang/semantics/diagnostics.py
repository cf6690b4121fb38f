"""Diagnostics: what ``mdlang check`` reports, and how it is shown as text or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass

from mdlang.errors import MdlError


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of the checker.

    ``severity`` is ``"error"`` or ``"warning"``; ``kind`` is ``"syntax"`` (the parser) or
    ``"semantic"`` (the checker). ``line``/``col`` are 1-based; 0 when the place is unknown.
    """

    file: str | None
    line: int
    col: int
    severity: str
    kind: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity == "error"

    def format(self, source: str | None = None) -> str:
        """``file:line:col: error: message``, then the line with a caret and the hint."""
        where = self.file or "<script>"
        if self.line:
            where = f"{where}:{self.line}:{self.col}"
        out = [f"{where}: {self.severity}: {self.message}"]
        if source is not None and self.line:
            lines = source.splitlines()
            if 1 <= self.line <= len(lines):
                out.append(f"    {lines[self.line - 1].rstrip()}")
                out.append("    " + " " * max(self.col - 1, 0) + "^")
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def to_dict(self) -> dict[str, object]:
        """The JSON form: file, line, col, severity, kind, message (and hint when there is one)."""
        out: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "kind": self.kind,
            "message": self.message,
        }
        if self.hint:
            out["hint"] = self.hint
        return out

    def to_json(self) -> str:
        """One line of JSON (non-ASCII letters kept as they are)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


def from_error(err: MdlError, kind: str = "syntax", file: str | None = None) -> Diagnostic:
    """A diagnostic for an :class:`MdlError` raised by the parser (or another stage)."""
    span = err.span
    return Diagnostic(
        file=err.file or file,
        line=span.line if span else 0,
        col=span.col if span else 0,
        severity="error",
        kind=kind,
        message=err.message,
        hint=err.hint,
    )


def sort_key(d: Diagnostic) -> tuple[int, int, int]:
    """Order diagnostics by place, errors before warnings at the same place."""
    return (d.line, d.col, 0 if d.is_error else 1)
