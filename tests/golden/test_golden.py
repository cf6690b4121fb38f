"""Golden outputs: each script in scripts/ gives exactly the text and JSON in expected/.

Set MDLANG_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change (then read
the diff before committing).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdlang.cli import main

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted((HERE / "scripts").glob("*.mdl"))
FORMATS = {"text": "txt", "json": "jsonl"}


def render(store: Path, script: Path, fmt: str, out: Path) -> bytes:
    code = main(["run", str(script), "--output", fmt, "-o", str(out), "--datastore-dir", str(store)])
    assert code == 0
    return out.read_bytes()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_golden_output(golden_store, tmp_path, script, fmt):
    got = render(golden_store, script, fmt, tmp_path / "out")
    expected = HERE / "expected" / f"{script.stem}.{FORMATS[fmt]}"
    if os.environ.get("MDLANG_UPDATE_GOLDEN") == "1":
        expected.write_bytes(got)
    assert got.decode("utf-8") == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_repeated_runs_are_byte_identical(golden_store, tmp_path, script):
    first = render(golden_store, script, "json", tmp_path / "a")
    second = render(golden_store, script, "json", tmp_path / "b")
    assert first == second
