"""Gate results: the dataset floor (D12), refusal hygiene (D9), messages and audit entries (D11)."""

from __future__ import annotations

import re

import numpy as np

from mdlang.disclosure.audit import AuditLog
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import Contributors

SECRET = bytes(range(32))


def test_floor_passes_large_and_refuses_small(tmp_path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    g = Gate(Policy(), SECRET, log, data_version="ds:1")
    assert g.check_floor(Contributors(person_id=np.arange(5000, dtype=np.int64)), "keep", 4) is None
    refusal = g.check_floor(Contributors(person_id=np.arange(400, dtype=np.int64)), "keep", 5)
    assert refusal is not None and refusal.kind == "refusal"
    assert refusal.data["rule"].startswith("D12 dataset floor")
    assert refusal.data["remedy"]
    entry = log.entries()[-1]
    assert entry["event"] == "refusal" and entry["command"] == "keep" and entry["line"] == 5
    assert entry["data_version"] == "ds:1"


def test_floor_is_decided_on_the_noisy_count() -> None:
    g = Gate(Policy(), SECRET)
    decisions = set()
    for shift in range(300):
        ids = np.arange(shift * 10_000, shift * 10_000 + 999, dtype=np.int64)  # 999 persons
        decisions.add(g.check_floor(Contributors(person_id=ids), "keep", 1) is None)
    assert decisions == {True, False}  # noise sometimes lifts 999 over the floor


def test_health_survey_floor() -> None:
    g = Gate(Policy.from_preset("health-survey"), SECRET)
    assert g.check_floor(Contributors(person_id=np.arange(400, dtype=np.int64)), "keep", 1) is None


def test_refusal_texts_carry_no_data_derived_numbers() -> None:
    g = Gate(Policy(), SECRET)
    texts = set()
    for n in (3, 17, 250, 998):
        r = g.check_floor(Contributors(person_id=np.arange(n, dtype=np.int64)), "keep", 1)
        texts.add((r.data["text"], r.data["rule"], r.data["remedy"]))
    assert len(texts) == 1
    text = " ".join(texts.pop())
    assert set(re.findall(r"\d+", text)) == {"12", "1000"}  # the rule's name and the policy's floor


def test_release_is_logged_with_metadata_only(tmp_path) -> None:
    log = AuditLog(tmp_path / "a.jsonl")
    g = Gate(Policy(), SECRET, log, data_version="ds:3")
    g.begin_script("tabulate x\n")
    r = g.release("tabulate", 1, "table", {"title": "x", "columns": ["x"], "rows": [[12345]]}, ["n"], protections=["threshold"], cells=1)
    assert r.to_dict()["data"]["rows"] == [[12345]]
    entry = log.entries()[0]
    assert entry["event"] == "release" and entry["protections"] == ["threshold"] and entry["cells"] == 1
    assert entry["policy"] == Policy().digest()
    assert len(entry["script"]) == 64
    assert "12345" not in (tmp_path / "a.jsonl").read_text()
    m = g.message("help", 2, "hello")
    assert m.kind == "message" and m.data == {"text": "hello"}
    assert len(log.entries()) == 1


def test_percentages_and_cumulative_never_pass_100() -> None:
    from mdlang.disclosure.table_layout import one_way, percent_of

    assert percent_of(12, 11) == 100.0
    grid = {"freq": [[6], [7], [11]]}  # two noisy cells that add up past their noisy total
    table = one_way("x", grid, [("a",), ("b",), ("Total",)], [0, 1], [])
    assert [row[3] for row in table["rows"][:2]] == [54.55, 100.0]
    assert all(row[2] is None or row[2] <= 100.0 for row in table["rows"])
