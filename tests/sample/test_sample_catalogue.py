"""Every catalogue variable is in the sample register with exactly the catalogue's metadata."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mdlang.datastore.samplegen import kommuner
from mdlang.datastore.samplegen.catalogue import catalogue

SPEC = Path("/work/shared/spec/register-catalogue.csv")


def _spec_rows() -> list[dict[str, str]]:
    if SPEC.is_file():
        with SPEC.open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    return [
        {
            "variable": e.name,
            "unit_type": e.unit_type,
            "temporality": e.temporality.value,
            "datatype": e.data_type.value,
            "code_list_size": e.code_list_size,
        }
        for e in catalogue().values()
    ]


ROWS = _spec_rows()


def test_embedded_catalogue_matches_the_specification():
    assert len(ROWS) == 148
    assert [r["variable"] for r in ROWS] == list(catalogue())


@pytest.mark.parametrize("row", ROWS, ids=[r["variable"] for r in ROWS])
def test_variable_metadata_matches_catalogue(fdb, row):
    m = fdb.metadata(row["variable"])
    entry = catalogue()[row["variable"]]
    assert m.unit_type == row["unit_type"]
    assert m.temporality.value == row["temporality"]
    assert m.data_type.value == row["datatype"]
    assert (m.valid_from, m.valid_until) == (entry.valid_from, entry.valid_until)
    size = row["code_list_size"]
    if size == "":
        assert m.code_list is None
    elif size == "kommune":
        assert m.code_list == kommuner.code_list()
    elif size == "ext":
        assert m.code_list is not None and len(m.code_list) > 5
    else:
        assert len(m.code_list) == int(size)
    assert "Syntetiske data" in m.description["no"]


def test_store_has_exactly_the_catalogue(fdb):
    assert sorted(m.name for m in fdb.variables()) == sorted(catalogue())
    assert "syntetisk" in fdb.description.lower()


def test_stored_codes_are_in_the_code_list(fdb, raw):
    for m in fdb.variables():
        if m.code_list is None:
            continue
        values = set(raw("no.ssb.fdb", m.name)["value"].dropna().astype(str).unique())
        assert values <= {c.code for c in m.code_list}, m.name


def test_link_variables_point_at_persons(fdb, raw):
    persons = set(raw("no.ssb.fdb", "BEFOLKNING_KJOENN")["unit_id"])
    for name in (
        "BEFOLKNING_MOR_FNR",
        "BEFOLKNING_FAR_FNR",
        "BEFOLKNING_MORMOR_FNR",
        "ARBEIDSFORHOLD_PERSON",
        "NUDB_KURS_FNR",
        "KJORETOY_KJORETOYID_FNR",
        "ELHUB_PERS_MALEPUNKTID_FNR",
        "BEFOLKNING_REGSTAT_FAMNR",
    ):
        assert fdb.metadata(name).link_unit_type == "PERSON"
        assert set(raw("no.ssb.fdb", name)["value"]) <= persons, name


def test_kommune_list_has_2024_numbers_and_vestland_history():
    codes = {c.code: c for c in kommuner.code_list()}
    assert sum(1 for c in codes.values() if c.valid_until is None) == 357
    assert codes["1201"].label == "Bergen" and codes["1201"].valid_until == kommuner.REFORM_2020 - 1
    assert codes["4601"].valid_from == kommuner.REFORM_2020
    assert codes["0301"].label == "Oslo" and codes["5001"].label == "Trondheim"
    fylker = {c.code: c for c in kommuner.fylke_code_list()}
    assert (
        fylker["12"].valid_until == kommuner.REFORM_2020 - 1
        and fylker["46"].valid_from == kommuner.REFORM_2020
    )
