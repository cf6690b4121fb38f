"""mdlang: an interpreter for the microdata.no analysis language with disclosure control.

Public API: :func:`parse`, :func:`check`, :class:`Session`, :func:`run_script`.
The pipeline (architecture.md §1): parse → check → run → disclosure → render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["parse", "check", "Session", "run_script", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


def parse(text: str, file: str | None = None):
    """Parse script text into a :class:`mdlang.syntax.ast.Script` (raises MdlSyntaxError)."""
    from mdlang.syntax.parser import parse as _parse

    return _parse(text, file=file)


def check(text: str, file: str | None = None, **kwargs: Any):
    """Parse and check a script without data; returns the list of diagnostics."""
    from mdlang.semantics.check import check_text

    return check_text(text, file=file, **kwargs)


def run_script(text: str, file: str | None = None, **kwargs: Any):
    """Parse, check and run a script; returns the released results in order."""
    from mdlang.engine.runner import run_script as _run

    return _run(text, file=file, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "Session":
        from mdlang.engine.session import Session

        return Session
    raise AttributeError(name)
