"""What a script has made at a point, as far as it can be known without data: datasets and their
variables, the active dataset, bindings, datastore aliases and label sets.

The checker (:mod:`mdlang.semantics.check`) updates a :class:`Scope` statement by statement; the
REPL completer reads one (:func:`mdlang.semantics.check.final_scope`) to offer variable, dataset
and binding names.

Binding values are evaluated statically where they are constants (``let år = 2020``, loop values,
``++``, ``date_fmt``, ``to_int``, ``to_str``, ``to_symbol``). A value that depends on something
unknown is :data:`UNKNOWN`; names built from it cannot be resolved, and the checker then stays
silent rather than report a false error.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from mdlang.engine import values
from mdlang.engine.bindings import Bindings, evaluate
from mdlang.errors import MdlError
from mdlang.syntax import ast


class _Unknown:
    """The value of a binding that cannot be known before the script runs."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

#: binding procedures the checker evaluates itself (no data and no pandas needed)
_PROCEDURES = frozenset({"date_fmt", "to_int", "to_str", "to_symbol", "bind"})


@dataclass
class DatasetScope:
    """One dataset: its variables in order, its kind and whether its variable list is complete.

    ``kind`` is ``"empty"``, ``"cross"``, ``"event"`` or ``"panel"``. ``open`` is True when a
    statement created names that could not be resolved (or, like ``reshape-from-panel``, depend
    on data): references to unknown variables are then not reported. ``unit`` is the unit type
    (``"PERSON"``, …) once a catalogue has told it, else None.
    """

    name: str
    variables: dict[str, None] = field(default_factory=dict)
    kind: str = "empty"
    open: bool = False
    dropped: dict[str, str] = field(default_factory=dict)
    unit: str | None = None

    def has(self, var: str) -> bool:
        """Whether the dataset holds ``var``."""
        return var in self.variables

    def add(self, var: str) -> None:
        """Add a variable (it is no longer counted as dropped)."""
        self.variables[var] = None
        self.dropped.pop(var, None)

    def remove(self, var: str, reason: str) -> None:
        """Forget a variable, remembering why (``"was dropped on line 4"``) for later messages."""
        self.variables.pop(var, None)
        self.dropped[var] = reason


@dataclass
class Scope:
    """Everything the checker tracks (see the module docstring)."""

    datasets: dict[str, DatasetScope] = field(default_factory=dict)
    active: str | None = None
    bindings: list[dict[str, Any]] = field(default_factory=lambda: [{}])
    aliases: dict[str, tuple[str, Any]] = field(default_factory=dict)
    labelsets: set[str] = field(default_factory=set)

    # --- datasets ------------------------------------------------------------------------------

    @property
    def dataset(self) -> DatasetScope | None:
        """The active dataset, or None."""
        return self.datasets.get(self.active) if self.active is not None else None

    def variables(self) -> list[str]:
        """Names of the active dataset's variables (empty without an active dataset)."""
        ds = self.dataset
        return list(ds.variables) if ds is not None else []

    # --- bindings ------------------------------------------------------------------------------

    def binding(self, name: str) -> Any:
        """The value of ``$name``; :data:`UNKNOWN` when its value is not static; KeyError if unset."""
        for frame in reversed(self.bindings):
            if name in frame:
                return frame[name]
        raise KeyError(name)

    def has_binding(self, name: str) -> bool:
        """Whether ``$name`` is defined in any enclosing scope."""
        return any(name in frame for frame in self.bindings)

    def bind(self, name: str, value: Any) -> None:
        """Bind ``name`` in the innermost scope."""
        self.bindings[-1][name] = value

    def binding_names(self) -> list[str]:
        """Every visible binding name (for completion and suggestions)."""
        names: dict[str, None] = {}
        for frame in self.bindings:
            names.update(dict.fromkeys(frame))
        return list(names)

    def push(self) -> None:
        """Open a binding scope (one loop round)."""
        self.bindings.append({})

    def pop(self) -> None:
        """Close the innermost binding scope."""
        if len(self.bindings) > 1:
            self.bindings.pop()

    def snapshot(self) -> Scope:
        """An independent copy (for callers that keep the scope after each statement)."""
        return copy.deepcopy(self)


# ---------------------------------------------------------------------------------------------
# Static evaluation of binding expressions
# ---------------------------------------------------------------------------------------------


class UnknownBinding(Exception):
    """A ``$name`` that no ``let`` or loop has defined (the checker reports it)."""

    def __init__(self, node: ast.Binding) -> None:
        super().__init__(node.name)
        self.node = node


class _Unresolvable(Exception):
    """Raised inside static evaluation when a value cannot be known."""


def _date_fmt(args: list[Any]) -> str:
    parts = [int(a) for a in args] + [1] * (3 - len(args))
    year, month, day = parts[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"


def _procedure(name: str, args: list[Any], scope: Scope, node: ast.Call) -> Any:
    if name == "date_fmt" and 1 <= len(args) <= 3 and all(isinstance(a, (int, float)) for a in args):
        return _date_fmt(args)
    if name == "to_int" and len(args) == 1:
        try:
            return int(str(args[0]))
        except ValueError as exc:
            raise _Unresolvable from exc
    if name == "to_str" and len(args) == 1:
        a = args[0]
        return str(a) if isinstance(a, str) else values.format_number(a)
    if name == "to_symbol" and len(args) == 1 and values.is_valid_name(str(args[0])):
        return values.Symbol(str(args[0]))
    if name == "bind" and len(args) == 1:
        try:
            return scope.binding(str(args[0]))
        except KeyError as exc:
            raise UnknownBinding(ast.Binding(str(args[0]), span=node.span)) from exc
    raise _Unresolvable


def _substitute(expr: ast.Expr, scope: Scope) -> ast.Expr:
    """Replace ``$x`` and data-free procedure calls by literals so that the engine's evaluator
    (which would load the function library for calls) sees only literals and operators."""
    if isinstance(expr, ast.Binding):
        try:
            value = scope.binding(expr.name)
        except KeyError as exc:
            raise UnknownBinding(expr) from exc
        if value is UNKNOWN:
            raise _Unresolvable
        return _literal(value, expr)
    if isinstance(expr, ast.Call):
        if expr.name not in _PROCEDURES:
            raise _Unresolvable
        args = [evaluate(_substitute(a, scope), Bindings()) for a in expr.args]
        return _literal(_procedure(expr.name, args, scope, expr), expr)
    if isinstance(expr, ast.Concat):
        return ast.Concat(tuple(_substitute(p, scope) for p in expr.parts), span=expr.span)
    if isinstance(expr, ast.Unary):
        return ast.Unary(expr.op, _substitute(expr.operand, scope), span=expr.span)
    if isinstance(expr, ast.Binary):
        return ast.Binary(expr.op, _substitute(expr.left, scope), _substitute(expr.right, scope),
                          span=expr.span)
    return expr


def _literal(value: Any, node: ast.Expr) -> ast.Expr:
    if isinstance(value, values.Symbol):
        return ast.Name(str(value), span=node.span)
    if isinstance(value, str):
        return ast.String(value, span=node.span)
    if isinstance(value, (int, float)):
        return ast.Number(value, span=node.span)
    raise _Unresolvable


def static_value(expr: ast.Expr, scope: Scope) -> Any:
    """The value of a data-free expression, or :data:`UNKNOWN`.

    Raises :class:`UnknownBinding` for a ``$name`` never defined, and :class:`MdlError` when the
    expression is certain to fail (for instance arithmetic on text).
    """
    try:
        return evaluate(_substitute(expr, scope), Bindings())
    except _Unresolvable:
        return UNKNOWN
    except (ValueError, OverflowError, ZeroDivisionError, TypeError):
        return UNKNOWN


def resolve_name(expr: Any, scope: Scope) -> str | None:
    """The name a name position holds (``x``, ``$siv``, ``lønn ++ $år``), or None when it cannot
    be known statically. Raises :class:`UnknownBinding` for an undefined binding."""
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, (ast.Binding, ast.Concat)) or (isinstance(expr, ast.Call) and expr.name == "bind"):
        try:
            value = static_value(expr, scope)
        except MdlError:
            return None
        if isinstance(value, str) and values.is_valid_name(value):
            return str(value)
        return None
    return None


def is_name_node(expr: Any) -> bool:
    """True for nodes that stand in a name position (plain, bound or built names)."""
    return isinstance(expr, (ast.Name, ast.Binding, ast.Concat)) or (
        isinstance(expr, ast.Call) and expr.name == "bind"
    )
