"""Bindings (``let``, ``$name``, ``++``) and their resolution before a statement runs.

Bindings are script-local constants that need no data (language.md §5). A binding holds a number,
a string or a symbol (:class:`mdlang.engine.values.Symbol`). Before a statement runs,
:func:`resolve_statement` replaces every ``$name``, ``a ++ b`` and ``bind(...)`` in it by a plain
literal node (Number, String, or Name for a symbol), so that command handlers and the expression
evaluator never see a binding. Loops push a scope per iteration (:meth:`Bindings.push`): bindings
made inside an iteration are local to it.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from mdlang.engine import values
from mdlang.errors import MdlRuntimeError, Span
from mdlang.syntax import ast

Value = Any  # int | float | str | values.Symbol

_ARITH = {"+", "-", "*", "/", "^"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}


class Bindings:
    """A stack of binding scopes; the innermost scope is searched first."""

    def __init__(self) -> None:
        self._scopes: list[dict[str, Value]] = [{}]

    def push(self) -> None:
        """Open a scope (one loop iteration)."""
        self._scopes.append({})

    def pop(self) -> None:
        """Close the innermost scope, forgetting the bindings made in it."""
        if len(self._scopes) > 1:
            self._scopes.pop()

    def set(self, name: str, value: Value) -> None:
        """Bind ``name`` in the innermost scope."""
        self._scopes[-1][name] = value

    def get(self, name: str, span: Span | None = None) -> Value:
        """The value of ``$name``; an error saying how to define it when it is unknown."""
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        raise MdlRuntimeError(
            f"the binding ${name} is not defined",
            span,
            hint=f"define it first with: let {name} = …",
        )

    def items(self) -> dict[str, Value]:
        """Every visible binding (inner scopes shadow outer ones)."""
        out: dict[str, Value] = {}
        for scope in self._scopes:
            out.update(scope)
        return out

    def clear(self) -> None:
        """Forget every binding."""
        self._scopes = [{}]


def describe(value: Value) -> str:
    """How a binding value is shown when ``let`` runs."""
    if isinstance(value, values.Symbol):
        return str(value)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# -------------------------------------------------------------------------------------------
# Evaluating binding expressions (no data involved)
# -------------------------------------------------------------------------------------------


def evaluate(expr: ast.Expr, bindings: Bindings) -> Value:
    """Evaluate an expression that needs no data: literals, symbols, ``$x``, ``++``, arithmetic,
    comparisons and data-free functions and procedures."""
    if isinstance(expr, ast.Number):
        return expr.value
    if isinstance(expr, ast.String):
        return expr.value
    if isinstance(expr, ast.DateLit):
        return expr.text
    if isinstance(expr, ast.Name):
        return values.Symbol(expr.name)
    if isinstance(expr, ast.Binding):
        return bindings.get(expr.name, expr.span)
    if isinstance(expr, ast.Concat):
        return values.concat([evaluate(p, bindings) for p in expr.parts])
    if isinstance(expr, ast.Unary):
        operand = evaluate(expr.operand, bindings)
        num = _number(operand, expr.operand)
        return -num if expr.op == "-" else int(not num)
    if isinstance(expr, ast.Binary):
        return _binary(expr, evaluate(expr.left, bindings), evaluate(expr.right, bindings))
    if isinstance(expr, ast.Call):
        return _call(expr, bindings)
    if isinstance(expr, ast.Missing):
        raise MdlRuntimeError(
            "a binding cannot hold the missing value '.'",
            expr.span,
            hint="bindings hold numbers, strings or names",
        )
    raise MdlRuntimeError(
        "this expression cannot be used as a binding value",
        getattr(expr, "span", None),
        hint="a binding holds a number, a string or a name, possibly joined with ++",
    )


def _number(value: Value, node: ast.Expr) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    raise MdlRuntimeError(
        "arithmetic in a binding expression needs numbers",
        getattr(node, "span", None),
        hint="convert text with to_int(...), or join values with ++",
    )


def _binary(expr: ast.Binary, left: Value, right: Value) -> Value:
    op = expr.op
    if op in _ARITH:
        a, b = _number(left, expr.left), _number(right, expr.right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                raise MdlRuntimeError("division by zero in a binding expression", expr.span)
            result = a / b
            return result
        return a**b
    if op in _COMPARE:
        a, b = _plain(left), _plain(right)
        if isinstance(a, str) != isinstance(b, str):
            raise MdlRuntimeError(
                "cannot compare a number with text in a binding expression",
                expr.span,
                hint="quote both sides or neither",
            )
        result = {
            "==": a == b,
            "!=": a != b,
            "<": a < b,
            ">": a > b,
            "<=": a <= b,
            ">=": a >= b,
        }[op]
        return int(result)
    a, b = _number(left, expr.left), _number(right, expr.right)
    return int(bool(a) and bool(b)) if op == "&" else int(bool(a) or bool(b))


def _plain(value: Value) -> Any:
    return str(value) if isinstance(value, values.Symbol) else value


def _call(expr: ast.Call, bindings: Bindings) -> Value:
    if expr.name == "bind":
        if len(expr.args) != 1:
            raise MdlRuntimeError("bind() takes one argument: the name of a binding", expr.span)
        target = evaluate(expr.args[0], bindings)
        return bindings.get(str(target), expr.span)
    args = [evaluate(a, bindings) for a in expr.args]
    from mdlang.engine.calls import call_scalar  # local: functions load lazily

    return call_scalar(expr, [_plain(a) if not isinstance(a, values.Symbol) else a for a in args])


# -------------------------------------------------------------------------------------------
# Resolving a statement before it runs
# -------------------------------------------------------------------------------------------


def to_node(value: Value, span: Span) -> ast.Expr:
    """A literal AST node standing for a binding value."""
    if isinstance(value, values.Symbol):
        return ast.Name(str(value), span=span)
    if isinstance(value, str):
        return ast.String(value, span=span)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return ast.Number(value, span=span)
    return ast.Number(value, span=span)


def _needs_resolution(expr: ast.Expr) -> bool:
    return isinstance(expr, (ast.Binding, ast.Concat)) or (
        isinstance(expr, ast.Call) and expr.name == "bind"
    )


def resolve(node: Any, bindings: Bindings) -> Any:
    """Return ``node`` with every binding reference replaced by its value (see module doc)."""
    if isinstance(node, tuple):
        items = tuple(resolve(n, bindings) for n in node)
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    if isinstance(node, ast.For):
        # the body is resolved statement by statement as it runs, inside its iteration's scope
        levels = resolve(node.levels, bindings)
        return node if levels is node.levels else dataclasses.replace(node, levels=levels)
    if isinstance(node, ast.Expr) and _needs_resolution(node):
        return to_node(evaluate(node, bindings), node.span)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        if f.name == "span":
            continue
        old = getattr(node, f.name)
        new = resolve(old, bindings)
        if new is not old:
            changes[f.name] = new
    return dataclasses.replace(node, **changes) if changes else node


def name_of(node: ast.Expr, what: str = "a name") -> str:
    """The plain name an already-resolved name position holds (Name, or a String/Number made
    into a name by a binding)."""
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.RegVar):
        return node.name if node.alias is None else f"{node.alias}/{node.name}"
    if isinstance(node, ast.String) and node.value.isidentifier():
        return node.value
    raise MdlRuntimeError(
        f"expected {what} here",
        getattr(node, "span", None),
        hint="write a variable or dataset name (letters, digits and _)",
    )
