"""Helpers of the red-team tests: run an attacker's script on the canary store, read numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mdlang.engine.runner import run_script
from mdlang.results import Result
from tests.redteam.canaries import PRELUDE

PRELUDE_LINES = PRELUDE.count("\n")


def attack(store: Path, body: str, project: str) -> list[Result]:
    """Run ``body`` after the prelude (connect, import every variable) in its own project
    ledger; return the results of the body's lines."""
    results = run_script(PRELUDE + body, "attack.mdl", datastore_dirs=[str(store)], project=project)
    return [r for r in results if r.line > PRELUDE_LINES]


def refused(result: Result) -> bool:
    """Whether a result is a refusal."""
    return result.kind == "refusal"


def cell(result: Result, row: str, column: str) -> Any:
    """The released value in a table's row (first column = label) and named column."""
    idx = result.data["columns"].index(column)
    for r in result.data["rows"]:
        if str(r[0]) == row:
            return r[idx]
    raise KeyError(row)


def number(value: Any) -> float | None:
    """A released number, or None when it was suppressed or withheld."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def misses(estimate: float | None, truth: float, tolerance: float = 0.10) -> bool:
    """A continuous attack fails when there is no estimate or it is off by more than 10 %."""
    return estimate is None or abs(estimate - truth) > tolerance * abs(truth)
