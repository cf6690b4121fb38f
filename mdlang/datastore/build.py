"""Build a datastore version from a microdata-tools delivery.

``build_datastore`` validates the whole delivery first (listing every problem), then writes the
version through :func:`mdlang.datastore.writer.write_version`. The version gets the owner's
policy (or the register preset) and the record-key secret of the newest earlier version of the
same datastore in the same root (else of any other version there), so record keys stay stable
across data versions (D2); the first version gets a fresh random secret.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mdlang.datastore import layout
from mdlang.datastore.problems import problems_error
from mdlang.datastore.validate import iter_variables, validate_delivery
from mdlang.errors import DatastoreError

SECRET_BYTES = 32


def build_datastore(
    input_dir: str | os.PathLike,
    name: str,
    version: int,
    out: str | os.PathLike,
    *,
    policy: str | os.PathLike | None = None,
    description: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Path:
    """Validate ``input_dir`` and write it as ``out/name/version``; returns the version folder."""
    root = Path(out)
    if layout.version_dir(root, name, version).exists():
        raise DatastoreError(
            f"{name}:{version} already exists in {root}",
            hint="versions are immutable: build the new delivery as a new version number",
        )
    policy_text = _policy_text(policy)
    results, problems = validate_delivery(Path(input_dir), progress)
    if problems:
        raise problems_error(problems, f"{input_dir} cannot be built")
    from mdlang.datastore.writer import write_version

    return write_version(
        root,
        name,
        version,
        iter_variables(results),
        policy_text=policy_text,
        secret=existing_secret(root, name, version) or os.urandom(SECRET_BYTES),
        description=description,
    )


def _policy_text(policy: str | os.PathLike | None) -> str:
    if policy is None:
        from mdlang.disclosure.policy import default_policy_text

        return default_policy_text("register")
    path = Path(policy)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise DatastoreError(f"cannot read the policy file {path}", hint="give an existing policy.toml with --policy") from None
    _check_policy(path, text)
    return text


def _check_policy(path: Path, text: str) -> None:
    """Refuse a policy the disclosure package cannot load, before anything is written."""
    from mdlang.disclosure.policy import Policy

    Policy.load(path)


def existing_secret(root: Path, name: str, version: int) -> bytes | None:
    """The secret of another version of ``name`` under ``root`` (the newest earlier one first)."""
    stored = layout.stored_versions(root, name)
    earlier = [v for v in reversed(stored) if v < version]
    for v in earlier + [v for v in stored if v > version]:
        path = layout.version_dir(root, name, v) / layout.SECRET
        try:
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
    return None
