"""The privacy ledger (D10): fingerprints, the overlap audit, the budget, and the gate wiring."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.keys import RecordKeys
from mdlang.disclosure.ledger import Entry, Ledger, difference_lower_bound, fingerprints
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import Contributors

SECRET = b"ledger-test-secret-0123456789abc"
KEYS = RecordKeys(SECRET)


def _fp(ids: np.ndarray):
    ids = np.asarray(ids, dtype=np.int64)
    keys = KEYS(ids)
    total = int(keys.sum(dtype=np.uint64))
    return fingerprints(np.zeros(len(ids), dtype=np.int64), 1, keys, None, [len(ids)], [total], [0])[0]


@pytest.mark.parametrize("removed", [1, 2, 5, 9, 10, 40])
def test_lower_bound_is_the_exact_difference_for_small_differences(removed: int) -> None:
    base = np.arange(1, 20001)
    bound = difference_lower_bound(_fp(base), _fp(base[removed:]))
    assert removed - 1 <= bound <= removed  # a rare bucket collision may hide one person
    assert bound == removed or removed > 5


def test_lower_bound_of_identical_sets_is_zero_and_of_a_swap_two() -> None:
    base = np.arange(1, 5001)
    assert difference_lower_bound(_fp(base), _fp(base.copy())) == 0
    swapped = np.concatenate([base[1:], [99999]])
    assert difference_lower_bound(_fp(base), _fp(swapped)) == 2


def test_lower_bound_never_exceeds_the_true_difference() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        a = rng.choice(50000, 3000, replace=False)
        b = np.union1d(a[rng.integers(0, 200):], rng.choice(50000, rng.integers(0, 30)))
        true = len(np.setxor1d(a, b))
        assert difference_lower_bound(_fp(a), _fp(b)) <= true


def test_fingerprint_round_trips_through_its_blob() -> None:
    fp = _fp(np.arange(1, 3000))
    from mdlang.disclosure.ledger import Fingerprint

    back = Fingerprint.from_row(fp.persons, f"{fp.key_sum:016x}", fp.to_blob())
    assert difference_lower_bound(fp, back) == 0


def _record(ledger: Ledger, ids, *, stream="count:x", budget=20000, version="s:1", cells=1):
    return ledger.record(data_version=version, command="tabulate", cells=cells,
                         entries=[Entry((stream,), _fp(np.asarray(ids)))], threshold=10, budget=budget)


def test_overlap_audit_refuses_a_set_one_person_away_and_allows_same_and_far(tmp_path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    base = np.arange(1, 2001)
    assert _record(ledger, base).refused is None
    assert _record(ledger, base).refused is None  # the same people again
    assert _record(ledger, base[1:]).refused == "overlap"  # complement differencing
    assert _record(ledger, base[9:]).refused == "overlap"
    assert _record(ledger, base[10:]).refused is None  # T persons away
    assert _record(ledger, base[1:], stream="count:y").refused is None  # another variable
    assert ledger.count_releases() == 6
    assert ledger.count_cells() == 3  # refusals store no fingerprint, a repeat is stored once


def test_budget_charges_cells_and_refusals_and_spans_runs(tmp_path) -> None:
    path = tmp_path / "l.sqlite"
    ledger = Ledger(path)
    assert _record(ledger, np.arange(1, 101), budget=10, cells=8).used == 8
    verdict = _record(ledger, np.arange(1, 101), budget=10, cells=3)
    assert verdict.refused == "budget" and verdict.used == 9  # the refusal costs one cell
    ledger.close()
    again = Ledger(path)
    assert again.used("s:1") == 9 and again.used("s:2") == 0
    assert _record(again, np.arange(1, 101), budget=10, cells=1).refused is None
    assert _record(again, np.arange(1, 101), budget=10, cells=1).refused == "budget"


def test_ledger_spans_data_versions(tmp_path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite")
    base = np.arange(1, 3001)
    assert _record(ledger, base, version="s:1").refused is None
    assert _record(ledger, base[:-1], version="s:2").refused == "overlap"  # A26


def _gate(tmp_path, **policy) -> Gate:
    return Gate(Policy(**policy), SECRET, ledger=Ledger(tmp_path / "g.sqlite"), data_version="s:1")


def test_gate_release_becomes_a_fixed_refusal_on_overlap(tmp_path) -> None:
    gate = _gate(tmp_path)
    ids = np.arange(1, 1001, dtype=np.int64)
    cells = (ids % 3).astype(np.int64)
    gate.begin_command("tabulate", ["x"])
    gate.protect_counts(cells, 3, Contributors(person_id=ids))
    first = gate.release("tabulate", 1, "table", {"rows": []}, cells=3)
    assert first.kind == "table"
    gate.begin_command("tabulate", ["x"])
    gate.protect_counts(np.where(ids == 7, -1, cells), 3, Contributors(person_id=ids))
    second = gate.release("tabulate", 2, "table", {"rows": []}, cells=3)
    assert second.kind == "refusal"
    assert second.data["text"] == "tabulate: output withheld by disclosure control (D10 overlap audit: the persons " \
        "behind this output differ from those of an earlier output of this project by fewer than 10). Earlier " \
        "output of this project on the same variables: output 1 (tabulate at line 1). It covers almost the same persons."
    assert second.data["remedy"] == (
        "use one population for every output on these variables: mark the units that have all the variables you "
        "need, e.g. `generate begge = !sysmiss(a) & !sysmiss(b)`, and add `if begge == 1` to each command; or use "
        "a selection that differs from the earlier one by many persons")


def test_gate_budget_warns_then_refuses(tmp_path) -> None:
    gate = _gate(tmp_path, budget_cells=10)
    ids = np.arange(1, 501, dtype=np.int64)
    outs = []
    for _ in range(6):
        gate.begin_command("tabulate", ["x"])
        gate.protect_counts(np.zeros(500, dtype=np.int64), 1, Contributors(person_id=ids))
        outs.append(gate.release("tabulate", 1, "table", {}, cells=2))
    assert [o.kind for o in outs] == ["table"] * 5 + ["refusal"]
    warn = "Note: this project has used more than 80 % of its budget of 10 released cells on this data version."
    assert [warn in o.notes for o in outs[:5]] == [False, False, False, True, True]
    assert "D10 release budget" in outs[5].data["text"]


def test_small_cells_are_not_audited(tmp_path) -> None:
    gate = _gate(tmp_path)
    ids = np.arange(1, 2001, dtype=np.int64)
    cells = np.where(ids <= 5, 1, 0)
    gate.begin_command("tabulate", ["x"])
    gate.protect_counts(cells, 2, Contributors(person_id=ids))
    assert gate.release("t", 1, "table", {}, cells=2).kind == "table"
    gate.begin_command("tabulate", ["x"])
    gate.protect_counts(np.where(ids == 3, -1, cells), 2, Contributors(person_id=ids[:]))
    # cell 1 went from 5 to 4 persons (never released either time); cell 0 is unchanged
    assert gate.release("t", 2, "table", {}, cells=2).kind == "table"


def test_collapsed_contributors_are_audited_too(tmp_path) -> None:
    gate = _gate(tmp_path)
    ids = np.arange(1, 3001, dtype=np.int64)
    groups = (ids % 100).astype(np.int64)
    collapsed = gate.group_contributors(groups, 100, Contributors(person_id=ids))
    gate.begin_command("summarize", ["y"])
    gate.protect_counts(np.zeros(100, dtype=np.int64), 1, collapsed)
    assert gate.release("s", 1, "table", {}, cells=1).kind == "table"
    fewer = gate.group_contributors(np.where(ids == 5, -1, groups), 100, Contributors(person_id=ids))
    gate.begin_command("summarize", ["y"])
    gate.protect_counts(np.zeros(100, dtype=np.int64), 1, fewer)
    assert gate.release("s", 2, "table", {}, cells=1).kind == "refusal"
