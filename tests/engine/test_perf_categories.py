"""Text functions on a coded (categorical) column run once per category; the result equals the
same function on the decoded text, row for row (no timings here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.expr import materialise
from mdlang.engine.functions import FUNCTIONS
from mdlang.engine.functions_args import TAKES_CATEGORIES

CODES = ["0301", "4601", "46", "", " x ", "Åsane", "9999"]


def _coded(seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    codes = rng.integers(-1, len(CODES), 500)  # -1: missing
    return pd.Series(pd.Categorical.from_codes(codes, categories=CODES))


def _same(a: pd.Series, b: pd.Series) -> bool:
    return a.isna().tolist() == b.isna().tolist() and a[a.notna()].tolist() == b[b.notna()].tolist()


@pytest.mark.parametrize(
    ("name", "rest"),
    [
        ("substr", (1.0, 2.0)),
        ("substr", (-2.0, 1.0)),
        ("substr", (0.0, 3.0)),
        ("length", ()),
        ("lower", ()),
        ("upper", ()),
        ("trim", ()),
        ("startswith", ("46",)),
        ("endswith", ("1",)),
    ],
)
def test_per_category_results_equal_the_decoded_text(name: str, rest: tuple) -> None:
    spec = FUNCTIONS[name]
    assert getattr(spec.impl, TAKES_CATEGORIES, False)
    for seed in range(3):
        coded = _coded(seed)
        assert _same(spec.impl(coded, *rest), spec.impl(materialise(coded), *rest))


def test_a_numeric_coded_column_is_materialised_before_a_text_function() -> None:
    numeric = pd.Series(pd.Categorical([1.0, 2.0, np.nan], categories=[1.0, 2.0]))
    from mdlang.errors import MdlRuntimeError

    with pytest.raises(MdlRuntimeError):
        FUNCTIONS["substr"].impl(numeric, 1.0, 1.0)
    with pytest.raises(MdlRuntimeError):
        FUNCTIONS["substr"].impl(materialise(numeric), 1.0, 1.0)
