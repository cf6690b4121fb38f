"""Date functions. A date value is a number of days since 1970-01-01 (negative before 1970).

Fractional date values are taken at their whole day (floored). Invalid dates (month 13,
30 February, non-integer parts) give missing, as in Stata's ``mdy()``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mdlang.engine.functions_args import TEXT_TYPE, index_of, num, number_out, text_out
from mdlang.engine.functions_spec import FunctionSpec

GROUP = "dates"


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    # Proleptic Gregorian calendar in integer arithmetic (H. Hinnant's days_from_civil).
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def _month_length(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    return lengths[m] + (leap & (m == 2))


def days_from_ymd(y: Any, m: Any, d: Any) -> np.ndarray:
    """Days since 1970-01-01 for year/month/day arrays (NaN where the date is not valid)."""
    y, m, d = np.broadcast_arrays(np.asarray(y, float), np.asarray(m, float), np.asarray(d, float))
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(y) & np.isfinite(m) & np.isfinite(d)
            & (y == np.floor(y)) & (m == np.floor(m)) & (d == np.floor(d))
            & (m >= 1) & (m <= 12) & (d >= 1) & (np.abs(y) < 200000)
        )
    yi = np.where(ok, y, 1970).astype(np.int64)
    mi = np.where(ok, m, 1).astype(np.int64)
    di = np.where(ok, d, 1).astype(np.int64)
    if yi.ndim and ((yi >= 1800) & (yi < 2200)).all():
        starts, lengths = _month_tables()
        position = (yi - 1800) * 12 + (mi - 1)
        ok &= di <= lengths[position]
        return np.where(ok, starts[position] + di - 1, np.nan)
    ok &= di <= _month_length(yi, mi)
    return np.where(ok, _days_from_civil(yi, mi, di), np.nan)


@functools.cache
def _month_tables() -> tuple[np.ndarray, np.ndarray]:
    """First day and length of every month of 1800-2199, indexed by (year - 1800) * 12 + month - 1."""
    years = np.repeat(np.arange(1800, 2200, dtype=np.int64), 12)
    months = np.tile(np.arange(1, 13, dtype=np.int64), 400)
    return _days_from_civil(years, months, np.ones_like(years)), _month_length(years, months)


# Lookup tables for 1800-2199 make the common case a few array takes (integer division over
# millions of rows is slow); dates outside the table are computed directly.
_TABLE_LO = int(_days_from_civil(np.int64(1800), np.int64(1), np.int64(1)))
_TABLE_HI = int(_days_from_civil(np.int64(2200), np.int64(1), np.int64(1)))


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    year, month, day = _civil_from_days(np.arange(_TABLE_LO, _TABLE_HI, dtype=np.int64))
    return year.astype(np.int32), month.astype(np.int8), day.astype(np.int8)


def _ymd_of(whole: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    inside = (whole >= _TABLE_LO) & (whole < _TABLE_HI)
    if np.ndim(whole) == 0 or not inside.all():
        return _civil_from_days(whole)
    position = whole - _TABLE_LO
    return tuple(table[position].astype(np.int64) for table in _tables())  # type: ignore[return-value]


class _Parts:
    """Calendar parts of date values, computed once and only when asked for."""

    def __init__(self, days: Any) -> None:
        days = np.asarray(days, dtype=np.float64)
        self.missing = ~np.isfinite(days) | (np.abs(days) > 7e7)
        self.whole = np.floor(np.where(self.missing, 0, days)).astype(np.int64)
        self._ymd: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def ymd(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._ymd is None:
            self._ymd = _ymd_of(self.whole)
        return self._ymd


@functools.cache
def _jan1_table() -> np.ndarray:
    years = np.arange(1800, 2201, dtype=np.int64)
    return _days_from_civil(years, np.ones_like(years), np.ones_like(years))


def _jan1(year: np.ndarray) -> np.ndarray:
    if np.ndim(year) and ((year >= 1800) & (year <= 2200)).all():
        return _jan1_table()[year - 1800]
    return _days_from_civil(year, np.ones_like(year), np.ones_like(year))


def _dow(whole: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday (4 when Monday is 1).
    return (whole + 3) % 7 + 1


def _unary(fname: str, pick: Any) -> Any:
    def impl(x: Any) -> Any:
        index = index_of((x,))
        parts = _Parts(num(fname, 1, x))
        return number_out(np.where(parts.missing, np.nan, pick(parts)), index, integral=True)

    return impl


def _week(parts: _Parts) -> np.ndarray:
    # ISO 8601: the week belongs to the year of its Thursday.
    thursday = parts.whole - _dow(parts.whole) + 4
    iso_year = _ymd_of(thursday)[0]
    return (thursday - _jan1(iso_year)) // 7 + 1


def _doy(parts: _Parts) -> np.ndarray:
    return parts.whole - _jan1(parts.ymd[0]) + 1


def date(year: Any, month: Any, day: Any) -> Any:
    """``date(y, m, d)``: days since 1970-01-01."""
    index = index_of((year, month, day))
    y = num("date", 1, year)
    m = num("date", 2, month)
    d = num("date", 3, day)
    return number_out(days_from_ymd(y, m, d), index, integral=True)


def isoformat_days(days: Any, index: Any) -> Any:
    """Date values as ``'YYYY-MM-DD'`` text (a Series on ``index`` or a scalar)."""
    parts = _Parts(days)
    year = parts.ymd[0]
    missing = parts.missing | (year < 1) | (year > 9999)
    arr = pa.array(np.where(missing, 0, parts.whole).astype(np.int32), type=pa.int32(),
                   mask=np.atleast_1d(missing))
    texts = pc.cast(pc.cast(arr, pa.date32()), TEXT_TYPE)
    if index is None:
        return text_out(texts[0], None)
    return text_out(pa.chunked_array([texts]), index)


def isoformatdate(x: Any) -> Any:
    """``isoformatdate(d)``: the date value as text ``'YYYY-MM-DD'``."""
    index = index_of((x,))
    return isoformat_days(np.atleast_1d(num("isoformatdate", 1, x)), index)


SPECS = [
    FunctionSpec(
        "date", GROUP, "date(year, month, day)", 3, 3, date, "number",
        "The date value of a calendar date: the number of days since 1 January 1970 "
        "(negative before). Use it to compare or subtract dates, e.g. to compute ages or "
        "durations. An impossible date (month 13, 30 February) gives missing.",
        "generate d = date(2015, 12, 31)",
    ),
    FunctionSpec(
        "isoformatdate", GROUP, "isoformatdate(datevalue)", 1, 1, isoformatdate, "string",
        "Writes a date value (days since 1 January 1970) as text in the form YYYY-MM-DD.",
        "generate tekst = isoformatdate(START@sivstand)",
    ),
    FunctionSpec(
        "day", GROUP, "day(datevalue)", 1, 1, _unary("day", lambda p: p.ymd[2]), "number",
        "The day of the month (1-31) of a date value (days since 1 January 1970), e.g. "
        "day(date(2015, 12, 31)) = 31. Missing stays missing.",
        "generate dag = day(fødselsdato)",
    ),
    FunctionSpec(
        "month", GROUP, "month(datevalue)", 1, 1, _unary("month", lambda p: p.ymd[1]), "number",
        "The month (1-12) of a date value (days since 1 January 1970), e.g. "
        "month(date(2015, 12, 31)) = 12. Missing stays missing.",
        "generate måned = month(fødselsdato)",
    ),
    FunctionSpec(
        "week", GROUP, "week(datevalue)", 1, 1, _unary("week", _week), "number",
        "The ISO 8601 week number (1-53) of a date value: weeks start on Monday and week 1 is "
        "the week holding the year's first Thursday, so the last days of December can fall "
        "in week 1 and the first days of January in week 52 or 53.",
        "generate uke = week(START@sivstand)",
    ),
    FunctionSpec(
        "year", GROUP, "year(datevalue)", 1, 1, _unary("year", lambda p: p.ymd[0]), "number",
        "The calendar year of a date value (days since 1 January 1970), e.g. "
        "year(-950) = 1967. Works on date@panel after import-panel.",
        "generate år = year(date@panel)",
    ),
    FunctionSpec(
        "halfyear", GROUP, "halfyear(datevalue)", 1, 1,
        _unary("halfyear", lambda p: np.where(p.ymd[1] <= 6, 1, 2)), "number",
        "The half of the year (1 for January-June, 2 for July-December) of a date value.",
        "generate halvår = halfyear(fødselsdato)",
    ),
    FunctionSpec(
        "quarter", GROUP, "quarter(datevalue)", 1, 1,
        _unary("quarter", lambda p: (p.ymd[1] - 1) // 3 + 1), "number",
        "The quarter (1-4) of a date value: 1 for January-March up to 4 for "
        "October-December.",
        "generate kvartal = quarter(fødselsdato)",
    ),
    FunctionSpec(
        "dow", GROUP, "dow(datevalue)", 1, 1, _unary("dow", lambda p: _dow(p.whole)), "number",
        "The day of the week of a date value, 1 for Monday to 7 for Sunday: 1 January 1970 "
        "(date value 0) was a Thursday, so dow(0) = 4.",
        "generate ukedag = dow(fødselsdato)",
    ),
    FunctionSpec(
        "doy", GROUP, "doy(datevalue)", 1, 1,
        _unary("doy", _doy), "number",
        "The day of the year (1-366) of a date value; 1 January is day 1 and 31 December "
        "is day 365, or 366 in a leap year.",
        "generate dag_i_året = doy(fødselsdato)",
    ),
]
