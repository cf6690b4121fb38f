"""Canonical text for AST nodes: ``parse(print_script(s)) == s`` for every parsed script.

Expressions get exactly the parentheses the precedence rules need (language.md §7.2); strings
are single-quoted unless they hold a single quote; loop bodies are indented by four spaces
(text-block contents are kept verbatim).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from mdlang.syntax import ast

# Precedence levels, loosest first.
OR, AND, CMP, CAT, SUM, PROD, NEG, POW, NOT, ATOM = range(1, 11)
_BINARY = {
    "|": (OR, OR, AND),
    "&": (AND, AND, CMP),
    "+": (SUM, SUM, PROD),
    "-": (SUM, SUM, PROD),
    "*": (PROD, PROD, NEG),
    "/": (PROD, PROD, NEG),
    "^": (POW, NOT, NEG),
}
_COMPARISONS = {"==", "!=", "<", ">", "<=", ">="}
_INDENT = "    "


def print_script(script: ast.Script) -> str:
    """The whole script, one statement per line, ending with a newline."""
    return "".join(print_statement(s) + "\n" for s in script.statements)


def print_statement(stmt: ast.Statement) -> str:
    """One statement (several lines for a loop or a text block)."""
    printer = _STATEMENTS.get(type(stmt))
    if printer is None:
        raise TypeError(f"cannot print {type(stmt).__name__}")
    return printer(stmt)


def print_expr(expr: ast.Expr) -> str:
    """An expression as it would stand in a condition or on the right of ``=``."""
    return _expr(expr, 0)


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


def _level(expr: ast.Expr) -> int:
    if isinstance(expr, ast.Binary):
        return CMP if expr.op in _COMPARISONS else _BINARY[expr.op][0]
    if isinstance(expr, ast.Unary):
        return NEG if expr.op == "-" else NOT
    if isinstance(expr, ast.Concat):
        return CAT
    return ATOM


def _expr(expr: ast.Expr, least: int) -> str:
    text = _expr_bare(expr)
    return f"({text})" if _level(expr) < least else text


def _expr_bare(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Binary):
        if expr.op in _COMPARISONS:
            return f"{_expr(expr.left, CAT)} {expr.op} {_expr(expr.right, CAT)}"
        _, left, right = _BINARY[expr.op]
        return f"{_expr(expr.left, left)} {expr.op} {_expr(expr.right, right)}"
    if isinstance(expr, ast.Unary):
        return expr.op + _expr(expr.operand, NEG if expr.op == "-" else NOT)
    if isinstance(expr, ast.Concat):
        return " ++ ".join(_expr(p, SUM) for p in expr.parts)
    if isinstance(expr, ast.Call):
        return f"{expr.name}({', '.join(_expr(a, 0) for a in expr.args)})"
    return _atom(expr)


def _number(value: int | float) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "-1e999" if value < 0 else "1e999"
        return repr(value)
    return str(value)


def _string(value: str) -> str:
    quote = '"' if "'" in value and '"' not in value else "'"
    return quote + value.replace(quote, quote * 2) + quote


def _atom(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Number):
        return _number(expr.value)
    if isinstance(expr, ast.String):
        return _string(expr.value)
    if isinstance(expr, ast.Missing):
        return "."
    if isinstance(expr, ast.DateLit):
        return expr.text
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Binding):
        return "$" + expr.name
    if isinstance(expr, ast.RegVar):
        return f"{expr.alias}/{expr.name}" if expr.alias else expr.name
    if isinstance(expr, ast.Keyword):
        return expr.word
    if isinstance(expr, ast.FactorTerm):
        sep = "##" if expr.full else "#"
        return sep.join((f"{p.prefix}." if p.prefix else "") + _item(p.name) for p in expr.parts)
    if isinstance(expr, ast.IVBlock):
        return f"({_items(expr.endogenous)} = {_items(expr.instruments)})"
    return f"({_expr_bare(expr)})"


# ---------------------------------------------------------------------------------------------
# Argument items: names, values and `++` builds in space-separated lists
# ---------------------------------------------------------------------------------------------


def _item(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Concat):
        head, *rest = expr.parts
        return " ++ ".join([_item(head)] + [_cpart(p) for p in rest])
    if isinstance(expr, ast.Call):
        return _expr_bare(expr)
    return _atom(expr)


def _cpart(expr: ast.Expr) -> str:
    if isinstance(expr, (ast.Name, ast.Binding, ast.Number, ast.String)) and not (
        isinstance(expr, ast.Number) and expr.value < 0
    ):
        return _atom(expr)
    return f"({_expr(expr, 0)})"


def _items(exprs: Iterable[ast.Expr]) -> str:
    return " ".join(_item(e) for e in exprs)


def _options(options: tuple[ast.Option, ...]) -> str:
    if not options:
        return ""
    return ", " + " ".join(_option(o) for o in options)


def _option(opt: ast.Option) -> str:
    if opt.args is None:
        return opt.name
    groups = opt.groups if opt.groups is not None else ((opt.args,) if opt.args else ())
    return f"{opt.name}({', '.join(_items(g) for g in groups)})"


def _condition(cond: ast.Expr | None) -> str:
    return "" if cond is None else f" if {print_expr(cond)}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


def _command(s: ast.Command) -> str:
    stat = f"({s.stat})" if s.stat is not None else ""
    return _join(s.name, stat, _items(s.args)) + _condition(s.condition) + _options(s.options)


def _require(s: ast.Require) -> str:
    return f"require {s.datastore}:{_item(s.version)} as {_item(s.alias)}"


def _as(name: ast.Expr | None) -> str:
    return "" if name is None else f"as {_item(name)}"


def _date(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Concat):
        return " ++ ".join(_date(p) for p in expr.parts)
    return _item(expr)


def _import(s: ast.Import) -> str:
    date = _date(s.date) if s.date is not None else ""
    return _join("import", _atom(s.variable), date, _as(s.as_name)) + _options(s.options)


def _import_event(s: ast.ImportEvent) -> str:
    head = _join("import-event", _atom(s.variable), _date(s.start), "to", _date(s.stop))
    return _join(head, _as(s.as_name)) + _options(s.options)


def _import_panel(s: ast.ImportPanel) -> str:
    return _join("import-panel", _items(s.variables), " ".join(_date(d) for d in s.dates)) + _options(s.options)


def _generate(s: ast.Generate) -> str:
    return f"{s.name} {_item(s.target)} = {print_expr(s.expr)}{_condition(s.condition)}"


def _rename(r: ast.Rename) -> str:
    return _item(r.source) + (f" -> {_item(r.target)}" if r.target is not None else "")


def _collapse(s: ast.Collapse) -> str:
    groups = " ".join(f"({g.stat}) " + " ".join(_rename(r) for r in g.items) for g in s.groups)
    return f"{s.name} {groups}{_condition(s.condition)}{_options(s.options)}"


def _clone_variables(s: ast.CloneVariables) -> str:
    return "clone-variables " + " ".join(_rename(r) for r in s.items) + _options(s.options)


def _merge(s: ast.Merge) -> str:
    on = f"on {_item(s.on)}" if s.on is not None else ""
    return _join("merge", _items(s.variables), "into", _item(s.target), on) + _options(s.options)


def _lhs(x: ast.Expr | ast.Interval | str) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, ast.Interval):
        low = x.low if isinstance(x.low, str) else _item(x.low)
        high = x.high if isinstance(x.high, str) else _item(x.high)
        return f"{low}/{high}"
    return _item(x)


def _rule(r: ast.RecodeRule) -> str:
    label = _string(r.label) if r.label is not None else ""
    rhs = _join(_item(r.rhs), label, "missing" if r.missing else "")
    return f"({' '.join(_lhs(x) for x in r.lhs)} = {rhs})"


def _recode(s: ast.Recode) -> str:
    rules = " ".join(_rule(r) for r in s.rules)
    return f"recode {_items(s.variables)} {rules}{_condition(s.condition)}{_options(s.options)}"


def _define_labels(s: ast.DefineLabels) -> str:
    pairs = " ".join(f"{_item(p.value)} {_string(p.label)}" for p in s.pairs)
    return f"define-labels {_item(s.labelset)} {pairs}"


def _let(s: ast.Let) -> str:
    return f"let {s.target} = {print_expr(s.expr)}"


def _values(v: ast.ValueList) -> str:
    if isinstance(v.values, ast.Range):
        return f"{_item(v.values.start)} : {_item(v.values.stop)}"
    return _items(v.values)


def _for(s: ast.For) -> str:
    return "\n".join(_for_lines(s, 0))


def _for_lines(s: ast.For, depth: int) -> list[str]:
    pad = _INDENT * depth
    levels = "; ".join(
        f"{', '.join(lv.iterators)} in {', '.join(_values(v) for v in lv.lists)}" for lv in s.levels
    )
    lines = [f"{pad}for {levels}"]
    inner = pad + _INDENT
    for stmt in s.body:
        if isinstance(stmt, ast.For):
            lines.extend(_for_lines(stmt, depth + 1))
        elif isinstance(stmt, ast.TextBlock):
            # the text is Markdown kept verbatim: indenting it would change it
            lines.append(inner + "textblock")
            if stmt.text:
                lines.append(stmt.text)
            lines.append(inner + "endblock")
        else:
            lines.append(inner + print_statement(stmt))
    lines.append(f"{pad}end")
    return lines


def _text_block(s: ast.TextBlock) -> str:
    return "textblock\n" + (s.text + "\n" if s.text else "") + "endblock"


def _coefplot(s: ast.Coefplot) -> str:
    return "coefplot " + _command(s.model)


_STATEMENTS: dict[type, Callable] = {
    ast.Command: _command,
    ast.Require: _require,
    ast.Import: _import,
    ast.ImportEvent: _import_event,
    ast.ImportPanel: _import_panel,
    ast.Generate: _generate,
    ast.Collapse: _collapse,
    ast.CloneVariables: _clone_variables,
    ast.Merge: _merge,
    ast.Recode: _recode,
    ast.DefineLabels: _define_labels,
    ast.Let: _let,
    ast.For: _for,
    ast.TextBlock: _text_block,
    ast.Coefplot: _coefplot,
}
