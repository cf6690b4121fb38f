"""The privacy ledger (D10): what a project has released from a datastore, in SQLite.

One ledger per project and datastore *name* (it spans data versions, so differencing two versions
is audited too, A26), by default at ``$MDLANG_HOME/projects/<project>/<datastore>/ledger.sqlite``.
It lives with the data owner, beside the audit log; the researcher never sees it.

Each release stores, per released cell, a contributor-set fingerprint (:class:`Fingerprint`):
the exact distinct-person count, the record-key sum mod 2^64, and a bucket sketch — for each of
:data:`BUCKETS` buckets of record keys (key mod ``BUCKETS``), the number of persons and a 32-bit
checksum of their keys. Two sets that agree on a bucket's count and checksum agree on it (up to a
2^-32 chance); so the sketches give an exact *lower bound* on the size of the symmetric difference
(:func:`difference_lower_bound`), and for small differences — the ones that matter — a tight one,
since a handful of differing persons land in distinct buckets. No person id or record key is
stored: a bucket of a large cell holds many persons; a bucket of a cell of one person holds that
person's bucket number and key checksum, which identify nobody without the owner's secret.

**Overlap audit**: a new cell whose fingerprint differs from an earlier one in the same *stream*
(statistic family and variable) by 1..T-1 persons is refused (A03 complement differencing,
A04 trackers, A07 many pairs, A17, A24). Only cells large enough to be released are recorded and
audited (true persons ≥ T - D), so suppressed small cells never block a table.

**Budget**: every release charges its number of cells (a refusal charges one) to the data
version; beyond ``budget_cells`` releases are refused, from ``budget_warning`` of it on they carry
a warning.

Each release is one ``BEGIN IMMEDIATE`` transaction (read candidates, decide, insert): concurrent
runs serialise on it, and a process killed mid-write leaves either the whole release or nothing
(WAL journal).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mdlang.disclosure.audit import mdlang_home, project_name

BUCKETS = 1024
_CHECK_SHIFT = 32
_CHECK_MASK = (1 << 24) - 1  # 24-bit slices sum exactly in float64 for up to 2^29 persons

_SCHEMA = """
CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    data_version TEXT NOT NULL,
    command TEXT NOT NULL,
    cells INTEGER NOT NULL,
    refused INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS releases_version ON releases (data_version);
CREATE TABLE IF NOT EXISTS cells (
    release_id INTEGER NOT NULL REFERENCES releases (id),
    stream TEXT NOT NULL,
    persons INTEGER NOT NULL,
    key_sum TEXT NOT NULL,
    sketch BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS cells_stream ON cells (stream, persons, key_sum);
"""


@dataclass(frozen=True)
class Fingerprint:
    """A contributor set: exact persons, key sum mod 2^64, and its bucket sketch (sparse:
    sorted bucket numbers, counts and 32-bit key checksums of the non-empty buckets)."""

    persons: int
    key_sum: int
    buckets: np.ndarray
    counts: np.ndarray
    checks: np.ndarray

    def to_blob(self) -> bytes:
        """The sketch as bytes (bucket uint16, count uint32, check uint32 arrays)."""
        return (
            self.buckets.astype("<u2").tobytes()
            + self.counts.astype("<u4").tobytes()
            + self.checks.astype("<u4").tobytes()
        )

    @classmethod
    def from_row(cls, persons: int, key_sum: str, blob: bytes) -> Fingerprint:
        """Read back a stored fingerprint."""
        m = len(blob) // 10
        buckets = np.frombuffer(blob, "<u2", m, 0).astype(np.int64)
        counts = np.frombuffer(blob, "<u4", m, 2 * m).astype(np.int64)
        checks = np.frombuffer(blob, "<u4", m, 6 * m).astype(np.int64)
        return cls(int(persons), int(key_sum, 16), buckets, counts, checks)


def key_parts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bucket (int64) and 24-bit checksum slice (float64) of each record key."""
    keys = np.asarray(keys, dtype=np.uint64)
    bucket = (keys & np.uint64(BUCKETS - 1)).astype(np.int64)
    check = ((keys >> np.uint64(_CHECK_SHIFT)) & np.uint64(_CHECK_MASK)).astype(np.float64)
    return bucket, check


def fingerprints(cells: np.ndarray, n_cells: int, keys: np.ndarray | tuple[np.ndarray, np.ndarray],
                 weights: np.ndarray | None, persons: Sequence[int], key_sums: Sequence[int],
                 wanted: Sequence[int]) -> list[Fingerprint]:
    """Fingerprints of the ``wanted`` cells.

    ``cells`` (one cell number per contributing row, each person once per cell), ``keys`` the
    record key (uint64) of each row — or its :func:`key_parts` — and ``weights`` the persons a
    row stands for (None = 1).
    """
    if not wanted:
        return []
    bucket, check = keys if isinstance(keys, tuple) else key_parts(keys)
    pick = np.full(n_cells, -1, dtype=np.int64)
    pick[list(wanted)] = np.arange(len(wanted))
    slot = pick[cells]
    take = slot >= 0
    idx = slot[take] * BUCKETS + bucket[take]
    size = len(wanted) * BUCKETS
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[take]
    counts = np.rint(np.bincount(idx, weights=w, minlength=size)).astype(np.int64).reshape(len(wanted), BUCKETS)
    chk = check[take] if w is None else check[take] * w
    sums = np.bincount(idx, weights=chk, minlength=size).reshape(len(wanted), BUCKETS)
    sums = np.mod(sums, 2.0**32).astype(np.int64)
    out = []
    for j, cell in enumerate(wanted):
        nz = np.flatnonzero(counts[j])
        out.append(Fingerprint(int(persons[cell]), int(key_sums[cell]), nz, counts[j, nz], sums[j, nz]))
    return out


def difference_lower_bound(a: Fingerprint, b: Fingerprint) -> int:
    """A lower bound on ``|A Δ B|``; 0 only when the sets are identical (up to hash collisions).

    Per bucket: a count difference of d means at least d persons differ; equal counts with
    different checksums mean at least two (one out, one in).
    """
    if a.persons == b.persons and a.key_sum == b.key_sum and np.array_equal(a.buckets, b.buckets) \
            and np.array_equal(a.counts, b.counts) and np.array_equal(a.checks, b.checks):
        return 0
    union = np.union1d(a.buckets, b.buckets)
    ca, cb = _spread(a, union), _spread(b, union)
    dc = np.abs(ca[0] - cb[0])
    swapped = (dc == 0) & (ca[1] != cb[1])
    bound = max(int(dc.sum() + 2 * swapped.sum()), abs(a.persons - b.persons))
    return bound if bound > 0 else 2  # same buckets, other key sum: a checksum collision


def _spread(fp: Fingerprint, union: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = np.searchsorted(union, fp.buckets)
    counts = np.zeros(len(union), dtype=np.int64)
    checks = np.zeros(len(union), dtype=np.int64)
    counts[pos] = fp.counts
    checks[pos] = fp.checks
    return counts, checks


@dataclass(frozen=True)
class Entry:
    """One released cell to audit and record: the streams it belongs to and its fingerprint."""

    streams: tuple[str, ...]
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Verdict:
    """The ledger's answer for one release: ``refused`` is None or ``"overlap"``/``"budget"``;
    ``used`` and ``budget`` the cells charged so far (after this release) and the cap."""

    refused: str | None
    used: int
    budget: int


def default_ledger_path(datastore: str, project: str | None = None) -> Path:
    """Where a project's ledger of a datastore (all versions) lives by default."""
    safe = re.sub(r"[^\w.-]", "_", datastore)
    return mdlang_home() / "projects" / project_name(project) / safe / "ledger.sqlite"


class Ledger:
    """The SQLite ledger of one project and datastore (see the module docstring)."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def used(self, data_version: str) -> int:
        """Cells charged so far to a data version."""
        row = self._db.execute("SELECT COALESCE(SUM(cells), 0) FROM releases WHERE data_version = ?", (data_version,)).fetchone()
        return int(row[0])

    def count_releases(self) -> int:
        """How many releases and refusals the ledger holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM releases").fetchone()[0])

    def count_cells(self) -> int:
        """How many distinct cell fingerprints the ledger holds (a repeat is stored once)."""
        return int(self._db.execute("SELECT COUNT(*) FROM cells").fetchone()[0])

    def record(self, *, data_version: str, command: str, cells: int, entries: Iterable[Entry],
               threshold: int, budget: int, audit_overlap: bool = True) -> Verdict:
        """Audit one release and record it (or its refusal) in one transaction.

        Refused for ``"budget"`` when the cells would pass the budget, for ``"overlap"`` when an
        entry's contributors differ from an earlier one in a shared stream by 1..threshold-1
        persons. A refusal is charged one cell and its fingerprints are not stored.
        """
        entries = list(entries)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            used = self.used(data_version)
            refused: str | None = None
            if used + cells > budget:
                refused = "budget"
            elif audit_overlap and entries and self._overlaps(entries, threshold):
                refused = "overlap"
            charged = 1 if refused else cells
            cur = db.execute(
                "INSERT INTO releases (data_version, command, cells, refused) VALUES (?, ?, ?, ?)",
                (data_version, command, charged, 1 if refused else 0),
            )
            if not refused:
                rid = cur.lastrowid
                db.executemany(
                    "INSERT OR IGNORE INTO cells (release_id, stream, persons, key_sum, sketch) VALUES (?, ?, ?, ?, ?)",
                    [
                        (rid, stream, e.fingerprint.persons, f"{e.fingerprint.key_sum:016x}", e.fingerprint.to_blob())
                        for e in entries
                        for stream in e.streams
                    ],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return Verdict(refused, used + charged, budget)

    def _overlaps(self, entries: list[Entry], threshold: int) -> bool:
        """Whether any entry differs from a stored one in a shared stream by 1..threshold-1."""
        by_stream: dict[str, list[Fingerprint]] = {}
        for e in entries:
            for s in e.streams:
                by_stream.setdefault(s, []).append(e.fingerprint)
        for stream, fps in sorted(by_stream.items()):
            lo = min(fp.persons for fp in fps) - threshold + 1
            hi = max(fp.persons for fp in fps) + threshold - 1
            rows = self._db.execute(
                "SELECT persons, key_sum, sketch FROM cells WHERE stream = ? AND persons BETWEEN ? AND ?",
                (stream, lo, hi),
            ).fetchall()
            if not rows:
                continue
            stored_n = np.array([r[0] for r in rows], dtype=np.int64)
            seen: dict[int, Fingerprint] = {}
            for fp in fps:
                same = f"{fp.key_sum:016x}"
                for i in np.flatnonzero(np.abs(stored_n - fp.persons) < threshold):
                    if rows[int(i)][0] == fp.persons and rows[int(i)][1] == same:
                        continue  # the very same people as before
                    old = seen.get(int(i))
                    if old is None:
                        old = seen[int(i)] = Fingerprint.from_row(*rows[int(i)])
                    if 0 < difference_lower_bound(fp, old) < threshold:
                        return True
        return False
