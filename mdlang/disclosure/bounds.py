"""Datastore-wide winsorisation bounds (D5): p1/p99 of a register variable over its whole
population, computed once per variable and data version.

The bounds of a register variable are the policy's lower/upper percentiles of *every* value the
datastore holds for it (all units, all periods), read straight from the stored column — never
from the researcher's current dataset, so no ``keep if`` or ``if`` can make the band hug a small
group (A16). Derived variables (``generate``) have no register column; the gate falls back to the
whole dataset column before the command's ``if`` (the v1 rule).

Speed at national scale (an income variable holds one value per person and year: ~60 M rows at
5.5 M persons):

* the column is streamed row group by row group and only the two tails that can hold the
  percentiles are kept (:func:`column_percentiles`), so memory stays at one row group and the
  work is about one comparison per value; the result equals ``np.percentile`` bit for bit;
* the bounds are kept in memory for the process and written to
  ``private/winsor-bounds.json`` of the datastore version (the owner's private folder, beside
  the record-key secret; best effort: a read-only store just recomputes them per process), keyed by
  the variable file's size and modification time, so the next session reads them in
  microseconds.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mdlang.datastore import layout
from mdlang.datastore.layout import variable_file
from mdlang.disclosure.policy import Policy

#: (store folder, variable, lower, upper) → bounds, shared by every gate of the process
_CACHE: dict[tuple[str, str, float, float], GlobalBounds | None] = {}

#: the persisted bounds of one datastore version (inside its private folder)
CACHE_FILE = "winsor-bounds.json"


@dataclass(frozen=True)
class GlobalBounds:
    """The bounds of one register variable and how many stored values they came from."""

    variable: str
    bounds: tuple[float, float] | None
    values: int
    low: float
    high: float

    def covers(self, column: np.ndarray) -> bool:
        """Whether a dataset column stays within the stored range (else it was changed by
        ``replace`` and is treated as a derived variable)."""
        arr = np.asarray(column, dtype=np.float64)
        if len(arr) == 0:
            return True
        # fmin/fmax skip NaN without copying the column
        low, high = np.fmin.reduce(arr), np.fmax.reduce(arr)
        if np.isnan(low):
            return True
        return float(low) >= self.low and float(high) <= self.high


def register_values(folder: str | Path, variable: str) -> np.ndarray | None:
    """Every stored value of a numeric register variable as float64 (None: absent or not numeric)."""
    path = variable_file(Path(folder), variable)
    if not path.is_file():
        return None
    column = pq.read_table(path, columns=["value"]).column("value")
    kind = column.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    return column.to_numpy(zero_copy_only=False).astype(np.float64)


@dataclass(frozen=True)
class ColumnSummary:
    """Percentiles, count, minimum and maximum of the non-missing values of a stored column."""

    percentiles: tuple[float, float] | None
    count: int
    low: float
    high: float


class _Tail:
    """The ``keep`` smallest values seen so far (largest when ``top``), kept unsorted."""

    def __init__(self, keep: int, top: bool) -> None:
        self.keep, self.top = keep, top
        self.values = np.empty(0, dtype=np.float64)

    def add(self, chunk: np.ndarray) -> None:
        """Offer a chunk of finite values."""
        if len(self.values) >= self.keep:
            # only values beyond the current cut-off can enter: one comparison per value
            cut = self.values.min() if self.top else self.values.max()
            chunk = chunk[chunk > cut] if self.top else chunk[chunk < cut]
            if len(chunk) == 0:
                return
        both = np.concatenate([self.values, chunk])
        if len(both) > self.keep:
            if self.top:
                both = np.partition(both, len(both) - self.keep)[len(both) - self.keep :]
            else:
                both = np.partition(both, self.keep - 1)[: self.keep]
        self.values = both


def _at(sorted_tail: np.ndarray, first_rank: int, n: int, q: float) -> float:
    """``np.percentile(all, q)`` from a sorted tail whose first element has rank ``first_rank``.

    numpy's linear method takes the order statistics at floor(h) and floor(h) + 1 with
    h = (n - 1)·q/100 and interpolates with weight h - floor(h); ``np.quantile`` of those two
    values at that weight performs the very same arithmetic, so the result is bit-identical.
    """
    h = (n - 1) * np.true_divide(q, 100)
    below = int(np.floor(h))
    above = min(below + 1, n - 1)
    pair = np.array([sorted_tail[below - first_rank], sorted_tail[above - first_rank]])
    return float(np.quantile(pair, h - below))


def column_percentiles(path: Path, column: str, lower: float, upper: float) -> ColumnSummary | None:
    """The ``lower``/``upper`` percentiles (numpy's linear method), count, minimum and maximum of
    the non-missing values of a numeric Parquet column, streamed row group by row group (None
    when the column is not numeric)."""
    pf = pq.ParquetFile(path)
    kind = pf.schema_arrow.field(column).type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    rows = pf.metadata.num_rows
    tails_ok = 0 <= lower <= 50 <= upper <= 100
    # rows bounds the count of non-missing values, so these tails are wide enough for any count
    low_tail = _Tail(int(np.floor((rows - 1) * lower / 100)) + 2, top=False)
    high_tail = _Tail(int(np.ceil((rows - 1) * (100 - upper) / 100)) + 2, top=True)
    everything: list[np.ndarray] = []
    count, low, high = 0, np.inf, -np.inf
    for group in range(pf.metadata.num_row_groups):
        values = pf.read_row_group(group, columns=[column]).column(0)
        arr = values.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
        arr = arr[~np.isnan(arr)]
        if len(arr) == 0:
            continue
        count += len(arr)
        low, high = min(low, float(arr.min())), max(high, float(arr.max()))
        if tails_ok:
            low_tail.add(arr)
            high_tail.add(arr)
        else:
            everything.append(arr)
    if count == 0:
        return ColumnSummary(None, 0, 0.0, 0.0)
    if not tails_ok:
        found = np.percentile(np.concatenate(everything), [lower, upper])
        return ColumnSummary((float(found[0]), float(found[1])), count, low, high)
    bottom = np.sort(low_tail.values)
    top = np.sort(high_tail.values)
    return ColumnSummary(
        (_at(bottom, 0, count, lower), _at(top, count - len(top), count, upper)), count, low, high
    )


def compute(folder: str | Path, variable: str, lower: float, upper: float) -> GlobalBounds | None:
    """The bounds of a stored register variable, streamed from its Parquet file (None when it is
    absent or not numeric)."""
    path = variable_file(Path(folder), variable)
    if not path.is_file():
        return None
    found = column_percentiles(path, "value", lower, upper)
    if found is None:
        return None
    return GlobalBounds(variable, found.percentiles, found.count, found.low, found.high)


class DatastoreBounds:
    """Bounds of the register variables of one datastore version under one policy."""

    def __init__(self, ds: Any, policy: Policy) -> None:
        self.folder = str(ds.path)
        self.policy = policy

    def get(self, variable: str) -> GlobalBounds | None:
        """The datastore-wide bounds of a register variable (None when it is not numeric or not stored)."""
        lower, upper = self.policy.winsor_lower, self.policy.winsor_upper
        key = (self.folder, variable, lower, upper)
        if key in _CACHE:
            return _CACHE[key]
        stamp = _stamp(self.folder, variable)
        entry = f"{variable}|{lower!r}|{upper!r}"
        stored = _load(self.folder).get(entry) if stamp is not None else None
        if stored is not None and stored.get("stamp") == stamp:
            found = _from_json(variable, stored)
        else:
            found = compute(self.folder, variable, lower, upper)
            if stamp is not None:
                _save(self.folder, entry, {"stamp": stamp, **_to_json(found)})
        _CACHE[key] = found
        return found


def _stamp(folder: str, variable: str) -> list[int] | None:
    """Size and modification time of the variable file (None when it is absent)."""
    try:
        st = variable_file(Path(folder), variable).stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _cache_path(folder: str) -> Path:
    return Path(folder) / layout.PRIVATE / CACHE_FILE


def _load(folder: str) -> dict[str, Any]:
    """The persisted bounds of a datastore version (empty when none or unreadable)."""
    try:
        data = json.loads(_cache_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(folder: str, entry: str, value: dict[str, Any]) -> None:
    """Add one entry to the persisted bounds, atomically; silently skipped when not writable."""
    path = _cache_path(folder)
    if not path.parent.is_dir():
        return
    data = _load(folder)
    data[entry] = value
    try:
        fd, tmp = tempfile.mkstemp(prefix=".bounds-", dir=path.parent)
    except OSError:
        return  # a read-only store: the bounds stay in memory for this process
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _to_json(found: GlobalBounds | None) -> dict[str, Any]:
    if found is None:
        return {"numeric": False}
    return {
        "numeric": True,
        "bounds": list(found.bounds) if found.bounds is not None else None,
        "values": found.values,
        "low": found.low,
        "high": found.high,
    }


def _from_json(variable: str, stored: dict[str, Any]) -> GlobalBounds | None:
    if not stored.get("numeric"):
        return None
    bounds = stored.get("bounds")
    return GlobalBounds(
        variable,
        (float(bounds[0]), float(bounds[1])) if bounds is not None else None,
        int(stored["values"]),
        float(stored["low"]),
        float(stored["high"]),
    )
