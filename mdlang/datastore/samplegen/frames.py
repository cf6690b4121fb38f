"""Building the ``(unit_id, value, start, stop)`` frames that the datastore writer takes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mdlang.datastore.samplegen.dates import NEVER

EMPTY = np.empty(0, np.int64)


def _days(x: np.ndarray | None, n: int) -> pd.arrays.IntegerArray:
    if x is None:
        return pd.arrays.IntegerArray(np.zeros(n, np.int32), np.ones(n, bool))
    x = np.asarray(x)
    if x.dtype == np.int32:
        return pd.arrays.IntegerArray(x, np.zeros(n, bool))
    x = x.astype(np.int64, copy=False)
    mask = x >= NEVER
    return pd.arrays.IntegerArray(np.where(mask, 0, x).astype(np.int32), mask)


def frame(ids, values, start=None, stop=None) -> pd.DataFrame:
    """A variable's rows; ``NEVER`` in start/stop means null (open or no date)."""
    ids = np.asarray(ids, dtype=np.int64)
    n = ids.size
    if isinstance(values, np.ndarray) and values.dtype == object:
        values = pd.array(values, dtype="str")
    start_a = _days(start, n)
    stop_a = start_a if stop is start else _days(stop, n)
    cols = {"unit_id": ids, "value": values, "start": start_a, "stop": stop_a}
    return pd.DataFrame(cols, copy=False)


def status(parts: Sequence[tuple[np.ndarray, np.ndarray, int]]) -> pd.DataFrame:
    """A STATUS variable from ``(ids, values, status_date)`` per date: start = stop = the date.

    Rows come out ordered by (unit_id, date), so the writer need not sort them: parts are given
    in date order and a stable sort by id keeps that order within each unit.
    """
    if not parts:
        return frame(EMPTY, EMPTY, EMPTY, EMPTY)
    ids = np.concatenate([p[0] for p in parts])
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    vals = _concat_values([p[1] for p in parts])
    vals = vals[order]
    dates = np.concatenate([np.full(p[0].size, p[2], np.int32) for p in parts])[order]
    del order
    return frame(ids, vals, dates, dates)


def accumulated(ids, values, years, last_stop: dict[int, int] | None = None) -> pd.DataFrame:
    """An ACCUMULATED variable with calendar-year periods (``last_stop`` shortens given years)."""
    from mdlang.datastore.samplegen.dates import ymd

    years = np.asarray(years, dtype=np.int64)
    uniq, inv = np.unique(years, return_inverse=True)
    ustop = ymd(uniq + 1) - 1
    for y, d in (last_stop or {}).items():
        ustop = np.where(uniq == y, d, ustop)
    return frame(ids, values, ymd(uniq)[inv], ustop[inv])


def codes_of(table: Sequence[str], idx: np.ndarray) -> pd.Categorical:
    """Code strings for integer indices into ``table`` (distinct codes), as a Categorical.

    Building categoricals from integer codes avoids hashing millions of Python strings later.
    """
    return pd.Categorical.from_codes(
        np.asarray(idx, dtype=np.int64), categories=pd.Index(list(table), dtype=object)
    )


def yes_no(flag: np.ndarray, yes: str = "1", no: str = "2") -> pd.Categorical:
    """``yes`` where ``flag`` else ``no``."""
    return codes_of([yes, no], np.where(flag, 0, 1))


def _concat_values(values: list):
    if values and all(isinstance(v, pd.Categorical) for v in values):
        from pandas.api.types import union_categoricals

        return union_categoricals(values)
    return np.concatenate([np.asarray(v) for v in values])
