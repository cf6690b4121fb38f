"""inlist, inrange, sysmiss and the label functions, with missing values and code lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.engine.functions import call
from mdlang.errors import MdlRuntimeError

KJOENN = {"1": "Mann", "2": "Kvinne"}
SIVSTAND = {"1": "Ugift", "2": "Gift", "3": "Enke/-mann", "4": "Skilt", "5": "Separert", "6": "Registrert partner"}


def values(series):
    return series.to_numpy().tolist()


def test_inlist_numbers_and_missing():
    x = pd.Series([1.0, 2.0, np.nan, 3.0], index=list("abcd"))
    out = call("inlist", x, 1, 3)
    assert list(out.index) == list("abcd")
    np.testing.assert_array_equal(out.to_numpy(), [1, 0, np.nan, 1])
    assert call("inlist", 2, 1, 2) == 1 and call("inlist", 5, 1, 2) == 0 and call("inlist", None, 1) is None


def test_inlist_with_a_missing_candidate_is_unknown_unless_another_matches():
    x = pd.Series([1.0, 2.0])
    np.testing.assert_array_equal(call("inlist", x, 1, None).to_numpy(), [1, np.nan])


def test_inlist_text_and_categorical():
    bosted = pd.Series(pd.Categorical(["0301", "4601", None, "0301"]))
    np.testing.assert_array_equal(call("inlist", bosted, "0301", "1103").to_numpy(), [1, 0, np.nan, 1])
    s = pd.Series(["a", "b", None], dtype="str")
    np.testing.assert_array_equal(call("inlist", s, "b").to_numpy(), [0, 1, np.nan])


def test_inlist_reversed_over_several_variables():
    reg1 = pd.Series(["1", "2", None, None], dtype="str")
    reg2 = pd.Series(["0", "1", "1", None], dtype="str")
    np.testing.assert_array_equal(call("inlist", "1", reg1, reg2).to_numpy(), [1, 1, 1, np.nan])
    num1 = pd.Series([1.0, 2.0, np.nan])
    num2 = pd.Series([0.0, 0.0, 0.0])
    np.testing.assert_array_equal(call("inlist", 1, num1, num2).to_numpy(), [1, 0, np.nan])


def test_inlist_type_mismatch_names_the_argument():
    with pytest.raises(MdlRuntimeError) as info:
        call("inlist", pd.Series(["1"], dtype="str"), "1", 2)
    assert str(info.value) == "inlist() needs text as argument 3, not a number"
    with pytest.raises(MdlRuntimeError) as info:
        call("inlist", pd.Series([1.0]), "1")
    assert str(info.value) == "inlist() needs a number as argument 2, not text"


def test_inrange_inclusive_with_open_bounds():
    x = pd.Series([15.0, 16.0, 40.0, 66.0, 67.0, np.nan])
    np.testing.assert_array_equal(call("inrange", x, 16, 66).to_numpy(), [0, 1, 1, 1, 0, np.nan])
    np.testing.assert_array_equal(call("inrange", x, None, 40).to_numpy(), [1, 1, 1, 0, 0, np.nan])
    np.testing.assert_array_equal(call("inrange", x, 40, None).to_numpy(), [0, 0, 1, 1, 1, np.nan])
    assert call("inrange", 5, 1, 10) == 1 and call("inrange", None, 1, 10) is None


def test_inrange_text():
    s = pd.Series(["0301", "1103", "5001", None], dtype="str")
    np.testing.assert_array_equal(call("inrange", s, "0300", "1200").to_numpy(), [1, 1, 0, np.nan])
    assert call("inrange", "b", "a", "c") == 1


def test_sysmiss_is_never_missing():
    np.testing.assert_array_equal(call("sysmiss", pd.Series([1.0, np.nan])).to_numpy(), [0, 1])
    np.testing.assert_array_equal(call("sysmiss", pd.Series(["x", None], dtype="str")).to_numpy(), [0, 1])
    np.testing.assert_array_equal(call("sysmiss", pd.Series(pd.Categorical(["1", None]))).to_numpy(), [0, 1])
    assert call("sysmiss", None) == 1 and call("sysmiss", 0) == 0 and call("sysmiss", "") == 0


def test_label_to_code():
    kjoenn = pd.Series(pd.Categorical(["1", "2", "2"]))
    assert call("label_to_code", kjoenn, "Mann", labels=KJOENN) == "1"
    assert call("label_to_code", kjoenn, "Kvinne", labels=KJOENN) == "2"
    assert call("label_to_code", pd.Series([1.0]), "Høy", labels={1: "Lav", 2: "Høy"}) == 2
    # A numeric variable with a register code list (codes written as text) gets a number back.
    code = call("label_to_code", pd.Series([1.0, 3.0]), "Høyere", labels={"1": "Grunnskole", "3": "Høyere"})
    assert code == 3 and isinstance(code, int)
    # A text variable with numeric keys gets text back.
    assert call("label_to_code", pd.Series(["1"], dtype="str"), "Mann", labels={1: "Mann"}) == "1"


def test_label_to_code_unknown_label():
    with pytest.raises(MdlRuntimeError) as info:
        call("label_to_code", pd.Series(["1"], dtype="str"), "mann", labels=KJOENN)
    assert str(info.value) == "label_to_code(): the label 'mann' is not in the code list of this variable"
    assert info.value.hint == "list-labels shows the code list; labels must match exactly, capitals included"


def test_label_functions_need_labels():
    with pytest.raises(MdlRuntimeError) as info:
        call("inlabels", pd.Series([1.0]), "Mann", labels=None)
    assert str(info.value) == "inlabels() needs a variable with labels as argument 1, and this one has none"


def test_inlabels():
    sivstand = pd.Series(pd.Categorical(["1", "2", "6", None, "4"]))
    out = call("inlabels", sivstand, "Gift", "Registrert partner", labels=SIVSTAND)
    np.testing.assert_array_equal(out.to_numpy(), [0, 1, 1, np.nan, 0])
    with pytest.raises(MdlRuntimeError) as info:
        call("inlabels", sivstand, "Gift", "Samboer", labels=SIVSTAND)
    assert str(info.value) == "inlabels(): the label 'Samboer' is not in the code list of this variable"


def test_inlabels_numeric_codes_and_string_keys():
    x = pd.Series([1.0, 2.0, 3.0])
    out = call("inlabels", x, "B", labels={"1": "A", "2": "B", "3": "C"})
    np.testing.assert_array_equal(out.to_numpy(), [0, 1, 0])


def test_labelcontains():
    sivstand = pd.Series(pd.Categorical(["1", "2", "6", None, "3"]))
    out = call("labelcontains", sivstand, "ift", labels=SIVSTAND)
    np.testing.assert_array_equal(out.to_numpy(), [1, 1, 0, np.nan, 0])
    out = call("labelcontains", sivstand, "ingenting", labels=SIVSTAND)
    np.testing.assert_array_equal(out.to_numpy(), [0, 0, 0, np.nan, 0])
