"""Text functions: documented examples, missing values, categorical input, type errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.functions import call
from mdlang.errors import MdlRuntimeError


def as_list(series):
    return [None if pd.isna(v) else v for v in series.tolist()]


@pytest.mark.parametrize(
    ("s", "pos", "n", "expected"),
    [
        ("y32ssx", 2, 3, "32s"), ("y32ssx", -3, 2, "ss"), ("y32ssx", 1, 100, "y32ssx"), ("y32ssx", -1, 5, "x"),
        ("y32ssx", 7, 2, ""), ("y32ssx", 0, 2, ""), ("y32ssx", 2, 0, ""), ("y32ssx", -7, 2, ""), ("blåbær", 3, 2, "åb"),
    ],
)
def test_substr_scalar(s, pos, n, expected):
    assert call("substr", s, pos, n) == expected


@pytest.mark.parametrize(("pos", "n"), [(2, 3), (-3, 2), (1, 100), (-1, 5), (7, 2), (0, 2), (-7, 2), (3, -1)])
def test_substr_series_matches_scalar(pos, n):
    values = ["y32ssx", None, "ab", "blåbær", ""]
    s = pd.Series(values, dtype="str")
    expected = [None if v is None else call("substr", v, pos, n) for v in values]
    assert as_list(call("substr", s, pos, n)) == expected
    # Positions and lengths taken from variables give the same answers.
    pos_col = pd.Series([pos] * len(values), dtype=float)
    assert as_list(call("substr", s, pos_col, n)) == expected


def test_substr_with_missing_position_is_missing():
    assert call("substr", "abc", None, 2) is None
    assert as_list(call("substr", pd.Series(["abc", "de"], dtype="str"), pd.Series([1.0, np.nan]), 1)) == ["a", None]


def test_string_writes_numbers_without_needless_decimals():
    assert call("string", 199812) == "199812"
    assert call("string", 199812.0) == "199812"
    assert call("string", 7.5) == "7.5"
    assert call("string", None) is None
    out = call("string", pd.Series([199812.0, 7.5, np.nan, -3.0, 0.1]))
    assert out.dtype == "str"
    assert as_list(out) == ["199812", "7.5", None, "-3", "0.1"]


def test_string_of_text_is_a_type_error():
    with pytest.raises(MdlRuntimeError) as info:
        call("string", "199812")
    assert str(info.value) == "string() needs a number as argument 1, not text"


def test_length_counts_characters():
    assert call("length", "blåbær") == 6
    out = call("length", pd.Series(["blåbær", None, ""], dtype="str"))
    assert out.iloc[0] == 6 and np.isnan(out.iloc[1]) and out.iloc[2] == 0


def test_lower_upper_change_ascii_letters_only():
    assert call("upper", "blåbær Ost") == "BLåBæR OST"
    assert call("lower", "BLÅBÆR Ost") == "blÅbÆr ost"
    assert as_list(call("upper", pd.Series(["blåbær", None], dtype="str"))) == ["BLåBæR", None]


def test_trims():
    assert call("ltrim", "  a b  ") == "a b  "
    assert call("rtrim", "  a b  ") == "  a b"
    assert call("trim", "  a b  ") == "a b"
    assert as_list(call("trim", pd.Series([" x ", None], dtype="str"))) == ["x", None]


def test_startswith_endswith_filters():
    codes = pd.Series(["4711", "1247", None, "47"], dtype="str")
    np.testing.assert_array_equal(call("startswith", codes, "47").to_numpy(), [1, 0, np.nan, 1])
    np.testing.assert_array_equal(call("endswith", codes, "47").to_numpy(), [0, 1, np.nan, 1])
    assert call("startswith", "4711", "47") == 1 and call("endswith", "4711", "47") == 0
    prefixes = pd.Series(["4", "2", "1", None], dtype="str")
    np.testing.assert_array_equal(call("startswith", codes, prefixes).to_numpy(), [1, 0, np.nan, np.nan])


def test_categorical_text_input():
    cat = pd.Series(pd.Categorical(["0301", "4601", None]))
    assert as_list(call("substr", cat, 1, 2)) == ["03", "46", None]
    np.testing.assert_array_equal(call("startswith", cat, "03").to_numpy(), [1, 0, np.nan])


def test_object_text_input():
    s = pd.Series(["ab", None], dtype=object)
    assert as_list(call("upper", s)) == ["AB", None]


def test_number_where_text_is_needed():
    with pytest.raises(MdlRuntimeError) as info:
        call("substr", pd.Series([199812.0]), 1, 4)
    assert str(info.value) == "substr() needs text as argument 1, not a number"
    assert info.value.hint == "string() turns a number into text; write text in quotes"
    with pytest.raises(MdlRuntimeError) as info:
        call("startswith", "abc", 1)
    assert str(info.value) == "startswith() needs text as argument 2, not a number"


@pytest.mark.parametrize(
    ("fn", "args"),
    [("substr", (2, 2)), ("substr", (-1, 1)), ("length", ()), ("upper", ()), ("trim", ()), ("startswith", ("0",)), ("endswith", ("1",))],
)
def test_categorical_results_equal_plain_text_results(fn, args):
    cat = pd.Series(pd.Categorical([" 0301", "4601", None, " 0301", "1103"]), index=[5, 4, 3, 2, 1])
    plain = cat.astype(object).where(cat.notna(), None).astype("str")
    a, b = call(fn, cat, *args), call(fn, plain, *args)
    assert list(a.index) == [5, 4, 3, 2, 1]
    assert as_list(a) == as_list(b)


def test_all_missing_categorical():
    cat = pd.Series(pd.Categorical([None, None], categories=pd.Index([], dtype=object)))
    assert as_list(call("substr", cat, 1, 2)) == [None, None]
    assert np.isnan(call("length", cat).to_numpy()).all()
