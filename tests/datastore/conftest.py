"""Fixtures: hand-made microdata-tools deliveries and a built standard datastore."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from mdlang.datastore.build import build_datastore


def texts(value: str) -> list[dict[str, str]]:
    return [{"languageCode": "no", "value": value}]


def metadata_doc(temporality: str, data_type: str = "STRING", codes=None, unit: str = "PERSON", **extra) -> dict:
    """A complete microdata-tools metadata document."""
    if codes is not None:
        domain = {
            "codeList": [
                {"code": c[0], "categoryTitle": texts(c[1]), "validFrom": c[2] if len(c) > 2 else "1900-01-01", **({"validUntil": c[3]} if len(c) > 3 else {})}
                for c in codes
            ]
        }
    else:
        domain = {"description": texts("Beløp"), "measurementType": "CURRENCY", "measurementUnitDescription": texts("NOK")}
    doc = {
        "temporalityType": temporality,
        "sensitivityLevel": "PERSON_GENERAL",
        "populationDescription": texts("Alle personer"),
        "subjectFields": [texts("BEFOLKNING")],
        "dataRevision": {"description": texts("Første publisering.")},
        "identifierVariables": [{"unitType": unit}],
        "measureVariables": [{"name": texts("Tittel"), "description": texts("Beskrivelse"), "dataType": data_type, "valueDomain": domain}],
    }
    doc.update(extra)
    return doc


def write_variable(root: Path, name: str, doc: dict | str, lines: list[str]) -> Path:
    """Write ``root/name/name.json`` and ``root/name/name.csv`` (lines joined by newlines)."""
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2, ensure_ascii=False)
    (folder / f"{name}.json").write_text(text, encoding="utf-8")
    (folder / f"{name}.csv").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


SEX = [("1", "Mann"), ("2", "Kvinne")]
SIVSTAND = [("1", "Ugift"), ("2", "Gift"), ("4", "Skilt")]
KOMMUNE = [("1201", "Bergen", "1900-01-01", "2019-12-31"), ("4601", "Bergen", "2020-01-01")]


def standard_delivery(root: Path) -> Path:
    """A small delivery with one variable of each temporality."""
    write_variable(root, "KJOENN", metadata_doc("FIXED", codes=SEX), ["1;1;;;", "2;2;;;", "3;2;;;"])
    write_variable(
        root,
        "STATUS",
        metadata_doc("STATUS", codes=SEX),
        ["1;1;2020-01-01;2020-01-01;", "1;2;2021-01-01;2021-01-01;", "2;2;2021-01-01;2021-01-01;", "3;1;2022-01-01;2022-01-01;"],
    )
    write_variable(
        root,
        "INNTEKT",
        metadata_doc("ACCUMULATED", data_type="LONG"),
        ["1;100;2020-01-01;2020-12-31;", "1;200;2021-01-01;2021-12-31;", "2;300;2021-01-01;2021-12-31;"],
    )
    write_variable(
        root,
        "SIVSTAND",
        metadata_doc("EVENT", codes=SIVSTAND),
        [
            "1;1;2000-01-01;2010-06-30;",
            "1;2;2010-06-30;2015-12-31;",
            "1;4;2016-01-01;;",
            "2;1;2005-03-01;;",
            "3;2;2012-01-01;2012-12-31;",
        ],
    )
    write_variable(root, "BOSTED", metadata_doc("EVENT", codes=KOMMUNE), ["1;1201;2010-01-01;2019-12-31;", "1;4601;2020-01-01;;"])
    write_variable(root, "VEKT", metadata_doc("FIXED", data_type="DOUBLE"), ["1;3.5;;;", "2;4.25;;;"])
    return root


@pytest.fixture
def mk():
    """The delivery helpers: mk.doc(...), mk.write(...), mk.standard(...), code lists."""
    return SimpleNamespace(
        doc=metadata_doc, write=write_variable, standard=standard_delivery, texts=texts,
        SEX=SEX, SIVSTAND=SIVSTAND, KOMMUNE=KOMMUNE,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(root, version path) of the standard delivery built as test.store:1."""
    base = tmp_path_factory.mktemp("store")
    delivery = standard_delivery(base / "input")
    path = build_datastore(delivery, "test.store", 1, base / "root")
    return base / "root", path
