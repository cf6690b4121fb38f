"""A Pygments lexer for mdlang / microdata.no scripts.

It is registered as a Pygments plugin (``pygmentize -l mdl script.mdl``) and highlights the REPL
input. Command names come from the command registry, so a new command is highlighted without
touching this file. Tokens:

* the command word at the start of a line → ``Keyword`` (``for``/``end``/``let``/``textblock``
  are commands too); argument words ``if as to into on by in`` → ``Operator.Word``;
* options after the comma → ``Name.Attribute``; ``name(`` in an expression → ``Name.Function``;
* ``alias/VAR`` → ``Name.Namespace``, ``Punctuation``, ``Name.Constant``; ``$x`` →
  ``Name.Variable``; ``i.x`` factor prefixes → ``Name.Decorator``;
* strings, numbers, ``YYYY-MM-DD`` dates (``Literal.Date``), ``//`` comments, operators;
* a ``textblock`` body → ``String.Doc``.

Each line starts afresh (a command is one line), except after a trailing ``\\``. Functions are
recognised by the ``(`` that follows them, so the lexer needs no function table (which would
load pandas); pass ``functions=`` (a set of names) to mark only known functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pygments.lexer import ExtendedRegexLexer, LexerContext, bygroups
from pygments.token import (
    Comment,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
    _TokenType,
)

from mdlang.commands.registry import all_commands

__all__ = ["MdlLexer"]

IDENT = r"[^\W\d][\w@]*"
_WORDS = r"(?:if|as|to|into|on|by|in)"


def _command_pattern() -> str:
    names = sorted(all_commands(), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w\-@/])"


def _line_end(
    lexer: Any, match: re.Match[str], ctx: LexerContext
) -> Iterator[tuple[int, _TokenType, str]]:
    """A newline ends the command: the next line starts in the root state."""
    yield match.start(), Whitespace, match.group()
    ctx.stack = ["root"]
    ctx.pos = match.end()


def _expression(state_after_comma: str | None) -> list[Any]:
    """Rules shared by the argument list, option arguments and nested brackets."""
    rules: list[Any] = [
        (r"(\\)([ \t]*(?://[^\n]*)?\n?)", bygroups(String.Escape, Whitespace)),
        (r"\n", _line_end),
        (r"[ \t\r]+", Whitespace),
        (r"//.*?(?=\n|$)", Comment.Single),
        (r"'(?:[^'\n]|'')*'", String.Single),
        (r'"(?:[^"\n]|"")*"', String.Double),
        (r"'[^'\n]*|\"[^\"\n]*", String),  # unclosed: shown as a string, the parser reports it
        (r"\$" + IDENT, Name.Variable),
        (r"\d{4}-\d{2}-\d{2}(?!\d)", Literal.Date),
        (r"(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)", Number.Float),
        (r"\d+\.\d*|\.\d+", Number.Float),
        (r"\d+", Number.Integer),
        (
            r"(" + IDENT + r")(/)(" + IDENT + r")",
            bygroups(Name.Namespace, Punctuation, Name.Constant),
        ),
        (r"\b[ibc]\.(?=[^\W\d])", Name.Decorator),
        (_WORDS + r"(?![\w@])", Operator.Word),
        (IDENT + r"(?=[ \t]*\()", Name.Function, "bracket-call"),
        (IDENT + r"(?:\." + IDENT + r")+", Name.Namespace),
        (IDENT, Name),
        (r"\(", Punctuation, "bracket"),
        (r"->|\+\+|==|!=|<=|>=|##?|[-+*/^<>=!&|~]", Operator),
        (r"[:;.\[\]{}]", Punctuation),
    ]
    if state_after_comma is not None:
        rules.insert(0, (r",", Punctuation, state_after_comma))
    else:
        rules.insert(0, (r",", Punctuation))
    rules.append((r"\)", Punctuation, "#pop"))
    return rules


class MdlLexer(ExtendedRegexLexer):
    """Pygments lexer for the microdata.no analysis language (see the module docstring)."""

    name = "mdlang"
    aliases = ["mdl", "mdlang", "microdata"]
    filenames = ["*.mdl"]
    mimetypes = ["text/x-mdlang"]
    url = "https://microdata.no/"

    flags = re.MULTILINE | re.UNICODE

    tokens = {
        "root": [
            (
                r"^([ \t]*)(textblock)([ \t]*(?://.*)?)$",
                bygroups(Whitespace, Keyword, Comment.Single),
                "textblock",
            ),
            (r"[ \t\r]+", Whitespace),
            (r"\n", Whitespace),
            (r"//.*?$", Comment.Single),
            (r"for(?![\w\-@/])", Keyword, "loop-head"),
            (_command_pattern(), Keyword, "args"),
            (r"(?=\S)", Text, "args"),
        ],
        "args": _expression("options"),
        "options": [
            (r"(\\)([ \t]*(?://[^\n]*)?\n?)", bygroups(String.Escape, Whitespace)),
            (r"\n", _line_end),
            (r"[ \t\r]+", Whitespace),
            (r"//.*?(?=\n|$)", Comment.Single),
            (IDENT + r"(?:-" + IDENT + r")*", Name.Attribute),
            (r"\(", Punctuation, "bracket"),
            (r",", Punctuation),
            (r"[^\s\w(,]", Punctuation),
        ],
        "bracket": _expression(None),
        "loop-head": _expression(None),
        "bracket-call": [
            (r"[ \t]*\(", Punctuation, ("#pop", "bracket")),
        ],
        "textblock": [
            (r"^([ \t]*)(endblock)([ \t]*)$", bygroups(Whitespace, Keyword, Whitespace), "#pop"),
            (r".+\n?|\n", String.Doc),
        ],
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        names = options.get("functions")
        self.functions: frozenset[str] | None = frozenset(names) if names is not None else None

    def get_tokens_unprocessed(
        self, text: str | None = None, context: LexerContext | None = None
    ) -> Iterator[tuple[int, _TokenType, str]]:
        """Tokens with positions; with ``functions`` given, unknown ``name(`` are plain names."""
        for pos, token, value in super().get_tokens_unprocessed(text, context):
            if (
                token is Name.Function
                and self.functions is not None
                and value not in self.functions
            ):
                token = Name
            yield pos, token, value
