"""One opened Datastore per version folder and manifest in a process (issue #10): the checker
and ``require`` share it, and metadata is built per variable on first use."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mdlang.datastore import metadata as md
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import open_datastore, write_version
from mdlang.errors import DatastoreError


def _build(root: Path, version: int = 1) -> Path:
    sex = VariableMetadata("KJOENN", "PERSON", Temporality.FIXED, DataType.STRING, title={"no": "Kjønn"},
                           code_list=(Code("1", "Mann"), Code("2", "Kvinne")))
    born = VariableMetadata("FAAR", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Fødselsår"})
    ids = pd.Series([1, 2, 3], dtype="int64")
    frame = lambda values: pd.DataFrame({"unit_id": ids, "value": values,  # noqa: E731
                                         "start": pd.array([None] * 3, dtype="Int32"),
                                         "stop": pd.array([None] * 3, dtype="Int32")})
    return write_version(root, "no.test.shared", version,
                         [(sex, frame(["1", "2", "1"])), (born, frame(pd.Series([1980, 1990, 2000], dtype="int64")))],
                         policy_text="", secret=bytes(32))


def test_the_same_version_is_opened_once(tmp_path: Path) -> None:
    _build(tmp_path)
    first = open_datastore("no.test.shared", 1, [str(tmp_path)])
    assert open_datastore("no.test.shared", 1, [str(tmp_path)]) is first


def test_the_checker_and_require_share_the_opened_store(tmp_path: Path) -> None:
    from mdlang.semantics.cli import catalogue_for

    _build(tmp_path)
    checked = catalogue_for([str(tmp_path)])("no.test.shared", 1)
    assert open_datastore("no.test.shared", 1, [str(tmp_path)]) is checked


def test_a_rewritten_manifest_is_opened_afresh(tmp_path: Path) -> None:
    folder = _build(tmp_path)
    first = open_datastore("no.test.shared", 1, [str(tmp_path)])
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["description"] = "a longer description than before"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    second = open_datastore("no.test.shared", 1, [str(tmp_path)])
    assert second is not first
    assert second.description == "a longer description than before"


def test_metadata_is_built_only_for_the_variables_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(tmp_path, version=2)
    built: list[str] = []
    original = md.VariableMetadata.from_dict

    def counting(d: dict) -> VariableMetadata:
        built.append(d["name"])
        return original(d)

    monkeypatch.setattr(md.VariableMetadata, "from_dict", staticmethod(counting))
    ds = open_datastore("no.test.shared", 2, [str(tmp_path)])
    assert built == []
    assert ds.has("FAAR") and not ds.has("FAARX")
    assert built == []
    assert ds.metadata("KJOENN").code_list == (Code("1", "Mann"), Code("2", "Kvinne"))
    assert ds.metadata("KJOENN") is ds.metadata("KJOENN")
    assert built == ["KJOENN"]
    assert [v.name for v in ds.variables()] == ["FAAR", "KJOENN"]
    assert built == ["KJOENN", "FAAR"]


def test_an_unknown_variable_still_gets_close_names(tmp_path: Path) -> None:
    _build(tmp_path)
    ds = open_datastore("no.test.shared", 1, [str(tmp_path)])
    with pytest.raises(DatastoreError) as info:
        ds.metadata("KJONN")
    assert info.value.message == "no.test.shared:1 has no variable KJONN"
    assert info.value.hint == "did you mean KJOENN?"
