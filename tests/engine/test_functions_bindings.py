"""Binding procedures, ``Symbol`` and the ``++`` joining rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.functions import call, resolve_bind
from mdlang.engine.values import Symbol, concat, concat_values, format_number, is_valid_name
from mdlang.errors import MdlRuntimeError


def test_date_fmt():
    assert call("date_fmt", 2020) == "2020-01-01"
    assert call("date_fmt", 2000, 10) == "2000-10-01"
    assert call("date_fmt", 2011, 11, 12) == "2011-11-12"
    assert call("date_fmt", 2016.0, 12, 31) == "2016-12-31"


def test_date_fmt_invalid_date_is_an_error():
    with pytest.raises(MdlRuntimeError) as info:
        call("date_fmt", 2020, 2, 30)
    assert str(info.value) == "date_fmt(2020, 2, 30) is not a valid date"
    assert info.value.hint == "the month must be 1-12 and the day must exist in that month"


def test_date_fmt_vectorised():
    out = call("date_fmt", pd.Series([2020.0, np.nan]), 12, 31)
    assert out.iloc[0] == "2020-12-31" and pd.isna(out.iloc[1])


def test_to_int():
    assert call("to_int", "100") == 100
    assert isinstance(call("to_int", "100"), int)
    assert call("to_int", " -5 ") == -5
    assert call("to_int", 17.9) == 17
    with pytest.raises(MdlRuntimeError) as info:
        call("to_int", "1O0")
    assert str(info.value) == "to_int() cannot make a whole number of '1O0'"
    out = call("to_int", pd.Series(["12", None, "7"], dtype="str"))
    np.testing.assert_array_equal(out.to_numpy(), [12, np.nan, 7])


def test_to_str():
    assert call("to_str", 2020) == "2020"
    assert call("to_str", 2020.0) == "2020"
    assert call("to_str", 0.5) == "0.5"
    assert call("to_str", Symbol("lønn")) == "lønn"
    assert type(call("to_str", Symbol("lønn"))) is str


def test_to_symbol():
    sym = call("to_symbol", "lønn2020")
    assert isinstance(sym, Symbol) and sym == "lønn2020"
    with pytest.raises(MdlRuntimeError) as info:
        call("to_symbol", "123streng")
    assert str(info.value) == "to_symbol() cannot make a name of '123streng'"
    assert info.value.hint == "a name starts with a letter and holds only letters, digits and _"
    with pytest.raises(MdlRuntimeError):
        call("to_symbol", "_x")
    with pytest.raises(MdlRuntimeError):
        call("to_symbol", pd.Series(["a"], dtype="str"))


def test_bind_and_resolve_bind():
    env = {"kpi2020": 112.2, "navn": Symbol("lønn")}
    assert call("bind", concat([Symbol("kpi"), 2020]), bindings=env) == 112.2
    assert resolve_bind(env, "navn") == Symbol("lønn")
    assert resolve_bind(env, "$kpi2020") == 112.2
    with pytest.raises(MdlRuntimeError) as info:
        resolve_bind(env, Symbol("kpi2021"))
    assert str(info.value) == "bind(): there is no binding $kpi2021"
    assert info.value.hint == "define it first with let kpi2021 = ..."


@pytest.mark.parametrize(
    ("parts", "expected", "is_symbol"),
    [
        ((2000, "-01-01"), "2000-01-01", False),
        ((Symbol("to"), Symbol("tusen")), "totusen", True),
        ((Symbol("lønn"), 16, "_2"), "lønn16_2", True),
        ((Symbol("lønn"), 2016 - 2000.0, "_2"), "lønn16_2", True),
        (("a", "b"), "ab", False),
        ((2000, 1), "20001", False),
        (("x", Symbol("y")), "xy", True),
        ((0.5, "%"), "0.5%", False),
    ],
)
def test_concat_rule(parts, expected, is_symbol):
    result = concat(parts)
    assert result == expected
    assert isinstance(result, Symbol) is is_symbol


def test_concat_refuses_missing_and_columns():
    with pytest.raises(MdlRuntimeError) as info:
        concat_values(None, "x")
    assert str(info.value) == "++ cannot join a missing value"
    with pytest.raises(MdlRuntimeError) as info:
        concat_values(pd.Series([1.0]), "x")
    assert info.value.hint == "to join the text of variables row by row, use rowconcat()"


def test_symbol_and_names():
    assert repr(Symbol("år")) == "Symbol('år')"
    assert Symbol("x") == "x"
    assert is_valid_name("kjønn") and is_valid_name("lønn16_2") and is_valid_name("Å")
    assert not is_valid_name("16lønn") and not is_valid_name("a-b") and not is_valid_name("")


def test_format_number():
    assert format_number(16.0) == "16"
    assert format_number(-0.0) == "0"
    assert format_number(22 / 7) == repr(22 / 7)
    assert format_number(True) == "1"


def test_a_name_where_a_number_is_needed():
    with pytest.raises(MdlRuntimeError) as info:
        call("sqrt", Symbol("alder"))
    assert str(info.value) == "sqrt() needs a number as argument 1, not the name alder"
    assert info.value.hint == "a bare word in a binding expression is a name; write $name for a binding's value"
