"""Yearly amounts per person held compactly until their variable is written.

An income variable needs its amounts of every year at once (the writer takes rows in unit order,
and each person has one row per year), while the amounts are cheapest to compute one year at a
time for all variables together. :class:`YearlyAmounts` holds, per ``(source, year)``, a bit mask
over the persons in id order (who has a row) and the values of those rows, as int32 when they
are whole numbers that fit, else float64. Past a memory budget the arrays are spilled to ``.npy``
files in a private temporary folder, removed by :meth:`YearlyAmounts.close`.
:func:`year_rows` turns a source's years back into ``(unit_id, value, start, stop)`` chunks
ordered by (unit_id, start), without sorting.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

#: Persons per chunk handed to the writer; a multiple of 8 so chunks start on a mask byte.
CHUNK_PERSONS = 1 << 17
#: Bytes of stored amounts kept in memory before later ones go to disk.
MEMORY_BUDGET = 512 << 20

_INT32 = np.iinfo(np.int32)


def _compact(values: np.ndarray) -> np.ndarray:
    """``values`` as int32 when that loses nothing, else float64."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return v.astype(np.int32)
    lo, hi = float(v.min()), float(v.max())
    if lo >= _INT32.min and hi <= _INT32.max:
        as_int = v.astype(np.int32)
        if np.array_equal(as_int, v):
            return as_int
    return v


class YearlyAmounts:
    """Masks and values per ``(source, year)``, in memory up to a budget, then on disk."""

    def __init__(self, budget: int | None = None) -> None:
        self.budget = MEMORY_BUDGET if budget is None else budget
        self.used = 0
        self.memory: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        self.spilled: set[tuple[str, int]] = set()
        self.folder: Path | None = None

    def put(self, source: str, year: int, mask: np.ndarray, values: np.ndarray) -> None:
        """Store who has a row (``mask`` over persons in id order) and their values, in order."""
        bits = np.packbits(mask)
        vals = _compact(values)
        size = bits.nbytes + vals.nbytes
        if self.used + size <= self.budget:
            self.memory[(source, year)] = (bits, vals)
            self.used += size
            return
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="mdlang-sample-amounts-"))
        np.save(self.folder / f"{source}-{year}-mask.npy", bits)
        np.save(self.folder / f"{source}-{year}-values.npy", vals)
        self.spilled.add((source, year))

    def get(self, source: str, year: int) -> tuple[np.ndarray, np.ndarray]:
        """The packed mask and the values stored for ``(source, year)``."""
        key = (source, year)
        if key in self.memory:
            return self.memory[key]
        if key not in self.spilled or self.folder is None:
            raise KeyError(key)
        return (
            np.load(self.folder / f"{source}-{year}-mask.npy"),
            np.load(self.folder / f"{source}-{year}-values.npy"),
        )

    def close(self) -> None:
        """Forget everything and remove the spill folder."""
        self.memory.clear()
        self.spilled.clear()
        self.used = 0
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def year_rows(
    parts: Sequence[tuple[np.ndarray, np.ndarray, int, int]],
    sorted_ids: np.ndarray,
    dtype: type,
    chunk_persons: int = CHUNK_PERSONS,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Chunks ``(ids, values, starts, stops)`` of one variable, ordered by (unit_id, start).

    ``parts`` holds per period, in period order, the packed mask over the persons of
    ``sorted_ids`` (unit ids ascending), the values of the persons whose bit is set, and the
    period's first and last day. Each chunk covers ``chunk_persons`` persons: their periods are
    laid out as a dense (period × person) grid and read back person by person.
    """
    n = sorted_ids.size
    ny = len(parts)
    starts = np.array([p[2] for p in parts], np.int64)
    stops = np.array([p[3] for p in parts], np.int64)
    offset = [0] * ny
    step = max(8, chunk_persons - chunk_persons % 8)
    for a in range(0, n, step):
        b = min(a + step, n)
        m = b - a
        has = np.zeros((ny, m), bool)
        val = np.zeros((ny, m), dtype)
        for j, (bits, values, _, _) in enumerate(parts):
            mask = np.unpackbits(bits[a // 8 : (b + 7) // 8], count=m).view(bool)
            c = int(np.count_nonzero(mask))
            if c:
                val[j, mask] = values[offset[j] : offset[j] + c]
                has[j] = mask
                offset[j] += c
        who, period = np.nonzero(has.T)
        if who.size == 0:
            continue
        yield sorted_ids[a + who], val.T[who, period], starts[period], stops[period]
