"""``mdlang check --datastore-dir``: the catalogue is a real datastore built from a delivery."""

from __future__ import annotations

import json

import pytest

from mdlang.cli import main


def _texts(value: str) -> list[dict[str, str]]:
    return [{"languageCode": "no", "value": value}]


def _variable(root, name: str, temporality: str, lines: list[str]) -> None:
    doc = {
        "temporalityType": temporality,
        "sensitivityLevel": "PERSON_GENERAL",
        "populationDescription": _texts("Alle personer"),
        "subjectFields": [_texts("BEFOLKNING")],
        "dataRevision": {"description": _texts("Første publisering.")},
        "identifierVariables": [{"unitType": "PERSON"}],
        "measureVariables": [{
            "name": _texts(name), "description": _texts(name), "dataType": "STRING",
            "valueDomain": {"codeList": [
                {"code": "1", "categoryTitle": _texts("Mann"), "validFrom": "1900-01-01"},
                {"code": "2", "categoryTitle": _texts("Kvinne"), "validFrom": "1900-01-01"},
            ]},
        }],
    }
    folder = root / name
    folder.mkdir(parents=True)
    (folder / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / f"{name}.csv").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


@pytest.fixture(scope="module")
def store_root(tmp_path_factory):
    build = pytest.importorskip("mdlang.datastore.build")
    base = tmp_path_factory.mktemp("checkstore")
    delivery = base / "input"
    _variable(delivery, "KJOENN", "FIXED", ["1;1;;;", "2;2;;;"])
    _variable(delivery, "STATUS", "STATUS",
              ["1;1;2020-01-01;2020-01-01;", "1;2;2021-01-01;2021-01-01;", "2;2;2021-01-01;2021-01-01;"])
    build.build_datastore(delivery, "test.store", 1, base / "root")
    return base / "root"


def test_register_names_and_status_dates_are_checked(store_root, tmp_path, capsys):
    script = tmp_path / "s.mdl"
    script.write_text(
        "require test.store:1 as t\n"
        "create-dataset d\n"
        "import t/KJONN as k\n"
        "import t/STATUS 2020-06-01 as s\n"
        "import t/STATUS 2021-01-01 as s2\n",
        encoding="utf-8",
    )
    rc = main(["check", str(script), "--format", "json", "--datastore-dir", str(store_root)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 3
    assert [(r["line"], r["col"], r["message"], r.get("hint")) for r in rows] == [
        (3, 8, "t has no variable KJONN", "did you mean KJOENN?"),
        (4, 17, "2020-06-01 is not a status date of STATUS", "nearest status dates: 2020-01-01, 2021-01-01"),
    ]


def test_unknown_version_is_a_warning(store_root, tmp_path, capsys):
    script = tmp_path / "s.mdl"
    script.write_text("require test.store:7 as t\ncreate-dataset d\nimport t/KJONN as k\n", encoding="utf-8")
    assert main(["check", str(script), "--datastore-dir", str(store_root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{script}:1:1: warning: datastore test.store has no version 7; available: 1 "
                          "(register variables are not checked)\n")
