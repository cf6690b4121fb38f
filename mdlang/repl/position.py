"""Where the cursor stands in a command, for tab completion: which kind of name may be typed
there, and the part of it typed so far.

:func:`locate` reads only the text before the cursor and the command registry; it never touches
data. The kinds (:class:`Position` ``kind``):

``command`` (first word of a line), ``option`` (after the top-level comma), ``variable``,
``expression`` (variables and functions: after ``=`` or ``if``, inside a function's brackets),
``dataset``, ``regvar`` (``ALIAS/NAME``), ``binding`` (``$x``), ``labelset``,
``labelset-or-regvar`` (``list-labels``), ``topic`` (command
names after ``help``), ``function`` (after ``help-function``), ``model`` (after ``coefplot``),
``setting`` (after ``configure``), ``datastore`` (after ``require``), ``script`` (after
``load``/``save``), ``choice`` (an option's fixed words) and ``none``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mdlang.commands.registry import CommandSpec, get

#: option argument kinds whose brackets hold variables of the active dataset
VAR_ARGS = frozenset({"var", "varlist", "terms", "optional-var"})

#: argument shapes (CommandSpec.args) whose arguments are variables
_VARIABLE_SHAPES = frozenset(
    {
        "varlist",
        "model",
        "model-iv",
        "model-by",
        "varlist-or-if",
        "stat-groups",
        "prefixes",
        "clone-items",
        "recode",
        "merge",
    }
)

_KEYWORDS = frozenset({"if", "as", "to", "into", "on", "by", "in"})
_WORD = re.compile(r"[\w@$/]*\Z")
_FIRST = re.compile(r"[\w@\-]*\Z")
_FACTOR = re.compile(r"(?:^|(?<=[\s(#]))[ibc]\.\Z")


@dataclass(frozen=True, slots=True)
class Position:
    """What may be typed at the cursor (see the module docstring)."""

    kind: str
    word: str = ""
    command: str | None = None
    option: str | None = None
    alias: str | None = None
    typed_options: tuple[str, ...] = ()


@dataclass
class _Scan:
    """The state of a left-to-right scan of the current command."""

    quote: str | None = None
    comment: bool = False
    brackets: list[tuple[str, bool]] | None = None  # (word before "(", opened among options)
    options: bool = False
    words: list[str] | None = None  # top-level words of the argument part, in order
    option_words: list[str] | None = None
    assign: bool = False


def current_command(text: str) -> str:
    """The logical line the cursor is on: physical lines joined where the one before ends with
    a backslash."""
    lines = text.split("\n")
    parts = [lines.pop()]
    while lines and lines[-1].rstrip().endswith("\\"):
        parts.insert(0, lines.pop().rstrip()[:-1])
    return " ".join(parts)


def _in_textblock(text: str) -> bool:
    depth = False
    for line in text.split("\n")[:-1]:
        word = line.strip()
        if word == "textblock":
            depth = True
        elif word == "endblock":
            depth = False
    return depth


def _scan(line: str) -> _Scan:
    st = _Scan(brackets=[], words=[], option_words=[])
    token = ""
    i, n = 0, len(line)

    def flush() -> None:
        nonlocal token
        if token:
            if not st.brackets:
                (st.option_words if st.options else st.words).append(token)
            token = ""

    while i < n:
        ch = line[i]
        if st.quote is not None:
            if ch == st.quote:
                if i + 1 < n and line[i + 1] == st.quote:
                    i += 2
                    continue
                st.quote = None
            i += 1
            continue
        if ch in "'\"":
            flush()
            st.quote = ch
        elif ch == "/" and line[i + 1 : i + 2] == "/" and not token:
            st.comment = True
            return st
        elif ch == "(":
            owner = token
            flush()
            st.brackets.append((owner, st.options))
        elif ch == ")":
            token = ""
            if st.brackets:
                st.brackets.pop()
        elif ch == "," and not st.brackets:
            flush()
            st.options = True
        elif (
            ch == "="
            and not st.brackets
            and line[i + 1 : i + 2] != "="
            and (i == 0 or line[i - 1] not in "=!<>")
        ):
            flush()
            st.assign = True
        elif ch.isspace() or ch in "+*<>!&|^~#;,:=" or (ch == "/" and not token):
            flush()
        else:
            token += ch
        i += 1
    return st


def locate(text: str) -> Position:
    """The completion position at the end of ``text`` (the input before the cursor)."""
    if _in_textblock(text):
        return Position("none")
    line = current_command(text)
    head = line.lstrip()
    first = _FIRST.search(head)
    if first is not None and first.start() == 0:
        return Position("command", head)
    command = re.match(r"[\w\-]+", head)
    name = command.group() if command else ""
    rest = head[len(name) :]
    st = _scan(rest)
    if st.quote is not None or st.comment:
        return Position("none")
    match = _WORD.search(rest)
    word = match.group() if match else ""
    spec = get(name)
    hyphenated = _FIRST.search(rest)
    if spec is not None and spec.args in ("topic", "regcmd") and hyphenated is not None:
        word = hyphenated.group()  # a command name after help or coefplot
    if word.startswith("$"):
        return Position("binding", word, name)
    if spec is None:
        return Position("none", word, name)
    before = rest[: len(rest) - len(word)]
    # the scan keeps the word being typed apart: ``words`` holds only what came before it
    words = list(st.words or [])
    if st.brackets:
        found = _in_brackets(spec, st, word, words)
    elif st.options:
        found = Position("option", word, name, typed_options=tuple(st.option_words or ()))
    elif _FACTOR.search(before):
        found = Position("variable", word, name)
    else:
        found = _argument(spec, word, words, st.assign)
    if found.kind != "regvar" and "/" in found.word:
        # a slash outside a register name divides: complete what follows it
        return Position(
            found.kind,
            found.word.rsplit("/", 1)[1],
            found.command,
            found.option,
            found.alias,
            found.typed_options,
        )
    return found


def _in_brackets(spec: CommandSpec, st: _Scan, word: str, words: list[str]) -> Position:
    owner, among_options = (st.brackets or [("", False)])[-1]
    if among_options and len(st.brackets or []) == 1:
        opt = spec.option(owner)
        if opt is None:
            return Position("none", word, spec.name)
        if opt.arg in VAR_ARGS:
            return Position("variable", word, spec.name, option=owner)
        if opt.arg == "word" and opt.choices:
            return Position("choice", word, spec.name, option=owner)
        return Position("none", word, spec.name, option=owner)
    if owner or st.assign or "if" in words:
        return Position("expression", word, spec.name)
    return Position("none", word, spec.name)


def _argument(spec: CommandSpec, word: str, words: list[str], assign: bool) -> Position:
    name, shape = spec.name, spec.args
    if assign or "if" in words:
        return Position("expression", word, name)
    last = words[-1] if words else None
    if last == "as":
        return Position("none", word, name)
    if "/" in word:
        alias = word.split("/", 1)[0]
        return Position("regvar", word.split("/", 1)[1], name, alias=alias)
    pos = len([w for w in words if w not in _KEYWORDS])
    if shape == "dataset" or (shape == "dataset newdataset" and pos == 0):
        return Position("dataset", word, name)
    if shape == "merge" and last == "into":
        return Position("dataset", word, name)
    if shape in _VARIABLE_SHAPES:
        return Position("variable", word, name)
    if shape in ("regvar-date-as", "regvar-period-as"):
        return Position("regvar" if pos == 0 else "none", word, name)
    if shape in ("regvars-dates", "regvars"):
        return Position("regvar", word, name)
    if shape == "labelset-or-regvar":
        return Position("labelset-or-regvar", word, name)
    if shape in ("var newvar", "var labelset"):
        if pos == 0:
            return Position("variable", word, name)
        return Position("labelset" if shape == "var labelset" else "none", word, name)
    if shape == "assign" and name == "replace" and pos == 0:
        return Position("variable", word, name)
    if shape == "labelsets":
        return Position("labelset", word, name)
    simple = {
        "topic": "topic",
        "function": "function",
        "word": "setting",
        "datastore-as": "datastore",
        "regcmd": "model",
    }
    if shape in simple and pos == 0:
        return Position(simple[shape], word, name)
    if shape == "regcmd":
        return Position("variable", word, name)
    if shape == "string" and pos == 0:
        return Position("script", word, name)
    return Position("none", word, name)
