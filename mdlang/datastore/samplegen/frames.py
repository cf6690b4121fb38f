"""Building the ``(unit_id, value, start, stop)`` frames that the datastore writer takes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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


#: Above this many rows a STATUS or periodic variable is handed to the writer in id-range chunks.
EAGER_LIMIT = 20_000_000
#: Rows per chunk (about; chunks are id ranges) when chunking.
CHUNK_ROWS = 4_000_000


def status(parts: Sequence[tuple[np.ndarray, np.ndarray, int]]) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """A STATUS variable from ``(ids, values, status_date)`` per date: start = stop = the date.

    Rows come out ordered by (unit_id, date), so the writer need not sort them: parts are given
    in date order and a stable sort by id keeps that order within each unit. Past
    :data:`EAGER_LIMIT` rows the result is an iterator of chunks by id range (see
    :func:`periodic`), so the whole variable never sits in memory at once.
    """
    if not parts:
        return frame(EMPTY, EMPTY, EMPTY, EMPTY)
    if sum(p[0].size for p in parts) > EAGER_LIMIT:
        spans = [(i, v, d, d) for i, v, d in parts]
        if isinstance(parts, list):
            parts.clear()  # the caller's list no longer pins the unsorted arrays
        return periodic(spans)
    parts = [_by_id(*p) for p in parts]
    ids = np.concatenate([p[0] for p in parts])
    # parts are now sorted runs: the stable (run-merging) sort keeps date order within a unit
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    vals = concat_values([p[1] for p in parts])
    vals = vals[order]
    dates = np.concatenate([np.full(p[0].size, p[2], np.int32) for p in parts])[order]
    del order
    return frame(ids, vals, dates, dates)


def periodic(parts: Sequence[tuple[np.ndarray, object, int, int]]) -> Iterator[pd.DataFrame]:
    """Chunks, in unit_id order, of a variable given as ``(ids, values, start, stop)`` per period.

    Parts come in period order; each is sorted by id once, then every chunk takes the rows of an
    id range from each part and orders them stably by id, so rows are ordered by (unit_id, start)
    exactly as one big stable sort would order them.
    """
    ordered = list(parts)
    if isinstance(parts, list):
        parts.clear()  # the caller's list no longer pins the unsorted arrays
    for k in range(len(ordered)):
        # one part at a time: each unsorted part is released as its sorted copy replaces it
        ids, vals, start, stop = ordered[k]
        ordered[k] = (*_by_id(ids, vals), start, stop)
        del ids, vals
    total = sum(p[0].size for p in ordered)
    nonempty = [p[0] for p in ordered if p[0].size]
    return _chunked(ordered, total, nonempty)


def _by_id(ids, vals, *rest) -> tuple:
    """One part's ids and values in id order (stable), followed by ``rest`` unchanged.

    Ids within a part are usually distinct and dense (person ids span about seven times the
    population), so a bucket pass over the id range replaces an O(n log n) sort.
    """
    ids = np.asarray(ids, dtype=np.int64)
    n = ids.size
    if n < 2 or not (ids[1:] < ids[:-1]).any():
        return (ids, vals, *rest)
    lo = int(ids.min())
    span = int(ids.max()) - lo + 1
    if span <= 32 * n:
        keys = ids - lo
        seen = np.zeros(span, bool)
        seen[keys] = True
        if np.count_nonzero(seen) == n:  # no repeated id, so the bucket order is the stable order
            where = np.empty(span, np.int64)
            where[keys] = np.arange(n)
            order = where[np.flatnonzero(seen)]
            return (ids[order], vals[order], *rest)
    order = np.argsort(ids, kind="stable")
    return (ids[order], vals[order], *rest)


def _chunked(ordered: list, total: int, nonempty: list) -> Iterator[pd.DataFrame]:
    if not nonempty:
        yield frame(EMPTY, EMPTY, EMPTY, EMPTY)
        return
    lo = min(int(i[0]) for i in nonempty)
    hi = max(int(i[-1]) for i in nonempty) + 1
    k = max(1, -(-total // CHUNK_ROWS))
    bounds = np.unique(np.linspace(lo, hi, k + 1).astype(np.int64))
    bounds[-1] = hi
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        ids, vals, starts, stops = [], [], [], []
        for pid, pval, pstart, pstop in ordered:
            i, j = np.searchsorted(pid, [a, b])
            if j > i:
                ids.append(pid[i:j])
                vals.append(pval[i:j])
                starts.append(np.full(j - i, pstart, np.int64))
                stops.append(np.full(j - i, pstop, np.int64))
        if not ids:
            continue
        cid = np.concatenate(ids)
        order = np.argsort(cid, kind="stable")
        yield frame(
            cid[order],
            concat_values(vals)[order],
            np.concatenate(starts)[order],
            np.concatenate(stops)[order],
        )


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


def concat_values(values: list):
    """Value arrays joined: Categoricals as one Categorical, anything else as one numpy array."""
    if values and all(isinstance(v, pd.Categorical) for v in values):
        from pandas.api.types import union_categoricals

        return union_categoricals(values)
    return np.concatenate([np.asarray(v) for v in values])
