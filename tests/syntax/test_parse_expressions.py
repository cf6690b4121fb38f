"""Expression precedence and associativity exactly as language.md §7.2."""

from __future__ import annotations

import pytest

from mdlang.errors import MdlSyntaxError
from mdlang.syntax import ast as A
from mdlang.syntax.parser import parse_statement


def shape(e: A.Expr) -> str:
    """A fully parenthesised rendering, independent of the printer under test."""
    if isinstance(e, A.Binary):
        return f"({shape(e.left)} {e.op} {shape(e.right)})"
    if isinstance(e, A.Unary):
        return f"({e.op}{shape(e.operand)})"
    if isinstance(e, A.Concat):
        return "[" + " ++ ".join(shape(p) for p in e.parts) + "]"
    if isinstance(e, A.Call):
        return f"{e.name}(" + ", ".join(shape(a) for a in e.args) + ")"
    if isinstance(e, A.Name):
        return e.name
    if isinstance(e, A.Binding):
        return "$" + e.name
    if isinstance(e, A.Number):
        return str(e.value)
    if isinstance(e, A.String):
        return repr(e.value)
    if isinstance(e, A.Missing):
        return "."
    raise AssertionError(e)


CASES = [
    ("!x == 1", "((!x) == 1)"),
    ("!(x == 1)", "(!(x == 1))"),
    ("-2^2", "(-(2 ^ 2))"),
    ("(-2)^2", "((-2) ^ 2)"),
    ("2^3^2", "(2 ^ (3 ^ 2))"),
    ("2^-1", "(2 ^ (-1))"),
    ("-a*b", "((-a) * b)"),
    ("a - -b", "(a - (-b))"),
    ("a ^ -b ^ c", "(a ^ (-(b ^ c)))"),
    ("!x^2", "((!x) ^ 2)"),
    ("-!x", "(-(!x))"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b / c", "((a / b) / c)"),
    ("a + b * c", "(a + (b * c))"),
    ("a * b + c", "((a * b) + c)"),
    ("a + b < c * d", "((a + b) < (c * d))"),
    ("a < b & c > d | e", "(((a < b) & (c > d)) | e)"),
    ("a | b & c", "(a | (b & c))"),
    ("a & b | c & d", "((a & b) | (c & d))"),
    ("a == b & c != d", "((a == b) & (c != d))"),
    ("alder >= 18 & alder < 40 & bosted == '0301'", "(((alder >= 18) & (alder < 40)) & (bosted == '0301'))"),
    ("siv_ ++ $år + 2 == '1'", "([siv_ ++ ($år + 2)] == '1')"),
    ("lønn ++ $år - 2000 ++ '_2'", "[lønn ++ ($år - 2000) ++ '_2']"),
    ("a ++ (b ++ c)", "[a ++ [b ++ c]]"),
    ("f(a, b + 1) * 2", "(f(a, (b + 1)) * 2)"),
    ("pi()", "pi()"),
    ("x == .", "(x == .)"),
    ("((a))", "a"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c for c, _ in CASES])
def test_precedence(text: str, expected: str) -> None:
    assert shape(parse_statement(f"let v = {text}").expr) == expected


@pytest.mark.parametrize("text", ["a < b < c", "a == b != c", "a <= b >= c"])
def test_comparisons_do_not_chain(text: str) -> None:
    with pytest.raises(MdlSyntaxError) as info:
        parse_statement(f"keep if {text}")
    assert info.value.message == "comparisons cannot be chained"
    assert info.value.span.col == 8 + text.rindex(text.split()[3]) + 1


def test_spans_of_expression_nodes() -> None:
    expr = parse_statement("generate v = a + b * c").expr
    assert (expr.span.line, expr.span.col, expr.span.end_col) == (1, 14, 23)
    assert (expr.right.span.col, expr.right.span.end_col) == (18, 23)
