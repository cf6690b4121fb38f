"""The command registry: one table that the checker, the engine, ``help``, the REPL completer and
the generated reference docs all read.

Specs (argument shape, options, help text) are declared in :mod:`mdlang.commands.specs`; the
engine attaches a handler to each with the :func:`handler` decorator. Nothing else keeps its own
list of commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option of a command.

    ``arg`` is the kind of argument the option takes: ``None`` (a bare flag such as ``robust``),
    ``"int"``, ``"number"``, ``"string"``, ``"var"`` (one variable), ``"varlist"``, ``"terms"``
    (model terms, factor syntax allowed), ``"codes"`` (values), ``"word"`` (one of ``choices``),
    ``"name"`` (a new variable name), ``"optional-var"`` (``margins()`` or ``margins(x)``).
    ``excludes`` names options it cannot be combined with; ``requires`` options it needs.
    """

    name: str
    arg: str | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """Everything known about a command without running it.

    ``group`` is the reference page's group (Analyse, Bindinger, Datasett, Tilrettelegging,
    Grafikk, Regresjon, Statistikk, Støtte, Overlevelsesanalyse). ``kind`` is ``"data"`` (changes
    datasets), ``"analysis"`` (releases output), ``"session"`` (REPL only), ``"control"``
    (let/for/end/textblock) or ``"info"``. ``args`` describes the argument shape in a small
    vocabulary the checker understands (see specs.py). ``min_args``/``max_args`` count positional
    items (None = unbounded). ``condition`` says whether ``if`` is allowed.
    """

    name: str
    group: str
    kind: str
    summary: str
    syntax: str
    args: str = "none"
    min_args: int = 0
    max_args: int | None = 0
    condition: bool = False
    options: tuple[OptionSpec, ...] = ()
    help: str = ""
    example: str = ""
    disclosure: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> OptionSpec | None:
        for opt in self.options:
            if opt.name == name:
                return opt
        return None


#: name → spec; filled by mdlang.commands.specs at import.
COMMANDS: dict[str, CommandSpec] = {}

#: name → handler(session, statement) -> list[Result]; filled by the engine's command modules.
HANDLERS: dict[str, Callable[..., Any]] = {}

#: name → analysis(ctx: AnalysisContext, statement) -> list[Result]. The engine evaluates the
#: ``if`` condition, builds the context and calls these; they release only through ``ctx.gate``.
ANALYSES: dict[str, Callable[..., Any]] = {}


def register(spec: CommandSpec) -> CommandSpec:
    """Add a command spec to the registry (used by specs.py)."""
    if spec.name in COMMANDS:
        raise ValueError(f"command {spec.name!r} registered twice")
    COMMANDS[spec.name] = spec
    return spec


def handler(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: attach a function as the engine handler of one or more commands."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            HANDLERS[name] = fn
        return fn

    return deco


def analysis(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: attach a function as the analysis handler of one or more commands."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            ANALYSES[name] = fn
        return fn

    return deco


def get(name: str) -> CommandSpec | None:
    """The spec of a command, loading the spec table on first use."""
    _ensure_loaded()
    return COMMANDS.get(name)


def all_commands() -> dict[str, CommandSpec]:
    _ensure_loaded()
    return COMMANDS


def _ensure_loaded() -> None:
    if not COMMANDS:
        import mdlang.commands.specs  # noqa: F401  (registers every command)
