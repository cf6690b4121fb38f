"""The line preprocessor and spans: continuations, comments, text blocks, physical positions."""

from __future__ import annotations

from mdlang.errors import Span
from mdlang.syntax import ast as A
from mdlang.syntax.lines import RawTextBlock, split_lines
from mdlang.syntax.parser import parse


def test_comment_marker_inside_string_is_kept() -> None:
    (line,) = split_lines("generate u = 'http://x' // borte").items
    assert line.text.rstrip() == "generate u = 'http://x'"


def test_continuation_maps_offsets_to_physical_lines() -> None:
    (line,) = split_lines("tabulate a \\\n    b c").items
    assert line.text == "tabulate a      b c"
    at = line.text.rindex("b")
    assert line.map.pos(at) == (2, 5)
    assert line.map.pos(0) == (1, 1)


def test_textblock_body_is_verbatim() -> None:
    pre = split_lines("textblock\n# H1\n  * a // b\n\nendblock\n")
    (block,) = pre.items
    assert isinstance(block, RawTextBlock)
    assert block.text == "# H1\n  * a // b\n"
    assert block.span == Span(1, 1, 5, 9)


def test_crlf_line_endings() -> None:
    script = parse("help\r\ngenerate x = 1\r\n")
    assert [s.span.line for s in script.statements] == [1, 2]


def test_statement_spans_cover_the_command() -> None:
    script = parse("require no.ssb.fdb:38 as db\n\n  tabulate kjønn sivstand, rowpct // c\n")
    req, tab = script.statements
    assert req.span == Span(1, 1, 1, 28)
    assert tab.span == Span(3, 3, 3, 34)
    assert tab.args[1].span == Span(3, 18, 3, 26)
    assert tab.options[0].span == Span(3, 28, 3, 34)


def test_spans_across_continuation() -> None:
    script = parse("import-panel db/A \\\n   db/B \\\n   2020-01-01")
    (stmt,) = script.statements
    assert stmt.span == Span(1, 1, 3, 14)
    assert stmt.variables[1].span == Span(2, 4, 2, 8)
    assert stmt.dates[0].span == Span(3, 4, 3, 14)


def test_for_span_runs_to_end() -> None:
    (loop,) = parse("for i in 1 2\n    help\nend\n").statements
    assert isinstance(loop, A.For)
    assert loop.span == Span(1, 1, 3, 4)
    assert loop.body[0].span == Span(2, 5, 2, 9)


def test_script_keeps_file_and_source() -> None:
    script = parse("help\n", file="x.mdl")
    assert script.file == "x.mdl" and script.source == "help\n"


def test_comments_after_textblock_markers() -> None:
    script = parse("textblock // intro\nhei // ikke kommentar\nendblock // slutt\nhelp")
    assert script.statements == (A.TextBlock("hei // ikke kommentar"), A.Command("help"))
