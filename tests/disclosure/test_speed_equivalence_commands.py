"""Every released number and refusal of the interactive commands, pinned before the gate's
speed-ups (issue #10) and checked after them.

The scripts in ``speed_equivalence/`` run on a hand-made store (:mod:`speed_store`): one-way and
two-way tables with their margins and totals, percentages, ``summarize()`` with every statistic,
``summarize`` with gini and iqr, filtered and derived variables, rare values pooled, several rows
per person and collapsed datasets, and the overlap audit's refusals. Their JSON Lines output was
captured from the code as it stood before the speed-ups (``speed_equivalence/*.jsonl``); any
change to a released number, a note or a refusal fails here.

Regenerate only for a change that is *meant* to alter releases (then review the diff):

    MDLANG_UPDATE_SPEED_EQUIVALENCE=1 python -m pytest tests/disclosure/test_speed_equivalence_commands.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from mdlang.engine.runner import parse_script, statement_sources
from mdlang.engine.session import Session
from mdlang.render import renderer
from mdlang.syntax import ast

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "speed_equivalence"
SCRIPTS = sorted(FOLDER.glob("*.mdl"))

sys.path.insert(0, str(HERE))

from speed_store import build  # noqa: E402


@pytest.fixture(scope="module")
def speed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root holding ``no.test.speed:1``."""
    root = tmp_path_factory.mktemp("speed-store")
    build(root)
    return root


def run_jsonl(store: Path, script: Path) -> str:
    """The JSON Lines rendering of every result of ``script`` run in one fresh session."""
    text = script.read_text(encoding="utf-8")
    file = f"{script.parent.name}/{script.name}"
    parsed = parse_script(text, file, [str(store)])
    sources = statement_sources(parsed.statements, text)
    out = renderer("json")
    session = Session(datastore_dirs=[str(store)], project=f"speed-{script.stem}")
    parts = [getattr(out, "header", lambda: "")()]
    for result in session.run(ast.Script(parsed.statements, file=file, source=text)):
        parts.append(out.render(result, sources.get(result.line)))
    parts.append(getattr(out, "footer", lambda: "")())
    return "".join(parts)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_releases_are_unchanged(speed_store: Path, script: Path) -> None:
    got = run_jsonl(speed_store, script)
    expected = script.with_suffix(".jsonl")
    if os.environ.get("MDLANG_UPDATE_SPEED_EQUIVALENCE") == "1":
        expected.write_text(got, encoding="utf-8", newline="\n")
    want = expected.read_text(encoding="utf-8")
    got_lines, want_lines = got.splitlines(), want.splitlines()
    assert len(got_lines) == len(want_lines), f"{script.stem}: {len(got_lines)} results, expected {len(want_lines)}"
    for i, (g, w) in enumerate(zip(got_lines, want_lines, strict=True)):
        assert _comparable(json.loads(g)) == _comparable(json.loads(w)), f"{script.stem}: result {i + 1} differs"


def _comparable(record: dict) -> dict:
    """A result as compared: everything, but a refusal only by its rule's id (the wording of
    rules and remedies is not the gate's arithmetic and may be improved independently)."""
    if record.get("kind") != "refusal":
        return record
    rule = str(record.get("data", {}).get("rule", ""))
    return {"command": record.get("command"), "line": record.get("line"), "kind": "refusal", "rule": rule.split(":")[0]}


def test_the_pinned_outputs_cover_what_the_speed_ups_touch() -> None:
    """The expected files hold released tables and summaries, refusals, pooled rare values,
    winsorisation, withheld percentages, down-weighted rows and collapsed rows: a safety net that cannot miss
    them for want of examples."""
    text = "".join(s.with_suffix(".jsonl").read_text(encoding="utf-8") for s in SCRIPTS)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    kinds = {r.get("kind") for r in records}
    assert {"table", "summary", "refusal"} <= kinds
    for needle in ("fewer than 10 persons each", "winsorised", "withheld", "weighted down", "aggregates several persons"):
        assert needle in text, needle


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_work_started_ahead_gives_the_same_releases(speed_store: Path, script: Path, monkeypatch) -> None:
    """The bounds, quantile windows and table moments the gate computes on a background thread
    for large data (``Gate.prefetch``, ``_layout_moments_ahead``), forced here on the small
    store: the same released numbers, notes and refusals as pinned."""
    from mdlang import parallel
    from mdlang.disclosure.gate import Gate

    monkeypatch.setattr(Gate, "AHEAD_MIN_ROWS", 0)
    started: list[str] = []
    pool = parallel.background()

    class Counting:
        def submit(self, fn, *args):
            started.append(getattr(fn, "__name__", "?"))
            return pool.submit(fn, *args)

    monkeypatch.setattr(parallel, "background", lambda: Counting())
    got = run_jsonl(speed_store, script)
    want = script.with_suffix(".jsonl").read_text(encoding="utf-8")
    assert [_comparable(json.loads(g)) for g in got.splitlines()] == [_comparable(json.loads(w)) for w in want.splitlines()]
    if script.stem == "persons":  # plain person data: every kind of work is started ahead
        assert {"_bounds_ahead", "_windows_ahead", "one"} <= set(started), started


def test_any_interleaving_of_the_work_ahead_gives_the_same_releases(speed_store: Path, monkeypatch) -> None:
    """The background thread and the caller meet in different places when their work takes
    different times: random delays in the shared steps shift who computes which layout, and
    the releases stay those pinned."""
    import random
    import time

    from mdlang.disclosure import gate as gate_module
    from mdlang.disclosure.gate import Gate

    monkeypatch.setattr(Gate, "AHEAD_MIN_ROWS", 0)
    rng = random.Random(7)

    def delayed(fn):
        def run(*args, **kwargs):
            time.sleep(rng.random() * 0.004)
            return fn(*args, **kwargs)
        return run

    for name in ("cell_extremes", "layout_moments", "moments", "window_values"):
        monkeypatch.setattr(gate_module, name, delayed(getattr(gate_module, name)))
    script = FOLDER / "persons.mdl"
    want = [_comparable(json.loads(w)) for w in script.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()]
    for _ in range(4):
        got = run_jsonl(speed_store, script)
        assert [_comparable(json.loads(g)) for g in got.splitlines()] == want
