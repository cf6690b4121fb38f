"""Checks that need the datastore's metadata: register names, validity periods, status dates."""

from __future__ import annotations

from check_helpers import catalogue, run

E, W = "error", "warning"
HEAD = "require no.ssb.fdb:23 as db\ncreate-dataset d\n"


def test_unknown_register_variable_with_did_you_mean():
    assert run(HEAD + "import db/BEFOLKNING_KJONN as k\n", catalogue=catalogue) == [
        (3, 8, E, "db has no variable BEFOLKNING_KJONN",
         "did you mean BEFOLKNING_KJOENN or BEFOLKNING_STATUSKODE?")
    ]
    assert run(HEAD + "import db/BEFOLKNING_KJOENN as k\n", catalogue=catalogue) == []


def test_without_a_catalogue_register_names_are_not_checked():
    assert run(HEAD + "import db/BEFOLKNING_KJONN as k\n") == []


def test_status_import_needs_a_published_status_date():
    assert run(HEAD + "import db/BEFOLKNING_STATUSKODE 2020-06-01 as s\n", catalogue=catalogue) == [
        (3, 33, E, "2020-06-01 is not a status date of BEFOLKNING_STATUSKODE",
         "nearest status dates: 2020-01-01, 2021-01-01")
    ]
    assert run(HEAD + "import db/BEFOLKNING_STATUSKODE 2020-01-01 as s\n", catalogue=catalogue) == []


def test_date_outside_the_validity_period():
    assert run(HEAD + "import db/INNTEKT_WLONN 2030-01-01 as l\n", catalogue=catalogue) == [
        (3, 25, W, "INNTEKT_WLONN has data from 1993-01-01 to 2023-12-31; 2030-01-01 is outside that period",
         "choose a date inside the period, or every value will be missing")
    ]
    assert run(HEAD + "import db/INNTEKT_WLONN 2023-12-31 as l\n", catalogue=catalogue) == []


def test_dates_built_from_bindings_are_checked():
    text = HEAD + "for år in 2022 : 2024\n  import db/INNTEKT_WLONN date_fmt($år, 12, 31) as l ++ $år\nend\n"
    assert run(text, catalogue=catalogue) == [
        (4, 27, W, "INNTEKT_WLONN has data from 1993-01-01 to 2023-12-31; 2024-12-31 is outside that period",
         "choose a date inside the period, or every value will be missing")
    ]


def test_dated_variables_need_a_date_and_import_event_an_event_variable():
    assert run(HEAD + "import db/INNTEKT_WLONN as l\n", catalogue=catalogue) == [
        (3, 8, E, "INNTEKT_WLONN is an accumulated variable; import needs a date",
         "write: import db/INNTEKT_WLONN YYYY-MM-DD as NAME")
    ]
    assert run(HEAD + "import-event db/INNTEKT_WLONN 2010-01-01 to 2012-01-01\n", catalogue=catalogue) == [
        (3, 14, E, "INNTEKT_WLONN is an accumulated variable; import-event needs an event variable",
         "use import with a date instead")
    ]


def test_malformed_and_reversed_dates():
    assert run(HEAD + "import db/INNTEKT_WLONN 2020-13-01 as l\n") == [
        (3, 25, E, "2020-13-01 is not a date", "write dates as YYYY-MM-DD, e.g. 2020-12-31")
    ]
    assert run(HEAD + "import-event db/SIVSTANDFDT_SIVSTAND 2012-01-01 to 2010-01-01 as s\n") == [
        (3, 52, E, "the period of import-event ends before it starts",
         "write the earlier date first: DATE1 to DATE2")
    ]


def test_unaliased_import_needs_a_connected_datastore():
    assert run("create-dataset d\nimport BEFOLKNING_KJOENN as k\n") == [
        (2, 8, E, "no datastore is connected, so BEFOLKNING_KJOENN cannot be imported",
         "connect one first, e.g. require no.ssb.fdb:38 as db")
    ]
    assert run("require no.ssb.fdb:1 as db\ncreate-dataset d\nimport BEFOLKNING_KJOENN as k\n") == []


def test_unknown_alias_and_unknown_datastore():
    assert run("create-dataset d\nimport ds/BEFOLKNING_KJOENN as k\n") == [
        (2, 8, E, "unknown datastore alias ds",
         "connect a datastore first: require no.ssb.fdb:VERSION as ds")
    ]
    assert run("require no.ssb.xyz:1 as x\n", catalogue=catalogue) == [
        (1, 1, W, "no datastore named no.ssb.xyz; available: no.ssb.fdb (register variables are not checked)",
         "add a folder with --datastore-dir")
    ]


def test_list_labels_and_variables_check_register_names():
    text = HEAD + "list-labels db/BEFOLKNING_KJONN\nvariables db/INNTEKT_WLON\n"
    assert run(text, catalogue=catalogue) == [
        (3, 13, E, "db has no variable BEFOLKNING_KJONN",
         "did you mean BEFOLKNING_KJOENN or BEFOLKNING_STATUSKODE?"),
        (4, 11, E, "db has no variable INNTEKT_WLON", "did you mean INNTEKT_WLONN?"),
    ]


def test_one_unit_type_per_dataset():
    text = HEAD + (
        "import db/BEFOLKNING_KJOENN as kjønn\n"
        "import db/ARBEIDSFORHOLD_STILLINGSPST as stilling\n"      # 4: jobs into a person dataset
        "create-dataset jobber\n"
        "import db/ARBEIDSFORHOLD_STILLINGSPST as stilling\n"
        "import db/ARBEIDSFORHOLD_PERSON as person\n"
        "collapse (sum) stilling, by(PERSONID_1)\n"                # now a person-level dataset
        "import db/BEFOLKNING_KJOENN as kjønn\n"
        "import db/ARBEIDSFORHOLD_STILLINGSPST as s2\n"            # 10
    )
    hint = "import it into a dataset of its own unit type, then collapse … by() and merge"
    assert run(text, catalogue=catalogue) == [
        (4, 8, E, "ARBEIDSFORHOLD_STILLINGSPST describes JOBB units, but the active dataset holds PERSON units",
         hint),
        (10, 8, E, "ARBEIDSFORHOLD_STILLINGSPST describes JOBB units, but the active dataset holds PERSON units",
         hint),
    ]
    panel = HEAD + "import-panel db/INNTEKT_WLONN db/ARBEIDSFORHOLD_STILLINGSPST 2020-01-01\n"
    assert run(panel, catalogue=catalogue) == [
        (3, 1, E, "import-panel needs variables of one unit type",
         "import variables of different unit types into different datasets")
    ]
