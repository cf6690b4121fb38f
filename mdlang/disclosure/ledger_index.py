"""The privacy ledger's index: which earlier cells can be a few persons away from a new one.

The overlap audit (D10) refuses a cell whose contributor set differs from an earlier cell of the
same stream by 1..T-1 persons, judged on the bucket sketches of :mod:`mdlang.disclosure.ledger`
(the lower bound of :func:`~mdlang.disclosure.ledger.difference_lower_bound`). Comparing a new cell
with *every* earlier cell of its stream makes the audit slower with each release, so each stored
cell is indexed under **tokens**: a hash of (stream, bucket number, bucket count, bucket checksum)
for each of its first :data:`INDEXED` non-empty buckets (in bucket order).

Why looking up the new cell's first L tokens (L = min(INDEXED, its non-empty buckets) >= T)
finds every earlier cell it could be refused for, and why that cell shares at least
m = min(L, INDEXED) - T + 1 of them (:func:`shared_needed`): a lower bound below T means fewer
than T buckets differ (every differing bucket adds at least one to the bound). Among the new
cell's first L non-empty buckets at most T-1 differ, so at least L-T+1 are identical in both
sketches. Take the m lowest of those identical buckets: every non-empty bucket of the stored
cell below the m-th of them is either one of the m identical ones or a differing one, so it is
among the stored cell's first m+T-1 <= INDEXED non-empty buckets, all of which are indexed. So
the m identical buckets give m shared tokens. Requiring m shared tokens (instead of one) matters
for sparse cells — a few hundred persons spread over the buckets — whose first buckets often hold
one person also counted in many earlier cells. A cell with fewer than T non-empty buckets (fewer
than about T persons) or a policy with T above :data:`INDEXED` falls back to scanning the stored
cells of the stream whose person count is within T-1 of its own. (Token collisions can only add
candidates, which the full comparison then clears.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

#: how many non-empty buckets of each stored cell are indexed (the largest T the index serves)
INDEXED = 16

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, elementwise on uint64 (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def shared_needed(looked_up: int, threshold: int) -> int:
    """How many of a new cell's first ``looked_up`` tokens an earlier cell it could be refused
    for must share (at least one; see the module docstring)."""
    return max(1, min(looked_up, INDEXED) - threshold + 1)


def stream_hash(stream: str) -> int:
    """A 64-bit hash of a stream name (tokens of different streams never meet by design)."""
    return int.from_bytes(hashlib.blake2b(stream.encode("utf-8"), digest_size=8).digest(), "little")


def tokens(stream: str, buckets: np.ndarray, counts: np.ndarray, checks: np.ndarray, k: int) -> list[int]:
    """The signed 64-bit tokens of the first ``k`` non-empty buckets of a sketch (SQLite INTEGER)."""
    with np.errstate(over="ignore"):
        b = np.asarray(buckets[:k], dtype=np.uint64)
        c = np.asarray(counts[:k], dtype=np.uint64)
        h = np.asarray(checks[:k], dtype=np.uint64)
        base = _mix(np.uint64(stream_hash(stream)) + b)
        out = _mix(base ^ ((c << np.uint64(32)) | h))
    return out.view(np.int64).tolist()


def token_rows(stream: str, sketches: Sequence[tuple[int, np.ndarray, np.ndarray, np.ndarray]]) -> list[tuple[int, int]]:
    """``(token, cell id)`` rows of stored cells ``(cell id, buckets, counts, checks)`` of one stream."""
    rows: list[tuple[int, int]] = []
    for cell_id, buckets, counts, checks in sketches:
        rows.extend((t, cell_id) for t in tokens(stream, buckets, counts, checks, INDEXED))
    return rows
