"""Friendly syntax errors: turn lark's exceptions into MdlSyntaxErrors that say what to do.

Common mistakes are recognised first (each has a test with its exact wording); anything else
becomes "unexpected X; expected Y" with the expected terminals described in words.
"""

from __future__ import annotations

import re

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from mdlang.errors import MdlSyntaxError
from mdlang.syntax.lines import LogicalLine

#: Terminal names described in words (terminals with a fixed text are shown quoted instead).
WORDS: dict[str, str] = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "BINDING": "a binding ($name)",
    "DATE": "a date (YYYY-MM-DD)",
    "CMDNAME": "a command name",
    "DSNAME": "a datastore name such as no.ssb.fdb",
    "LABELWORD": "a label",
    "FPREFIX": "a factor prefix (i. or c.)",
    "CMPOP": "a comparison (== != < > <= >=)",
    "$END": "the end of the line",
}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "CARET", "AND", "OR"}
_HIDDEN = {"HYPHWORD"}
_NO_OPTIONS = frozenset(
    "generate replace let for keep drop require define-labels import import-event import-panel"
    " list-labels".split()
)
_DATED = frozenset({"import", "import-event", "import-panel", "list-labels"})
_BAD_DATE = re.compile(r"(?<![\w.'\"])\d{1,4}-\d{1,2}-\d{1,2}(?![\w.'\"])(?<!\d{4}-\d{2}-\d{2})")
_OPTION_CALL = re.compile(r"(?<![\w.@$])([^\W\d]\w*)\(")


def describe_expected(names: set[str] | frozenset[str], parser: Lark) -> str:
    """Terminal names in words, deterministic order, joined as 'a, b or c'."""
    words: set[str] = set()
    for name in names:
        if name in _HIDDEN:
            continue
        if name in _OPERATORS and (name != "MINUS" or names & (_OPERATORS - {"MINUS"})):
            words.add("an operator")
        elif name in WORDS:
            words.add(WORDS[name])
        else:
            words.add(_literal(name, parser))
    ordered = sorted(words, key=lambda w: (w.startswith("'"), w))
    if not ordered:
        return "nothing more"
    if len(ordered) == 1:
        return ordered[0]
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def _accepts(exc: UnexpectedToken) -> set[str]:
    """The terminals really acceptable at the error (the LALR table's set is too wide where
    states were merged); falls back to the table's set."""
    try:
        accepts = exc.accepts
    except Exception:  # noqa: BLE001 - a builder callback may refuse a probe token
        accepts = None
    return set(accepts) if accepts else set(exc.expected)


def _literal(name: str, parser: Lark) -> str:
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    if isinstance(pattern, PatternStr):
        return f"'{pattern.value}'"
    return name.lower()


def _depth0(text: str, upto: int) -> list[tuple[int, str]]:
    """(offset, char) of every character before ``upto`` outside strings and brackets."""
    out: list[tuple[int, str]] = []
    depth = 0
    quote: str | None = None
    for i, ch in enumerate(text[:upto]):
        if quote is not None:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append((i, ch))
    return out


def _has_if_before(text: str, upto: int) -> bool:
    flat = "".join(ch if depth0 else " " for depth0, ch in _flatten(text, upto))
    return re.search(r"(?<![\w@$])if(?![\w@])", flat) is not None


def _flatten(text: str, upto: int) -> list[tuple[bool, str]]:
    keep = {i for i, _ in _depth0(text, upto)}
    return [(i in keep, ch) for i, ch in enumerate(text[:upto])]


def _comma_before(text: str, upto: int) -> bool:
    return any(ch == "," for _, ch in _depth0(text, upto))


def explain(exc: UnexpectedInput, line: LogicalLine, command: str, parser: Lark) -> MdlSyntaxError:
    """The MdlSyntaxError for a lark error on one logical line of a given command."""
    text = line.text
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            offset = len(text.rstrip())
            found, found_type = "", "$END"
        else:
            offset = tok.start_pos if tok.start_pos is not None else 0
            found, found_type = str(tok), tok.type
        expected = _accepts(exc)
    elif isinstance(exc, UnexpectedCharacters):
        offset = exc.pos_in_stream
        found = text[offset] if offset < len(text) else ""
        found_type = "CHAR"
        expected = set(exc.allowed or ())
    else:  # UnexpectedEOF
        offset = len(text.rstrip())
        found, found_type = "", "$END"
        expected = set(getattr(exc, "expected", ()) or ())

    span = line.map.span(offset, offset + max(len(found), 1))

    def err(message: str, hint: str | None = None) -> MdlSyntaxError:
        return MdlSyntaxError(message, span, hint=hint)

    if found == "=" and "EQ" not in expected:
        return err(
            "'=' assigns a value; to compare, write '=='",
            hint=f"write {text[:offset].strip()} == {text[offset + 1:].strip()}".rstrip(),
        )
    if found_type == "CMPOP" and "CMPOP" not in expected and ("AND" in expected or "OR" in expected):
        return err(
            "comparisons cannot be chained",
            hint="join two comparisons with &, for example: a < b & b < c",
        )
    if found_type == "IF" and command in ("keep", "drop"):
        return err(
            f"{command} takes either variables or an if condition, not both",
            hint=f"use two commands: '{command} <variables>' and '{command} if <condition>'",
        )
    option_call = _misplaced_option(text, command)
    if option_call is not None:
        word, at = option_call
        return MdlSyntaxError(
            f"'{word}(' looks like an option, but there is no comma before it",
            line.map.span(at, at + len(word) + 1),
            hint=f"options go after a comma: {text[:at].rstrip()}, {text[at:].strip()}",
        )
    if found == "," and command in ("define-labels", "recode"):
        return err(
            "a label cannot contain a comma",
            hint="write the label without a comma (a comma starts the options)",
        )
    bad_date = _BAD_DATE.search(text) if command in _DATED else None
    if bad_date is not None:
        return MdlSyntaxError(
            f"'{bad_date.group(0)}' is not a date",
            line.map.span(bad_date.start(), bad_date.end()),
            hint="write dates as YYYY-MM-DD, for example 2021-01-01",
        )
    if (
        command not in _NO_OPTIONS
        and found_type in ("NAME", "CMDNAME", "HYPHWORD", "IF", "CHAR")
        and found[:1].isalpha()
        and _has_if_before(text, offset)
        and not _comma_before(text, offset)
    ):
        return err(
            f"unexpected '{found}' after the if condition",
            hint=f"options go after a comma: {text[:offset].rstrip()}, {text[offset:].strip()}",
        )
    if found_type == "CHAR":
        what = f"unexpected character '{found}'" if found else "unexpected end of the line"
        return err(f"{what}; expected {describe_expected(expected, parser)}")
    what = "unexpected end of the line" if found_type == "$END" else f"unexpected '{found}'"
    return err(f"{what}; expected {describe_expected(expected, parser)}")


def _misplaced_option(text: str, command: str) -> tuple[str, int] | None:
    """A ``word(`` written among the arguments (before any comma) of a command that takes
    options, other than the command's own ``barchart(stat)``; None when there is none."""
    if command in _NO_OPTIONS:
        return None
    start = len(text) - len(text.lstrip()) + len(command)
    flat = _depth0(text, len(text))
    comma = next((i for i, ch in flat if ch == ","), len(text))
    cond = re.search(r"(?<![\w@$])if(?![\w@])", text[:comma])
    stop = cond.start() if cond else comma
    for m in _OPTION_CALL.finditer(text, start, stop):
        at = m.start(1)
        if any(i == at for i, _ in flat):
            return m.group(1), at
    return None
