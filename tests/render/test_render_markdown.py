"""Markdown output: valid pipe tables, escaping, textblock pass-through."""

from __future__ import annotations

import re

import pytest
from render_cases import CASES, make

from mdlang.render import renderer
from mdlang.render.markdown import escape, escape_line, fenced, pipe_table

_SEPARATOR = re.compile(r"^\|(:?-{3,}:?\|)+$")


def _cells(line: str) -> list[str]:
    """Split a pipe-table line on unescaped pipes (the outer pipes removed)."""
    assert line.startswith("| ") and line.endswith(" |"), line
    return [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])]


def _tables(markdown: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


@pytest.mark.parametrize("name", sorted(CASES))
def test_pipe_tables_are_well_formed(name: str) -> None:
    result, source = CASES[name]
    out = renderer("markdown").render(result, source)
    for table in _tables(out):
        assert len(table) >= 2
        assert _SEPARATOR.match(table[1]), table[1]
        width = len(table[1].strip("|").split("|"))
        for line in [table[0]] + table[2:]:
            assert len(_cells(line)) == width, line


def test_table_cells_match_the_released_data() -> None:
    result, _ = CASES["multiway"]
    table = _tables(renderer("markdown").render(result))[0]
    assert _cells(table[0]) == ["kjønn", "bydel", "Bosatt", "Utvandret", "Total"]
    assert table[1] == "|:---|:---|---:|---:|---:|"
    body = [_cells(line) for line in table[2:]]
    expected = [[str(c).replace(",", "") if c is not None else "" for c in row]
                for row in result.data["rows"]]
    assert [[c.replace(",", "") for c in row] for row in body] == expected


def test_pipes_and_markup_in_labels_are_escaped() -> None:
    result, _ = CASES["pipes_and_markup"]
    out = renderer("markdown").render(result)
    assert "| Lege \\| tannlege | 120 |" in out
    assert "| \\*Annet\\* \\[ukjent\\] | 33 |" in out
    assert "**yrke \\| gruppe**" in out


@pytest.mark.parametrize(("raw", "escaped"), [
    ("a|b", "a\\|b"),
    ("*x*", "\\*x\\*"),
    ("_cons", "\\_cons"),
    ("kjønn_2", "kjønn_2"),
    ("<10", "<10"),
    ("<script>", "\\<script>"),
    ("a\\b", "a\\\\b"),
    ("`code`", "\\`code\\`"),
])
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


@pytest.mark.parametrize(("raw", "escaped"), [
    ("# not a heading", "\\# not a heading"),
    ("- not a list", "\\- not a list"),
    ("1. not a list", "1\\. not a list"),
    ("> not a quote", "\\> not a quote"),
    ("plain text", "plain text"),
])
def test_escape_line_block_starts(raw: str, escaped: str) -> None:
    assert escape_line(raw) == escaped


def test_textblock_passes_through_and_messages_are_escaped() -> None:
    block = make("textblock", "message", {"text": "## Heading\n\n* item with `code`"})
    assert renderer("markdown").render(block) == "## Heading\n\n* item with `code`\n\n"
    plain = make("generate", "message", {"text": "# 3 values replaced"})
    assert renderer("markdown").render(plain) == "\\# 3 values replaced\n\n"
    flagged = make("info", "message", {"text": "**bold**", "format": "markdown"})
    assert renderer("markdown").render(flagged) == "**bold**\n\n"


def test_fence_outgrows_backticks_in_source() -> None:
    assert fenced("a ``` b") == ["````", "a ``` b", "````"]
    assert fenced("x = 1", "text") == ["```text", "x = 1", "```"]


def test_pipe_table_alignment_and_blank_cells() -> None:
    assert pipe_table(["a", "b", "c"], [["x", "", "1"]], stub=1) == [
        "| a | b | c |", "|:---|---:|---:|", "| x |   | 1 |"]


def test_source_is_a_fenced_code_block() -> None:
    result, _ = CASES["message"]
    out = renderer("markdown").render(result, "create-dataset folk")
    assert out.startswith("```\ncreate-dataset folk\n```\n\n")
