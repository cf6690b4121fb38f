"""recode matched on distinct values gives exactly the row-by-row result (no timings here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.recoding import _recode_rows, recode_series
from mdlang.errors import MdlRuntimeError
from mdlang.syntax.parser import parse

TEXT_RULES = [
    "('0' '1' '2' = 'G') ('3' '4' '5' = 'V') ('6' '7' '8' = 'H') ('9' = 'U')",
    "('1' = 'a' 'first label') (missing = 'none') ('2' = 'b' 'second' missing) ('3' = .)",
    "(nonmissing = 'x') ('1' = 'never')",
    "('3' = '1') ('1' = '3') (* = 'rest')",
]
NUMBER_RULES = [
    "(1/3 = 1) (4/max = 2) (missing = 9)",
    "(min/0 = .) (5 = 50 'fifty') (5 = 60)",
    "(2 = 3) (3 = 2)",
]


def _rules(text: str):
    return parse(f"recode v {text}\n").statements[0].rules


def _both(values: pd.Series, rules, selected: np.ndarray, text: bool):
    fast = recode_series(values, rules, selected, text, "v")
    slow = _recode_rows(values, rules, selected, text, "v")
    return fast, slow


@pytest.mark.parametrize("rules", TEXT_RULES)
@pytest.mark.parametrize("seed", range(3))
def test_text_recode_by_distinct_value_equals_row_by_row(rules: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.choice(["0", "1", "2", "3", "5", "9", "77", None], 400)
    values = pd.Series(raw.tolist(), dtype="str")
    selected = rng.random(400) < 0.8
    (fast, fast_labels), (slow, slow_labels) = _both(values, _rules(rules), selected, True)
    pd.testing.assert_series_equal(fast, slow)
    assert fast_labels == slow_labels


@pytest.mark.parametrize("rules", TEXT_RULES)
@pytest.mark.parametrize("seed", range(4))
def test_a_text_recode_hands_on_its_sorted_factorisation(rules: str, seed: int) -> None:
    """What ``tabulate`` takes instead of factorising the recoded column (known_codes) is
    ``pd.factorize(column, sort=True)``: codes and distinct values."""
    from mdlang.engine.context import known_codes

    rng = np.random.default_rng(seed)
    raw = rng.choice(["0", "1", "2", "3", "5", "9", "77", "é", None], 400)
    values = pd.Series(raw.tolist(), dtype="str")
    selected = rng.random(400) < (0.8 if seed % 2 else 1.0)
    out, _ = recode_series(values, _rules(rules), selected, True, "v")
    known = known_codes(out.array)
    assert known is not None
    codes, uniques = pd.factorize(out, sort=True, use_na_sentinel=True)
    assert known[0].tolist() == codes.tolist()
    assert known[1] == list(uniques)
    assert not known[0].flags.writeable
    assert known_codes(out.copy().array) is None  # another array: factorised as usual


@pytest.mark.parametrize("rules", NUMBER_RULES)
@pytest.mark.parametrize("seed", range(3))
def test_number_recode_by_distinct_value_equals_row_by_row(rules: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.choice([-1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0, np.nan], 400)
    values = pd.Series(raw, dtype="float64")
    selected = rng.random(400) < 0.7
    (fast, fast_labels), (slow, slow_labels) = _both(values, _rules(rules), selected, False)
    pd.testing.assert_series_equal(fast, slow)
    assert fast_labels == slow_labels


def test_mostly_distinct_values_and_type_errors_behave_alike() -> None:
    values = pd.Series(np.arange(50, dtype="float64"))
    selected = np.ones(50, dtype=bool)
    (fast, _), (slow, _) = _both(values, _rules("(1/10 = 0)"), selected, False)
    pd.testing.assert_series_equal(fast, slow)
    text_values = pd.Series(["1", "2"] * 40, dtype="str")
    with pytest.raises(MdlRuntimeError, match="does not match the type"):
        recode_series(text_values, _rules("(1 = '2')"), np.ones(80, dtype=bool), True, "v")
