"""The ledger's token index: the overlap audit gives the same refusals as comparing with every
earlier cell, and its work no longer grows with the project's history."""

from __future__ import annotations

import sqlite3

import numpy as np

from mdlang.disclosure.keys import RecordKeys
from mdlang.disclosure.ledger import (
    GROUPED_STREAM,
    Entry,
    Fingerprint,
    Ledger,
    difference_lower_bound,
    fingerprints,
    upgraded_stream,
)
from mdlang.disclosure.ledger_index import INDEXED

KEYS = RecordKeys(b"index-test-secret-0123456789abcd")
T = 10


def _fp(ids) -> Fingerprint:
    ids = np.asarray(sorted(set(int(i) for i in ids)), dtype=np.int64)
    keys = KEYS(ids)
    total = int(keys.sum(dtype=np.uint64))
    return fingerprints(np.zeros(len(ids), dtype=np.int64), 1, keys, None, [len(ids)], [total], [0])[0]


def _record(ledger: Ledger, fp: Fingerprint, stream: str = "count:x", threshold: int = T) -> str | None:
    return ledger.record(data_version="s:1", command="tabulate", cells=1, entries=[Entry((stream,), fp)],
                         threshold=threshold, budget=10**9).refused


def _brute_force(stored: list[Fingerprint], fp: Fingerprint, threshold: int = T) -> bool:
    """The audit as the definition states it: compare with every stored cell of the stream."""
    for old in stored:
        if old.persons == fp.persons and old.key_sum == fp.key_sum:
            continue
        if abs(old.persons - fp.persons) < threshold and 0 < difference_lower_bound(fp, old) < threshold:
            return True
    return False


def test_the_index_refuses_exactly_what_a_full_comparison_refuses(tmp_path) -> None:
    """Random sets of every size that matters (below T, near T, hundreds), each a few persons
    away from an earlier one or far from all: the ledger's verdict equals the brute force."""
    rng = np.random.default_rng(11)
    ledger = Ledger(tmp_path / "l.sqlite")
    stored: list[Fingerprint] = []
    members: list[list[int]] = []
    refusals = 0
    for step in range(250):
        if members and rng.random() < 0.7:
            ids = set(members[int(rng.integers(0, len(members)))])
            for _ in range(int(rng.integers(0, 14))):
                if rng.random() < 0.5:
                    ids.discard(int(rng.choice(sorted(ids))))
                else:
                    ids.add(int(rng.integers(1, 10**6)))
        else:
            size = int(rng.choice([7, 8, 9, 10, 12, 15, 25, 60, 300, 1000]))
            ids = set(int(i) for i in rng.choice(10**6, size, replace=False))
        if len(ids) < 7:
            continue
        fp = _fp(ids)
        expected = _brute_force(stored, fp)
        assert (_record(ledger, fp) == "overlap") == expected, step
        refusals += expected
        if not expected and not any(o.persons == fp.persons and o.key_sum == fp.key_sum for o in stored):
            stored.append(fp)
            members.append(sorted(ids))
    assert refusals > 50 and len(stored) > 50  # both verdicts were exercised


def test_history_size_no_longer_changes_the_audit_work(tmp_path) -> None:
    """After 10 or after 150 earlier releases of 1000 persons each in the same stream (all within
    T-1 persons of the new cell's size, so a scan by person count would read every one), auditing
    a new cell reads back only the one earlier cell it shares an identical bucket with."""
    rng = np.random.default_rng(3)
    work = []
    for history in (10, 150):
        ledger = Ledger(tmp_path / f"h{history}.sqlite")
        for _ in range(history):
            assert _record(ledger, _fp(rng.choice(10**7, 1000 + int(rng.integers(0, 5)), replace=False))) is None
        probe = rng.choice(10**7, 1000, replace=False)
        assert _record(ledger, _fp(probe)) is None
        before = ledger.examined
        assert _record(ledger, _fp(probe[3:])) == "overlap"  # still caught
        work.append(ledger.examined - before)
    assert work[0] == work[1] == 1  # the one earlier cell it is close to


def test_small_cells_and_large_thresholds_fall_back_to_the_scan(tmp_path) -> None:
    """Fewer non-empty buckets than T (a cell of 8 persons), or T above what is indexed: the
    stored cells within T-1 persons are compared one by one, and the verdict is still right."""
    ledger = Ledger(tmp_path / "l.sqlite")
    small = list(range(100, 108))
    assert _record(ledger, _fp(small)) is None
    assert _record(ledger, _fp(small[1:] + [999])) == "overlap"
    big = list(range(1, 3001))
    t = INDEXED + 8
    assert _record(ledger, _fp(big), stream="count:y", threshold=t) is None
    before = ledger.examined
    assert _record(ledger, _fp(big[t - 1 :]), stream="count:y", threshold=t) == "overlap"
    assert ledger.examined - before == 1


def test_a_ledger_from_before_the_index_is_upgraded_on_opening(tmp_path) -> None:
    """Cells written without tokens, under the version-1 streams ``<family>:<command>:<vars>``,
    and charges without usage totals are moved to the variable-set streams, indexed and totalled
    once: a tabulate and a summarize of one variable now share its stream."""
    path = tmp_path / "old.sqlite"
    ledger = Ledger(path)
    base = list(range(1, 2001))
    assert _record(ledger, _fp(base), stream="count:tabulate:x") is None
    assert _record(ledger, _fp(base), stream="value:summarize:x") is None
    assert _record(ledger, _fp(range(5000, 5100)), stream="count-grouped:tabulate:z") is None
    ledger.close()
    db = sqlite3.connect(str(path))
    db.executescript("DELETE FROM tokens; DELETE FROM usage; PRAGMA user_version = 0;")
    db.close()
    ledger = Ledger(path)
    assert ledger.used("s:1") == 3
    assert ledger.count_cells() == 2  # the two copies of one person set in one stream became one
    assert upgraded_stream("count:tabulate:x") == "vars:x"
    assert _record(ledger, _fp(base[1:]), stream="vars:x") == "overlap"
    assert _record(ledger, _fp(range(5001, 5100)), stream=f"{GROUPED_STREAM}:vars:z") == "overlap"
    assert _record(ledger, _fp(base[1:]), stream="vars:y") is None
    assert ledger.used("s:1") == 6


def test_sparse_cells_read_back_only_earlier_cells_sharing_enough_buckets(tmp_path) -> None:
    """Cells of about 150 persons from random halves of one population (each bucket holds one
    person, so an earlier cell of the same position shares a first bucket with the new one half
    the time): only earlier cells that share at least ``min(L, INDEXED) - T + 1`` of the new cell's
    first L tokens, and whose size is within T-1, are read back — and the verdicts stay those of the
    full comparison."""
    rng = np.random.default_rng(8)
    n, cells = 12_000, 40
    cell_of = rng.integers(0, cells, n)
    ledger = Ledger(tmp_path / "sparse.sqlite")
    stored: list[Fingerprint] = []
    work = 0
    for _ in range(12):
        half = rng.random(n) < 0.5
        fps = [_fp(np.flatnonzero(half & (cell_of == j))) for j in range(cells)]
        before = ledger.examined
        verdict = ledger.record(data_version="s:1", command="tabulate", cells=cells,
                                entries=[Entry(("count:x",), fp) for fp in fps], threshold=T, budget=10**9)
        work = ledger.examined - before
        assert (verdict.refused == "overlap") == any(_brute_force(stored, fp) for fp in fps)
        stored.extend(fps)
    # one shared token (the old criterion) reads back all 440 earlier cells; this reads about 130
    assert work < 220, work
