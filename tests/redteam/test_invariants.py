"""Hypothesis invariants of the gate with its ledger: no released count below T, repeats and
row orders give identical outputs, and refusal texts come from a fixed set without data."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.ledger import Ledger
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.refusals import (
    budget_rule,
    floor_rule,
    overlap_rule,
    table_size_rule,
    threshold_rule,
)
from mdlang.engine.context import Contributors

SECRET = b"invariants-secret-0123456789abcd"
IDS = np.arange(1, 3001, dtype=np.int64)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _gate(tmp_path, **policy) -> Gate:
    return Gate(Policy(**policy), SECRET, ledger=Ledger(tmp_path / f"l{np.random.default_rng().integers(1 << 62)}.sqlite"))


cells_st = st.lists(st.integers(-1, 7), min_size=50, max_size=400)


@FAST
@given(cells=cells_st)
def test_no_released_count_is_below_the_threshold(tmp_path, cells) -> None:
    gate = Gate(Policy(), SECRET)
    c = np.asarray(cells, dtype=np.int64)
    released = gate.protect_counts(c, 8, Contributors(person_id=IDS[: len(c)]))
    assert all(v == "<10" or (isinstance(v, int) and v >= 10) for v in released)


@FAST
@given(cells=cells_st, seed=st.integers(0, 1000))
def test_row_order_and_repeats_give_identical_counts(tmp_path, cells, seed) -> None:
    gate = Gate(Policy(), SECRET)
    c = np.asarray(cells, dtype=np.int64)
    ids = IDS[: len(c)]
    order = np.random.default_rng(seed).permutation(len(c))
    first = gate.protect_counts(c, 8, Contributors(person_id=ids))
    again = gate.protect_counts(c, 8, Contributors(person_id=ids))
    shuffled = gate.protect_counts(c[order], 8, Contributors(person_id=ids[order]))
    assert first == again == shuffled


def _fixed_texts(policy: Policy) -> set[str]:
    rules = [overlap_rule(policy), budget_rule(policy), floor_rule(policy), table_size_rule(policy), threshold_rule(policy)]
    return {f"{r.id}: {r.text}" for r in rules}


@FAST
@given(drops=st.lists(st.integers(0, 25), min_size=2, max_size=8), budget=st.integers(3, 30))
def test_refusals_are_fixed_texts_without_data(tmp_path, drops, budget) -> None:
    policy = Policy(budget_cells=budget)
    gate = _gate(tmp_path, budget_cells=budget)
    allowed = _fixed_texts(policy)
    for k in drops:
        gate.begin_command("summarize", ["x"])
        gate.protect_counts(np.where(IDS > 2000 + k, 0, -1), 1, Contributors(person_id=IDS))
        out = gate.release("summarize", 1, "table", {}, cells=2)
        if out.kind == "refusal":
            assert out.data["rule"] in allowed
            # an overlap refusal names the earlier outputs on the same variables: metadata only
            text, _, earlier = out.data["text"].partition(" Earlier output")
            assert not earlier or re.fullmatch(
                r"s? of this project on the same variables: output \d+ \(summarize at line \d+\)"
                r"(, output \d+ \(summarize at line \d+\))*( and \d+ older ones?)?\. (It|One of them) covers almost the same persons.*",
                earlier)
            numbers = set(re.findall(r"\d+", text))
            assert numbers <= {"4", "10", "12", str(policy.threshold), str(budget), str(policy.dataset_floor)}
