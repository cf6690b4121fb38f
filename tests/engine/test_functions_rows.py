"""Row functions across variables, checked against row-wise computations with pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.functions import call
from mdlang.errors import MdlRuntimeError

A = pd.Series([1.0, np.nan, 5.0, np.nan, 2.0], index=list("vwxyz"))
B = pd.Series([3.0, 4.0, np.nan, np.nan, 2.0], index=list("vwxyz"))
C = pd.Series([2.0, 6.0, 1.0, np.nan, 8.0], index=list("vwxyz"))
FRAME = pd.DataFrame({"a": A, "b": B, "c": C})


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        ("rowmax", FRAME.max(axis=1)),
        ("rowmin", FRAME.min(axis=1)),
        ("rowmean", FRAME.mean(axis=1)),
        ("rowmedian", FRAME.median(axis=1)),
        ("rowstd", FRAME.std(axis=1, ddof=1)),
        ("rowtotal", FRAME.sum(axis=1, min_count=1)),
    ],
)
def test_row_statistics_match_pandas(fn, expected):
    out = call(fn, A, B, C)
    assert list(out.index) == list("vwxyz")
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy(), equal_nan=True)


def test_all_missing_row_gives_missing_even_for_rowtotal():
    assert np.isnan(call("rowtotal", A, B, C).loc["y"])


def test_rowstd_needs_two_values():
    out = call("rowstd", A, B)
    assert np.isnan(out.loc["w"]) and out.loc["v"] == pytest.approx(np.std([1, 3], ddof=1))


def test_rowmedian_even_count():
    assert call("rowmedian", pd.Series([1.0]), pd.Series([4.0]), pd.Series([2.0]), pd.Series([10.0])).iloc[0] == 3


def test_literals_mix_with_variables():
    np.testing.assert_allclose(call("rowmax", A, 4).to_numpy(), [4, 4, 5, 4, 4])
    assert call("rowmean", 1, 2, None) == 1.5


def test_rowmissing_and_rowvalid_count_numbers_and_text():
    text = pd.Series(["x", None, "y", None, ""], index=list("vwxyz"), dtype="str")
    np.testing.assert_array_equal(call("rowmissing", A, B, text).to_numpy(), [0, 2, 1, 3, 0])
    np.testing.assert_array_equal(call("rowvalid", A, B, text).to_numpy(), [3, 1, 2, 0, 3])


def test_rowconcat_joins_text_and_literals():
    first = pd.Series(["Ola", "Kari", None], dtype="str")
    last = pd.Series(["Nordmann", None, None], dtype="str")
    out = call("rowconcat", "Hr. ", first, " ", last)
    assert out.dtype == "str"
    assert out.tolist()[:2] == ["Hr. Ola Nordmann", "Hr. Kari "]
    assert out.tolist()[2] == "Hr.  "


def test_rowconcat_missing_only_when_every_part_is_missing():
    x = pd.Series(["a", None], dtype="str")
    y = pd.Series([None, None], dtype="str")
    out = call("rowconcat", x, y)
    assert out.iloc[0] == "a" and pd.isna(out.iloc[1])


def test_rowconcat_writes_numbers_like_string():
    code = pd.Series(pd.Categorical(["03", "46"]))
    year = pd.Series([2020.0, 2021.5])
    assert call("rowconcat", code, "_", year).tolist() == ["03_2020", "46_2021.5"]


def test_row_statistic_of_text_is_a_type_error():
    with pytest.raises(MdlRuntimeError) as info:
        call("rowmax", A, pd.Series(["1"] * 5, dtype="str"))
    assert str(info.value) == "rowmax() needs a number as argument 2, not text"
