"""The hash-chained audit log and ``mdlang audit verify|show``."""

from __future__ import annotations

import json

from mdlang.cli import main
from mdlang.disclosure.audit import GENESIS, AuditLog, default_audit_path


def _log(tmp_path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "sub" / "audit.jsonl")
    for i in range(n):
        log.append(event="release", command="tabulate", line=i + 1, kind="table", cells=4, protections=["threshold"])
    return log


def test_chain_verifies_and_links(tmp_path) -> None:
    log = _log(tmp_path)
    entries = log.entries()
    assert [e["seq"] for e in entries] == [0, 1, 2, 3, 4]
    assert entries[0]["prev"] == GENESIS
    assert all(b["prev"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    assert log.verify() is None


def test_reopened_log_continues_the_chain(tmp_path) -> None:
    _log(tmp_path, 2)
    again = AuditLog(tmp_path / "sub" / "audit.jsonl")
    again.append(event="refusal", command="keep", line=9, kind="refusal")
    assert again.verify() is None
    assert again.entries()[-1]["seq"] == 2


def test_tampered_line_is_found(tmp_path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    entry = json.loads(lines[2])
    entry["cells"] = 1
    lines[2] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    log.path.write_text("\n".join(lines) + "\n")
    broken = AuditLog(log.path).verify()
    assert broken is not None and broken.line == 3 and "hash" in broken.reason


def test_deleted_line_is_found(tmp_path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()
    del lines[1]
    log.path.write_text("\n".join(lines) + "\n")
    broken = AuditLog(log.path).verify()
    assert broken is not None and broken.line == 2


def test_default_path_uses_mdlang_home_and_project(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MDLANG_HOME", str(tmp_path))
    monkeypatch.setenv("MDLANG_PROJECT", "bergen study")
    assert default_audit_path("helseprofil", 3) == tmp_path / "projects" / "bergen_study" / "helseprofil-3" / "audit.jsonl"
    assert default_audit_path("helseprofil", 3, "p1").parent.parent.name == "p1"


def test_cli_verify_and_show(tmp_path, capsys) -> None:
    log = _log(tmp_path, 3)
    assert main(["audit", "verify", str(log.path)]) == 0
    assert "ok, 3 entries, chain intact" in capsys.readouterr().out
    assert main(["audit", "show", str(log.path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "tabulate" in out[0] and "protections=threshold" in out[0]
    text = log.path.read_text().replace('"line":2', '"line":7')
    log.path.write_text(text)
    assert main(["audit", "verify", str(log.path)]) == 1
    assert ":2: chain broken" in capsys.readouterr().out
    assert main(["audit", "verify", str(tmp_path / "missing.jsonl")]) == 2
