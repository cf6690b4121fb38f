"""The Pygments lexer: found through the plugin entry point, token kinds, no Error tokens on the
script corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
)

from mdlang.repl.lexer import MdlLexer

CORPUS = sorted((Path(__file__).parents[1] / "scripts").glob("*.mdl"))


def tokens(text: str, **options: object) -> list[tuple[object, str]]:
    """Tokens without the whitespace between them."""
    return [(t, v) for t, v in MdlLexer(**options).get_tokens(text) if v.strip()]


@pytest.mark.parametrize("alias", ["mdl", "mdlang", "microdata"])
def test_found_by_alias(alias: str) -> None:
    assert isinstance(get_lexer_by_name(alias), MdlLexer)


def test_found_by_file_name() -> None:
    assert isinstance(get_lexer_for_filename("analyse.mdl"), MdlLexer)


def test_command_condition_options_comment() -> None:
    text = "tabulate kjønn if inlist(a, 1) & $x > 2021-01-01, rowpct over(b) // note\n"
    assert tokens(text) == [
        (Keyword, "tabulate"),
        (Name, "kjønn"),
        (Operator.Word, "if"),
        (Name.Function, "inlist"),
        (Punctuation, "("),
        (Name, "a"),
        (Punctuation, ","),
        (Number.Integer, "1"),
        (Punctuation, ")"),
        (Operator, "&"),
        (Name.Variable, "$x"),
        (Operator, ">"),
        (Literal.Date, "2021-01-01"),
        (Punctuation, ","),
        (Name.Attribute, "rowpct"),
        (Name.Attribute, "over"),
        (Punctuation, "("),
        (Name, "b"),
        (Punctuation, ")"),
        (Comment.Single, "// note"),
    ]


def test_register_variable_date_and_as() -> None:
    assert tokens("import db/BEFOLKNING_KJOENN 2021-01-01 as kjønn") == [
        (Keyword, "import"),
        (Name.Namespace, "db"),
        (Punctuation, "/"),
        (Name.Constant, "BEFOLKNING_KJOENN"),
        (Literal.Date, "2021-01-01"),
        (Operator.Word, "as"),
        (Name, "kjønn"),
    ]


def test_strings_numbers_and_operators() -> None:
    assert tokens("generate y = 'it''s' + \"b\" ++ 1.5e3 ^ 2 - .5") == [
        (Keyword, "generate"),
        (Name, "y"),
        (Operator, "="),
        (String.Single, "'it''s'"),
        (Operator, "+"),
        (String.Double, '"b"'),
        (Operator, "++"),
        (Number.Float, "1.5e3"),
        (Operator, "^"),
        (Number.Integer, "2"),
        (Operator, "-"),
        (Number.Float, ".5"),
    ]


def test_hyphenated_command_is_one_keyword() -> None:
    assert tokens("regress-predict y x, residuals(r)")[:1] == [(Keyword, "regress-predict")]
    assert tokens("tabulate-panel x")[0] == (Keyword, "tabulate-panel")


def test_command_word_only_at_line_start() -> None:
    # 'summarize' is a command at the start, an option inside tabulate
    assert (Name.Attribute, "summarize") in tokens("tabulate a, summarize(b)")


def test_for_block_header_commas_are_not_options() -> None:
    toks = tokens("for år, verdi in 0 : 2, a b\n  help\nend")
    assert toks[0] == (Keyword, "for")
    assert (Name, "verdi") in toks and (Name, "a") in toks
    assert not any(t is Name.Attribute for t, _ in toks)
    assert (Keyword, "help") in toks and toks[-1] == (Keyword, "end")


def test_textblock_body() -> None:
    toks = tokens("textblock\n# Overskrift, med tabulate\nendblock\nhelp")
    assert toks == [
        (Keyword, "textblock"),
        (String.Doc, "# Overskrift, med tabulate\n"),
        (Keyword, "endblock"),
        (Keyword, "help"),
    ]


def test_continuation_keeps_the_options_state() -> None:
    toks = tokens("barchart (mean) x, \\\n    over(a) stack")
    assert (String.Escape, "\\") in toks
    assert (Name.Attribute, "stack") in toks


def test_factor_prefix() -> None:
    assert tokens("regress y i.kjønn")[2:4] == [(Name.Decorator, "i."), (Name, "kjønn")]


def test_known_functions_only_when_given() -> None:
    assert (Name.Function, "nosuch") in tokens("generate y = nosuch(x)")
    assert (Name, "nosuch") in tokens("generate y = nosuch(x)", functions={"round"})
    assert (Name.Function, "round") in tokens("generate y = round(x)", functions={"round"})


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_has_no_error_tokens(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    toks = list(MdlLexer().get_tokens(text))
    assert [v for t, v in toks if t in Error] == []
    assert "".join(v for _, v in toks).rstrip("\n") == text.rstrip("\n")


def test_corpus_exists() -> None:
    assert len(CORPUS) >= 10
