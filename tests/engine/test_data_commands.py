"""Data commands on the small test datastore: generate, replace, keep/drop, rename,
clone-variables, recode, destring, sample, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from engine_store import IDS, faar, lonn, run

from mdlang.engine.session import Session
from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast as A


@pytest.fixture
def s(store_root):
    session = Session(datastore_dirs=[str(store_root)])
    run(session, "require no.test.reg:1 as db\ncreate-dataset p\nimport db/KJOENN as kjønn\nimport db/FAAR as faar\n")
    return session


def frame(session):
    return session.datasets["p"].frame


def test_generate_with_if_leaves_others_missing(s):
    run(s, "generate alder = 2020 - faar if kjønn == '1'")
    expected = np.where(IDS % 2 == 1, 2020.0 - faar(IDS), np.nan)
    np.testing.assert_array_equal(frame(s)["alder"].to_numpy(), expected)


def test_generate_comparison_keeps_missing(s):
    run(s, "import db/WLONN 2021-01-01 as lonn\ngenerate høy = lonn > 1500000")
    col = frame(s)["høy"].to_numpy()
    expected = np.where(IDS % 10 == 0, np.nan, (lonn(IDS, 2021) > 1500000).astype(float))
    np.testing.assert_array_equal(col, expected)


def test_generate_copy_keeps_labels(s):
    run(s, "generate k2 = kjønn")
    ds = s.datasets["p"]
    assert str(ds.frame["k2"].dtype) == "category"
    assert s.labels_of(ds, "k2") == {"1": "Mann", "2": "Kvinne"}


def test_generate_existing_name_is_an_error(s):
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "generate faar = 1")
    err = info.value
    assert err.message == "the variable faar already exists"
    assert err.hint == "use replace faar = … to change it, or drop faar first"
    assert (err.span.line, err.span.col) == (1, 10)
    assert err.format().startswith("test.mdl:1:")


def test_replace_only_where_condition_holds(s):
    run(s, "generate x = 1\nreplace x = 2 if faar < 1960")
    expected = np.where(faar(IDS) < 1960, 2.0, 1.0)
    np.testing.assert_array_equal(frame(s)["x"].to_numpy(), expected)


def test_replace_can_change_type_without_if(s):
    run(s, "replace faar = string(faar)")
    assert frame(s)["faar"].iloc[0] == "1951"


def test_replace_if_cannot_change_type(s):
    with pytest.raises(MdlRuntimeError, match="replace … if cannot change the type of faar"):
        run(s, "replace faar = 'x' if faar > 1990")


def test_keep_and_drop_variables(s):
    run(s, "generate a = 1\ngenerate b = 2\nkeep a kjønn")
    assert list(frame(s).columns) == ["kjønn", "a"]
    run(s, "drop a")
    assert list(frame(s).columns) == ["kjønn"]


def test_keep_if_and_drop_if(s):
    assert run(s, "keep if faar >= 1960") == []
    assert len(frame(s)) == int((faar(IDS) >= 1960).sum())
    assert run(s, "drop if kjønn == '2'") == []
    kept = IDS[(faar(IDS) >= 1960) & (IDS % 2 == 1)]
    assert s.datasets["p"].ids.tolist() == kept.tolist()
    assert s.datasets["p"].contributors.person_id.tolist() == kept.tolist()


def test_drop_if_missing_condition_keeps_unit(s):
    assert run(s, "import db/WLONN 2021-01-01 as lonn\ndrop if lonn > 2000000") == []
    kept = IDS[(IDS % 10 == 0) | (lonn(IDS, 2021) <= 2000000)]
    assert s.datasets["p"].ids.tolist() == kept.tolist()


def test_keep_if_below_floor_stops_the_script_and_leaves_the_dataset_unchanged(s):
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "keep if faar == 1955")
    err = info.value
    assert "D12 dataset floor" in err.message
    assert err.hint and not any(ch.isdigit() for ch in err.hint)
    assert err.span is not None and err.span.line == 1
    assert len(frame(s)) == 3000


def test_a_withheld_keep_stops_a_script_before_later_commands(store_root):
    from mdlang.engine.runner import run_script

    script = ("require no.test.reg:1 as db\ncreate-dataset d\nimport db/KJOENN as kj\n"
              "keep if kj == '9'\ntabulate kj\n")
    with pytest.raises(MdlRuntimeError, match="D12 dataset floor"):
        run_script(script, "s.mdl", datastore_dirs=[str(store_root)])


def test_keep_vars_and_if_together_is_an_error(s):
    stmt = A.Command("keep", (A.Name("faar"),), condition=A.Binary(">", A.Name("faar"), A.Number(1)))
    with pytest.raises(MdlRuntimeError, match="keep takes either variables or an if condition, not both"):
        s.execute(stmt)


def test_rename_and_clone_variables(s):
    run(s, "rename faar fødselsår\nclone-variables kjønn -> k fødselsår, prefix(ny_)")
    assert list(frame(s).columns) == ["kjønn", "fødselsår", "k", "ny_fødselsår"]
    assert s.labels_of(s.datasets["p"], "k") == {"1": "Mann", "2": "Kvinne"}
    with pytest.raises(MdlRuntimeError, match="the variable k already exists"):
        run(s, "rename fødselsår k")


def test_recode_numeric_intervals_labels_and_first_rule_wins(s):
    run(s, "generate alder = 2020 - faar\n"
           "recode alder (min/30 = 1 'Ung') (25/60 = 2 'Middels') (nonmissing = 3 'Eldre')")
    age = 2020 - faar(IDS)
    expected = np.select([age <= 30, age <= 60], [1.0, 2.0], 3.0)
    np.testing.assert_array_equal(frame(s)["alder"].to_numpy(), expected)
    assert s.labels_of(s.datasets["p"], "alder") == {1: "Ung", 2: "Middels", 3: "Eldre"}


def test_recode_text_values_with_prefix_and_if(s):
    run(s, "recode kjønn ('1' = 'M') ('2' = 'K') if faar < 1980, prefix(r_)")
    col = frame(s)["r_kjønn"].astype(object).where(frame(s)["r_kjønn"].notna(), None).tolist()
    expected = [("M" if i % 2 else "K") if f < 1980 else None for i, f in zip(IDS, faar(IDS), strict=True)]
    assert col == expected
    assert frame(s)["kjønn"].astype(str).iloc[0] == "1"


def test_recode_missing_rule_and_missing_flag(s):
    run(s, "import db/WLONN 2021-01-01 as lonn\n"
           "recode lonn (missing = 0) (min/1000000 = . ) (1000001/max = 9 'stor' missing)")
    col = frame(s)["lonn"].to_numpy()
    w = lonn(IDS, 2021).astype(float)
    expected = np.where(IDS % 10 == 0, 0.0, np.nan)
    np.testing.assert_array_equal(col, expected)
    assert w.max() > 1000001


def test_recode_type_mismatch_says_to_quote(s):
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "recode kjønn (1 = 2)")
    assert info.value.hint == "kjønn is alphanumeric: quote the value, '1'"


def test_recode_generate_names(s):
    run(s, "recode faar (min/1979 = 0) (1980/max = 1), generate(ung)")
    np.testing.assert_array_equal(frame(s)["ung"].to_numpy(), (faar(IDS) >= 1980).astype(float))


def test_destring_error_force_ignore_dpcomma(s):
    run(s, "import db/KOMMUNE as kom")
    with pytest.raises(MdlRuntimeError) as info:
        run(s, "destring kom")
    assert info.value.message == "kom has values that are not numbers"
    assert "46,01" not in info.value.format() and "0301" not in info.value.format()
    run(s, "destring kom, prefix(n_) force")
    assert frame(s)["n_kom"].iloc[:4].tolist()[:3] == [301.0, 301.0, 301.0]
    assert np.isnan(frame(s)["n_kom"].iloc[3])
    run(s, "destring kom, prefix(d_) dpcomma")
    assert frame(s)["d_kom"].iloc[3] == pytest.approx(46.01)
    run(s, "destring kom, prefix(i_) ignore(',')")
    assert frame(s)["i_kom"].iloc[3] == 4601.0


def test_sample_fraction_is_deterministic_and_seed_dependent(store_root):
    def sampled(seed):
        session = Session(datastore_dirs=[str(store_root)])
        run(session, f"require no.test.reg:1 as db\ncreate-dataset p\nimport db/KJOENN\nsample 0.5 {seed}")
        return session.datasets["p"].ids.tolist()

    a, b, c = sampled(7), sampled(7), sampled(8)
    assert a == b and a != c and len(a) == 1500
    assert a == sorted(a)


def test_sample_count_rules(s):
    with pytest.raises(MdlRuntimeError, match="above the dataset floor of 1000 units"):
        run(s, "sample 500 1")
    with pytest.raises(MdlRuntimeError, match="between 0 and 1"):
        run(s, "sample 1.5 1")
    with pytest.raises(MdlRuntimeError, match="seed of sample"):
        run(s, "sample 0.5 0")
    run(s, "sample 1200 3")
    assert len(frame(s)) == 1200
    with pytest.raises(MdlRuntimeError, match="D12 dataset floor"):
        run(s, "sample 0.5 3")
    assert len(frame(s)) == 1200


def test_replace_with_missing_keeps_type(s):
    run(s, "replace kjønn = . if faar < 1960")
    col = frame(s)["kjønn"]
    assert str(col.dtype) == "category"
    assert col.isna().sum() == int((faar(IDS) < 1960).sum())
    assert col.astype(object).iloc[15] == ("1" if 16 % 2 else "2")
