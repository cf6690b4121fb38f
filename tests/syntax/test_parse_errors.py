"""Friendly syntax errors: wording, position and caret of each message."""

from __future__ import annotations

import pytest

from mdlang.errors import MdlError, MdlSyntaxError
from mdlang.syntax.parser import parse, parse_all

# (script, line, col, message, hint)
ERRORS = [
    ("tabluate x", 1, 1, "unknown command 'tabluate'", "did you mean 'tabulate'?"),
    ("gen x = 1", 1, 1, "unknown command 'gen'", "did you mean 'generate'?"),
    ("Tabulate x", 1, 1, "unknown command 'Tabulate'", "command names are lower case: write 'tabulate'"),
    ("scatter y x", 1, 1, "unknown command 'scatter'", "type 'help' for the list of commands"),
    ("= 5", 1, 1, "a line must start with a command name", "start the line with a command such as generate, tabulate or import"),
    ("keep if x = 1", 1, 11, "'=' assigns a value; to compare, write '=='", "write keep if x == 1"),
    ("generate y = 1 if kjønn = '2'", 1, 25, "'=' assigns a value; to compare, write '=='", "write generate y = 1 if kjønn == '2'"),
    (
        "summarize x if a > 1 gini",
        1, 22,
        "unexpected 'gini' after the if condition",
        "options go after a comma: summarize x if a > 1, gini",
    ),
    (
        "regress y x robust(1)",
        1, 13,
        "'robust(' looks like an option, but there is no comma before it",
        "options go after a comma: regress y x, robust(1)",
    ),
    (
        "tabulate x y rowsort(1)",
        1, 14,
        "'rowsort(' looks like an option, but there is no comma before it",
        "options go after a comma: tabulate x y, rowsort(1)",
    ),
    ("tabulate x y, rowpct colpct(", 1, 28, "unclosed bracket: this '(' is never closed", "add the missing ')'"),
    ("generate x = (a + b", 1, 14, "unclosed bracket: this '(' is never closed", "add the missing ')'"),
    ("generate x = a + b)", 1, 19, "unmatched ')': no '(' is open here", "remove the ')' or add the '(' it belongs to"),
    (
        "generate s = 'abc",
        1, 14,
        "unclosed string: the quote ' is never closed on this line",
        "end the string with a matching ' (write '' for a quote inside it)",
    ),
    ("# kommentar", 1, 1, "'#' does not start a comment", "comments start with //"),
    ("  # innrykket", 1, 3, "'#' does not start a comment", "comments start with //"),
    (
        "keep x if y > 1",
        1, 8,
        "keep takes either variables or an if condition, not both",
        "use two commands: 'keep <variables>' and 'keep if <condition>'",
    ),
    (
        "tabulate x, missing if a > 1",
        1, 21,
        "the if condition must come before the options",
        "write the condition before the comma: command vars if condition, options",
    ),
    ("keep if a < b < c", 1, 15, "comparisons cannot be chained", "join two comparisons with &, for example: a < b & b < c"),
    ("end", 1, 1, "'end' without a 'for' to close", "remove this line, or start the loop with 'for … in …'"),
    ("for i in 1 2\ntabulate x", 1, 1, "this 'for' loop is never closed", "end the loop body with a line holding only 'end'"),
    ("textblock\ntekst", 1, 1, "this 'textblock' is never closed", "end the text with a line holding only 'endblock'"),
    ("textblock \\\n", 1, 1, "'textblock' must stand alone on its line", "write textblock and endblock on lines of their own, with the text between them"),
    ("textblock Overskrift", 1, 1, "'textblock' must stand alone on its line", "write textblock and endblock on lines of their own, with the text between them"),
    ("endblock", 1, 1, "'endblock' without a 'textblock' before it", "start the text with a line holding only 'textblock', or remove this line"),
    (
        "for a, b in 1 2",
        1, 5,
        "this loop level has 2 iterators but 1 value lists",
        "give one comma-separated value list per iterator: for a, b in 1 2, x y",
    ),
    ("coefplot regres y x", 1, 10, "unknown command 'regres'", "did you mean 'regress'?"),
    ("define-labels s 1 Oslo, 2 B", 1, 23, "a label cannot contain a comma", "write the label without a comma (a comma starts the options)"),
    ("import db/X 2020-1-1 as x", 1, 13, "'2020-1-1' is not a date", "write dates as YYYY-MM-DD, for example 2021-01-01"),
    (
        "generate x = 1 if a > 1 gini",
        1, 25,
        "unexpected 'gini'; expected a comparison (== != < > <= >=), an operator, the end of the line or '++'",
        None,
    ),
    ("generate x =", 1, 13, "unexpected end of the line; expected a binding ($name), a name, a number, a quoted string, '!', '(', '-' or '.'", None),
    ("import db/X as", 1, 15, "unexpected end of the line; expected a binding ($name), a name, a number or a quoted string", None),
    ("merge a b", 1, 10, "unexpected end of the line; expected a binding ($name), a name, a number, a quoted string or 'into'", None),
    ("generate x = 1 +* 2", 1, 17, "unexpected '*'; expected a binding ($name), a name, a number, a quoted string, '!', '(', '-' or '.'", None),
    ("generate x = a ~ b", 1, 16, "unexpected '~'; expected a comparison (== != < > <= >=), an operator, the end of the line, '(', '++' or 'if'", None),
]


@pytest.mark.parametrize(("text", "line", "col", "message", "hint"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_message(text: str, line: int, col: int, message: str, hint: str | None) -> None:
    with pytest.raises(MdlSyntaxError) as info:
        parse(text, file="s.mdl")
    err = info.value
    assert (err.message, err.hint) == (message, hint)
    assert (err.span.line, err.span.col) == (line, col)
    assert err.file == "s.mdl" and err.source == text


def test_format_shows_location_line_and_caret() -> None:
    with pytest.raises(MdlSyntaxError) as info:
        parse("require no.ssb.fdb:38 as db\nkeep if x = 1\n", file="a.mdl")
    assert info.value.format() == (
        "a.mdl:2:11: syntax error: '=' assigns a value; to compare, write '=='\n"
        "    keep if x = 1\n"
        "              ^\n"
        "  hint: write keep if x == 1"
    )


def test_error_on_continued_line_points_at_physical_line() -> None:
    text = "tabulate a \\\n    b, rowpct \\\n    colsort('1' = )"
    with pytest.raises(MdlSyntaxError) as info:
        parse(text)
    assert (info.value.span.line, info.value.span.col) == (3, 17)


def test_parse_all_reports_every_bad_line() -> None:
    text = "tabluate x\ngenerate y = 1\nkeep if y = 1\n# x\nsummarize y\nend\n"
    script, errors = parse_all(text, file="f.mdl")
    assert [(e.span.line, e.message) for e in errors] == [
        (1, "unknown command 'tabluate'"),
        (3, "'=' assigns a value; to compare, write '=='"),
        (4, "'#' does not start a comment"),
        (6, "'end' without a 'for' to close"),
    ]
    assert [s.name for s in script.statements] == ["generate", "summarize"]
    assert all(e.file == "f.mdl" and e.source == text for e in errors)


def test_errors_are_mdl_errors_without_traceback_text() -> None:
    with pytest.raises(MdlError) as info:
        parse("tabulate x,, y")
    assert "Traceback" not in info.value.format()
    assert "Token" not in info.value.format()
