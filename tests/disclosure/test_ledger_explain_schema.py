"""Ledger schema version 3: each release's origin and topics, what an overlap refusal names, and
the upgrade of a version-2 ledger."""

from __future__ import annotations

import sqlite3

import numpy as np

from mdlang.disclosure.keys import RecordKeys
from mdlang.disclosure.ledger import (
    SCHEMA_VERSION,
    EarlierOutput,
    Entry,
    Ledger,
    Origin,
    fingerprints,
)
from mdlang.disclosure.ledger_index import token_rows
from mdlang.disclosure.refusals import overlap_explanation

KEYS = RecordKeys(b"explain-test-secret-0123456789ab")


def _fp(ids):
    ids = np.asarray(sorted(set(int(i) for i in ids)), dtype=np.int64)
    keys = KEYS(ids)
    return fingerprints(np.zeros(len(ids), dtype=np.int64), 1, keys, None, [len(ids)],
                        [int(keys.sum(dtype=np.uint64))], [0])[0]


def _record(ledger: Ledger, ids, stream: str, line: int, script: str | None = "a.mdl") -> str | None:
    return ledger.record(data_version="s:1", command="tabulate", cells=1, entries=[Entry((stream,), _fp(ids))],
                         threshold=10, budget=10**6, origin=Origin(script, line), topics=(stream,)).refused


def test_earlier_outputs_share_a_topic_are_released_and_come_newest_first(tmp_path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    base = range(1, 2001)
    assert _record(ledger, base, "vars:x", 3) is None
    assert _record(ledger, range(5000, 7000), "vars:y", 4) is None  # another variable
    assert _record(ledger, range(3000, 4000), "grouped:vars:x", 5) is None  # collapsed rows, same variable
    assert _record(ledger, range(2, 2001), "vars:x", 6) == "overlap"  # refused: not listed later
    earlier, total = ledger.earlier_outputs(["vars:x"])
    assert total == 2
    assert earlier == [EarlierOutput(3, "tabulate", "a.mdl", 5, earlier[0].at, "s:1"),
                       EarlierOutput(1, "tabulate", "a.mdl", 3, earlier[1].at, "s:1")]
    assert ledger.earlier_outputs(["vars:x"], before=3) == ([earlier[1]], 1)
    assert ledger.earlier_outputs(["vars:x"], limit=1)[0] == [earlier[0]]
    assert ledger.earlier_outputs([]) == ([], 0)


def test_refusals_list_their_reason_and_the_outputs_before_them(tmp_path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    assert _record(ledger, range(1, 2001), "vars:x", 3) is None
    assert _record(ledger, range(2, 2001), "vars:x", 9) == "overlap"
    assert _record(ledger, range(1, 2001), "vars:x", 12) is None  # a repeat is not audited
    (me, reason, earlier, total), = ledger.refusals()
    assert (me.number, me.command, me.line, reason, total) == (2, "tabulate", 9, "overlap", 1)
    assert [e.number for e in earlier] == [1]


def test_descriptions_name_the_script_file_and_line_only() -> None:
    assert EarlierOutput(7, "tabulate", "/home/r/prosjekt/analysis.mdl", 12).describe() == \
        "output 7 (tabulate at analysis.mdl:12)"
    assert EarlierOutput(3, "summarize", None, 4).describe() == "output 3 (summarize at line 4)"
    assert EarlierOutput(5, "tabulate", "<repl>", 1).describe() == "output 5 (tabulate in the command window)"
    assert EarlierOutput(2, "regress", None, None).describe() == "output 2 (regress)"


def test_the_explanation_sentences() -> None:
    one = [EarlierOutput(1, "tabulate", "a.mdl", 3)]
    assert overlap_explanation(one, 1) == (
        "Earlier output of this project on the same variables: output 1 (tabulate at a.mdl:3). "
        "It covers almost the same persons.")
    two = [EarlierOutput(9, "summarize", "a.mdl", 8), EarlierOutput(4, "tabulate", "a.mdl", 3)]
    assert overlap_explanation(two, 3) == (
        "Earlier outputs of this project on the same variables: output 9 (summarize at a.mdl:8), "
        "output 4 (tabulate at a.mdl:3) and 1 older one. One of them covers almost the same persons "
        "(which one is not said, as that could tell something about the persons who differ).")
    assert overlap_explanation([], 0) == ""


_V2 = """
CREATE TABLE releases (id INTEGER PRIMARY KEY, data_version TEXT NOT NULL, command TEXT NOT NULL,
    cells INTEGER NOT NULL, refused INTEGER NOT NULL);
CREATE INDEX releases_version ON releases (data_version);
CREATE TABLE cells (release_id INTEGER NOT NULL REFERENCES releases (id), stream TEXT NOT NULL,
    persons INTEGER NOT NULL, key_sum TEXT NOT NULL, sketch BLOB NOT NULL);
CREATE UNIQUE INDEX cells_stream ON cells (stream, persons, key_sum);
CREATE TABLE tokens (token INTEGER NOT NULL, cell INTEGER NOT NULL, PRIMARY KEY (token, cell)) WITHOUT ROWID;
CREATE TABLE usage (data_version TEXT PRIMARY KEY, used INTEGER NOT NULL);
PRAGMA user_version = 2;
"""


def test_a_version_2_ledger_is_upgraded_and_keeps_auditing(tmp_path) -> None:
    """A ledger written by the previous version: its releases get the new columns (origin
    unknown) and the topics of the cells they stored; old and new releases meet in the audit."""
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(_V2)
    fp = _fp(range(1, 2001))
    db.execute("INSERT INTO releases (data_version, command, cells, refused) VALUES ('s:1', 'tabulate', 1, 0)")
    db.execute("INSERT INTO cells VALUES (1, 'grouped:vars:x', ?, ?, ?)", (fp.persons, f"{fp.key_sum:016x}", fp.to_blob()))
    db.executemany("INSERT INTO tokens VALUES (?, ?)", token_rows("grouped:vars:x", [(1, fp.buckets, fp.counts, fp.checks)]))
    db.execute("INSERT INTO releases (data_version, command, cells, refused) VALUES ('s:1', 'tabulate', 1, 1)")
    db.execute("INSERT INTO usage VALUES ('s:1', 2)")
    db.commit()
    db.close()
    ledger = Ledger(path)
    assert ledger._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    columns = {row[1] for row in ledger._db.execute("PRAGMA table_info(releases)")}
    assert {"script", "line", "at", "reason"} <= columns
    earlier, total = ledger.earlier_outputs(["vars:x"])
    assert total == 1 and earlier[0].describe() == "output 1 (tabulate)"
    assert ledger.used("s:1") == 2
    assert _record(ledger, range(2, 2001), "grouped:vars:x", 7) == "overlap"
    ledger.close()
    assert Ledger(path).earlier_outputs(["vars:x"])[1] == 1  # opening again changes nothing


def test_a_refusal_by_another_rule_is_recorded_as_refused_and_never_listed(tmp_path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    verdict = ledger.record(data_version="s:1", command="tabulate", cells=1, entries=[], threshold=10, budget=10,
                            origin=Origin("a.mdl", 2), topics=("vars:x",), refusal=True)
    assert (verdict.refused, verdict.used) == ("refusal", 1)
    assert ledger.earlier_outputs(["vars:x"]) == ([], 0)
    (me, reason, earlier, total), = ledger.refusals()
    assert (me.describe(), reason, earlier, total) == ("output 1 (tabulate at a.mdl:2)", "refusal", [], 0)
