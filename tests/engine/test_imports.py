"""Imports through the engine: the four temporalities, left join, outer_join, names, errors."""

from __future__ import annotations

import numpy as np
import pytest
from engine_store import IDS, faar, kjonn, lonn, span

from mdlang.errors import DatastoreError, MdlError, MdlRuntimeError
from mdlang.syntax import ast as A


def imp(var, date=None, as_name=None, options=(), line=3):
    return A.Import(
        A.RegVar("db", var),
        date=A.DateLit(date) if date else None,
        as_name=A.Name(as_name) if as_name else None,
        options=tuple(A.Option(o) for o in options),
        span=span(line),
    )


def test_first_import_defines_population_with_categorical_codes(session):
    session.execute(imp("KJOENN", as_name="kjonn"))
    ds = session.datasets["p"]
    assert ds.unit_type == "PERSON" and ds.kind == "cross" and ds.id_name == "PERSONID_1"
    assert ds.ids.tolist() == IDS.tolist()
    assert str(ds.frame["kjonn"].dtype) == "category"
    assert ds.frame["kjonn"].astype(str).tolist() == kjonn(IDS).tolist()
    assert session.labels_of(ds, "kjonn") == {"1": "Mann", "2": "Kvinne"}
    assert ds.contributors.person_id.tolist() == IDS.tolist()


def test_default_name_is_the_register_name(session):
    session.execute(imp("FAAR"))
    assert session.datasets["p"].frame["FAAR"].tolist() == faar(IDS).astype(float).tolist()


def test_accumulated_any_date_in_year_and_left_join_missing(session):
    session.execute(imp("KJOENN"))
    session.execute(imp("WLONN", "2021-12-31", "lonn21"))
    session.execute(imp("WLONN", "2020-03-15", "lonn20"))
    frame = session.datasets["p"].frame
    assert len(frame) == 3000
    expected = np.where(IDS % 10 == 0, np.nan, lonn(IDS, 2021).astype(float))
    np.testing.assert_array_equal(frame["lonn21"].to_numpy(), expected)
    assert frame["lonn20"].iloc[0] == lonn(np.array([1]), 2020)[0]


def test_first_import_drops_units_without_value(session):
    session.execute(imp("WLONN", "2021-01-01"))
    ds = session.datasets["p"]
    assert len(ds) == 2700 and not (ds.ids % 10 == 0).any()


def test_outer_join_adds_units(session):
    session.execute(imp("WLONN", "2021-01-01"))
    session.execute(imp("KJOENN", options=("outer_join",)))
    ds = session.datasets["p"]
    assert ds.ids.tolist() == IDS.tolist()
    assert ds.frame["WLONN"].isna().sum() == 300
    assert ds.frame["KJOENN"].astype(str).tolist() == kjonn(IDS).tolist()
    assert ds.contributors.person_id.tolist() == IDS.tolist()


def test_status_on_published_date_and_error_otherwise(session):
    session.execute(imp("REGSTAT", "2022-01-01"))
    ds = session.datasets["p"]
    assert ds.ids.tolist() == list(range(501, 3001))
    with pytest.raises(DatastoreError) as info:
        session.execute(imp("REGSTAT", "2021-05-01", "r2", line=4))
    assert info.value.span.line == 4


def test_event_import_gives_state_on_date(session):
    session.execute(imp("SIVSTAND", "2022-01-01", "siv"))
    values = session.datasets["p"].frame["siv"].astype(str).to_numpy()
    assert (values == np.where(IDS % 3 == 0, "2", "1")).all()


def test_import_event_gives_spells(session):
    session.execute(
        A.ImportEvent(A.RegVar("db", "SIVSTAND"), A.DateLit("2021-01-01"), A.DateLit("2021-12-31"), A.Name("siv"), span=span(3))
    )
    ds = session.datasets["p"]
    assert ds.kind == "event"
    assert list(ds.frame.columns) == ["siv", "START@siv", "STOP@siv"]
    assert len(ds) == 3000 + 1000
    assert ds.ids.tolist() == sorted(ds.ids.tolist())
    assert ds.contributors.person_id.tolist() == ds.ids.tolist()


def test_import_event_needs_an_empty_dataset(session):
    session.execute(imp("KJOENN"))
    with pytest.raises(MdlRuntimeError, match="import-event needs an empty dataset"):
        session.execute(A.ImportEvent(A.RegVar("db", "SIVSTAND"), A.DateLit("2021-01-01"), A.DateLit("2021-12-31"), span=span(4)))


def test_import_panel(session):
    session.execute(
        A.ImportPanel(
            (A.RegVar("db", "WLONN"), A.RegVar("db", "KJOENN")),
            (A.DateLit("2020-06-01"), A.DateLit("2021-06-01")),
            span=span(3),
        )
    )
    ds = session.datasets["p"]
    assert ds.kind == "panel"
    assert list(ds.frame.columns) == ["WLONN", "KJOENN", "date@panel"]
    assert len(ds) == 2 * 2700
    first = ds.frame.iloc[:2]
    assert first["WLONN"].tolist() == [1000 + 2020, 1000 + 2021]
    assert ds.ids[:2].tolist() == [1, 1]


def test_name_clash_is_an_error(session):
    session.execute(imp("KJOENN", as_name="k"))
    with pytest.raises(MdlRuntimeError) as info:
        session.execute(imp("FAAR", as_name="k", line=5))
    assert info.value.message == "the variable k already exists in dataset p"
    assert info.value.span.line == 5


def test_other_unit_type_is_an_error(session):
    session.execute(imp("KJOENN"))
    with pytest.raises(MdlRuntimeError, match="JOBB_TIMER describes JOBB units, but the active dataset holds PERSON units"):
        session.execute(imp("JOBB_TIMER"))


def test_dated_variable_without_date_is_an_error(session):
    with pytest.raises(MdlRuntimeError, match="WLONN is a accumulated variable and needs a date|WLONN is a"):
        session.execute(imp("WLONN"))


def test_fixed_variable_with_date_gives_note(session):
    out = session.execute(imp("KJOENN", "2021-01-01"))
    assert out[0].kind == "message"
    assert out[0].data["text"] == "KJOENN is a fixed variable; the date 2021-01-01 was ignored."


def test_unknown_variable_and_alias(session):
    with pytest.raises(MdlError):
        session.execute(imp("NOPE"))
    with pytest.raises(MdlRuntimeError, match="no datastore is connected as zz"):
        session.execute(A.Import(A.RegVar("zz", "KJOENN"), span=span(3)))


def test_link_variable_is_marked(session):
    session.execute(imp("KJOENN"))
    session.execute(imp("MOR_FNR"))
    ds = session.datasets["p"]
    assert "MOR_FNR" in ds.links and ds.is_restricted("MOR_FNR")


def test_clone_units_then_import_panel_keeps_the_population(session):
    from engine_store import run

    run(session, "import db/FAAR as faar\nkeep if faar < 1980\nclone-units p q\nuse q\n"
                 "import-panel db/WLONN 2020-06-01 2021-06-01")
    ds = session.datasets["q"]
    expected = IDS[(faar(IDS) < 1980) & (IDS % 10 != 0)]
    assert ds.kind == "panel" and np.unique(ds.ids).tolist() == expected.tolist()
    assert len(ds) == 2 * len(expected)


def test_clone_units_then_import_event(session):
    from engine_store import run

    run(session, "import db/FAAR as faar\nkeep if faar < 1980\nclone-units p q\nuse q\n"
                 "import-event db/SIVSTAND 2021-01-01 to 2021-12-31 as siv")
    ds = session.datasets["q"]
    assert np.unique(ds.ids).tolist() == IDS[faar(IDS) < 1980].tolist()


def test_non_person_units_count_the_linked_persons(store_root):
    from engine_store import run

    from mdlang.engine.session import Session

    s = Session(datastore_dirs=[str(store_root)])
    run(s, "require no.test.reg:1 as db\ncreate-dataset jobber\nimport db/JOBB_TIMER as timer")
    ds = s.datasets["jobber"]
    assert ds.unit_type == "JOBB" and ds.id_name == "JOBBID_1"
    assert ds.ids.tolist() == list(range(1, 11))
    assert ds.contributors.person_id.tolist() == [101, 101, 102, 102, 103, 103, 104, 104, 105, 105]
    assert "JOBB_PERSON" not in ds.frame


def test_panel_join_handles_large_pseudonymised_ids():
    import pandas as pd

    from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
    from mdlang.engine.dataset import Dataset
    from mdlang.engine.imports import import_panel

    big = np.array([2**62 + 5, 2**62 + 5, 2**61, 2**61], dtype=np.int64)
    dates = np.array([100, 200, 100, 200])
    meta_a = VariableMetadata("A", "PERSON", Temporality.ACCUMULATED, DataType.LONG)
    meta_b = VariableMetadata("B", "PERSON", Temporality.ACCUMULATED, DataType.LONG)
    a = pd.DataFrame({"unit_id": big, "date": dates, "value": [1, 2, 3, 4]})
    b = pd.DataFrame({"unit_id": big[::-1], "date": dates[::-1], "value": [40, 30, 20, 10]})
    ds = Dataset("p")
    import_panel(ds, [("A", meta_a, a), ("B", meta_b, b)], None)
    assert ds.ids.tolist() == [2**61, 2**61, 2**62 + 5, 2**62 + 5]
    assert ds.frame["A"].tolist() == [3.0, 4.0, 1.0, 2.0]
    assert ds.frame["B"].tolist() == [30.0, 40.0, 10.0, 20.0]
    assert ds.frame["date@panel"].tolist() == [100.0, 200.0, 100.0, 200.0]


def test_dated_person_link_is_read_at_its_latest_status_date():
    import pandas as pd

    from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
    from mdlang.engine.dataset import Dataset
    from mdlang.engine.imports import attach_persons

    owner = VariableMetadata("EIER", "KJORETOY", Temporality.STATUS, DataType.LONG, link_unit_type="PERSON")

    class Store:
        asked: list = []

        def variables(self):
            return [owner]

        def status_dates(self, var):
            return [10, 20]

        def read_at(self, var, date):
            self.asked.append((var, date))
            return pd.DataFrame({"unit_id": [7, 5], "value": [700, 500]})

    ds = Dataset("biler")
    ds.set_population("KJORETOY", np.array([5, 6, 7]))
    store = Store()
    attach_persons(ds, store)
    assert store.asked == [("EIER", 20)]
    assert ds.contributors.person_id.tolist() == [500, 6, 700]
