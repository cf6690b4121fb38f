"""The deployment file: the project a session belongs to, fixed by the data owner.

The project selects the privacy ledger, the release budget and the audit log (D10, D11). Left to
the researcher (``--project``, ``$MDLANG_PROJECT``) a fresh name would start a fresh ledger and
budget, so an installation fixes it in a TOML file the researcher cannot write::

    [project]
    name = "helseprofil-2024-017"          # every session on this installation

    [project.users]                        # optional: per login name (wins over name)
    kari = "helseprofil-2024-017"
    ola = "helseprofil-2024-021"

The file is ``$MDLANG_DEPLOYMENT`` when that is set (it must then exist), else
``$MDLANG_HOME/deployment.toml`` when that exists; with neither there is no deployment and the
researcher names the project. Every problem with a deployment file refuses the session (fail
closed): a file that fixes nothing must never look like a file that fixes the project.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mdlang.disclosure.audit import mdlang_home, path_safe
from mdlang.errors import UsageError

ENV = "MDLANG_DEPLOYMENT"
FILE_NAME = "deployment.toml"
ASK_OWNER = "ask the data owner"


def safe_name(name: str) -> str:
    """A project name made safe as a folder name (characters outside ``[\\w.-]`` become ``_``)."""
    return path_safe(name) or "local"


@dataclass(frozen=True)
class Deployment:
    """A read deployment file: the project of everyone (``name``) and per login (``users``)."""

    path: Path
    name: str | None = None
    users: Mapping[str, str] = field(default_factory=dict)

    def project_for(self, user: str) -> str:
        """The fixed project of a login name (raises UsageError when the file names none)."""
        project = self.users.get(user, self.name)
        if project is None:
            raise UsageError(
                f"the deployment file {self.path} names no project for the user {user!r}",
                hint=f"{ASK_OWNER} to add you to [project.users] of the deployment file",
            )
        return safe_name(project)


def deployment_path() -> Path | None:
    """The deployment file in force, or None when the installation fixes nothing."""
    given = os.environ.get(ENV)
    if given:
        path = Path(given)
        if not path.is_file():
            raise UsageError(
                f"${ENV} names the deployment file {path}, which does not exist",
                hint=f"{ASK_OWNER} to restore the deployment file",
            )
        return path
    path = mdlang_home() / FILE_NAME
    return path if path.is_file() else None


def _invalid(path: Path, why: str) -> UsageError:
    return UsageError(
        f"the deployment file {path} is not valid: {why}",
        hint=f"{ASK_OWNER} to correct it (docs/data-owners.md, section 6)",
    )


def load(path: Path) -> Deployment:
    """Read and check a deployment file (UsageError naming what is wrong)."""
    import tomllib  # only installations with a deployment file pay for it
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as err:
        raise _invalid(path, f"it cannot be read ({err.strerror or err})") from None
    except tomllib.TOMLDecodeError as err:
        raise _invalid(path, f"it is not TOML ({err})") from None
    unknown = sorted(set(data) - {"project"})
    if unknown:
        raise _invalid(path, f"unknown entry {unknown[0]!r} at the top level (known: [project])")
    table = data.get("project")
    if not isinstance(table, dict):
        raise _invalid(path, "it has no [project] section")
    unknown = sorted(set(table) - {"name", "users"})
    if unknown:
        raise _invalid(path, f"unknown key project.{unknown[0]} (known: name, users)")
    name = table.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise _invalid(path, "project.name must be a non-empty string")
    users = table.get("users", {})
    if not isinstance(users, dict) or not all(
        isinstance(v, str) and v.strip() for v in users.values()
    ):
        raise _invalid(path, "[project.users] must map login names to non-empty project names")
    if name is None and not users:
        raise _invalid(path, "it fixes no project (give project.name or [project.users])")
    return Deployment(path, name, dict(users))


def current_user() -> str:
    """The login name of the process, from the account database where there is one (so that
    ``$USER`` or ``$LOGNAME`` cannot choose another user's project)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # no account database (Windows)
        import getpass

        return getpass.getuser()


def fixed_project() -> tuple[str, Path] | None:
    """The project the deployment fixes for this user and the file saying so (None: no file)."""
    path = deployment_path()
    if path is None:
        return None
    return load(path).project_for(current_user()), path
