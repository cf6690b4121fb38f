"""Each rule is needed: with it switched off in a test-only policy, its attack succeeds.

The owner's ``policy.toml`` cannot loosen a preset, so these tests replace ``Policy.load`` — a
path no researcher has — with a policy that disables one mechanism.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mdlang.disclosure.policy import Policy
from tests.redteam.attack import attack, cell, number, refused
from tests.redteam.canaries import truth

CANARY_T = 'skole == "S9" & trinn == 9 & kjonn == "2"'
TRACKER = 'skole == "S1"'


def _complement_count(store, project: str) -> bool:
    """A03 on counts: the angst category whose count moved when the canary left is theirs."""
    body = f"tabulate angst if {TRACKER} | ({CANARY_T})\ntabulate angst if {TRACKER}\n"
    with_c, without = attack(store, body, project)
    if refused(without):
        return False
    moved = [c for c in ("0", "1") if cell(with_c, c, "Freq.") != cell(without, c, "Freq.")]
    return moved == ["1"]  # the canary has angst 1: the attacker is certain


def _isolated_mean(store, project: str) -> bool:
    """A02: the mean of a condition that isolates the canary is their value."""
    (summ,) = attack(store, f"summarize bmi if {CANARY_T}\n", project)
    mean = None if refused(summ) else number(summ.data["rows"][0][2])
    return mean is not None and abs(mean - float(truth().loc[1233, "bmi"])) <= 0.1 * float(truth().loc[1233, "bmi"])


def _many_marginals(store, project: str) -> bool:
    """A08: hundreds of marginals all released (the raw material of a reconstruction)."""
    lines = [f"tabulate angst if faar == {2004 + i % 8} & trinn <= {1 + i % 8}\n" for i in range(40)]
    return not any(refused(r) for r in attack(store, "".join(lines), project))


ATTACKS = [
    ("overlap audit (A03)", _complement_count, {"overlap_audit": False}, "store"),
    ("threshold and dominance (A02)", _isolated_mean, {"threshold": 1, "magnitude_noise": 0.0, "dominance_k": 100.0}, "store"),
    ("budget (A08)", _many_marginals, {"budget_cells": 10**6}, "tight_store"),
]


@pytest.mark.parametrize(("rule", "run", "loosen", "which"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_fails_with_the_rule_and_succeeds_without(rule, run, loosen, which, request, monkeypatch) -> None:
    store = request.getfixturevalue(which)
    assert not run(store, f"rule-on-{rule}")
    original = Policy.load.__func__

    def loose(cls, path):
        return replace(original(cls, path), **loosen)

    monkeypatch.setattr(Policy, "load", classmethod(loose))
    assert run(store, f"rule-off-{rule}")


def _dummy_regression(store, project: str) -> bool:
    """A09: a dummy that is 1 for the canary only; intercept + its coefficient is their bmi."""
    body = (f"generate c = 1 if {CANARY_T}\nreplace c = 0 if sysmiss(c)\nregress bmi c\n")
    (model,) = [r for r in attack(store, body, project) if r.command == "regress"]
    if refused(model):
        return False
    coefs = {row[0]: number(row[1]) for row in model.data["rows"]}
    if coefs.get("c") is None or coefs.get("_cons") is None:
        return False
    canary = float(truth().loc[1233, "bmi"])
    return abs(coefs["_cons"] + coefs["c"] - canary) <= 0.1 * canary


def _loosened(monkeypatch, **changes) -> None:
    original = Policy.load.__func__

    def loose(cls, path):
        return replace(original(cls, path), **changes)

    monkeypatch.setattr(Policy, "load", classmethod(loose))


def test_model_gate_stops_the_one_person_dummy(store, monkeypatch) -> None:
    """D7: the both-levels and leverage rules refuse A09; without them the canary's bmi leaks."""
    assert not _dummy_regression(store, "d7-on")
    _loosened(monkeypatch, threshold=1, model_max_leverage=1.01, magnitude_noise=0.0)
    assert _dummy_regression(store, "d7-off")
