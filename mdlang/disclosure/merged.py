"""A table's margins merged exactly from its interior cells, when every person is in at most
one row: persons and key sums per cell (:class:`~mdlang.disclosure.cells.CellAggregate`) and the
ledger's bucket sketches (:class:`~mdlang.disclosure.ledger.Fingerprint`).

A margin's contributors are the union of its cells' (disjoint) contributors, so its person count,
key sum (mod 2^64) and bucket counts are sums of its cells'; its checksum sums are sums of 24-bit
integers held exactly in float64, so they too are the same whatever the order of addition. Every
number here is therefore the one a pass over the margin's own rows gives, at the cost of a pass
over the cells instead of over the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mdlang.disclosure.cells import CellAggregate
from mdlang.disclosure.ledger import BUCKETS, Fingerprint


@dataclass(frozen=True)
class CellSketch:
    """Bucket counts (int64) and checksum sums (float64, before reduction mod 2^32) of every cell:
    arrays of shape (n_cells, BUCKETS)."""

    counts: np.ndarray
    sums: np.ndarray


def cell_sketch(cells: np.ndarray, n_cells: int, parts: tuple[np.ndarray, np.ndarray]) -> CellSketch:
    """The :class:`CellSketch` of one row per person (``cells`` -1 = out; ``parts`` the
    bucket and checksum slice of every row's record key)."""
    bucket, check = parts
    size = n_cells * BUCKETS
    idx = np.where(cells >= 0, cells * BUCKETS + bucket, size)  # rows left out: the dropped last bin
    counts = np.bincount(idx, minlength=size + 1)[:size].reshape(n_cells, BUCKETS)
    sums = np.bincount(idx, weights=check, minlength=size + 1)[:size].reshape(n_cells, BUCKETS)
    return CellSketch(counts.astype(np.int64), sums)


def merge_sketch(sketch: CellSketch, merge: np.ndarray, n_cells: int) -> CellSketch:
    """The sketch of cells that merge interior cells (``merge[i]`` = the cell of interior cell i)."""
    counts = np.zeros((n_cells, BUCKETS), dtype=np.int64)
    sums = np.zeros((n_cells, BUCKETS))
    np.add.at(counts, merge, sketch.counts)
    np.add.at(sums, merge, sketch.sums)
    return CellSketch(counts, sums)


def merge_aggregate(agg: CellAggregate, merge: np.ndarray, n_cells: int) -> CellAggregate:
    """Persons and key sums (mod 2^64) of cells that merge interior cells."""
    persons = np.zeros(n_cells, dtype=np.int64)
    np.add.at(persons, merge, np.asarray(agg.persons, dtype=np.int64))
    keys = np.zeros(n_cells, dtype=np.uint64)
    np.add.at(keys, merge, np.array([int(k) for k in agg.key_sums], dtype=np.uint64))  # wraps mod 2^64
    return CellAggregate(persons=persons, key_sums=tuple(int(k) for k in keys))


def sketch_fingerprints(sketch: CellSketch, agg: CellAggregate, wanted: Sequence[int]) -> list[Fingerprint]:
    """The ledger fingerprints of the ``wanted`` cells (as :func:`~mdlang.disclosure.ledger.masked_fingerprints` gives them)."""
    out = []
    for cell in wanted:
        nz = np.flatnonzero(sketch.counts[cell])
        checks = np.mod(sketch.sums[cell, nz], 2.0**32).astype(np.int64)
        out.append(Fingerprint(int(agg.persons[cell]), int(agg.key_sums[cell]), nz, sketch.counts[cell, nz].astype(np.int64), checks))
    return out
