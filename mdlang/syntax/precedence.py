"""Operator precedence for expressions (language.md §7.2), applied to a flat operand/operator list.

The grammar reads an expression as ``operand (op operand)*`` — which keeps the LALR parser from
walking ten precedence levels for every atom — and this module builds the tree. Loosest first:
``|``; ``&``; comparisons (one level, not chainable); ``++`` (binding concatenation, looser than
arithmetic so ``siv_ ++ $år + 2 == "1"`` builds a name and then compares); ``+ -``; ``* /``;
unary ``-``; ``^`` (right associative, so ``-2^2`` is −(2^2) and ``2^3^2`` is 2^(3^2)); ``!``
(tightest: it is applied to its atom by the grammar's operand rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from lark import Token

from mdlang.errors import MdlSyntaxError, Span
from mdlang.syntax import ast

_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"|"}),
    frozenset({"&"}),
    frozenset({"==", "!=", "<", ">", "<=", ">="}),
    frozenset({"++"}),
    frozenset({"+", "-"}),
    frozenset({"*", "/"}),
)
_CMP = 2
_CAT = 3


@dataclass(slots=True)
class Operand:
    """An operand with its leading unary minus tokens still to be applied."""

    minus: list[Span]
    core: ast.Expr


def _span(a: Span, b: Span) -> Span:
    return Span(a.line, a.col, b.end_line, b.end_col)


class _Climber:
    def __init__(self, operands: list[Operand], ops: list[Token], op_spans: list[Span]) -> None:
        self.operands = operands
        self.ops = ops
        self.op_spans = op_spans
        self.i = 0  # index of the next operand; the operator after it is ops[i]

    def peek_op(self) -> str | None:
        return str(self.ops[self.i - 1]) if 0 < self.i <= len(self.ops) else None

    def level(self, n: int) -> ast.Expr:
        if n == len(_LEVELS):
            return self.neg()
        left = self.level(n + 1)
        if n == _CAT:
            parts = [left]
            while self.peek_op() == "++":
                parts.append(self.level(n + 1))
            if len(parts) == 1:
                return left
            return ast.Concat(tuple(parts), span=_span(parts[0].span, parts[-1].span))
        while (op := self.peek_op()) in _LEVELS[n]:
            right = self.level(n + 1)
            left = ast.Binary(op, left, right, span=_span(left.span, right.span))
            if n == _CMP and self.peek_op() in _LEVELS[_CMP]:
                raise MdlSyntaxError(
                    "comparisons cannot be chained",
                    self.op_spans[self.i - 1],
                    hint="join two comparisons with &, for example: a < b & b < c",
                )
        return left

    def neg(self) -> ast.Expr:
        operand = self.operands[self.i]
        if operand.minus:
            start = operand.minus.pop(0)
            inner = self.neg()
            return ast.Unary("-", inner, span=_span(start, inner.span))
        return self.power()

    def power(self) -> ast.Expr:
        base = self.operands[self.i].core
        self.i += 1
        if self.peek_op() == "^":
            exponent = self.neg()
            return ast.Binary("^", base, exponent, span=_span(base.span, exponent.span))
        return base


def build(operands: list[Operand], ops: list[Token], op_spans: list[Span]) -> ast.Expr:
    """The expression tree for ``operands[0] ops[0] operands[1] …`` by the precedence rules."""
    climber = _Climber(operands, ops, op_spans)
    return climber.level(0)
