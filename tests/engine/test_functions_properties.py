"""Property tests: the vectorised paths agree with small independent reference models."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mdlang.engine.functions import call

EPOCH = dt.date(1970, 1, 1)


def reference_substr(s: str, pos: int, n: int) -> str:
    """substr as documented: 1-based, negative positions count from the end."""
    if pos == 0 or n <= 0:
        return ""
    start = pos - 1 if pos > 0 else len(s) + pos
    if start < 0:
        return ""
    return s[start : start + n]


texts = st.text(alphabet="abcæøå12 ", max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=6), st.integers(-10, 10), st.integers(-2, 10))
def test_substr_matches_reference(values, pos, n):
    expected = [reference_substr(v, pos, n) for v in values]
    assert [call("substr", v, pos, n) for v in values] == expected
    assert call("substr", pd.Series(values, dtype="str"), pos, n).tolist() == expected
    positions = pd.Series([float(pos)] * len(values))
    assert call("substr", pd.Series(values, dtype="str"), positions, n).tolist() == expected


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_date_round_trip_against_python_calendar(day):
    value = (day - EPOCH).days
    assert call("date", day.year, day.month, day.day) == value
    assert call("isoformatdate", value) == day.isoformat()
    iso = day.isocalendar()
    assert (call("week", value), call("dow", value)) == (iso[1], iso[2])
    assert call("doy", value) == day.timetuple().tm_yday
    series = pd.Series([float(value)])
    assert call("year", series).iloc[0] == day.year
    assert call("date_fmt", day.year, day.month, day.day) == day.isoformat()
