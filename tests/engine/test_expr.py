"""Expression evaluation on hand-built AST nodes and plain DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.expr import EvalEnv, condition_mask, evaluate, evaluate_column
from mdlang.errors import MdlRuntimeError, Span
from mdlang.syntax import ast as A

N, Num, S, B, U = A.Name, A.Number, A.String, A.Binary, A.Unary


@pytest.fixture
def env() -> EvalEnv:
    frame = pd.DataFrame(
        {
            "x": [1.0, np.nan, 3.0, 0.0],
            "y": [2.0, 2.0, np.nan, 5.0],
            "k": pd.Categorical(["1", "2", None, "1"]),
            "s": pd.Series(["a", None, "c", "b"], dtype="str"),
            "u": pd.Categorical.from_codes([0, 1, -1, 2], categories=[1.0, 2.0, 3.0]),
        }
    )
    restricted = {"PERSONID_1": "is the unit identifier", "MOR_FNR": "holds pseudonymised identifiers"}
    return EvalEnv(frame, restricted, labels=lambda v: {"1": "Mann", "2": "Kvinne"} if v == "k" else None)


def values(result) -> list:
    return [None if (isinstance(v, float) and np.isnan(v)) else v for v in result.tolist()]


def test_arithmetic_with_missing_gives_missing(env):
    assert values(evaluate(B("+", N("x"), N("y")), env)) == [3.0, None, None, 5.0]
    assert values(evaluate(B("^", N("y"), Num(2)), env)) == [4.0, 4.0, None, 25.0]


def test_division_by_zero_is_missing(env):
    assert values(evaluate(B("/", N("y"), N("x")), env)) == [2.0, None, None, None]


def test_scalar_arithmetic_keeps_integers():
    env = EvalEnv(pd.DataFrame(index=range(2)), {})
    assert evaluate(B("+", Num(2), Num(3)), env) == 5
    assert evaluate(B("/", Num(22), Num(7)), env) == pytest.approx(22 / 7)


def test_comparisons_give_one_zero_and_missing(env):
    assert values(evaluate(B(">", N("x"), Num(0)), env)) == [1.0, None, 1.0, 0.0]
    assert values(evaluate(B("==", N("k"), S("1")), env)) == [1.0, 0.0, None, 1.0]
    assert values(evaluate(B("!=", N("s"), S("a")), env)) == [0.0, None, 1.0, 1.0]
    assert values(evaluate(B("<=", N("s"), S("b")), env)) == [1.0, None, 0.0, 1.0]


def test_numeric_categorical_compares_as_number(env):
    assert values(evaluate(B("==", N("u"), Num(2)), env)) == [0.0, 1.0, None, 0.0]
    assert values(evaluate(B("+", N("u"), Num(1)), env)) == [2.0, 3.0, None, 4.0]


def test_missing_literal_comparison_is_sysmiss(env):
    assert values(evaluate(B("==", N("x"), A.Missing()), env)) == [0.0, 1.0, 0.0, 0.0]
    assert values(evaluate(B("!=", N("s"), A.Missing()), env)) == [1.0, 0.0, 1.0, 1.0]


def test_three_valued_logic(env):
    # x > 0: [1, ., 1, 0]; y > 3: [0, 0, ., 1]
    a, b = B(">", N("x"), Num(0)), B(">", N("y"), Num(3))
    assert values(evaluate(B("&", a, b), env)) == [0.0, 0.0, None, 0.0]
    assert values(evaluate(B("|", a, b), env)) == [1.0, None, 1.0, 1.0]
    assert values(evaluate(U("!", a), env)) == [0.0, None, 0.0, 1.0]


def test_missing_condition_counts_as_false(env):
    mask = condition_mask(B(">", N("x"), Num(0)), env)
    assert mask.tolist() == [True, False, True, False]
    assert condition_mask(N("x"), env).tolist() == [True, False, True, False]
    assert condition_mask(None, env).tolist() == [True] * 4


def test_evaluate_column_broadcasts_scalars(env):
    col = evaluate_column(Num(7), env)
    assert col.dtype == "float64" and col.tolist() == [7.0] * 4
    text = evaluate_column(S("ja"), env)
    assert text.dtype == "str" and text.tolist() == ["ja"] * 4
    assert evaluate_column(A.Missing(), env).isna().all()


def test_number_compared_with_text_variable_says_to_quote(env):
    with pytest.raises(MdlRuntimeError) as info:
        evaluate(B("==", N("k", span=Span(1, 5)), Num(1), span=Span(1, 5)), env)
    assert info.value.message == "k is alphanumeric (text) and cannot be compared with the number 1"
    assert info.value.hint == "quote the value: k == '1'"
    assert info.value.span == Span(1, 5)


def test_text_compared_with_numeric_variable_says_to_unquote(env):
    with pytest.raises(MdlRuntimeError) as info:
        evaluate(B(">", N("x"), S("2")), env)
    assert info.value.message == "x is numeric and cannot be compared with the text '2'"
    assert info.value.hint == "remove the quotes: x > 2"


def test_arithmetic_on_text_is_an_error(env):
    with pytest.raises(MdlRuntimeError, match="arithmetic needs numbers, but s is alphanumeric"):
        evaluate(B("+", N("s"), Num(1)), env)


def test_text_as_condition_is_an_error(env):
    with pytest.raises(MdlRuntimeError, match="s is text and cannot be used as a condition"):
        condition_mask(N("s"), env)


@pytest.mark.parametrize("name", ["PERSONID_1", "MOR_FNR"])
def test_identifiers_are_refused_in_expressions(env, name):
    with pytest.raises(MdlRuntimeError) as info:
        evaluate(B("+", N(name), Num(1)), env)
    assert info.value.message.startswith(name)
    assert "by() keys in collapse or on keys in merge" in info.value.hint


def test_unknown_variable_suggests_a_close_name(env):
    with pytest.raises(MdlRuntimeError) as info:
        evaluate(N("xx"), env)
    assert info.value.message == "the active dataset has no variable xx"
    assert info.value.hint == "did you mean x?"


def test_functions_are_called_vectorised(env):
    result = evaluate(A.Call("inlist", (N("x"), Num(1), Num(3))), env)
    assert values(result)[0] == 1.0 and values(result)[2] == 1.0 and values(result)[3] == 0.0
    assert values(evaluate(A.Call("sysmiss", (N("y"),)), env)) == [0.0, 0.0, 1.0, 0.0]


def test_label_functions_get_the_variables_labels(env):
    result = evaluate(A.Call("inlabels", (N("k"), S("Kvinne"))), env)
    assert values(result)[:2] == [0.0, 1.0] and values(result)[3] == 0.0


def test_unknown_function_suggests_a_close_name(env):
    with pytest.raises(MdlRuntimeError) as info:
        evaluate(A.Call("sysmis", (N("x"),)), env)
    assert info.value.message == "unknown function sysmis()"
    assert info.value.hint == "did you mean sysmiss()?"


def test_condition_masks_match_value_semantics(env):
    """The boolean fast path of conditions agrees with evaluating the value and testing == 1."""
    conditions = [
        B("&", B("==", N("k"), S("1")), B(">", N("x"), Num(0))),
        B("|", U("!", B("==", N("k"), S("2"))), B("<", N("y"), Num(3))),
        B("!=", N("u"), Num(2)),
        B("&", B("==", Num(1), Num(1)), B(">=", N("x"), N("y"))),
        B("|", B("==", N("s"), S("c")), B("==", N("x"), A.Missing())),
        B("==", Num(1), Num(2)),
    ]
    for cond in conditions:
        value = evaluate(cond, env)
        expected = (np.asarray(value.tolist() if hasattr(value, "tolist") else [value] * 4, dtype=float) == 1.0)
        assert condition_mask(cond, env).tolist() == expected.tolist(), cond
