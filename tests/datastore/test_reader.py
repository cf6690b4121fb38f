"""Temporal reads of a built datastore, checked against the hand-made delivery rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from mdlang.datastore.reader import Datastore
from mdlang.errors import DatastoreError


def day(text: str) -> int:
    return (dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days


@pytest.fixture(scope="module")
def ds(built):
    return Datastore(built[1])


def values_at(ds, var, date):
    frame = ds.read_at(var, None if date is None else day(date))
    return dict(zip(frame["unit_id"].tolist(), frame["value"].astype(object).tolist(), strict=True))


def test_fixed_ignores_the_date(ds):
    assert values_at(ds, "KJOENN", None) == {1: "1", 2: "2", 3: "2"}
    assert values_at(ds, "KJOENN", "1900-01-01") == {1: "1", 2: "2", 3: "2"}


def test_coded_values_are_categorical_with_code_strings(ds):
    frame = ds.read_at("KJOENN", None)
    assert isinstance(frame["value"].dtype, pd.CategoricalDtype)
    assert list(frame["value"].cat.categories) == ["1", "2"]
    assert frame["unit_id"].dtype == "int64"


def test_double_and_long_types(ds):
    frame = ds.read_at("VEKT", None)
    assert frame["value"].dtype == "float64"
    assert frame["value"].tolist() == [3.5, 4.25]
    assert ds.read_at("INNTEKT", day("2021-06-01"))["value"].dtype == "int64"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2020-01-01", {1: "1"}),
        ("2021-01-01", {1: "2", 2: "2"}),
        ("2022-01-01", {3: "1"}),
    ],
)
def test_status_on_published_dates(ds, date, expected):
    assert values_at(ds, "STATUS", date) == expected


def test_status_dates_and_validity(ds):
    assert ds.status_dates("STATUS") == [day("2020-01-01"), day("2021-01-01"), day("2022-01-01")]
    assert ds.validity("STATUS") == (day("2020-01-01"), day("2022-01-01"))
    assert ds.validity("KJOENN") == (None, None)
    assert ds.status_dates("KJOENN") == []


def test_status_date_not_published_lists_nearest(ds):
    with pytest.raises(DatastoreError) as err:
        ds.read_at("STATUS", day("2021-06-15"))
    assert err.value.message == (
        "2021-06-15 is not a status date of STATUS; nearest valid dates: 2020-01-01, 2021-01-01, 2022-01-01"
    )


def test_non_fixed_needs_a_date(ds):
    with pytest.raises(DatastoreError, match="INNTEKT is an ACCUMULATED variable and needs a date"):
        ds.read_at("INNTEKT", None)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2019-12-31", {}),
        ("2020-01-01", {1: 100}),
        ("2020-12-31", {1: 100}),
        ("2021-01-01", {1: 200, 2: 300}),
        ("2021-07-01", {1: 200, 2: 300}),
        ("2021-12-31", {1: 200, 2: 300}),
        ("2022-01-01", {}),
    ],
)
def test_accumulated_period_containing_the_date(ds, date, expected):
    assert values_at(ds, "INNTEKT", date) == expected


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("1999-12-31", {}),  # day before the first spell
        ("2000-01-01", {1: "1"}),  # start day
        ("2010-06-29", {1: "1", 2: "1"}),
        ("2010-06-30", {1: "2", 2: "1"}),  # stop day of one spell and start of the next: the later wins
        ("2015-12-31", {1: "2", 2: "1"}),  # stop day
        ("2016-01-01", {1: "4", 2: "1"}),  # day after stop: the open spell
        ("2012-01-01", {1: "2", 2: "1", 3: "2"}),
        ("2012-12-31", {1: "2", 2: "1", 3: "2"}),
        ("2013-01-01", {1: "2", 2: "1"}),  # unit 3's spell has ended
        ("2099-01-01", {1: "4", 2: "1"}),  # open spells stay valid
        ("2005-02-28", {1: "1"}),
        ("2005-03-01", {1: "1", 2: "1"}),
    ],
)
def test_event_state_on_the_date(ds, date, expected):
    assert values_at(ds, "SIVSTAND", date) == expected


def test_read_spells_overlapping_interval(ds):
    frame = ds.read_spells("SIVSTAND", day("2011-01-01"), day("2012-06-01"))
    rows = list(zip(frame["unit_id"], frame["value"].astype(str), frame["start"], frame["stop"].astype(object), strict=True))
    assert rows == [
        (1, "2", day("2010-06-30"), day("2015-12-31")),
        (2, "1", day("2005-03-01"), pd.NA),
        (3, "2", day("2012-01-01"), day("2012-12-31")),
    ]


def test_read_spells_boundaries(ds):
    frame = ds.read_spells("SIVSTAND", day("2012-12-31"), day("2016-01-01"))
    assert sorted(zip(frame["unit_id"], frame["value"].astype(str), strict=True)) == [(1, "2"), (1, "4"), (2, "1"), (3, "2")]
    frame = ds.read_spells("SIVSTAND", day("1990-01-01"), day("1999-12-31"))
    assert len(frame) == 0


def test_read_panel_rows_per_unit_and_date(ds):
    d1, d2 = day("2020-06-01"), day("2021-06-01")
    frame = ds.read_panel("INNTEKT", [d1, d2])
    assert list(frame.columns) == ["unit_id", "date", "value"]
    assert list(zip(frame["unit_id"], frame["date"], frame["value"], strict=True)) == [(1, d1, 100), (1, d2, 200), (2, d2, 300)]


def test_read_panel_event_and_status_dates_checked(ds):
    frame = ds.read_panel("SIVSTAND", [day("2001-01-01"), day("2016-01-01")])
    assert list(zip(frame["unit_id"], frame["value"].astype(str), strict=True)) == [(1, "1"), (1, "4"), (2, "1")]
    frame = ds.read_panel("SIVSTAND", [day("2016-01-01"), day("2001-01-01")])
    assert list(zip(frame["unit_id"], frame["date"], frame["value"].astype(str), strict=True)) == [
        (1, day("2016-01-01"), "4"), (2, day("2016-01-01"), "1"), (1, day("2001-01-01"), "1"),
    ]
    with pytest.raises(DatastoreError, match="not a status date"):
        ds.read_panel("STATUS", [day("2020-01-01"), day("2020-06-01")])


def test_code_list_at_a_date(ds):
    assert ds.code_list("BOSTED", day("2019-12-31")) == {"1201": "Bergen"}
    assert ds.code_list("BOSTED", day("2020-01-01")) == {"4601": "Bergen"}
    assert ds.code_list("BOSTED") == {"1201": "Bergen", "4601": "Bergen"}
    assert ds.code_list("SIVSTAND", day("2000-01-01")) == {"1": "Ugift", "2": "Gift", "4": "Skilt"}
    assert ds.code_list("INNTEKT") == {}


def test_unknown_variable_suggests_close_names(ds):
    with pytest.raises(DatastoreError) as err:
        ds.metadata("SIVSTANDD")
    assert err.value.message == "test.store:1 has no variable SIVSTANDD"
    assert err.value.hint == "did you mean SIVSTAND?"
    assert ds.has("SIVSTAND") and not ds.has("SIVSTANDD")


def test_metadata_from_manifest(ds):
    meta = ds.metadata("INNTEKT")
    assert meta.unit_type == "PERSON"
    assert meta.unit_of_measure == "NOK"
    assert meta.title == {"no": "Tittel"}
    assert [v.name for v in ds.variables()] == ["BOSTED", "INNTEKT", "KJOENN", "SIVSTAND", "STATUS", "VEKT"]
    assert ds.name == "test.store" and ds.version == ds.stored_version == 1
    assert ds.policy_path.is_file() and ds.note is None


def test_types_with_missing_values_and_dates(tmp_path, mk):
    from mdlang.datastore.build import build_datastore
    from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
    from mdlang.datastore.store import write_version

    mk.write(tmp_path / "in", "DOED", mk.doc("FIXED", data_type="DATE"), ["1;2020-01-31;;;", "2;1969-12-31;;2001-01-01;"])
    mk.write(tmp_path / "in", "NAVN", mk.doc("FIXED", data_type="STRING"), ["1;Bergen sentrum;;;"])
    ds = Datastore(build_datastore(tmp_path / "in", "no.t", 1, tmp_path / "root"))
    frame = ds.read_at("DOED", None)
    assert frame["value"].tolist() == [day("2020-01-31"), -1] and frame["value"].dtype == "int64"
    assert ds.read_at("NAVN", None)["value"].tolist() == ["Bergen sentrum"]
    assert ds.read_at("NAVN", None)["value"].dtype == "str"

    long_ = VariableMetadata("L", "PERSON", Temporality.FIXED, DataType.LONG)
    text = VariableMetadata("S", "PERSON", Temporality.FIXED, DataType.STRING)
    frames = [
        (long_, pd.DataFrame({"unit_id": [1, 2], "value": pd.array([5, None], dtype="Int64"), "start": [None, None], "stop": [None, None]})),
        (text, pd.DataFrame({"unit_id": [1, 2], "value": ["a", None], "start": [None, None], "stop": [None, None]})),
    ]
    ds = Datastore(write_version(tmp_path / "w", "no.w", 1, frames, policy_text="", secret=b"s" * 32))
    values = ds.read_at("L", None)["value"]
    assert str(values.dtype) == "Int64" and values.tolist() == [5, pd.NA]
    values = ds.read_at("S", None)["value"]
    assert values[0] == "a" and pd.isna(values[1])


def test_damaged_versions_give_datastore_errors(tmp_path, mk):
    import shutil

    from mdlang.datastore.build import build_datastore

    mk.write(tmp_path / "in", "KJOENN", mk.doc("FIXED", codes=mk.SEX), ["1;1;;;"])
    path = build_datastore(tmp_path / "in", "no.d", 1, tmp_path / "root")
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    (copy / "variables" / "KJOENN.parquet").unlink()
    with pytest.raises(DatastoreError, match="no.d:1 is damaged: the data of KJOENN is missing"):
        Datastore(copy).read_at("KJOENN", None)
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(DatastoreError, match="manifest.json cannot be read: JSONDecodeError"):
        Datastore(copy)
    with pytest.raises(DatastoreError, match="is not a datastore version"):
        Datastore(tmp_path / "in")


def test_status_nearest_dates_at_the_edges(built):
    from mdlang.datastore.reader import nearest_dates

    assert nearest_dates((10, 20, 30, 40), 5) == [10, 20]
    assert nearest_dates((10, 20, 30, 40), 45) == [30, 40]
    assert nearest_dates((10, 20, 30, 40), 25) == [10, 20, 30, 40]
    assert nearest_dates((10, 20, 30, 40, 50, 60), 35) == [20, 30, 40, 50]
