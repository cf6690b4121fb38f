"""A session under a policy override (``Session(policy_override=…)``: tests, an owner's
experiments) has a privacy ledger of its own: the project's name plus the policy's fingerprint.

Differencing across two outputs is refused under the override as it is without one (within a
run and across runs), and the experiment's releases never mix with the project's real ledger.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdlang.disclosure.policy import Policy
from mdlang.engine.runner import run_script
from mdlang.results import Result
from tests.redteam.canaries import NAME, PRELUDE, build

CANARY_T = 'skole == "S9" & trinn == 9 & kjonn == "2"'
TRACKER = 'skole == "S1"'
WITH_CANARY = f"tabulate angst if {TRACKER} | ({CANARY_T})\n"
WITHOUT = f"tabulate angst if {TRACKER}\n"
OVERRIDE = Policy(budget_cells=15000)  # the register preset, with a smaller budget (tighter)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("override-store")
    build(root)
    return root


@pytest.fixture(autouse=True)
def _no_deployment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MDLANG_DEPLOYMENT", raising=False)


def _run(store: Path, body: str, policy: Policy | None = OVERRIDE, project: str | None = "study") -> list[Result]:
    results = run_script(PRELUDE + body, "exp.mdl", datastore_dirs=[str(store)], project=project,
                         policy_override=policy)
    return [r for r in results if r.line > PRELUDE.count("\n")]


def _projects() -> list[str]:
    root = Path(os.environ["MDLANG_HOME"]) / "projects"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def _overlap_refused(result: Result) -> bool:
    return result.kind == "refusal" and "D10 overlap audit" in result.data["rule"]


def test_differencing_within_one_run_is_refused_under_an_override(store: Path) -> None:
    first, second = _run(store, WITH_CANARY + WITHOUT)
    assert first.kind == "table"
    assert _overlap_refused(second)


def test_differencing_across_two_runs_is_refused_under_an_override(store: Path) -> None:
    (first,) = _run(store, WITH_CANARY)
    assert first.kind == "table"
    (second,) = _run(store, WITHOUT)
    assert _overlap_refused(second)


def test_the_experiment_ledger_is_named_after_the_project_and_the_policy(store: Path) -> None:
    _run(store, WITH_CANARY)
    tag = f"study+override-{OVERRIDE.digest()[:12]}"
    assert _projects() == [tag]  # the real project's ledger was not touched
    assert (Path(os.environ["MDLANG_HOME"]) / "projects" / tag / NAME / "ledger.sqlite").is_file()
    assert (Path(os.environ["MDLANG_HOME"]) / "projects" / tag / f"{NAME}-1" / "audit.jsonl").is_file()
    other = Policy(budget_cells=14000)
    _run(store, WITHOUT, policy=other)
    assert _projects() == sorted([tag, f"study+override-{other.digest()[:12]}"])


def test_experiments_and_the_real_project_do_not_mix(store: Path) -> None:
    """The real project's output is not in the experiment's ledger, nor the other way round:
    each pair is refused only within its own ledger."""
    (real,) = _run(store, WITH_CANARY, policy=None)
    assert real.kind == "table"
    (experiment,) = _run(store, WITHOUT)
    assert experiment.kind == "table"  # the experiment's ledger holds no earlier output
    (real_again,) = _run(store, WITHOUT, policy=None)
    assert _overlap_refused(real_again)  # the real ledger still remembers the real output


def test_under_a_deployment_the_experiment_ledger_hangs_off_the_fixed_project(store: Path) -> None:
    (Path(os.environ["MDLANG_HOME"]) / "deployment.toml").write_text('[project]\nname = "lab"\n', encoding="utf-8")
    first, second = _run(store, WITH_CANARY + WITHOUT, project=None)
    assert first.kind == "table" and _overlap_refused(second)
    assert _projects() == [f"lab+override-{OVERRIDE.digest()[:12]}"]
