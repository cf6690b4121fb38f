"""microdata-tools JSON in and out, manifest dicts, code lists at a date."""

from __future__ import annotations

import pytest

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.errors import DatastoreError

SIVILSTAND = {
    "temporalityType": "EVENT",
    "sensitivityLevel": "PERSON_GENERAL",
    "populationDescription": [{"languageCode": "no", "value": "Alle personer registrert bosatt i Norge"}],
    "spatialCoverageDescription": [{"languageCode": "no", "value": "Norge"}],
    "subjectFields": [[{"languageCode": "no", "value": "BEFOLKNING"}], [{"languageCode": "no", "value": "SAMFUNN"}]],
    "dataRevision": {"description": [{"languageCode": "no", "value": "Første publisering."}], "temporalEndOfSeries": False},
    "identifierVariables": [{"unitType": "PERSON"}],
    "measureVariables": [
        {
            "name": [{"languageCode": "no", "value": "Sivilstand"}, {"languageCode": "en", "value": "Marital status"}],
            "description": [{"languageCode": "no", "value": "Sivilstand i forhold til ekteskapslovgivningen"}],
            "dataType": "STRING",
            "valueDomain": {
                "codeList": [
                    {"code": "1", "categoryTitle": [{"languageCode": "no", "value": "Ugift"}], "validFrom": "1926-01-01"},
                    {"code": "6", "categoryTitle": [{"languageCode": "no", "value": "Registrert partner"}], "validFrom": "1993-08-01", "validUntil": "2008-12-31"},
                ],
                "sentinelAndMissingValues": [{"code": "0", "categoryTitle": [{"languageCode": "no", "value": "Ukjent"}]}],
            },
        }
    ],
}


def test_parse_microdata_tools_document():
    meta = VariableMetadata.from_microdata_json("SIVSTAND", SIVILSTAND)
    assert meta.temporality is Temporality.EVENT and meta.data_type is DataType.STRING
    assert meta.unit_type == "PERSON" and meta.sensitivity_level == "PERSON_GENERAL"
    assert meta.title == {"no": "Sivilstand", "en": "Marital status"}
    assert meta.label("en") == "Marital status"
    assert meta.subject_fields == ("BEFOLKNING", "SAMFUNN")
    assert meta.data_revision == {"no": "Første publisering."}
    assert meta.code_list == (
        Code("1", "Ugift", -16071, None),
        Code("6", "Registrert partner", 8613, 14244),
        Code("0", "Ukjent", None, None),
    )
    assert [c.code for c in meta.codes_at(15000)] == ["1", "0"]
    assert [c.code for c in meta.codes_at(9000)] == ["1", "6", "0"]
    assert meta.link_unit_type is None and meta.sensitive is False


def test_round_trip_through_microdata_json_and_manifest_dict():
    meta = VariableMetadata.from_microdata_json("SIVSTAND", SIVILSTAND)
    again = VariableMetadata.from_microdata_json("SIVSTAND", meta.to_microdata_json())
    assert again == meta
    assert VariableMetadata.from_dict(meta.to_dict()) == meta


def test_link_variable_as_measure_with_unit_type():
    doc = {k: v for k, v in SIVILSTAND.items() if k != "measureVariables"}
    doc["temporalityType"] = "FIXED"
    doc["measureVariables"] = [{"unitType": "PERSON", "name": [{"languageCode": "no", "value": "Mor"}], "description": [{"languageCode": "no", "value": "Personens mor"}]}]
    meta = VariableMetadata.from_microdata_json("BEFOLKNING_MOR_FNR", doc)
    assert (meta.data_type, meta.link_unit_type, meta.code_list) == (DataType.LONG, "PERSON", None)
    assert meta.to_microdata_json()["measureVariables"][0]["unitType"] == "PERSON"
    assert VariableMetadata.from_microdata_json("BEFOLKNING_MOR_FNR", meta.to_microdata_json()) == meta


def test_mdlang_extension_for_link_and_sensitive():
    doc = dict(SIVILSTAND, mdlang={"sensitive": True, "linkUnitType": "FAMILIE"})
    meta = VariableMetadata.from_microdata_json("X", doc)
    assert meta.sensitive is True and meta.link_unit_type == "FAMILIE"
    assert meta.to_microdata_json()["mdlang"] == {"linkUnitType": "FAMILIE", "sensitive": True}


def test_extension_values_are_checked():
    with pytest.raises(DatastoreError) as err:
        VariableMetadata.from_microdata_json("X", dict(SIVILSTAND, mdlang={"sensitive": "yes"}), file="X.json")
    assert err.value.message == "metadata of X: 1 problem\n  X.json: field 'mdlang.sensitive': expected true or false"


def test_bad_code_list_dates_are_reported():
    doc = {**SIVILSTAND, "measureVariables": [dict(SIVILSTAND["measureVariables"][0], valueDomain={"codeList": [{"code": "1", "categoryTitle": [{"languageCode": "no", "value": "A"}], "validFrom": "01.01.1990"}]})]}
    with pytest.raises(DatastoreError) as err:
        VariableMetadata.from_microdata_json("X", doc, file="X.json")
    assert "X.json: field 'measureVariables[0].valueDomain.codeList[0].validFrom': malformed date, expected YYYY-MM-DD" in err.value.message


def test_described_value_domain_unit():
    doc = {**SIVILSTAND, "measureVariables": [{"name": [{"languageCode": "no", "value": "Inntekt"}], "description": [{"languageCode": "no", "value": "Lønn"}], "dataType": "LONG", "valueDomain": {"description": [{"languageCode": "no", "value": "Årlig"}], "measurementType": "CURRENCY", "measurementUnitDescription": [{"languageCode": "no", "value": "Norske Kroner"}]}}]}
    meta = VariableMetadata.from_microdata_json("INNTEKT", doc)
    assert (meta.data_type, meta.unit_of_measure, meta.code_list, meta.is_numeric) == (DataType.LONG, "Norske Kroner", None, True)
