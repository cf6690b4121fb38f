"""What the pages promise about behaviour holds: each test pins one claim of
docs/differences.md or of the decisions section (docs/reference/decisions.md)."""

from __future__ import annotations

import pytest
from docs_pages import DOCS

from mdlang.engine.functions import FUNCTIONS, call
from mdlang.semantics.check import check_text

PRELUDE = "require no.ssb.fdb:45 as db\ncreate-dataset p\nimport db/BEFOLKNING_KJOENN as kjønn\n"


def _diagnostics(body: str) -> list[tuple[str, str]]:
    return [(d.severity, d.message) for d in check_text(PRELUDE + body, functions=FUNCTIONS)]


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [("ceil", -17.3, -17), ("ceil", 7.2, 8), ("floor", -8.6, -9), ("floor", 7.8, 7), ("int", -17.6, -17)],
)
def test_ceil_floor_int_follow_the_mathematical_definitions(name, x, expected):
    assert call(name, x) == expected
    assert f"`{name}()`" in (DOCS / "differences.md").read_text(encoding="utf-8")


def test_hash_is_not_a_comment():
    found = check_text("# overskrift\n")
    assert [(d.severity, d.message, d.hint) for d in found] == [
        ("error", "'#' does not start a comment", "comments start with //")
    ]


def test_chained_comparison_is_an_error():
    assert ("error", "comparisons cannot be chained") in _diagnostics("generate a = 1 < 2 < 3\n")


def test_not_before_comparison_and_dot_comparison_warn_but_do_not_fail():
    found = _diagnostics("generate a = !kjønn == '1'\ngenerate b = 1 if kjønn == .\n")
    assert [s for s, _ in found] == ["warning", "warning"]
    assert found[0][1].startswith("! binds tighter than ==")
    assert "microdata.no only accepts sysmiss()" in found[1][1]


def test_creating_an_existing_variable_is_an_error():
    assert ("error", "variable kjønn already exists") in _diagnostics("generate kjønn = 1\n")


@pytest.mark.parametrize("command", ["history", "save 'x'", "load 'x'", "edit"])
def test_session_commands_are_errors_in_a_script(command):
    name = command.split()[0]
    assert ("error", f"{name} only works in the interactive command window") in _diagnostics(command + "\n")


def test_data_free_functions_may_stand_in_let():
    assert _diagnostics("let a = cos(2 * pi())\nlet d = date(2015, 12, 31)\nlet r = round(7.321, 0.01)\n") == []
