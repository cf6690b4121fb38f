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
(the statistic's variable set, whatever the command: see :meth:`mdlang.disclosure.gate.Gate.begin_command`)
by 1..T-1 persons is refused (A03 complement differencing, A04 trackers, A07 many pairs, A17,
A24). A cell whose very persons were recorded before is not audited (it shows a number already
shown). Only cells large enough to be released are recorded and audited (true persons ≥ T - D),
so suppressed small cells never block a table. Earlier cells are found through a token index
(:mod:`mdlang.disclosure.ledger_index`), so the audit's work does not grow with the history.

**Explaining a refusal**: each release also records where it came from (:class:`Origin`: script
file and line) and its *topics*, the variable sets of its command; an overlap refusal lists the
earlier released outputs sharing a topic (:meth:`Ledger.earlier_outputs`) — never which one or
which cell clashed, which could depend on the data.

**Budget**: every release charges its number of cells (a refusal charges one) to the data
version; beyond ``budget_cells`` releases are refused, from ``budget_warning`` of it on they carry
a warning.

Each release is one ``BEGIN IMMEDIATE`` transaction (read candidates, decide, insert): concurrent
runs serialise on it, and a process killed mid-write leaves either the whole release or nothing
(WAL journal). :mod:`mdlang.disclosure.charges` spans one release over several ledgers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

import numpy as np

from mdlang.disclosure.audit import mdlang_home, path_safe, project_name
from mdlang.disclosure.ledger_index import INDEXED, shared_needed, token_rows, tokens

BUCKETS = 1024
_CHECK_SHIFT = 32
_CHECK_MASK = (1 << 24) - 1  # 24-bit slices sum exactly in float64 for up to 2^29 persons

_SCHEMA = """
CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    data_version TEXT NOT NULL,
    command TEXT NOT NULL,
    cells INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    script TEXT,
    line INTEGER,
    at TEXT,
    reason TEXT
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
CREATE TABLE IF NOT EXISTS tokens (
    token INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    PRIMARY KEY (token, cell)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage (
    data_version TEXT PRIMARY KEY,
    used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS topics (
    topic TEXT NOT NULL,
    release_id INTEGER NOT NULL,
    PRIMARY KEY (topic, release_id)
) WITHOUT ROWID;
"""

#: the columns version 3 added to ``releases`` (where a release came from, and why it was refused)
_ORIGIN_COLUMNS = (("script", "TEXT"), ("line", "INTEGER"), ("at", "TEXT"), ("reason", "TEXT"))

#: schema version (``PRAGMA user_version``): 2 added the token index and the usage totals, and
#: merged the per-command streams into :data:`PERSON_STREAM` and :data:`GROUPED_STREAM`; 3 added
#: each release's origin (script, line, time, refusal reason) and its *topics* (the variable sets
#: it was audited under, without the ``grouped:`` prefix), so a refusal can name the earlier
#: outputs on the same variables (:meth:`Ledger.earlier_outputs`)
SCHEMA_VERSION = 3

#: the one stream of every person cell under the owner's ``ledger.audit_every_cell``
PERSON_STREAM = "persons"
#: the prefix of streams of cells of collapsed datasets (sketches of whole rows, not comparable
#: with sketches of persons)
GROUPED_STREAM = "grouped"


def stream_topic(stream: str) -> str:
    """The topic of a stream: its variable set, whether it holds persons or collapsed rows."""
    return stream.removeprefix(f"{GROUPED_STREAM}:")


def upgraded_stream(stream: str) -> str:
    """The stream a version-1 stream name ``<family>:<command>:<variables>`` became: the
    variable set alone (``vars:<variables>``), collapsed-row families under ``grouped:``."""
    parts = stream.split(":", 2)
    if len(parts) != 3 or stream.startswith(("vars:", f"{GROUPED_STREAM}:")):
        return stream
    family, _command, names = parts
    return f"{GROUPED_STREAM}:vars:{names}" if family.endswith("-grouped") else f"vars:{names}"


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


def masked_fingerprints(cells: np.ndarray, n_cells: int, keys: tuple[np.ndarray, np.ndarray],
                        persons: Sequence[int], key_sums: Sequence[int], wanted: Sequence[int]) -> list[Fingerprint]:
    """:func:`fingerprints` of one row per person, read in place: ``cells`` has a cell number
    for every row (-1 = the row does not contribute) and ``keys`` the :func:`key_parts` of every
    row. The same numbers as :func:`fingerprints` of the contributing rows alone, without first
    copying them out (at millions of rows the copies cost more than the sketch)."""
    if not wanted:
        return []
    bucket, check = keys
    cells = np.asarray(cells, dtype=np.int64)
    size = len(wanted) * BUCKETS
    if n_cells == 1:
        idx = np.where(cells == 0, bucket, size)
    else:
        pick = np.full(n_cells + 1, -1, dtype=np.int64)  # the extra last entry serves cell -1
        pick[list(wanted)] = np.arange(len(wanted))
        slot = pick[cells]
        idx = np.where(slot >= 0, slot * BUCKETS + bucket, size)
    # rows left out go to bin ``size``, dropped; each kept bin adds its rows in the same order
    counts = np.bincount(idx, minlength=size + 1)[:size].reshape(len(wanted), BUCKETS)
    sums = np.bincount(idx, weights=check, minlength=size + 1)[:size].reshape(len(wanted), BUCKETS)
    return _sparse(counts, sums, persons, key_sums, wanted, range(len(wanted)))


def _sparse(counts: np.ndarray, sums: np.ndarray, persons: Sequence[int], key_sums: Sequence[int],
            wanted: Sequence[int], rows: Sequence[int]) -> list[Fingerprint]:
    """Fingerprints from bucket counts and (unreduced) checksum sums; row ``rows[j]`` of the
    arrays is the sketch of cell ``wanted[j]``."""
    out = []
    for j, cell in zip(rows, wanted, strict=True):
        nz = np.flatnonzero(counts[j])
        checks = np.mod(sums[j, nz], 2.0**32).astype(np.int64)
        out.append(Fingerprint(int(persons[cell]), int(key_sums[cell]), nz, counts[j, nz].astype(np.int64), checks))
    return out


@dataclass
class Sketch:
    """The bucket counts and checksum sums of a one-cell selection of one row per person
    (``cells`` 0 = in, -1 = out), kept to sketch a selection that differs in a few rows."""

    cells: np.ndarray
    counts: np.ndarray  # int64, BUCKETS
    sums: np.ndarray  # float64, BUCKETS, before reduction mod 2^32


def one_cell_sketch(cells: np.ndarray, keys: tuple[np.ndarray, np.ndarray], base: Sketch | None) -> Sketch:
    """The :class:`Sketch` of ``cells`` (one cell, one row per person), from ``base`` when only a
    few rows changed.

    Exact either way: counts are integers, and every checksum sum is an integer below 2^53 (24-bit
    slices of at most 2^29 persons), so adding and removing rows gives the float64 sums that
    summing the rows afresh gives.
    """
    bucket, check = keys
    cells = np.asarray(cells, dtype=np.int64)
    if base is not None and len(base.cells) == len(cells):
        changed = np.flatnonzero(base.cells != cells)
        if 4 * len(changed) <= len(cells):
            added = changed[cells[changed] == 0]
            removed = changed[base.cells[changed] == 0]
            counts = base.counts + np.bincount(bucket[added], minlength=BUCKETS) - np.bincount(bucket[removed], minlength=BUCKETS)
            sums = base.sums + np.bincount(bucket[added], weights=check[added], minlength=BUCKETS)
            sums = sums - np.bincount(bucket[removed], weights=check[removed], minlength=BUCKETS)
            return Sketch(cells, counts, sums)
    idx = np.where(cells == 0, bucket, BUCKETS)  # rows left out go to the dropped last bin
    counts = np.bincount(idx, minlength=BUCKETS + 1)[:BUCKETS]
    sums = np.bincount(idx, weights=check, minlength=BUCKETS + 1)[:BUCKETS]
    return Sketch(cells, counts.astype(np.int64), sums)


def sketch_fingerprint(sketch: Sketch, persons: int, key_sum: int) -> Fingerprint:
    """The :class:`Fingerprint` of a one-cell :class:`Sketch`."""
    return _sparse(sketch.counts[None], sketch.sums[None], [persons], [key_sum], [0], [0])[0]


def margin_fingerprints(cells: np.ndarray, n_rows: int, n_cols: int, keys: tuple[np.ndarray, np.ndarray],
                        persons: np.ndarray, key_sums: Sequence[int], floor: int) -> list[Fingerprint]:
    """Fingerprints of a table's row margins, column margins and total with at least ``floor``
    persons, summed from the sketches of its interior cells (``cells`` numbers them
    ``row * n_cols + col``, one entry per contributing person; ``keys`` their :func:`key_parts`;
    ``persons`` and ``key_sums`` per interior cell). A one-way table (``n_cols == 1``) has no row
    margins of its own: they are its cells."""
    bucket, check = keys
    n_cells = n_rows * n_cols
    idx = np.asarray(cells, dtype=np.int64) * BUCKETS + bucket
    counts = np.bincount(idx, minlength=n_cells * BUCKETS).reshape(n_rows, n_cols, BUCKETS)
    sums = np.bincount(idx, weights=check, minlength=n_cells * BUCKETS).reshape(n_rows, n_cols, BUCKETS)
    n = np.asarray(persons, dtype=np.int64).reshape(n_rows, n_cols)
    k = np.array([int(x) for x in key_sums], dtype=np.uint64).reshape(n_rows, n_cols)
    groups = [(counts.sum(axis=0), sums.sum(axis=0), n.sum(axis=0), k.sum(axis=0, dtype=np.uint64)),
              (counts.sum(axis=(0, 1))[None], sums.sum(axis=(0, 1))[None], n.sum(keepdims=True).reshape(1),
               k.sum(dtype=np.uint64, keepdims=True).reshape(1))]
    if n_cols > 1:
        groups.insert(0, (counts.sum(axis=1), sums.sum(axis=1), n.sum(axis=1), k.sum(axis=1, dtype=np.uint64)))
    out = []
    for c, sm, ps, ks in groups:
        for j in np.flatnonzero(ps >= floor):
            nz = np.flatnonzero(c[j])
            checks = np.mod(sm[j, nz], 2.0**32).astype(np.int64)
            out.append(Fingerprint(int(ps[j]), int(ks[j]), nz, c[j, nz].astype(np.int64), checks))
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


#: the script name of commands typed in the interactive window (mdlang.repl.executor.INPUT_NAME)
INTERACTIVE = "<repl>"


@dataclass(frozen=True)
class Origin:
    """Where a release came from, as the researcher wrote it: the script file (None in the
    interactive window) and the line of the command. Metadata only, never data."""

    script: str | None
    line: int


@dataclass(frozen=True)
class EarlierOutput:
    """An earlier released output of a project, as a refusal names it: its number in the
    project's ledger, the command, and where it was run (metadata only)."""

    number: int
    command: str
    script: str | None
    line: int | None
    at: str | None = None
    data_version: str = ""

    def describe(self) -> str:
        """``output 7 (tabulate at analysis.mdl:12)``: the script by its file name (the folder
        is the researcher's own business); a command typed in the interactive window by that."""
        if self.script == INTERACTIVE:
            return f"output {self.number} ({self.command} in the command window)"
        if self.line is None:
            return f"output {self.number} ({self.command})"
        where = f"{PurePath(self.script).name}:{self.line}" if self.script else f"line {self.line}"
        return f"output {self.number} ({self.command} at {where})"


@dataclass(frozen=True)
class Verdict:
    """The ledger's answer for one release: ``refused`` is None or ``"overlap"``/``"budget"``;
    ``used`` and ``budget`` the cells charged so far (after this release) and the cap."""

    refused: str | None
    used: int
    budget: int


def _now() -> str:
    """The time a release is recorded (UTC, to the second): shown to the owner by
    ``mdlang audit explain``, never in a released result."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_ledger_path(datastore: str, project: str | None = None) -> Path:
    """Where a project's ledger of a datastore (all versions) lives by default."""
    return mdlang_home() / "projects" / project_name(project) / path_safe(datastore) / "ledger.sqlite"


class Ledger:
    """The SQLite ledger of one project and datastore (see the module docstring).

    ``examined`` counts the stored cells the overlap audit has read back from the database
    since the ledger was opened (a measure of the audit's work that does not depend on timing).
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA cache_size = -32768")  # 32 MiB: the token index of a long project
        self._db.executescript(_SCHEMA)
        self._upgrade()
        self.examined = 0

    def _upgrade(self) -> None:
        """Bring an older ledger up to date, once, in one transaction (a concurrent opener waits
        and then finds it done): version 1 gets the token index and the charge totals, version 2
        the origin columns and the topics of its releases."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            found = db.execute("PRAGMA user_version").fetchone()[0]
            if found < SCHEMA_VERSION:
                self._upgrade_origins()
            if found < 2:
                # version 1 named streams "<family>:<command>:<variables>"; "-grouped" families
                # held collapsed rows
                for rowid, stream in db.execute("SELECT rowid, stream FROM cells").fetchall():
                    renamed = upgraded_stream(stream)
                    if renamed != stream:
                        db.execute("UPDATE OR IGNORE cells SET stream = ? WHERE rowid = ?", (renamed, rowid))
                        db.execute("DELETE FROM cells WHERE rowid = ? AND stream = ?", (rowid, stream))
                db.execute("DELETE FROM tokens")
                by_stream: dict[str, list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]] = {}
                for rowid, stream, persons, key_sum, blob in db.execute(
                    "SELECT rowid, stream, persons, key_sum, sketch FROM cells"
                ).fetchall():
                    fp = Fingerprint.from_row(persons, key_sum, blob)
                    by_stream.setdefault(stream, []).append((rowid, fp.buckets, fp.counts, fp.checks))
                for stream, sketches in by_stream.items():
                    db.executemany("INSERT OR IGNORE INTO tokens (token, cell) VALUES (?, ?)", token_rows(stream, sketches))
                db.execute("DELETE FROM usage")
                db.execute("INSERT INTO usage (data_version, used) SELECT data_version, SUM(cells) FROM releases GROUP BY data_version")
            if found < SCHEMA_VERSION:
                # releases recorded before version 3 get the topics of the cells they stored
                # (their origin stays unknown: a refusal names them by number and command)
                pairs = db.execute("SELECT DISTINCT stream, release_id FROM cells").fetchall()
                db.executemany("INSERT OR IGNORE INTO topics (topic, release_id) VALUES (?, ?)",
                               [(stream_topic(stream), rid) for stream, rid in pairs])
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _upgrade_origins(self) -> None:
        """Add the origin columns of version 3 to a ``releases`` table created without them."""
        have = {row[1] for row in self._db.execute("PRAGMA table_info(releases)").fetchall()}
        for name, kind in _ORIGIN_COLUMNS:
            if name not in have:
                self._db.execute(f"ALTER TABLE releases ADD COLUMN {name} {kind}")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def used(self, data_version: str) -> int:
        """Cells charged so far to a data version."""
        row = self._db.execute("SELECT used FROM usage WHERE data_version = ?", (data_version,)).fetchone()
        return int(row[0]) if row else 0

    def count_releases(self) -> int:
        """How many releases and refusals the ledger holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM releases").fetchone()[0])

    def count_cells(self) -> int:
        """How many distinct cell fingerprints the ledger holds (a repeat is stored once)."""
        return int(self._db.execute("SELECT COUNT(*) FROM cells").fetchone()[0])

    # -- explaining a refusal (metadata only) ------------------------------------------------------

    def earlier_outputs(self, topics: Sequence[str], *, before: int | None = None,
                        limit: int = 3) -> tuple[list[EarlierOutput], int]:
        """The released outputs (newest first, at most ``limit``) that share a topic — a variable
        set — with ``topics``, and how many there are in all; only those before release number
        ``before`` when given.

        What a refusal of the overlap audit names. The list depends only on what the project ran
        and which of its outputs were released (both known to the researcher), never on which
        cell clashed: naming the clashing output or cell would tell in which category the few
        differing persons are (disclosure.md D10, "Explaining a refusal").
        """
        names = sorted({stream_topic(t) for t in topics})
        if not names:
            return [], 0
        marks = ",".join("?" * len(names))
        cap = (before if before is not None else 1 << 62,)
        where = f"t.topic IN ({marks}) AND r.refused = 0 AND r.id < ?"
        rows = self._db.execute(
            f"SELECT DISTINCT r.id, r.command, r.script, r.line, r.at, r.data_version FROM topics t "
            f"JOIN releases r ON r.id = t.release_id WHERE {where} ORDER BY r.id DESC LIMIT ?",
            (*names, *cap, int(limit)),
        ).fetchall()
        total = self._db.execute(
            f"SELECT COUNT(DISTINCT r.id) FROM topics t JOIN releases r ON r.id = t.release_id WHERE {where}",
            (*names, *cap),
        ).fetchone()[0]
        return [EarlierOutput(int(i), c, sc, None if ln is None else int(ln), at, dv)
                for i, c, sc, ln, at, dv in rows], int(total)

    def refusals(self, limit: int = 3) -> list[tuple[EarlierOutput, str | None, list[EarlierOutput], int]]:
        """Every refused release, oldest first: the refusal itself (as an output), its reason
        (``"overlap"``, ``"budget"``, ``"refusal"`` for a rule decided before the ledger, None
        when recorded before version 3) and, for an overlap refusal, the earlier outputs on its
        variables (at most ``limit``) with their total (:meth:`earlier_outputs`)."""
        out = []
        rows = self._db.execute(
            "SELECT id, command, script, line, at, data_version, reason FROM releases WHERE refused = 1 ORDER BY id"
        ).fetchall()
        for rid, command, script, line, at, version, reason in rows:
            me = EarlierOutput(int(rid), command, script, None if line is None else int(line), at, version)
            topics = [t for (t,) in self._db.execute("SELECT topic FROM topics WHERE release_id = ?", (rid,))]
            earlier, total = self.earlier_outputs(topics, before=rid, limit=limit) if reason == "overlap" else ([], 0)
            out.append((me, reason, earlier, total))
        return out

    def record(self, *, data_version: str, command: str, cells: int, entries: Iterable[Entry],
               threshold: int, budget: int, audit_overlap: bool = True, origin: Origin | None = None,
               topics: Sequence[str] = (), refusal: bool = False) -> Verdict:
        """Audit one release and record it (or its refusal) in one transaction.

        Refused for ``"budget"`` when the cells would pass the budget, for ``"overlap"`` when an
        entry's contributors differ from an earlier one in a shared stream by 1..threshold-1
        persons. A refusal is charged one cell and its fingerprints are not stored. ``origin``
        and ``topics`` (the variable sets of the command) let a later refusal name this release.
        With ``refusal`` the release is a refusal decided elsewhere (another rule): recorded as
        refused (reason ``"refusal"``, one cell), never audited, never listed as an earlier output.
        """
        entries = list(entries)
        self.begin()
        try:
            refused = "refusal" if refusal else self.decide(
                data_version=data_version, cells=cells, entries=entries, threshold=threshold, budget=budget,
                audit_overlap=audit_overlap)
            verdict = self.write(data_version=data_version, command=command, cells=cells, entries=entries,
                                 refused=refused, budget=budget, origin=origin, topics=topics)
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return verdict

    # -- the phases of a release (record_all spans several ledgers with them) --------------------

    def begin(self) -> None:
        """Start the write transaction of one release (concurrent runs wait here)."""
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Make the release (or refusal) written since :meth:`begin` durable."""
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        """Forget everything since :meth:`begin`."""
        self._db.execute("ROLLBACK")

    def decide(self, *, data_version: str, cells: int, entries: list[Entry], threshold: int, budget: int,
               audit_overlap: bool = True) -> str | None:
        """Inside a transaction: None when the release may go out, else ``"budget"``/``"overlap"``."""
        if self.used(data_version) + cells > budget:
            return "budget"
        if audit_overlap and entries and self._overlaps(entries, threshold):
            return "overlap"
        return None

    def write(self, *, data_version: str, command: str, cells: int, entries: list[Entry], refused: str | None,
              budget: int, origin: Origin | None = None, topics: Sequence[str] = ()) -> Verdict:
        """Inside a transaction: record a release (its cells and their index tokens) or a refusal
        (charged one cell, no fingerprints), with its origin and topics."""
        db = self._db
        charged = 1 if refused else cells
        cur = db.execute(
            "INSERT INTO releases (data_version, command, cells, refused, script, line, at, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (data_version, command, charged, 1 if refused else 0, None if origin is None else origin.script,
             None if origin is None else int(origin.line), _now(), refused),
        )
        db.executemany("INSERT OR IGNORE INTO topics (topic, release_id) VALUES (?, ?)",
                       [(stream_topic(t), cur.lastrowid) for t in dict.fromkeys(topics)])
        db.execute(
            "INSERT INTO usage (data_version, used) VALUES (?, ?) "
            "ON CONFLICT (data_version) DO UPDATE SET used = used + excluded.used",
            (data_version, charged),
        )
        if not refused:
            rid = cur.lastrowid
            token_list: list[tuple[int, int]] = []
            for e in entries:
                fp = e.fingerprint
                for stream in e.streams:
                    added = db.execute(
                        "INSERT OR IGNORE INTO cells (release_id, stream, persons, key_sum, sketch) VALUES (?, ?, ?, ?, ?)",
                        (rid, stream, fp.persons, f"{fp.key_sum:016x}", fp.to_blob()),
                    )
                    if added.rowcount == 1:
                        token_list.extend((t, added.lastrowid) for t in tokens(stream, fp.buckets, fp.counts, fp.checks, INDEXED))
            token_list.sort()  # in key order: fewer B-tree pages touched
            db.executemany("INSERT OR IGNORE INTO tokens (token, cell) VALUES (?, ?)", token_list)
        return Verdict(refused, self.used(data_version), budget)

    # -- the overlap audit ----------------------------------------------------------------------

    def _overlaps(self, entries: list[Entry], threshold: int) -> bool:
        """Whether any entry differs from a stored one in a shared stream by 1..threshold-1."""
        by_stream: dict[str, list[Fingerprint]] = {}
        for e in entries:
            for s in e.streams:
                by_stream.setdefault(s, []).append(e.fingerprint)
        for stream, fps in sorted(by_stream.items()):
            # A cell released before (the very same persons) shows the very same number again
            # and reveals nothing new, even beside other earlier cells: it is not audited.
            fps = [fp for fp in fps if not self._stored(stream, fp)]
            indexed = [fp for fp in fps if threshold <= INDEXED and len(fp.buckets) >= threshold]
            scanned = [fp for fp in fps if not (threshold <= INDEXED and len(fp.buckets) >= threshold)]
            if indexed and self._overlaps_indexed(stream, indexed, threshold):
                return True
            if scanned and self._overlaps_scanned(stream, scanned, threshold):
                return True
        return False

    def _stored(self, stream: str, fp: Fingerprint) -> bool:
        """Whether exactly this contributor set was released before in the stream."""
        row = self._db.execute(
            "SELECT 1 FROM cells WHERE stream = ? AND persons = ? AND key_sum = ?",
            (stream, fp.persons, f"{fp.key_sum:016x}"),
        ).fetchone()
        return row is not None

    def _overlaps_indexed(self, stream: str, fps: list[Fingerprint], threshold: int) -> bool:
        """The audit through the token index (see :mod:`mdlang.disclosure.ledger_index`).

        A new cell looks up the tokens of its first ``L`` non-empty buckets (``L`` up to
        :data:`INDEXED`); an earlier cell it could be refused for shares at least
        :func:`~mdlang.disclosure.ledger_index.shared_needed` of them, and has a person count
        within T-1 of its own. Only the earlier cells that pass both are read back whole."""
        wanted: dict[int, list[int]] = {}
        need: list[int] = []
        for j, fp in enumerate(fps):
            looked = min(INDEXED, len(fp.buckets))
            need.append(shared_needed(looked, threshold))
            for t in set(tokens(stream, fp.buckets, fp.counts, fp.checks, looked)):
                wanted.setdefault(t, []).append(j)
        shared: dict[int, dict[int, int]] = {}
        persons_of: dict[int, int] = {}
        keys = list(wanted)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found = self._db.execute(
                # CROSS JOIN keeps SQLite from starting at the stream's cells (all of history)
                f"SELECT t.token, c.rowid, c.persons FROM tokens t CROSS JOIN cells c "
                f"ON c.rowid = t.cell WHERE t.token IN ({marks}) AND c.stream = ?",
                (*chunk, stream),
            ).fetchall()
            for token, rowid, persons in found:
                persons_of[rowid] = persons
                for j in wanted[token]:
                    counts = shared.setdefault(j, {})
                    counts[rowid] = counts.get(rowid, 0) + 1
        pairs = {
            j: sorted(
                rowid for rowid, n in counts.items()
                if n >= need[j] and abs(persons_of[rowid] - fps[j].persons) < threshold
            )
            for j, counts in shared.items()
        }
        rows = self._cells_by_id(sorted({r for ids in pairs.values() for r in ids}))
        self.examined += len(rows)
        seen: dict[int, Fingerprint] = {}
        for j, candidates in sorted(pairs.items()):
            fp = fps[j]
            for rowid in candidates:
                if self._differs_a_little(fp, rowid, rows[rowid], seen, threshold):
                    return True
        return False

    def _cells_by_id(self, rowids: list[int]) -> dict[int, tuple[int, str, bytes]]:
        """Stored cells ``rowid -> (persons, key_sum, sketch)``."""
        out: dict[int, tuple[int, str, bytes]] = {}
        for i in range(0, len(rowids), 500):
            chunk = rowids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, persons, key_sum, blob in self._db.execute(
                f"SELECT rowid, persons, key_sum, sketch FROM cells WHERE rowid IN ({marks})", chunk
            ):
                out[rowid] = (persons, key_sum, blob)
        return out

    def _overlaps_scanned(self, stream: str, fps: list[Fingerprint], threshold: int) -> bool:
        """The audit by scanning the stored cells of the stream within T-1 persons (small cells)."""
        lo = min(fp.persons for fp in fps) - threshold + 1
        hi = max(fp.persons for fp in fps) + threshold - 1
        found = self._db.execute(
            "SELECT rowid, persons, key_sum, sketch FROM cells WHERE stream = ? AND persons BETWEEN ? AND ?",
            (stream, lo, hi),
        ).fetchall()
        self.examined += len(found)
        seen: dict[int, Fingerprint] = {}
        for fp in fps:
            for rowid, persons, key_sum, blob in found:
                if self._differs_a_little(fp, rowid, (persons, key_sum, blob), seen, threshold):
                    return True
        return False

    @staticmethod
    def _differs_a_little(fp: Fingerprint, rowid: int, row: tuple[int, str, bytes], seen: dict[int, Fingerprint],
                          threshold: int) -> bool:
        """Whether a stored cell differs from ``fp`` by 1..threshold-1 persons (sketch bound)."""
        persons, key_sum, blob = row
        if abs(persons - fp.persons) >= threshold:
            return False
        if persons == fp.persons and key_sum == f"{fp.key_sum:016x}":
            return False  # the very same people as before
        old = seen.get(rowid)
        if old is None:
            old = seen[rowid] = Fingerprint.from_row(persons, key_sum, blob)
        return 0 < difference_lower_bound(fp, old) < threshold
