"""REPL support: is_complete and expected_next."""

from __future__ import annotations

import pytest

from mdlang.syntax.parser import expected_next, is_complete


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("", True),
        ("tabulate x", True),
        ("tabulate x \\", False),
        ("tabulate x \\\n  y", True),
        ("tabulate x, over(a,", False),
        ("generate s = 'abc", False),
        ("for i in 1 2", False),
        ("for i in 1 2\n  help", False),
        ("for i in 1 2\n  help\nend", True),
        ("for i in 1 2\nfor j in 3 4\nend", False),
        ("textblock\nhei", False),
        ("textblock\nhei\nendblock", True),
        ("tabluate x", True),  # complete, if wrong: submitting shows the error
        ("generate x = a + b)", True),
    ],
)
def test_is_complete(text: str, complete: bool) -> None:
    assert is_complete(text) is complete


def test_expected_after_command_name() -> None:
    nxt = expected_next("tabulate ")
    assert {"<name>", "if", ",", "<end>", "i."} <= set(nxt)


def test_expected_after_comma() -> None:
    assert expected_next("tabulate x, ") == ["<end>", "<name>"]


def test_expected_after_import_variable() -> None:
    assert {"<date>", "as", ",", "<end>"} <= set(expected_next("import db/X "))


def test_expected_on_broken_line_is_empty() -> None:
    assert expected_next("tabulate x ) ") == []


def test_expected_at_line_start() -> None:
    assert expected_next("") == ["<command>"]
