"""The audit log (disclosure.md D11): an append-only, hash-chained JSON Lines file.

Each line is one JSON object holding ``seq`` (0, 1, …), ``prev`` (the ``hash`` of the line before,
64 zeros for the first), the entry's fields, and ``hash``: SHA-256 of the canonical JSON of the
entry without ``hash``. Changing, removing or reordering any line breaks the chain from that line
on; :meth:`AuditLog.verify` returns the first broken line. (The chain is not keyed: someone who
can rewrite the whole file can rebuild it. It detects edits, not a determined owner of the disk.)

Entries record metadata only — script hash, data version, policy hash, command, line, kind,
protections applied, number of cells — never values of individual units. No timestamps are
written, so the same run gives the same log.

Default place: ``$MDLANG_HOME/projects/<project>/<datastore>-<version>/audit.jsonl`` where
``MDLANG_HOME`` defaults to ``$XDG_DATA_HOME/mdlang`` (``~/.local/share/mdlang``) and the project
is the one the deployment file fixes (:mod:`mdlang.disclosure.deployment`), else
``mdlang run --project NAME``, else ``$MDLANG_PROJECT``, else ``local``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mdlang.errors import UsageError

GENESIS = "0" * 64


def mdlang_home() -> Path:
    """mdlang's per-user data folder (``$MDLANG_HOME``, else the XDG data dir)."""
    home = os.environ.get("MDLANG_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "mdlang"


def path_safe(text: str) -> str:
    """``text`` as one folder name: every character outside ``[\\w.-]`` becomes ``_``."""
    return re.sub(r"[^\w.-]", "_", text)


class ProjectName(str):
    """A project name resolved by :func:`project_name` (checked against the deployment and
    path-safe); :func:`project_name` passes it on unchanged."""


def project_name(project: str | None = None) -> str:
    """The project: the given name, else ``$MDLANG_PROJECT``, else ``local`` (made path-safe).

    When the installation's deployment file fixes the project (:mod:`mdlang.disclosure.deployment`)
    that project is used, and a given name or ``$MDLANG_PROJECT`` that differs from it is refused
    with a UsageError: the researcher cannot start a fresh ledger and budget by renaming.
    """
    if isinstance(project, ProjectName):
        return project
    from mdlang.disclosure.deployment import ASK_OWNER, fixed_project, safe_name

    env = os.environ.get("MDLANG_PROJECT")
    fixed = fixed_project()
    if fixed is None:
        return ProjectName(safe_name(project or env or "local"))
    name, path = fixed
    for given, how in ((project, "--project"), (env, "$MDLANG_PROJECT")):
        if given and safe_name(given) != name:
            raise UsageError(
                f"this installation fixes the project as {name!r} (deployment file {path}); "
                f"{how} {given!r} differs",
                hint=f"leave out --project and unset $MDLANG_PROJECT to work in {name!r}; "
                f"for another project, {ASK_OWNER}",
            )
    return ProjectName(name)


def experiment_project(policy_digest: str, project: str | None = None) -> ProjectName:
    """The project of a session run under a policy override (tests, an owner's experiments):
    the session's project plus the policy's fingerprint, so that each override keeps a ledger of
    its own and experiments never mix with the project's real releases. (``+`` never survives
    :func:`project_name`, so no name a researcher gives can reach these ledgers.)"""
    return ProjectName(f"{project_name(project)}+override-{policy_digest[:12]}")


def default_audit_path(datastore: str, version: str | int, project: str | None = None) -> Path:
    """Where the audit log of a project and datastore version lives by default."""
    safe = path_safe(f"{datastore}-{version}")
    return mdlang_home() / "projects" / project_name(project) / safe / "audit.jsonl"


def _digest(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Broken:
    """Where a chain breaks: the 1-based line number and why."""

    line: int
    reason: str


class AuditLog:
    """An append-only hash-chained JSONL file (created with its folder on first append)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._last: tuple[int, str] | None = None

    def _tail(self) -> tuple[int, str]:
        """(next seq, hash of the last entry), read once from disk and then tracked."""
        if self._last is None:
            seq, prev = 0, GENESIS
            if self.path.exists():
                with self.path.open("rb") as fh:
                    last = b""
                    for raw in fh:
                        if raw.strip():
                            last = raw
                if last:
                    entry = json.loads(last)
                    seq, prev = int(entry["seq"]) + 1, str(entry["hash"])
            self._last = (seq, prev)
        return self._last

    def append(self, **fields: Any) -> dict[str, Any]:
        """Add one entry (JSON-ready metadata only) and return it with ``seq``, ``prev``, ``hash``."""
        seq, prev = self._tail()
        entry: dict[str, Any] = {"seq": seq, "prev": prev, **fields}
        entry["hash"] = _digest(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        self._last = (seq + 1, entry["hash"])
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Every entry in order (raises ValueError on a line that is not JSON)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(raw) for raw in fh if raw.strip()]

    def verify(self) -> Broken | None:
        """None when the chain is whole, else the first broken line and why."""
        if not self.path.exists():
            return None
        prev, seq = GENESIS, 0
        with self.path.open(encoding="utf-8") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    return Broken(number, "empty line")
                try:
                    entry = json.loads(raw)
                except json.JSONDecodeError:
                    return Broken(number, "not valid JSON")
                if not isinstance(entry, dict):
                    return Broken(number, "not a JSON object")
                if entry.get("seq") != seq:
                    return Broken(number, "sequence number out of order")
                if entry.get("prev") != prev:
                    return Broken(number, "does not chain to the entry before")
                if entry.get("hash") != _digest(entry):
                    return Broken(number, "content does not match its hash")
                prev, seq = entry["hash"], seq + 1
        return None
