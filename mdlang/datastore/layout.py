"""Where the parts of one datastore version live on disk (see docs/internals/contracts.md).

::

    ROOT/NAME/VERSION/manifest.json
    ROOT/NAME/VERSION/policy.toml
    ROOT/NAME/VERSION/private/record-key.secret
    ROOT/NAME/VERSION/variables/VAR.parquet
"""

from __future__ import annotations

import re
from pathlib import Path

MANIFEST = "manifest.json"
POLICY = "policy.toml"
PRIVATE = "private"
SECRET = "private/record-key.secret"
VARIABLES = "variables"
FORMAT_VERSION = 1

#: Datastore names look like ``no.ssb.fdb``; variable names like ``BEFOLKNING_KJOENN``.
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_\-]*(\.[a-z0-9][a-z0-9_\-]*)*")
VARIABLE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def version_dir(root: Path, name: str, version: int) -> Path:
    """The folder of one version."""
    return Path(root) / name / str(version)


def variable_file(version_path: Path, variable: str) -> Path:
    """The Parquet file of one variable inside a version folder."""
    return version_path / VARIABLES / f"{variable}.parquet"


def stored_versions(root: Path, name: str) -> list[int]:
    """Version numbers of ``name`` under ``root`` that hold a manifest, ascending."""
    folder = Path(root) / name
    if not folder.is_dir():
        return []
    out = []
    for child in folder.iterdir():
        if child.name.isdigit() and (child / MANIFEST).is_file():
            out.append(int(child.name))
    return sorted(out)


def stored_names(root: Path) -> list[str]:
    """Datastore names under ``root`` that have at least one version, sorted."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(c.name for c in root.iterdir() if c.is_dir() and stored_versions(root, c.name))
