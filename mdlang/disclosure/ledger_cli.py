"""``mdlang audit explain LEDGER``: the data owner's list of a project's refusals (D10), each with
the earlier outputs on the same variables — metadata only (commands, script lines, times)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mdlang.disclosure.ledger import EarlierOutput, Ledger
from mdlang.errors import UsageError

#: the most earlier outputs listed per refusal
LISTED = 20


def _where(out: EarlierOutput) -> str:
    """``output 7 (tabulate at analysis.mdl:12) 2026-11-28T20:30:00Z no.ds:1``."""
    return f"{out.describe()} {out.at or 'time unknown'} {out.data_version or '?'}"


def explain_lines(ledger: Ledger) -> list[str]:
    """The report of :func:`cli_explain`, one refusal after another (oldest first)."""
    lines = []
    for me, reason, earlier, total in ledger.refusals(limit=LISTED):
        lines.append(f"refused {_where(me)}: {reason or 'reason unknown (recorded before ledger version 3)'}")
        if reason == "overlap":
            if not earlier:
                lines.append("    no earlier output on the same variables is known to this ledger")
            for out in earlier:
                lines.append(f"    earlier on the same variables: {_where(out)}")
            if total > len(earlier):
                lines.append(f"    … and {total - len(earlier)} older")
    if not lines:
        lines.append("no refusals")
    return lines


def cli_explain(args: argparse.Namespace) -> int:
    """Print every refusal of a project's ledger with its candidate earlier outputs."""
    path = Path(args.ledger)
    if path.is_dir():
        path = path / "ledger.sqlite"
    if not path.is_file():
        raise UsageError(f"no privacy ledger at {path}",
                         hint="give $MDLANG_HOME/projects/<project>/<datastore>/ledger.sqlite or its folder")
    ledger = Ledger(path)
    try:
        sys.stdout.write("\n".join(explain_lines(ledger)) + "\n")
    finally:
        ledger.close()
    return 0
