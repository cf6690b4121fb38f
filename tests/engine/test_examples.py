"""The scripts in examples/ run end to end on a small sample (4 000 persons: enough that the
examples' population filters stay above the register dataset floor of 1 000)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mdlang.cli import main

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.mdl"))


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mdlang.datastore.sample import build_sample

    root = tmp_path_factory.mktemp("sample")
    build_sample(root, 4000)
    return root


def test_there_are_the_three_required_examples():
    names = {p.name for p in EXAMPLES}
    assert {"register_analysis.mdl", "helseprofil_bydel.mdl", "bindings_loops.mdl"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_end_to_end(small_sample, script, monkeypatch, capsys):
    monkeypatch.setenv("MDLANG_SAMPLE_DIR", str(small_sample))
    code = main(["run", str(script), "--output", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    kinds = {r["kind"] for r in results}
    assert "table" in kinds or "summary" in kinds
    assert results[0]["command"] == "require"
