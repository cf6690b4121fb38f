"""The first script of docs/getting-started.md really runs, and its pasted output is real."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from docs_pages import DOCS, fenced_blocks

from mdlang.cli import main

PAGE = DOCS / "getting-started.md"


def _block(kind: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    return next(body for info, _, body in fenced_blocks(text) if info == kind)


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("first") / "first.mdl"
    path.write_text(_block("mdl"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mdlang.datastore.sample import build_sample

    root = tmp_path_factory.mktemp("sample")
    build_sample(root, 3000)
    return root


def test_first_script_runs_on_a_small_sample(script, small_sample, monkeypatch, capsys):
    monkeypatch.setenv("MDLANG_SAMPLE_DIR", str(small_sample))
    code = main(["run", str(script), "--output", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    released = [r["command"] for r in results if r["kind"] in ("table", "summary")]
    assert released == ["tabulate", "summarize", "tabulate"]
    assert results[0]["command"] == "require"


def test_pasted_output_echoes_every_releasing_command():
    output = _block("text")
    echoed = [line[2:] for line in output.splitlines() if line.startswith(". ")]
    script_lines = [line for line in _block("mdl").splitlines()]
    assert echoed == [
        line for line in script_lines if line.split(" ", 1)[0] in {"require", "tabulate", "summarize"}
    ]


@pytest.mark.skipif(
    os.environ.get("MDLANG_SLOW_TESTS") != "1",
    reason="needs the default-size sample: set MDLANG_SLOW_TESTS=1",
)
def test_pasted_output_equals_a_run_on_the_default_sample(script, capsys):
    code = main(["run", str(script)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip() == _block("text").strip(), (
        "docs/getting-started.md: the output block no longer matches `mdlang run`; paste the new output"
    )
