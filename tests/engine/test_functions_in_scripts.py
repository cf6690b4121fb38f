"""Functions called from scripts on the small engine test datastore (see engine_store.py),
checked against independent computations from the generating rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from engine_store import IDS, faar, lonn, run

from mdlang.engine.session import Session
from mdlang.errors import MdlRuntimeError


@pytest.fixture
def s(store_root):
    session = Session(datastore_dirs=[str(store_root)])
    run(
        session,
        "require no.test.reg:1 as db\ncreate-dataset p\nimport db/KJOENN as kjønn\n"
        "import db/FAAR as faar\nimport db/WLONN 2021-01-01 as lonn\nimport db/KOMMUNE as kom\n"
        "import db/SIVSTAND 2021-12-31 as siv\n",
    )
    return session


def column(session, name):
    return session.datasets["p"].frame[name]


def test_date_parts_of_generated_dates(s):
    run(s, "generate d = date(faar, 6, 15)\ngenerate u = week(d)\ngenerate w = dow(d)")
    ts = pd.to_datetime(pd.DataFrame({"year": faar(IDS), "month": 6, "day": 15}))
    epoch = (ts - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    np.testing.assert_array_equal(column(s, "d").to_numpy(), epoch)
    np.testing.assert_array_equal(column(s, "u").to_numpy(), ts.dt.isocalendar().week.to_numpy(dtype=float))
    np.testing.assert_array_equal(column(s, "w").to_numpy(), ts.dt.day_of_week.to_numpy() + 1)


def test_quantile_of_a_variable_with_missing(s):
    run(s, "generate desil = quantile(lonn, 10)")
    wage = np.where(IDS % 10 == 0, np.nan, lonn(IDS, 2021).astype(float))
    valid = wage[~np.isnan(wage)]
    expected = np.array([np.nan if np.isnan(w) else (np.sum(valid < w) * 10) // len(valid) for w in wage])
    np.testing.assert_array_equal(column(s, "desil").to_numpy(), expected)


def test_label_functions_see_the_register_code_list(s):
    run(s, 'generate mann = kjønn == label_to_code(kjønn, "Mann")\ngenerate gift = inlabels(siv, "Gift")')
    np.testing.assert_array_equal(column(s, "mann").to_numpy(), (IDS % 2 == 1).astype(float))
    np.testing.assert_array_equal(column(s, "gift").to_numpy(), (IDS % 3 == 0).astype(float))


def test_text_functions_on_text_variables(s):
    run(s, "generate fylke = substr(kom, 1, 2)\ngenerate nøkkel = rowconcat(kjønn, '-', fylke)")
    fylke = np.where(IDS % 4 == 0, "46", "03")
    assert column(s, "fylke").tolist() == fylke.tolist()
    expected = [f"{'1' if i % 2 else '2'}-{f}" for i, f in zip(IDS, fylke, strict=True)]
    assert column(s, "nøkkel").tolist() == expected


def test_type_error_is_located_in_the_script(s):
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "generate x = substr(faar, 1, 2)")
    err = info.value
    assert err.message == "substr() needs text as argument 1, not a number"
    assert err.hint == "string() turns a number into text; write text in quotes"
    assert err.span is not None and err.span.line == 1
