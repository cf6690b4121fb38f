"""``mdlang audit verify LOG`` and ``mdlang audit show LOG``: the data owner's view of an audit log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mdlang.disclosure.audit import AuditLog
from mdlang.errors import UsageError


def _log(args: argparse.Namespace) -> AuditLog:
    path = Path(args.log)
    if not path.is_file():
        raise UsageError(f"no audit log at {path}", hint="give the path of an audit.jsonl file")
    return AuditLog(path)


def cli_verify(args: argparse.Namespace) -> int:
    """Check the hash chain; exit 0 when whole, 1 naming the first broken line otherwise."""
    log = _log(args)
    broken = log.verify()
    if broken is None:
        count = len(log.entries())
        sys.stdout.write(f"{log.path}: ok, {count} entries, chain intact\n")
        return 0
    sys.stdout.write(f"{log.path}:{broken.line}: chain broken: {broken.reason}\n")
    return 1


def cli_show(args: argparse.Namespace) -> int:
    """List the releases and refusals of a log, one line each (metadata only)."""
    log = _log(args)
    try:
        entries = log.entries()
    except ValueError:
        sys.stderr.write(f"{log.path}: not a readable audit log; run `mdlang audit verify` first\n")
        return 1
    for e in entries:
        prot = ",".join(e.get("protections", [])) or "-"
        rule = f" rule={e['rule']}" if e.get("rule") else ""
        sys.stdout.write(
            f"{e.get('seq', '?'):>5} {e.get('event', '?'):<8} {e.get('command', '?'):<12} "
            f"line {e.get('line', '?'):<5} {e.get('kind', '?'):<8} cells={e.get('cells', 0)} "
            f"protections={prot}{rule} data={e.get('data_version', '?')} script={str(e.get('script', '?'))[:12]}\n"
        )
    return 0
