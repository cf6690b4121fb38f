"""Each remaining mechanism is needed: switched off in a test policy, its attack succeeds.

``test_rules_matter.py`` switches off the overlap audit, the budget, threshold + dominance together
and the model gate. This file covers the rest of D1–D14 that a policy (or a test-only patch of
the one function that applies the rule) can switch off:

* D3 cell-key noise — padded differencing of counts;
* D4 threshold alone — the category of a one-person selection;
* D5 winsorisation — padded differencing of sums, averaged;
* D5 dominance — sums of groups where one person holds the whole total, averaged;
* D6 micro-aggregation and no min/max — P99 of a small group is its maximum;
* D13 class disclosure — a 100 % cell of a sensitive variable in a small group;
* D10 spanning versions (A26) — one ledger for every data version.

Not switched off here, and why (see docs/disclosure.md):

* D1 (language surface), D8 (figures from released aggregates) and D9 (refusal texts) are
  structure, not parameters: there is no code path that draws a figure from raw data or puts a
  number in a refusal, so there is nothing to switch off; A22, A19 and A18 check them directly.
* D2 (record keys): its secrecy matters only together with D3, and its stability across versions
  only together with D10 (the A26 case below); it has no attack of its own.
* D11 (audit log) is accountability, not protection; D12 (dataset floor) guards the working
  dataset, while every released number is thresholded by D4, which is what stops A02/A18;
  D14 (presets) only chooses defaults (tests/disclosure/test_policy.py).

The owner's ``policy.toml`` cannot loosen a preset, so these tests replace ``Policy.load`` — a
path no researcher has — or the one gate method that applies the rule.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from tests.redteam.attack import attack, cell, misses, number, refused
from tests.redteam.canaries import CANARY_INCOME, truth

CANARY_T = 'skole == "S9" & trinn == 9 & kjonn == "2"'
PAD = 'skole == "S2" & trinn == 1'  # 120 persons, 23 with angst 1: more than T in every cell


def _loosened(monkeypatch: pytest.MonkeyPatch, **changes) -> None:
    original = Policy.load.__func__

    def loose(cls, path):
        return replace(original(cls, path), **changes)

    monkeypatch.setattr(Policy, "load", classmethod(loose))


def _posterior_one(estimate: float, variance: float) -> float:
    """P(attribute = 1 | estimate) for an estimate = attribute + N(0, variance), prior 1/2."""
    if variance <= 0:
        return 1.0 if round(estimate) == 1 else 0.0
    z = (2.0 * estimate - 1.0) / (2.0 * variance)
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


# -- D3 --------------------------------------------------------------------------------------------


def _padded_pairs(year: int, stat: str = "") -> str:
    """Four tables whose differences isolate the canary, each pair differing by more than T
    persons in every cell (so the overlap audit lets them through):
    (S ∪ pad ∪ canary) − S − ((S' ∪ pad) − S')."""
    s, s2 = f'skole == "S1" & faar == {year}', f'skole == "S3" & faar == {year}'
    return "".join(f"tabulate {stat or 'angst'} if {cond}{', summarize(inntekt) sum' if stat else ''}\n" for cond in (
        f"({s}) | ({PAD}) | ({CANARY_T})", s, f"({s2}) | ({PAD})", s2))


def _noise_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Gate, "noisy_count", lambda self, persons, key_sum: max(int(persons), 0))


@pytest.mark.parametrize("noise", [True, False], ids=["D3 on", "D3 off"])
def test_d3_noise_stops_padded_differencing_of_counts(store, monkeypatch, noise) -> None:
    """D3: padding each differencing pair with 120 known-to-be-there persons gets past the
    overlap audit (every cell differs by more than T); only the noise keeps the canary's angst
    unknown. Overlapping rules: D10's audit stops the unpadded pair (A03), and the budget is what
    limits averaging many padded quadruples (each costs 12 cells), see docs/disclosure.md."""
    if not noise:
        _noise_off(monkeypatch)
    q = attack(store, _padded_pairs(2004), f"d3-{noise}")
    assert not any(refused(r) for r in q)
    v = [cell(r, "1", "Freq.") for r in q]
    estimate = (v[0] - v[1]) - (v[2] - v[3])
    variance = 4 * Policy().noise_variance if noise else 0.0
    posterior = _posterior_one(estimate, variance)
    assert truth().loc[1233, "angst"] == "1"
    if noise:
        assert posterior <= 0.9  # the attack fails
    else:
        assert estimate == 1 and posterior == 1.0  # the attacker is certain


# -- D4 --------------------------------------------------------------------------------------------


def _membership(store, project: str) -> bool:
    """A27/A01: whether a one-person selection is rich is the category that shows a number
    (``rik`` is derived, so class disclosure, which covers register variables marked sensitive,
    does not apply)."""
    body = f"generate rik = inntekt > 1000000\ntabulate rik if {CANARY_T}\n"
    (tab,) = [r for r in attack(store, body, project) if r.command == "tabulate"]
    if refused(tab):
        return False
    shown = [c for c in ("0", "1") if number(cell(tab, c, "Freq.")) is not None]
    return shown == ["1"]


def test_d4_threshold_alone_stops_a_one_person_table(store, monkeypatch) -> None:
    """D4 with the noise left on: the noise never makes a count of one person look empty, so
    without the threshold the canary's income class shows. No other rule covers this."""
    assert not _membership(store, "d4-on")
    _loosened(monkeypatch, threshold=1)
    assert _membership(store, "d4-off")


# -- D5 winsorisation ------------------------------------------------------------------------------


def _income_estimate(store, project: str) -> float:
    """Eight padded quadruples of sums (the D3 attack on magnitudes), averaged."""
    body = "generate one = 1\n" + "".join(_padded_pairs(y, "one") for y in range(2004, 2012))
    q = [r for r in attack(store, body, project) if r.command == "tabulate"]
    assert not any(refused(r) for r in q)
    sums = [number(r.data["rows"][0][1]) for r in q]
    ests = [(sums[i] - sums[i + 1]) - (sums[i + 2] - sums[i + 3]) for i in range(0, len(sums), 4)]
    return sum(ests) / len(ests)


def test_d5_winsorisation_stops_averaged_differencing_of_sums(store, monkeypatch) -> None:
    """D5 bounds: the canary's income (the largest in the datastore) enters a sum only up to the
    datastore-wide P99, so averaging padded differences converges to that bound, not to the
    income. Overlapping rules: the keyed noise (D5) alone does not stop it, since each padded
    quadruple has fresh noise; D10 stops the unpadded pair."""
    assert misses(_income_estimate(store, "d5w-on"), CANARY_INCOME)
    _loosened(monkeypatch, winsor_lower=0.0, winsor_upper=100.0)
    assert not misses(_income_estimate(store, "d5w-off"), CANARY_INCOME)


# -- D5 dominance ----------------------------------------------------------------------------------


def _dominated_estimate(store, project: str) -> float | None:
    """x is bmi for first-graders and the canary's school, 0 for everyone else (so its P99 is a
    normal bmi); the sum of x over {canary} ∪ a group of zeros is the canary's bmi. Averaged
    over 28 such groups (fresh noise each)."""
    groups = [f'skole == "S{s}" & trinn == {t}' for s in (1, 2, 3, 4) for t in range(2, 9)]
    body = 'generate one = 1\ngenerate x = 0\nreplace x = bmi if skole == "S9" | trinn == 1\n' + "".join(
        f"tabulate one if ({CANARY_T}) | ({g}), summarize(x) sum\n" for g in groups)
    q = [r for r in attack(store, body, project) if r.command == "tabulate"]
    sums = [None if refused(r) else number(r.data["rows"][0][1]) for r in q]
    known = [s for s in sums if s is not None]
    return sum(known) / len(known) if known else None


def test_d5_dominance_stops_a_sum_held_by_one_person(store, monkeypatch) -> None:
    """(n, k) dominance: one person holds the whole sum, so the cell is withheld. Without it the
    noise (sd 10 % of that person's value) is averaged away over groups of different zeros.
    Overlapping rule: winsorisation caps x at its P99, which lies above the canary's bmi here."""
    canary = float(truth().loc[1233, "bmi"])
    assert misses(_dominated_estimate(store, "d5d-on"), canary)
    _loosened(monkeypatch, dominance_k=100.0)
    assert not misses(_dominated_estimate(store, "d5d-off"), canary)


# -- D6 --------------------------------------------------------------------------------------------


def _p99_is_the_max(store, project: str) -> bool:
    """A13: P99 of a group of 34 persons is their maximum, the canary's income."""
    group = 'skole == "S9" | (skole == "S1" & trinn == 1 & kjonn == "1" & faar <= 2007)'
    (summ,) = attack(store, f"summarize inntekt if {group}\n", project)
    if refused(summ):
        return False
    p99 = number(summ.data["rows"][0][summ.data["columns"].index("P99")])
    return not misses(p99, CANARY_INCOME, tolerance=0.0)


def test_d6_micro_aggregation_stops_p99_as_the_maximum(store, monkeypatch) -> None:
    """D6: extreme quantiles need 1000 persons and every quantile is a mean of 10 values; with
    k = 1 and no size rule P99 of a small group is exactly its largest value. D6 alone stops this
    (quantiles are not winsorised, and no other rule looks at them)."""
    assert not _p99_is_the_max(store, "d6-on")
    _loosened(monkeypatch, quantile_k=1, extreme_1_min_n=1, extreme_5_min_n=1, quantile_digits=6)
    assert _p99_is_the_max(store, "d6-off")


# -- D13 -------------------------------------------------------------------------------------------


def _all_or_nothing(store, project: str) -> bool:
    """A25: a group of 20 children (one school, grade and birth year) of whom none has angst
    shows the angst-0 cell equal to the group's total: everyone in it is 0 (100 %)."""
    t = truth()
    group = t[(t.skole == "S2") & (t.trinn == 5) & (t.faar == 2007)]
    assert len(group) == 20 and (group.angst == "0").all()
    (tab,) = attack(store, 'tabulate angst if skole == "S2" & trinn == 5 & faar == 2007\n', project)
    if refused(tab):
        return False
    zero, total = number(cell(tab, "0", "Freq.")), number(cell(tab, "Total", "Freq."))
    return zero is not None and zero == total


def test_d13_class_disclosure_stops_a_100_percent_cell(store, monkeypatch) -> None:
    """D13: in a group below G = 50 the breakdown by a sensitive variable is withheld. The
    threshold does not help (20 persons pass it), and the noise does not either: the cell and the
    total hold the same persons, so they get the same noise and show the same number."""
    assert not _all_or_nothing(store, "d13-on")
    _loosened(monkeypatch, class_disclosure=False)
    assert _all_or_nothing(store, "d13-off")


# -- D10 across versions (A26) ---------------------------------------------------------------------


def _version_difference(versions_store, projects: tuple[str, str]) -> bool:
    """A26 on counts: the canary left version 2; the angst cell that moved is theirs."""
    from mdlang.engine.runner import run_script
    from tests.redteam.canaries import PRELUDE

    body = f'tabulate angst if skole == "S1" | ({CANARY_T})\n'
    first = run_script(PRELUDE + body, "v1.mdl", datastore_dirs=[str(versions_store)], project=projects[0])[-1]
    second = run_script(PRELUDE.replace(":1 as h", ":2 as h") + body, "v2.mdl",
                        datastore_dirs=[str(versions_store)], project=projects[1])[-1]
    if refused(first) or refused(second):
        return False
    moved = [c for c in ("0", "1") if cell(first, c, "Freq.") != cell(second, c, "Freq.")]
    return moved == ["1"]


def test_d10_ledger_spanning_versions_stops_version_differencing(versions_store) -> None:
    """D2 + D10: record keys are stable across versions and one ledger serves every version, so
    the second table is refused. With a ledger per version (two projects stand in for it) the
    unchanged cell keeps its noise and the changed one reveals the canary's category."""
    assert not _version_difference(versions_store, ("a26-on", "a26-on"))
    assert _version_difference(versions_store, ("a26-v1", "a26-v2"))
