"""Checking expressions: every variable they read must exist, and two patterns earn a warning
(``!`` directly before a comparison, language.md §7.2; ``x == .``, §7.3)."""

from __future__ import annotations

from typing import Any

from mdlang.engine import values
from mdlang.errors import MdlError
from mdlang.semantics.checker import Checker
from mdlang.semantics.scope import UNKNOWN, UnknownBinding, static_value
from mdlang.semantics.suggest import did_you_mean
from mdlang.syntax import ast

COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">="})


def check_expr(ck: Checker, expr: Any) -> None:
    """Walk an expression (or a model term), checking the variables it reads."""
    if expr is None:
        return
    if isinstance(expr, ast.Name):
        ck.use_var(expr, expr.name)
    elif isinstance(expr, (ast.Binding, ast.Concat)) or (
        isinstance(expr, ast.Call) and expr.name == "bind"
    ):
        _bound_reference(ck, expr)
    elif isinstance(expr, ast.Unary):
        check_expr(ck, expr.operand)
    elif isinstance(expr, ast.Binary):
        _binary_warnings(ck, expr)
        check_expr(ck, expr.left)
        check_expr(ck, expr.right)
    elif isinstance(expr, ast.Call):
        if ck.functions is not None and expr.name != "bind":
            _check_call(ck, expr)
        for arg in expr.args:
            check_expr(ck, arg)
    elif isinstance(expr, ast.FactorTerm):
        for part in expr.parts:
            check_expr(ck, part.name)
    elif isinstance(expr, ast.IVBlock):
        for item in (*expr.endogenous, *expr.instruments):
            check_expr(ck, item)


def check_calls(ck: Checker, expr: Any) -> None:
    """Check only the function calls of a data-free expression (``let``): its names are symbols."""
    if ck.functions is None:
        return
    if isinstance(expr, ast.Call):
        if expr.name != "bind":
            _check_call(ck, expr)
        for arg in expr.args:
            check_calls(ck, arg)
    elif isinstance(expr, ast.Unary):
        check_calls(ck, expr.operand)
    elif isinstance(expr, ast.Binary):
        check_calls(ck, expr.left)
        check_calls(ck, expr.right)
    elif isinstance(expr, ast.Concat):
        for part in expr.parts:
            check_calls(ck, part)


def _check_call(ck: Checker, expr: ast.Call) -> None:
    """The function must exist and get a number of arguments it accepts."""
    spec = ck.functions.get(expr.name)
    if spec is None:
        hint = did_you_mean(expr.name, [f"{name}()" for name in ck.functions])
        ck.report(expr, f"unknown function {expr.name}()", hint or "help-function lists every function")
        return
    n, lo, hi = len(expr.args), spec.min_args, spec.max_args
    if n < lo or (hi is not None and n > hi):
        if hi is None:
            arity = f"at least {lo} argument{'s' if lo != 1 else ''}"
        elif lo == hi:
            arity = f"{lo} argument{'s' if lo != 1 else ''}"
        else:
            arity = f"{lo} to {hi} arguments"
        ck.report(expr, f"{expr.name}() takes {arity}, not {n}", f"write it as {spec.signature}")


def _bound_reference(ck: Checker, expr: ast.Expr) -> None:
    """``$x`` or ``a ++ $b`` in an expression: a variable when it evaluates to a symbol."""
    try:
        value = static_value(expr, ck.scope)
    except UnknownBinding as exc:
        ck.unknown_binding(exc.node)
        return
    except MdlError as err:
        ck.report_error(expr, err)
        return
    if value is not UNKNOWN and isinstance(value, values.Symbol):
        ck.use_var(expr, str(value))


def _binary_warnings(ck: Checker, expr: ast.Binary) -> None:
    if expr.op not in COMPARISONS:
        return
    left = expr.left
    if isinstance(left, ast.Unary) and left.op == "!" and not _closed_by_paren(ck, left):
        a, b = _text(left.operand), _text(expr.right)
        ck.warn(
            left,
            f"! binds tighter than {expr.op}: this reads as (!{a}) {expr.op} {b}",
            f"write !({a} {expr.op} {b}) to negate the comparison",
        )
    if expr.op in ("==", "!=") and (isinstance(expr.right, ast.Missing) or isinstance(expr.left, ast.Missing)):
        other = expr.left if isinstance(expr.right, ast.Missing) else expr.right
        name = other.name if isinstance(other, ast.Name) else "x"
        neg = "!" if expr.op == "!=" else ""
        ck.warn(
            expr,
            f"{expr.op} . is read as {neg}sysmiss(), but microdata.no only accepts sysmiss()",
            f"write {neg}sysmiss({name}) so the script also runs on microdata.no",
        )


def _closed_by_paren(ck: Checker, node: ast.Unary) -> bool:
    """True when the source shows ``(!x) == …``: the writer chose this meaning on purpose."""
    span = node.span
    if ck.source_lines is None or not 1 <= span.end_line <= len(ck.source_lines):
        return False
    rest = ck.source_lines[span.end_line - 1][max(span.end_col - 1, 0):]
    return rest.lstrip().startswith(")")


def _text(expr: Any) -> str:
    """A short rendering of an operand for messages (the printer's, when available)."""
    try:
        from mdlang.syntax.printer import print_expr
    except ImportError:
        print_expr = None
    if print_expr is not None:
        try:
            return print_expr(expr)
        except Exception:  # noqa: BLE001 - a message must never fail because of rendering
            pass
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Number):
        return values.format_number(expr.value)
    if isinstance(expr, ast.String):
        return f"'{expr.value}'"
    return "…"
