"""Differencing the margins of a collapsed dataset (D10 on rows that aggregate persons).

The attacker collapses the children to groups fine enough that the canary sits alone in one
(school S1 or not × class × sex: the canary is the only 9th-grade girl), tabulates a group-level
flag (``hi``: the group's share with angst above 0.155, which for the canary's own row is its
angst) over the S1 groups *plus* the canary's row, then a two-way table over the S1 groups
alone. The second table's row margins are the first table's cells without the canary: the margin
that keeps its persons keeps its noise, the one that lost the canary moves, so "which margin
moved" tells the canary's angst. Before collapsed rows carried their persons (:class:`Members`)
the audit could not sketch those margins and the second table came out; now it is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mdlang.engine import privacy
from mdlang.engine.context import Contributors, Members
from tests.redteam.attack import attack, cell, refused

PREPARE = """generate a1 = angst == "1"
generate k2 = kjonn == "2"
generate g = trinn * 10 + (kjonn == "2") + 100 * (skole == "S1")
collapse (mean) a1 k2, by(g)
generate hi = a1 > 0.155
"""
TRACKER = "g > 110"
CANARY_ROW = "g == 91"
ATTACK = PREPARE + f"tabulate hi if {TRACKER} | {CANARY_ROW}\ntabulate hi k2 if {TRACKER}\n"


def _without_members(monkeypatch: pytest.MonkeyPatch) -> None:
    """The state before this fix: collapsed rows keep only person counts and key sums."""
    monkeypatch.setattr(privacy, "collapsed_members", lambda *args: None)


def test_the_attack_reveals_the_canary_without_the_persons_of_collapsed_rows(store: Path, monkeypatch) -> None:
    _without_members(monkeypatch)
    first, second = [r for r in attack(store, ATTACK, "collapsed-before") if r.command == "tabulate"]
    assert not refused(first) and not refused(second)
    # the margin without the canary kept its persons and its number; the canary's margin moved
    assert cell(first, "0", "Freq.") == cell(second, "0", "Total")
    assert cell(first, "1", "Freq.") != cell(second, "1", "Total")


def test_the_margins_of_a_collapsed_dataset_are_audited(store: Path) -> None:
    first, second = [r for r in attack(store, ATTACK, "collapsed-after") if r.command == "tabulate"]
    assert not refused(first)
    assert refused(second)
    assert second.data["rule"].startswith("D10 overlap audit")


def test_a_collapsed_margin_against_a_later_cell_is_audited(store: Path) -> None:
    """The other way round: the row margins of a two-way table over the S1 groups and the
    canary's row, then a one-way table over the S1 groups alone."""
    body = PREPARE + f"tabulate hi k2 if {TRACKER} | {CANARY_ROW}\ntabulate hi if {TRACKER}\n"
    out = [r for r in attack(store, body, "collapsed-margin-first") if r.command == "tabulate"]
    assert not refused(out[0]) and refused(out[1])


def test_members_follow_rows_through_filters_and_a_second_collapse() -> None:
    """Who is in each row after a collapse (several rows per person, a person in two groups kept
    in the first), a filter and a collapse of the collapsed rows, against a hand count."""
    person = np.array([5, 5, 6, 7, 8, 8, 9], dtype=np.int64)
    groups = np.array([0, 1, 1, 2, 2, 2, 0], dtype=np.int64)  # person 5 in groups 0 and 1
    groups = privacy.first_group_per_person(groups, Contributors(person_id=person))
    members = privacy.collapsed_members(groups, 3, Contributors(person_id=person))
    assert _rows_of(members, 3) == [{5, 9}, {6}, {7, 8}]
    kept = Members.take(members, np.array([True, False, True]))  # drop the middle row
    assert _rows_of(kept, 2) == [{5, 9}, {7, 8}]
    count = Contributors(count=np.array([2, 2]), key_sum=np.zeros(2, dtype=np.uint64), members=kept)
    again = privacy.collapsed_members(np.array([1, 0]), 2, count)  # the rows swap into new groups
    assert _rows_of(again, 2) == [{7, 8}, {5, 9}]
    only = count.take(np.array([1])).members  # the row of persons 7 and 8 alone
    assert _rows_of(only, 1) == [{7, 8}]


def _rows_of(members: Members, n_rows: int) -> list[set[int]]:
    cells = members.member_cells(np.arange(n_rows))
    return [set(members.person_id[cells == r].tolist()) for r in range(n_rows)]


LEGITIMATE = PREPARE + """tabulate hi
tabulate hi k2
tabulate k2 hi, rowpct
summarize a1
tabulate hi, summarize(a1)
tabulate hi if g >= 100
summarize a1 if g >= 100
"""


def _released(results: list) -> list:
    return [(r.command, r.kind, r.data.get("rows"), r.data.get("rule")) for r in results if r.command in ("tabulate", "summarize")]


def test_legitimate_tables_on_a_collapsed_dataset_come_out_unchanged(store: Path, monkeypatch) -> None:
    """Tables and summaries of one population and its S1 part: all released, with exactly the
    numbers released before collapsed rows carried their persons (the audit changed, the noise not)."""
    after = _released(attack(store, LEGITIMATE, "collapsed-legit-after"))
    with monkeypatch.context() as m:
        _without_members(m)
        before = _released(attack(store, LEGITIMATE, "collapsed-legit-before"))
    assert [kind for _, kind, _, _ in after] == ["table"] * 3 + ["summary", "table", "table", "summary"]
    assert after == before


def test_an_event_dataset_collapsed_to_groups_keeps_each_person_once(tmp_path: Path) -> None:
    """Diagnosis spells (the canary has 40 'R' spells) collapsed by diagnosis: each row's members
    are its distinct persons, as counted from the spells themselves."""
    from mdlang.engine.runner import parse_script
    from mdlang.engine.session import Session
    from mdlang.syntax import ast
    from tests.redteam import test_rows_per_person as forlop

    root = forlop._store(tmp_path)
    text = forlop.PRELUDE + "collapse (count) diag -> n, by(diag)\n"
    session = Session(datastore_dirs=[str(root)], project="collapsed-events")
    list(session.run(ast.Script(parse_script(text, "e.mdl", [str(root)]).statements, file="e.mdl", source=text)))
    ds = session.datasets[session.active]
    spells = forlop._spells()
    want = {code: set(group["unit_id"].tolist()) for code, group in spells.groupby("value")}
    members = ds.contributors.members
    got = _rows_of(members, len(ds.frame))
    assert {str(code): persons for code, persons in zip(ds.frame["diag"], got, strict=True)} == want
    assert ds.contributors.count.tolist() == [len(p) for p in got]
