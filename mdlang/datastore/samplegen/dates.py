"""Vectorised calendar helpers on epoch days (days since 1970-01-01)."""

from __future__ import annotations

import numpy as np

#: Marker for "never" (no death, no emigration) in int64 day arrays.
NEVER = np.int64(10**7)

#: The synthetic population is simulated up to the end of this day (exclusive).
HORIZON_YEAR = 2025


def ymd(year, month=1, day=1) -> np.ndarray:
    """Epoch days of year/month/day (arrays broadcast)."""
    y = np.asarray(year, dtype=np.int64)
    m = np.asarray(month, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    months = (y - 1970) * 12 + (m - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + d - 1


def day(text: str) -> int:
    """Epoch day of an ISO date ``YYYY-MM-DD``."""
    return int(np.datetime64(text, "D").astype(np.int64))


def year_of(days) -> np.ndarray:
    """Calendar year of epoch days."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def month_of(days) -> np.ndarray:
    """Calendar month (1–12) of epoch days."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def add_years(days, years) -> np.ndarray:
    """Same day and month ``years`` later (29 February → 1 March)."""
    d = np.asarray(days, dtype=np.int64)
    y = year_of(d)
    start = ymd(y)
    return ymd(y + np.asarray(years, dtype=np.int64)) + (d - start)


def age_at(birth, when) -> np.ndarray:
    """Whole years of age at ``when`` for persons born on ``birth``."""
    b = np.asarray(birth, dtype=np.int64)
    w = np.asarray(when, dtype=np.int64)
    years = year_of(w) - year_of(b)
    return years - (add_years(b, years) > w)


def year_starts(first: int, last: int) -> np.ndarray:
    """1 January of each year from ``first`` to ``last`` inclusive."""
    return ymd(np.arange(first, last + 1))
