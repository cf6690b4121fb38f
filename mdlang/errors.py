"""The one root error of mdlang and its positioned subclasses.

Every error a user can meet is an :class:`MdlError`. Errors that concern a place in a script carry
a :class:`Span`; :meth:`MdlError.format` renders ``file:line:col``, the offending line with a caret
and a hint saying what to do. No error text may contain unit-level data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a script: 1-based line and column of the first character, and of the end."""

    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


class MdlError(Exception):
    """Root of every error mdlang raises on purpose.

    ``message`` says what is wrong, ``hint`` what to do about it. ``span`` and ``file`` locate it;
    ``source`` (the script text) lets :meth:`format` show the line with a caret.
    """

    kind = "error"

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        hint: str | None = None,
        file: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.file = file
        self.source = source

    def located(self, *, file: str | None = None, source: str | None = None, span: Span | None = None) -> MdlError:
        """Fill in location details that were not known where the error was raised."""
        if self.file is None and file is not None:
            self.file = file
        if self.source is None and source is not None:
            self.source = source
        if self.span is None and span is not None:
            self.span = span
        return self

    def format(self) -> str:
        """Render the error for a person: location, message, the line with a caret, the hint."""
        where = self.file or "<script>"
        if self.span is not None:
            where = f"{where}:{self.span.line}:{self.span.col}"
        out = [f"{where}: {self.kind}: {self.message}"]
        if self.span is not None and self.source is not None:
            lines = self.source.splitlines()
            if 1 <= self.span.line <= len(lines):
                text = lines[self.span.line - 1].rstrip("\n")
                out.append(f"    {text}")
                out.append("    " + " " * max(self.span.col - 1, 0) + "^")
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.message


class MdlSyntaxError(MdlError):
    """The script text does not follow the grammar."""

    kind = "syntax error"


class MdlSemanticError(MdlError):
    """The script parses but cannot be right (unknown option, variable used before it exists, …)."""

    kind = "error"


class MdlRuntimeError(MdlError):
    """A command could not run on the data (type mismatch, missing dataset, …)."""

    kind = "error"


class DatastoreError(MdlError):
    """A datastore or a data delivery is missing, malformed or inconsistent."""

    kind = "datastore error"


class UsageError(MdlError):
    """The command line itself is wrong (exit code 2)."""

    kind = "usage error"
