"""The ledger survives a process killed mid-write and concurrent runs (D10)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from mdlang.disclosure.ledger import Ledger

CELLS_PER_RELEASE = 5

WRITER = """
import sys
import numpy as np
from mdlang.disclosure.keys import RecordKeys
from mdlang.disclosure.ledger import Entry, Ledger, fingerprints

path, stream, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
keys = RecordKeys(b"robustness-secret-0123456789abcd")
ledger = Ledger(path)
print("ready", flush=True)
i = 0
while count < 0 or i < count:
    ids = np.arange(1 + 1000 * i, 1 + 1000 * i + 500 * 5, dtype=np.int64)
    cells = (np.arange(len(ids)) % 5).astype(np.int64)
    k = keys(ids)
    persons = np.bincount(cells, minlength=5)
    sums = [int(k[cells == c].sum(dtype=np.uint64)) for c in range(5)]
    fps = fingerprints(cells, 5, k, None, persons, sums, list(range(5)))
    ledger.record(data_version="s:1", command="tabulate", cells=5,
                  entries=[Entry((f"count:{stream}:{i}",), fp) for fp in fps], threshold=10, budget=10**9)
    i += 1
"""


def _writer(path: Path, stream: str, count: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), stream, str(count)],
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _partial_releases(path: Path) -> list[tuple[int, int]]:
    db = sqlite3.connect(str(path))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute(
        "SELECT r.id, COUNT(c.release_id) FROM releases r LEFT JOIN cells c ON c.release_id = r.id GROUP BY r.id"
    ).fetchall()
    orphans = db.execute("SELECT COUNT(*) FROM cells WHERE release_id NOT IN (SELECT id FROM releases)").fetchone()[0]
    db.close()
    assert orphans == 0
    return [(rid, n) for rid, n in rows if n != CELLS_PER_RELEASE]


def test_a_process_killed_mid_write_leaves_whole_releases_only(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    proc = _writer(path, "kill", -1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(0.2)
        probe = sqlite3.connect(str(path), timeout=5)
        done = probe.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
        probe.close()
        if done >= 20:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _partial_releases(path) == []
    ledger = Ledger(path)
    assert ledger.count_releases() >= 20
    assert ledger.count_cells() == CELLS_PER_RELEASE * ledger.count_releases()


def test_two_concurrent_runs_land_every_entry(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).close()
    procs = [_writer(path, name, 25) for name in ("a", "b")]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    ledger = Ledger(path)
    assert ledger.count_releases() == 50
    assert ledger.used("s:1") == 50 * CELLS_PER_RELEASE
    assert _partial_releases(path) == []
