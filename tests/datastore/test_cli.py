"""`mdlang datastore build|validate|list|describe`: output and exit codes."""

from __future__ import annotations

import pytest

from mdlang.cli import main
from mdlang.datastore.discovery import ENV_VAR


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_validate_ok_and_bad(tmp_path, mk, capsys):
    good = mk.standard(tmp_path / "good")
    assert main(["datastore", "validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: 6 variable(s), no problems\n"
    mk.write(tmp_path / "bad", "A", mk.doc("STATUS", codes=mk.SEX), ["1;1;2020-01-01;2020-02-01;", "x;1;2020-01-01;2020-01-01;"])
    assert main(["datastore", "validate", str(tmp_path / "bad")]) == 1
    err = capsys.readouterr().err
    csv = tmp_path / "bad" / "A" / "A.csv"
    assert err == (
        f"{csv}:2: field 'unit_id': identifier is not a whole number\n"
        f"{csv}:1: field 'stop': a STATUS row must have start equal to stop\n"
        f"2 problem(s) in {tmp_path / 'bad'}\n"
    )


def test_validate_usage_error(tmp_path, capsys):
    assert main(["datastore", "validate", str(tmp_path / "missing")]) == 2
    assert f"{tmp_path / 'missing'} is not a folder" in capsys.readouterr().err


def test_build_exit_codes(tmp_path, mk, capsys):
    delivery = mk.standard(tmp_path / "in")
    out = tmp_path / "root"
    assert main(["datastore", "build", str(delivery), "--name", "no.test", "--version", "1", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"built no.test:1 in {out / 'no.test' / '1'}\n"
    assert main(["datastore", "build", str(delivery), "--name", "no.test", "--version", "1", "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith(f"mdlang datastore build: datastore error: no.test:1 already exists in {out}\n")
    assert main(["datastore", "build", str(delivery), "--name", "No Test", "--version", "2", "--out", str(out)]) == 2
    assert main(["datastore", "build", str(delivery), "--name", "no.test", "--version", "0", "--out", str(out)]) == 2
    assert main(["datastore", "build", str(delivery), "--name", "no.test", "--out", str(out)]) == 2
    mk.write(delivery, "FEIL", mk.doc("FIXED", codes=mk.SEX), ["1;1;;"])
    assert main(["datastore", "build", str(delivery), "--name", "no.test", "--version", "2", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{delivery}/FEIL/FEIL.csv:1: field '(line)': expected 5 fields" in err
    assert not (out / "no.test" / "2").exists()


def test_list_and_describe(tmp_path, mk, capsys):
    out = tmp_path / "root"
    assert main(["datastore", "build", str(mk.standard(tmp_path / "in")), "--name", "no.test", "--version", "4", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["datastore", "list", "--datastore-dir", str(out)]) == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0] == f"no.test  versions 4  in {out}"
    assert main(["datastore", "describe", "no.test", "--datastore-dir", str(out)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "no.test:4"
    assert text[2].split() == ["variable", "unit", "type", "temporality", "type", "valid", "codes", "title"]
    assert text[3].split() == ["BOSTED", "PERSON", "EVENT", "STRING", "2010-01-01", "–", "2020-01-01", "2", "Tittel"]
    assert text[5].split() == ["KJOENN", "PERSON", "FIXED", "STRING", "∞", "2", "Tittel"]
    assert main(["datastore", "describe", "no.test:4", "BOSTED", "--datastore-dir", str(out)]) == 0
    assert capsys.readouterr().out == (
        "BOSTED: Tittel\n"
        "  unit type:    PERSON\n"
        "  temporality:  EVENT\n"
        "  data type:    STRING\n"
        "  valid:        2010-01-01 – 2020-01-01\n"
        "  description:  Beskrivelse\n"
        "  code list (2 entries):\n"
        "    1201  Bergen  [1900-01-01 – 2019-12-31]\n"
        "    4601  Bergen  [2020-01-01 – ]\n"
    )
    assert main(["datastore", "describe", "no.test:9", "--datastore-dir", str(out)]) == 1
    assert capsys.readouterr().err == (
        "mdlang datastore describe: datastore error: datastore no.test has no version 9; available: 4\n"
        "  hint: require no.test:4 for the newest version\n"
    )
    assert main(["datastore", "describe", "no.test:x", "--datastore-dir", str(out)]) == 2
