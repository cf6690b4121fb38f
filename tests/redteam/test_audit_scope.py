"""Differencing across commands, variable sets and copies (D10 audit scope).

The overlap audit used to compare a release only with earlier releases of the same command on
the same variables, and a table's margins and totals were not audited at all. Each attack below
pairs two releases whose contributor sets differ by the canary alone; the unchanged cell keeps its
noise (same persons, same cell key) and the changed one moves, so "which cell moved" tells the
canary's angst with certainty. Now the second release is refused: streams are keyed on the
statistic's variable set whatever the command, register variables by their register name, and
margins and totals also sit in the stream of each of their variables.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mdlang.disclosure.policy import Policy
from tests.redteam.attack import attack, refused

CANARY_T = 'skole == "S9" & trinn == 9 & kjonn == "2"'
TRACKER = 'skole == "S1"'
FIRST = f"tabulate angst if {TRACKER} | ({CANARY_T})\n"

ATTACKS = {
    "a generated copy of the variable": FIRST + f"generate angst2 = angst\ntabulate angst2 if {TRACKER}\n",
    "the same register variable imported again": FIRST + f"import h/ANGST as a3\ntabulate a3 if {TRACKER}\n",
    "the margin of a two-way table": FIRST + f"tabulate angst kjonn if {TRACKER}\n",
    "the margin the other way round": f"tabulate kjonn angst if {TRACKER} | ({CANARY_T})\ntabulate angst if {TRACKER}\n",
    "summarize against a copy": f"summarize bmi if {TRACKER} | ({CANARY_T})\ngenerate bmi2 = bmi\nsummarize bmi2 if {TRACKER}\n",
    "a summarize() total against summarize": (
        f"generate one = 1\ntabulate one if {TRACKER} | ({CANARY_T}), summarize(bmi) sum\nsummarize bmi if {TRACKER}\n"),
    "summarize against tabulate of the same variable": f"summarize trinn if {TRACKER} | ({CANARY_T})\ntabulate trinn if {TRACKER}\n",
}


@pytest.mark.parametrize("body", ATTACKS.values(), ids=list(ATTACKS))
def test_differencing_across_commands_and_copies_is_refused(store, body: str) -> None:
    out = [r for r in attack(store, body, "scope") if r.command in ("tabulate", "summarize")]
    assert len(out) == 2
    assert not refused(out[0]) and refused(out[1])
    assert "D10 overlap audit" in out[1].data["rule"]


def test_a_filter_only_difference_needs_the_owners_strict_audit(store, monkeypatch) -> None:
    """Two tables of *different* variables whose selections differ by the canary through a
    sensitive `if`: only their totals can be compared. The default variable-set scope lets this
    through (each total alone carries cell-key noise; averaging many such pairs is what the budget
    limits); the owner's ``ledger.audit_every_cell`` refuses it."""
    body = (f'tabulate kjonn if angst == "1" & ({TRACKER} | ({CANARY_T}))\n'
            f'tabulate faar if angst == "1" & {TRACKER}\n')
    out = attack(store, body, "scope-default")
    assert not refused(out[1])
    original = Policy.load.__func__
    monkeypatch.setattr(Policy, "load", classmethod(lambda cls, path: replace(original(cls, path), audit_every_cell=True)))
    out = attack(store, body, "scope-strict")
    assert not refused(out[0]) and refused(out[1])


ORDINARY = """tabulate kjonn
tabulate angst kjonn, rowpct
tabulate skole angst
summarize bmi inntekt
summarize bmi
tabulate skole, summarize(bmi)
tabulate kjonn, summarize(inntekt) sum
regress bmi inntekt
regress bmi inntekt trinn
regress bmi inntekt trinn, robust
generate a1 = angst == "1"
logit a1 bmi
tabulate angst if faar > 2008
summarize bmi if kjonn == "2"
tabulate angst if faar > 2008
"""


def test_ordinary_analyses_are_not_refused(store) -> None:
    """Tables, summaries and models on overlapping variable sets, repeated, and a repeat of a
    table whose cell and total differ by fewer than T persons (an exact repeat reveals nothing
    new): none is refused."""
    out = [r for r in attack(store, ORDINARY, "ordinary") if r.command != "generate"]
    assert len(out) == ORDINARY.count("\n") - 1
    assert [r.line for r in out if refused(r)] == []
