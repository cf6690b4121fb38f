"""The deployment file (mdlang.disclosure.deployment) and :func:`project_name` under it: which
project a session gets, what is refused, and the exact messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdlang.disclosure.audit import (
    ProjectName,
    default_audit_path,
    experiment_project,
    project_name,
)
from mdlang.disclosure.deployment import current_user, deployment_path, load
from mdlang.disclosure.ledger import default_ledger_path
from mdlang.errors import UsageError

HINT = "ask the data owner to correct it (docs/data-owners.md, section 6)"


@pytest.fixture(autouse=True)
def _no_deployment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MDLANG_DEPLOYMENT", raising=False)


def _home() -> Path:
    return Path(os.environ["MDLANG_HOME"])


def _deploy(text: str) -> Path:
    path = _home() / "deployment.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_deployment_the_researcher_names_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    assert deployment_path() is None
    assert project_name() == "local"
    assert project_name("my project/1") == "my_project_1"
    monkeypatch.setenv("MDLANG_PROJECT", "from-env")
    assert project_name() == "from-env"
    assert project_name("given") == "given"  # --project wins over the environment


def test_a_deployment_fixes_the_project_and_the_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    _deploy('[project]\nname = "Helseprofil 2024"\n')
    assert project_name() == "Helseprofil_2024"
    assert project_name("Helseprofil 2024") == "Helseprofil_2024"  # the same name, however written
    assert default_ledger_path("no.ssb.fdb") == _home() / "projects" / "Helseprofil_2024" / "no.ssb.fdb" / "ledger.sqlite"
    assert default_audit_path("no.ssb.fdb", 1).parent.parent.name == "Helseprofil_2024"
    with pytest.raises(UsageError, match="--project 'other' differs"):
        default_ledger_path("no.ssb.fdb", "other")
    monkeypatch.setenv("MDLANG_PROJECT", "other")
    with pytest.raises(UsageError, match=r"\$MDLANG_PROJECT 'other' differs"):
        project_name()
    # a matching --project does not excuse a differing environment variable
    with pytest.raises(UsageError, match=r"\$MDLANG_PROJECT 'other' differs"):
        project_name("Helseprofil 2024")


def test_a_per_user_map_wins_over_the_common_name() -> None:
    me = current_user()
    _deploy(f'[project]\nname = "common"\n[project.users]\n"{me}" = "mine"\nsomeone = "theirs"\n')
    assert project_name() == "mine"
    _deploy('[project]\nname = "common"\n[project.users]\nsomeone = "theirs"\n')
    assert project_name() == "common"
    path = _deploy('[project.users]\nsomeone = "theirs"\n')
    with pytest.raises(UsageError) as err:
        project_name()
    assert err.value.message == f"the deployment file {path} names no project for the user {me!r}"
    assert err.value.hint == "ask the data owner to add you to [project.users] of the deployment file"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[projekt]\nname = 'x'\n", "unknown entry 'projekt' at the top level (known: [project])"),
        ("name = 'x'\n", "unknown entry 'name' at the top level (known: [project])"),
        ("", "it has no [project] section"),
        ("[project]\nnmae = 'x'\n", "unknown key project.nmae (known: name, users)"),
        ("[project]\nname = ''\n", "project.name must be a non-empty string"),
        ("[project]\nname = 7\n", "project.name must be a non-empty string"),
        ("[project]\nusers = 'kari'\n", "[project.users] must map login names to non-empty project names"),
        ("[project.users]\nkari = 3\n", "[project.users] must map login names to non-empty project names"),
        ("[project]\n", "it fixes no project (give project.name or [project.users])"),
    ],
)
def test_a_broken_deployment_file_refuses_every_session(text: str, why: str) -> None:
    path = _deploy(text)
    with pytest.raises(UsageError) as err:
        project_name()
    assert err.value.message == f"the deployment file {path} is not valid: {why}"
    assert err.value.hint == HINT


def test_a_file_that_is_not_toml_is_refused() -> None:
    path = _deploy("[project\nname = x\n")
    with pytest.raises(UsageError) as err:
        load(path)
    assert err.value.message.startswith(f"the deployment file {path} is not valid: it is not TOML (")


def test_the_owner_can_name_the_file_and_it_must_then_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deploy('[project]\nname = "in-home"\n')
    owner = tmp_path / "deployment.toml"
    owner.write_text('[project]\nname = "named"\n', encoding="utf-8")
    monkeypatch.setenv("MDLANG_DEPLOYMENT", str(owner))
    assert deployment_path() == owner
    assert project_name() == "named"  # the named file wins over the one in MDLANG_HOME
    owner.unlink()
    with pytest.raises(UsageError) as err:
        project_name()
    assert err.value.message == f"$MDLANG_DEPLOYMENT names the deployment file {owner}, which does not exist"
    assert err.value.hint == "ask the data owner to restore the deployment file"


def test_resolved_names_pass_through_and_experiments_get_their_own() -> None:
    _deploy('[project]\nname = "lab"\n')
    resolved = project_name()
    assert isinstance(resolved, ProjectName) and project_name(resolved) is resolved
    digest = "0123456789abcdef" * 4
    assert experiment_project(digest) == "lab+override-0123456789ab"
    assert project_name(experiment_project(digest)) == "lab+override-0123456789ab"
    # a name the researcher types can never reach an experiment's ledger
    (_home() / "deployment.toml").unlink()
    assert project_name("lab+override-0123456789ab") == "lab_override-0123456789ab"


def test_the_repl_greeting_names_the_project_and_whether_it_is_fixed() -> None:
    from mdlang.repl.app import banner

    assert banner(project_name()).endswith("\nProject: local (choose another with --project).\n")
    _deploy('[project]\nname = "lab"\n')
    assert banner(project_name()).endswith("\nProject: lab (fixed by this installation).\n")
