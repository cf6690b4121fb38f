"""Date functions: the reference values of language.md §4.3 and agreement with pandas' calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.functions import call
from mdlang.errors import MdlRuntimeError


@pytest.mark.parametrize(
    ("y", "m", "d", "expected"),
    [(2015, 12, 31, 16800), (1967, 5, 27, -950), (1970, 1, 1, 0), (2000, 2, 29, 11016), (1800, 1, 1, -62091)],
)
def test_date_reference_values(y, m, d, expected):
    assert call("date", y, m, d) == expected
    assert isinstance(call("date", y, m, d), int)


@pytest.mark.parametrize("args", [(2015, 2, 29), (2015, 13, 1), (2015, 0, 10), (2015, 4, 31), (2015.5, 1, 1), (None, 1, 1)])
def test_impossible_dates_are_missing(args):
    assert call("date", *args) is None


@pytest.mark.parametrize(
    ("fn", "at_16800", "at_0", "at_minus_950"),
    [
        ("day", 31, 1, 27),
        ("month", 12, 1, 5),
        ("year", 2015, 1970, 1967),
        ("week", 53, 1, 21),
        ("halfyear", 2, 1, 1),
        ("quarter", 4, 1, 2),
        ("dow", 4, 4, 6),
        ("doy", 365, 1, 147),
    ],
)
def test_calendar_parts_reference_values(fn, at_16800, at_0, at_minus_950):
    assert call(fn, 16800) == at_16800
    assert call(fn, 0) == at_0
    assert call(fn, -950) == at_minus_950


def test_isoformatdate():
    assert call("isoformatdate", 16800) == "2015-12-31"
    assert call("isoformatdate", -950) == "1967-05-27"
    assert call("isoformatdate", None) is None
    out = call("isoformatdate", pd.Series([16800.0, np.nan, 0.0]))
    assert out.dtype == "str"
    assert out.tolist()[0] == "2015-12-31" and pd.isna(out.tolist()[1]) and out.tolist()[2] == "1970-01-01"


def test_fractional_date_values_are_taken_at_their_day():
    assert call("day", 16800.7) == 31
    assert call("day", -0.5) == 31  # 1969-12-31


@pytest.mark.parametrize(("lo", "hi", "step"), [(-60000, 90000, 1), (-900000, 900000, 997)])
def test_parts_agree_with_pandas_calendar(lo, hi, step):
    days = pd.Series(np.arange(lo, hi, step, dtype=np.float64))
    ts = pd.to_datetime(days.astype("int64"), unit="D")
    np.testing.assert_array_equal(call("year", days), ts.dt.year)
    np.testing.assert_array_equal(call("month", days), ts.dt.month)
    np.testing.assert_array_equal(call("day", days), ts.dt.day)
    np.testing.assert_array_equal(call("doy", days), ts.dt.day_of_year)
    np.testing.assert_array_equal(call("dow", days), ts.dt.day_of_week + 1)
    np.testing.assert_array_equal(call("week", days), ts.dt.isocalendar().week.astype(float))
    np.testing.assert_array_equal(call("quarter", days), ts.dt.quarter)
    np.testing.assert_array_equal(call("date", ts.dt.year, ts.dt.month, ts.dt.day), days)


def test_iso_week_edges():
    # 2016-01-01 (Friday) is in week 53 of 2015; 2018-12-31 (Monday) in week 1 of 2019.
    assert call("week", call("date", 2016, 1, 1)) == 53
    assert call("week", call("date", 2018, 12, 31)) == 1


def test_series_with_missing_values_keep_index_and_missing():
    s = pd.Series([16800.0, np.nan, -950.0], index=[10, 20, 30])
    out = call("month", s)
    assert list(out.index) == [10, 20, 30]
    assert out.dtype == np.float64
    assert out.iloc[0] == 12 and np.isnan(out.iloc[1]) and out.iloc[2] == 5


def test_date_vectorised_over_mixed_scalars_and_series():
    years = pd.Series([2015, 1967, None], dtype="Int64")
    out = call("date", years, 12, 31)
    assert out.iloc[0] == 16800 and out.iloc[1] == call("date", 1967, 12, 31) and np.isnan(out.iloc[2])


def test_date_of_text_is_a_type_error():
    with pytest.raises(MdlRuntimeError) as info:
        call("date", "2015", 12, 31)
    assert str(info.value) == "date() needs a number as argument 1, not text"
    assert info.value.hint == "destring turns text variables into numbers; write numbers without quotes"
