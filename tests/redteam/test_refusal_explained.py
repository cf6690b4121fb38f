"""An overlap refusal names the earlier outputs on the same variables — and tells nothing else.

Naming *the* output (or cell) that clashed would be a new channel: an attacker can arrange two
earlier outputs so that which one the new output clashes with depends on a canary's value. Here
the first table counts sex over the S1 children plus the canary if the canary has angst '1', the
second class level over the S1 children plus the canary if it has angst '0', and the third, over
the S1 children alone, has margins on both variables: it clashes with the first when the canary
has angst '1' and with the second otherwise. The refusal lists both (they share its variables),
so its text is the same for a canary with angst '1' and one with angst '0'.
"""

from __future__ import annotations

from pathlib import Path

from tests.redteam.attack import attack, refused

TRACKER = 'skole == "S1"'
WITH_ANGST_1 = 'skole == "S9" & trinn == 9 & kjonn == "2"'  # the canary: angst '1'
WITH_ANGST_0 = 'skole == "S9" & trinn == 9 & kjonn == "1"'  # the second canary: angst '0'


def _body(canary: str) -> str:
    return (f'tabulate kjonn if {TRACKER} | (({canary}) & angst == "1")\n'
            f'tabulate trinn if {TRACKER} | (({canary}) & angst == "0")\n'
            f"tabulate kjonn trinn if {TRACKER}\n")


def test_the_refusal_text_is_the_same_whatever_the_canarys_value(store: Path) -> None:
    texts = []
    for name, canary in (("explain-angst-1", WITH_ANGST_1), ("explain-angst-0", WITH_ANGST_0)):
        first, second, third = [r for r in attack(store, _body(canary), name) if r.command == "tabulate"]
        assert not refused(first) and not refused(second) and refused(third)
        texts.append((third.data["text"], third.data["rule"], third.data["remedy"]))
    assert texts[0] == texts[1]
    assert texts[0][0] == (
        "tabulate: output withheld by disclosure control (D10 overlap audit: the persons behind this output "
        "differ from those of an earlier output of this project by fewer than 10). Earlier outputs of this "
        "project on the same variables: output 2 (tabulate at attack.mdl:11), output 1 (tabulate at attack.mdl:10). "
        "One of them covers almost the same persons (which one is not said, as that could tell something about "
        "the persons who differ).")


def test_one_earlier_output_is_named_as_the_one(store: Path) -> None:
    body = f'tabulate angst if {TRACKER} | ({WITH_ANGST_1})\nsummarize bmi\ntabulate angst if {TRACKER}\n'
    out = [r for r in attack(store, body, "explain-one") if r.command in ("tabulate", "summarize")]
    assert [refused(r) for r in out] == [False, False, True]
    assert out[2].data["text"].endswith(
        "Earlier output of this project on the same variables: output 1 (tabulate at attack.mdl:10). "
        "It covers almost the same persons.")
    assert "`generate begge = !sysmiss(a) & !sysmiss(b)`" in out[2].data["remedy"]


def test_the_list_keeps_the_newest_three_and_counts_the_rest(store: Path) -> None:
    """Five earlier outputs on angst (the refused ones are not listed: they released nothing)."""
    body = "".join(f'tabulate angst if faar != {year}\n' for year in (2004, 2005, 2006, 2007, 2008))
    body += f'tabulate angst if {TRACKER} | ({WITH_ANGST_1})\ntabulate angst if {TRACKER}\n'
    out = [r for r in attack(store, body, "explain-many") if r.command == "tabulate"]
    assert [refused(r) for r in out] == [False] * 6 + [True]
    assert ("Earlier outputs of this project on the same variables: output 6 (tabulate at attack.mdl:15), "
            "output 5 (tabulate at attack.mdl:14), output 4 (tabulate at attack.mdl:13) and 3 older ones. "
            "One of them covers almost the same persons") in out[-1].data["text"]


def test_which_output_clashed_depends_on_the_canarys_value(store: Path) -> None:
    """Why the refusal may not name the output that clashed: with one of the two earlier tables
    alone, the third is refused after the first only for the angst-'1' canary and after the
    second only for the angst-'0' one."""
    verdicts = {}
    for value, canary in (("1", WITH_ANGST_1), ("0", WITH_ANGST_0)):
        lines = _body(canary).splitlines(keepends=True)
        for earlier in (0, 1):
            out = [r for r in attack(store, lines[earlier] + lines[2], f"explain-{value}-{earlier}") if r.command == "tabulate"]
            verdicts[value, earlier] = refused(out[1])
    assert verdicts == {("1", 0): True, ("1", 1): False, ("0", 0): False, ("0", 1): True}


def test_a_script_run_later_in_the_same_session_is_named_by_its_own_file(store: Path) -> None:
    """Gates opened by an earlier input (a REPL line, a loaded script) name the script that runs
    now, not the one that opened them."""
    from mdlang.engine.session import Session
    from mdlang.syntax import ast
    from mdlang.syntax.parser import parse
    from tests.redteam.canaries import PRELUDE

    session = Session(datastore_dirs=[str(store)], project="explain-later")
    first = parse(PRELUDE, file="opening.mdl")
    list(session.run(ast.Script(first.statements, file="opening.mdl", source=PRELUDE)))
    body = f'tabulate angst if {TRACKER} | ({WITH_ANGST_1})\ntabulate angst if {TRACKER}\n'
    later = parse(body, file="later.mdl")
    out = list(session.run(ast.Script(later.statements, file="later.mdl", source=body)))
    assert refused(out[-1])
    assert "output 1 (tabulate at later.mdl:1)" in out[-1].data["text"]
