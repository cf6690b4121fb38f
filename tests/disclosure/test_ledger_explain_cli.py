"""``mdlang audit explain LEDGER``: a project's refusals with the earlier outputs on their variables."""

from __future__ import annotations

import re

from mdlang.cli import main
from mdlang.disclosure.ledger import Ledger
from tests.disclosure.test_ledger_explain_schema import _record


def test_explain_lists_each_refusal_with_its_candidates(tmp_path, capsys) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    assert _record(ledger, range(1, 2001), "vars:x", 3) is None
    assert _record(ledger, range(3000, 5000), "vars:y", 4) is None
    assert _record(ledger, range(2, 2001), "vars:x", 9) == "overlap"
    ledger.close()
    assert main(["audit", "explain", str(tmp_path)]) == 0
    out = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", capsys.readouterr().out)
    assert out == ("refused output 3 (tabulate at a.mdl:9) TIME s:1: overlap\n"
                   "    earlier on the same variables: output 1 (tabulate at a.mdl:3) TIME s:1\n")


def test_explain_without_refusals_and_without_a_ledger(tmp_path, capsys) -> None:
    Ledger(tmp_path / "ledger.sqlite").close()
    assert main(["audit", "explain", str(tmp_path / "ledger.sqlite")]) == 0
    assert capsys.readouterr().out == "no refusals\n"
    assert main(["audit", "explain", str(tmp_path / "missing")]) == 2
    assert "no privacy ledger at" in capsys.readouterr().err
