"""The script corpus in tests/scripts: parses cleanly, round-trips through the printer, and
covers every command of the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdlang.commands.registry import all_commands
from mdlang.syntax import ast as A
from mdlang.syntax.parser import parse, parse_all
from mdlang.syntax.printer import print_script

SCRIPTS = sorted((Path(__file__).resolve().parent.parent / "scripts").glob("*.mdl"))


def test_corpus_exists() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_script_parses_without_errors(path: Path) -> None:
    script, errors = parse_all(path.read_text(encoding="utf-8"), file=str(path))
    assert [e.format() for e in errors] == []
    assert script.statements


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_print_then_parse_gives_equal_ast(path: Path) -> None:
    script = parse(path.read_text(encoding="utf-8"))
    printed = print_script(script)
    again = parse(printed)
    assert again == script
    assert print_script(again) == printed  # canonical: printing is a fixed point


def _names(statements: tuple[A.Statement, ...]) -> set[str]:
    out: set[str] = set()
    for s in statements:
        if isinstance(s, A.For):
            out |= {"for", "end"} | _names(s.body)
        elif isinstance(s, A.TextBlock):
            out |= {"textblock", "endblock"}
        elif isinstance(s, A.Import):
            out.add("import")
        elif isinstance(s, A.ImportEvent):
            out.add("import-event")
        elif isinstance(s, A.ImportPanel):
            out.add("import-panel")
        elif isinstance(s, A.Require):
            out.add("require")
        elif isinstance(s, A.Let):
            out.add("let")
        elif isinstance(s, A.Merge):
            out.add("merge")
        elif isinstance(s, A.Recode):
            out.add("recode")
        elif isinstance(s, A.DefineLabels):
            out.add("define-labels")
        elif isinstance(s, A.CloneVariables):
            out.add("clone-variables")
        elif isinstance(s, A.Coefplot):
            out |= {"coefplot", s.model.name}
        else:
            out.add(s.name)  # Command, Generate, Collapse
    return out


def test_corpus_covers_every_registered_command() -> None:
    used: set[str] = set()
    for path in SCRIPTS:
        used |= _names(parse(path.read_text(encoding="utf-8")).statements)
    assert set(all_commands()) - used == set()


def _spans(node: object, out: list) -> list:
    """Every span in a node tree, in field order."""
    if isinstance(node, tuple):
        for x in node:
            _spans(x, out)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            value = getattr(node, name)
            if name == "span":
                out.append(value)
            else:
                _spans(value, out)
    return out


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_fast_path_equals_line_by_line(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mdlang.syntax import parser

    text = path.read_text(encoding="utf-8")
    fast = parse(text)
    monkeypatch.setattr(parser, "_parse_lines_at_once", lambda lines: None)
    slow = parse(text)
    assert slow == fast
    assert _spans(slow.statements, []) == _spans(fast.statements, [])
    assert A.NOSPAN not in _spans(fast.statements, [])
