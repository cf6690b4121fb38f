"""Budget reset by renaming the project (D10 with the deployment file).

The privacy ledger and the release budget belong to a project. Without a deployment file the
researcher names the project (``--project``, ``$MDLANG_PROJECT``), so a fresh name starts a fresh
ledger and budget — documented in docs/disclosure.md › Known limitations and shown by the first
test. When the installation's deployment file fixes the project, a spent budget stays spent:
another name is refused (by ``run_script``, ``mdlang run`` and the REPL alike), ``$USER`` cannot
choose another user's project, and the refused name leaves no ledger behind.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from mdlang.cli import main
from mdlang.disclosure.deployment import current_user
from mdlang.engine.runner import run_script
from mdlang.errors import UsageError
from mdlang.results import Result
from tests.redteam.canaries import NAME, PRELUDE

#: 40 marginal tables: more than the tight store's budget of 60 cells (attack A08)
SPEND = "".join(f"tabulate angst if faar == {2004 + i % 8} & trinn <= {1 + i % 8}\n" for i in range(40))
PROBE = "tabulate kjonn\n"
BUDGET_TEXT = "D10 release budget"


def _run(store: Path, body: str, project: str | None = None) -> list[Result]:
    results = run_script(PRELUDE + body, "reset.mdl", datastore_dirs=[str(store)], project=project)
    return [r for r in results if r.line > PRELUDE.count("\n")]


def _spent(results: list[Result]) -> bool:
    return results[-1].kind == "refusal" and BUDGET_TEXT in results[-1].data["text"]


def _home() -> Path:
    return Path(os.environ["MDLANG_HOME"])


def _deploy(text: str, path: Path | None = None) -> Path:
    path = path or _home() / "deployment.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_deployment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MDLANG_DEPLOYMENT", raising=False)


def _ledger_projects() -> list[str]:
    root = _home() / "projects"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_without_a_deployment_a_new_name_starts_a_fresh_budget(tight_store: Path) -> None:
    """The documented limitation: the researcher's own choice of name resets the budget."""
    assert _spent(_run(tight_store, SPEND, "lab"))
    assert _spent(_run(tight_store, PROBE, "lab"))
    fresh = _run(tight_store, PROBE, "lab-2")
    assert fresh[-1].kind == "table"
    assert _ledger_projects() == ["lab", "lab-2"]


def test_a_fixed_project_keeps_its_spent_budget_whatever_name_is_asked(
    tight_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _deploy('[project]\nname = "lab"\n')
    assert _spent(_run(tight_store, SPEND))  # no name given: the fixed project
    assert _spent(_run(tight_store, PROBE))
    assert _spent(_run(tight_store, PROBE, "lab"))  # the fixed name itself is accepted
    with pytest.raises(UsageError) as err:
        _run(tight_store, PROBE, "lab-2")
    assert err.value.message == (
        f"this installation fixes the project as 'lab' (deployment file {path}); --project 'lab-2' differs"
    )
    assert err.value.hint == (
        "leave out --project and unset $MDLANG_PROJECT to work in 'lab'; for another project, ask the data owner"
    )
    monkeypatch.setenv("MDLANG_PROJECT", "lab-3")
    with pytest.raises(UsageError, match=r"\$MDLANG_PROJECT 'lab-3' differs"):
        _run(tight_store, PROBE)
    monkeypatch.setenv("MDLANG_PROJECT", "lab")  # the same name in the environment is fine
    assert _spent(_run(tight_store, PROBE))
    assert _ledger_projects() == ["lab"]  # the refused names left no ledger or audit log


def test_mdlang_run_and_the_repl_refuse_another_name_and_use_the_fixed_one(
    tight_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _deploy('[project]\nname = "lab"\n')
    script = tmp_path / "probe.mdl"
    script.write_text(PRELUDE + SPEND, encoding="utf-8")
    dirs = ["--datastore-dir", str(tight_store)]
    assert main(["run", str(script), *dirs]) == 0
    assert BUDGET_TEXT in capsys.readouterr().out
    expected = (
        f"<script>: usage error: this installation fixes the project as 'lab' (deployment file {path}); "
        "--project 'other' differs\n"
        "  hint: leave out --project and unset $MDLANG_PROJECT to work in 'lab'; for another project, "
        "ask the data owner\n"
    )
    assert main(["run", "--project", "other", str(script), *dirs]) == 2
    captured = capsys.readouterr()
    assert captured.err == expected and captured.out == ""
    assert main(["repl", "--project", "other", *dirs]) == 2
    assert capsys.readouterr().err == expected
    # the REPL (reading a pipe) works in the fixed project: its budget is the spent one
    monkeypatch.setattr("sys.stdin", io.StringIO(PRELUDE + PROBE))
    assert main(["repl", *dirs]) == 0
    out = capsys.readouterr().out
    assert BUDGET_TEXT in out
    assert _ledger_projects() == ["lab"]


def test_a_per_user_project_cannot_be_switched_through_the_user_variables(
    tight_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = current_user()
    _deploy(f'[project]\nname = "everyone"\n\n[project.users]\n"{me}" = "lab"\nmallory = "lab-2"\n')
    assert _spent(_run(tight_store, SPEND))
    for variable in ("USER", "LOGNAME", "USERNAME"):
        monkeypatch.setenv(variable, "mallory")
    assert _spent(_run(tight_store, PROBE))  # still this login's project, not mallory's
    assert _ledger_projects() == ["lab"]


def test_a_deployment_file_named_by_the_data_owner_fixes_the_project_too(
    tight_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = tmp_path / "etc" / "mdlang-deployment.toml"
    owner.parent.mkdir()
    _deploy('[project]\nname = "lab"\n', owner)
    monkeypatch.setenv("MDLANG_DEPLOYMENT", str(owner))
    assert _spent(_run(tight_store, SPEND))
    with pytest.raises(UsageError, match="fixes the project as 'lab'"):
        _run(tight_store, PROBE, "lab-2")
    # a named deployment file that has gone missing refuses every session (fail closed)
    owner.unlink()
    with pytest.raises(UsageError) as err:
        _run(tight_store, PROBE)
    assert err.value.message == f"$MDLANG_DEPLOYMENT names the deployment file {owner}, which does not exist"
    assert (_home() / "projects" / "lab" / NAME).is_dir()
