"""Mathematical functions: reference values, domains, rounding rules and quantile groups."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.functions import call
from mdlang.errors import MdlRuntimeError


def test_documented_reference_values():
    assert call("round", 7.321, 0.01) == 7.32
    assert call("round", -7.6) == -8
    assert call("int", -17.6) == -17
    assert call("int", 17.6) == 17
    assert call("pi") == math.pi


def test_ceil_and_floor_follow_the_mathematical_definitions():
    # The reference prints ceil(-17.3) = -18 and floor(-8.6) = -8; mdlang does what Stata does.
    assert call("ceil", -17.3) == -17
    assert call("floor", -8.6) == -9
    assert call("ceil", 7.2) == 8
    assert call("floor", 7.8) == 7


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [(2.5, 1, 3), (-2.5, 1, -3), (1234, 100, 1200), (1250, 100, 1300), (7.325, 0.05, 7.35), (0.125, 0.25, 0.25)],
)
def test_round_half_away_from_zero_to_a_multiple(x, y, expected):
    assert call("round", x, y) == pytest.approx(expected, abs=1e-12)


def test_round_by_zero_is_missing():
    assert call("round", 3.3, 0) is None


@pytest.mark.parametrize(
    ("fn", "x", "expected"),
    [
        ("sqrt", 16, 4.0), ("sqrt", -1, None), ("exp", 0, 1.0), ("ln", math.e, 1.0), ("ln", 0, None),
        ("ln", -3, None), ("log10", 1000, 3.0), ("log10", 0, None), ("abs", -4.5, 4.5),
        ("logit", 0.5, 0.0), ("logit", 1, None), ("logit", 0, None), ("acos", 2, None), ("asin", 1, math.pi / 2),
        ("atan", 1, math.pi / 4), ("cos", 0, 1.0), ("sin", 0, 0.0), ("tan", 0, 0.0),
        ("lnfactorial", 5, math.log(120)), ("lnfactorial", 0, 0.0), ("lnfactorial", 2.5, None), ("lnfactorial", -1, None),
    ],
)
def test_elementwise_values_and_domains(fn, x, expected):
    result = call(fn, x)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_logit_formula():
    assert call("logit", 0.2) == pytest.approx(math.log(0.2 / 0.8))


def test_comb():
    assert call("comb", 5, 2) == 10
    assert call("comb", 52, 5) == 2598960
    assert call("comb", 5, 6) is None
    assert call("comb", 5.5, 2) is None
    assert isinstance(call("comb", 10, 3), int)


def test_vectorised_with_missing():
    x = pd.Series([4.0, np.nan, -4.0, 9.0], index=[3, 1, 2, 0])
    out = call("sqrt", x)
    assert list(out.index) == [3, 1, 2, 0]
    assert out.iloc[0] == 2 and np.isnan(out.iloc[1]) and np.isnan(out.iloc[2]) and out.iloc[3] == 3
    rounded = call("round", pd.Series([7.321, -7.6, np.nan]), 0.01)
    assert rounded.iloc[0] == 7.32 and rounded.iloc[1] == -7.6 and np.isnan(rounded.iloc[2])


def test_nullable_and_categorical_inputs():
    out = call("abs", pd.Series([-1, None, 3], dtype="Int64"))
    assert out.iloc[0] == 1 and np.isnan(out.iloc[1]) and out.iloc[2] == 3
    cat = pd.Series(pd.Categorical([2.0, None, 4.0]))
    np.testing.assert_array_equal(call("sqrt", cat).to_numpy()[[0, 2]], [math.sqrt(2), 2.0])


def _expected_quantile(values, n):
    """Independent computation: group = floor(#values strictly below * n / N)."""
    valid = [v for v in values if not math.isnan(v)]
    out = []
    for v in values:
        if math.isnan(v):
            out.append(math.nan)
        else:
            below = sum(1 for w in valid if w < v)
            out.append(float(below * n // len(valid)))
    return out


@pytest.mark.parametrize("n", [2, 4, 10, 100])
def test_quantile_against_independent_computation(n):
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(size=500), 1)  # many ties
    values[::17] = np.nan
    out = call("quantile", pd.Series(values), n)
    np.testing.assert_array_equal(out.to_numpy(), _expected_quantile(list(values), n))


def test_quantile_deciles_of_distinct_values_are_equal_sized():
    out = call("quantile", pd.Series(np.arange(1000.0)[::-1]), 10)
    assert out.value_counts().sort_index().tolist() == [100] * 10
    assert out.iloc[0] == 9 and out.iloc[-1] == 0


def test_quantile_ties_share_a_group_whatever_the_row_order():
    a = call("quantile", pd.Series([1.0, 1.0, 1.0, 2.0]), 2)
    b = call("quantile", pd.Series([2.0, 1.0, 1.0, 1.0]), 2)
    assert a.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert b.tolist() == [1.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("n", [1, 101, 2.5, None])
def test_quantile_group_count_must_be_2_to_100(n):
    with pytest.raises(MdlRuntimeError) as info:
        call("quantile", pd.Series([1.0, 2.0]), n)
    assert str(info.value) == "quantile() needs a whole number of groups between 2 and 100 as argument 2"


def test_quantile_group_count_must_not_be_a_variable():
    with pytest.raises(MdlRuntimeError) as info:
        call("quantile", pd.Series([1.0, 2.0]), pd.Series([2.0, 2.0]))
    assert str(info.value) == "quantile() needs a single number as argument 2 (the number of groups), not a variable"


def test_text_argument_is_a_type_error():
    with pytest.raises(MdlRuntimeError) as info:
        call("round", pd.Series(["7.3"], dtype="str"))
    assert str(info.value) == "round() needs a number as argument 1, not text"
    assert "destring" in info.value.hint


def test_wrong_number_of_arguments():
    with pytest.raises(MdlRuntimeError) as info:
        call("round", 1, 2, 3)
    assert str(info.value) == "round() takes 1 to 2 arguments, not 3"
    assert info.value.hint == "write it as round(x, y?)"
