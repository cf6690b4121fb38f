"""Parse mdlang script text into an :class:`~mdlang.syntax.ast.Script`.

The pipeline: :mod:`~mdlang.syntax.lines` splits the text into logical lines and text blocks;
each line's command word is checked against the command registry; lark (LALR, contextual lexer)
parses the line and :class:`~mdlang.syntax.transform.AstBuilder` builds its AST node while it
reduces; :mod:`~mdlang.syntax.blocks` nests ``for`` … ``end``.

All logical lines are first parsed in one lark call (the fast path). If that fails, each line is
parsed on its own, so :func:`parse_all` reports every bad line, not just the first.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources

from lark import Lark
from lark.exceptions import UnexpectedInput

from mdlang.errors import MdlSyntaxError
from mdlang.syntax import ast
from mdlang.syntax.blocks import nest
from mdlang.syntax.commands import check_command_word, known_commands, suggest
from mdlang.syntax.lines import LogicalLine, RawTextBlock, check_brackets, split_lines
from mdlang.syntax.messages import WORDS, explain
from mdlang.syntax.transform import AstBuilder, End, ForHead

__all__ = ["parse", "parse_all", "is_complete", "expected_next", "parse_statement"]

_LOCK = threading.Lock()


@functools.cache
def _parser() -> tuple[Lark, AstBuilder]:
    """The grammar, loaded once; the builder is shared (guarded by ``_LOCK``)."""
    text = resources.files("mdlang.syntax").joinpath("mdlang.lark").read_text(encoding="utf-8")
    builder = AstBuilder()
    lark = Lark(
        text,
        parser="lalr",
        lexer="contextual",
        # Positions come from the tokens (transform.py): the builder runs inside the parser,
        # where lark's propagated tree positions are not available, and propagating them
        # costs a third of the parse time.
        propagate_positions=False,
        maybe_placeholders=True,
        cache=True,
        transformer=builder,
        start=["start", "script"],
    )
    return lark, builder


def _command_word(line: LogicalLine) -> str:
    stripped = line.text.lstrip()
    end = 0
    while end < len(stripped) and (stripped[end].isalnum() or stripped[end] in "-_"):
        end += 1
    return stripped[:end]


def _check_marker(line: LogicalLine) -> MdlSyntaxError | None:
    """``textblock``/``endblock`` with something else on the line (the preprocessor only takes
    them as block markers when they stand alone)."""
    word = _command_word(line)
    if word not in ("textblock", "endblock"):
        return None
    start = len(line.text) - len(line.text.lstrip())
    return MdlSyntaxError(
        f"'{word}' must stand alone on its line",
        line.map.span(start, start + len(word)),
        hint="write textblock and endblock on lines of their own, with the text between them",
    )


def _parse_lines_at_once(lines: list[LogicalLine]) -> list[ast.Statement | ForHead | End] | None:
    """Parse all lines in one lark call (the fast path); None if anything goes wrong, so that
    the caller parses line by line and reports each error where it is."""
    lark, builder = _parser()
    with _LOCK:
        builder.maps = [line.map for line in lines]
        try:
            return lark.parse("\n".join(line.text for line in lines), start="script")
        except (UnexpectedInput, MdlSyntaxError, RecursionError):
            return None


def _parse_line(line: LogicalLine) -> ast.Statement | ForHead | End:
    lark, builder = _parser()
    with _LOCK:
        builder.maps = [line.map]
        try:
            return lark.parse(line.text, start="start")
        except UnexpectedInput as exc:
            raise explain(exc, line, _command_word(line), lark) from None
        except RecursionError:
            raise MdlSyntaxError(
                "this line is nested too deeply to read",
                line.map.span(0, len(line.text)),
                hint="split it into simpler commands",
            ) from None


def _check_model(stmt: ast.Coefplot, names: frozenset[str]) -> MdlSyntaxError | None:
    name = stmt.model.name
    if name in names:
        return None
    near = suggest(name, names)
    return MdlSyntaxError(
        f"unknown command '{name}'",
        stmt.model.span,
        hint=f"did you mean '{near}'?" if near else "coefplot takes a model command such as regress",
    )


def parse_all(text: str, file: str | None = None) -> tuple[ast.Script, list[MdlSyntaxError]]:
    """Parse a whole script, recovering line by line.

    Returns the Script of every statement that parsed and the list of syntax errors (sorted by
    position, each with ``file`` and ``source`` set so ``.format()`` shows the caret).
    """
    pre = split_lines(text)
    names = known_commands()
    errors: list[MdlSyntaxError] = list(pre.errors)
    good: list[LogicalLine | RawTextBlock] = []
    for item in pre.items:
        problem = None
        if isinstance(item, LogicalLine):
            problem = (
                check_brackets(item) or check_command_word(item, names) or _check_marker(item)
            )
        if problem is not None:
            errors.append(problem)
        else:
            good.append(item)
    lines = [item for item in good if isinstance(item, LogicalLine)]
    fast = iter(_parse_lines_at_once(lines) or ()) if lines else iter(())
    items: list[ast.Statement | ForHead | End] = []
    for item in good:
        if isinstance(item, RawTextBlock):
            items.append(ast.TextBlock(item.text, span=item.span))
            continue
        node = next(fast, None)
        if node is None:
            try:
                node = _parse_line(item)
            except MdlSyntaxError as exc:
                errors.append(exc)
                continue
        if isinstance(node, ast.Coefplot):
            problem = _check_model(node, names)
            if problem is not None:
                errors.append(problem)
                continue
        items.append(node)
    statements, block_errors = nest(items)
    errors.extend(block_errors)
    errors.sort(key=lambda e: (e.span.line, e.span.col) if e.span else (0, 0))
    for e in errors:
        e.located(file=file, source=text)
    return ast.Script(tuple(statements), file=file, source=text), errors


def parse(text: str, file: str | None = None) -> ast.Script:
    """Parse a whole script; raise the first :class:`MdlSyntaxError` if there is any."""
    script, errors = parse_all(text, file)
    if errors:
        raise errors[0]
    return script


def parse_statement(text: str) -> ast.Statement:
    """Parse text holding exactly one statement (a ``for`` block counts as one)."""
    script = parse(text)
    if len(script.statements) != 1:
        raise MdlSyntaxError(
            f"expected one statement, found {len(script.statements)}",
            hint="give one command",
            source=text,
        )
    return script.statements[0]


def is_complete(text: str) -> bool:
    """For the REPL: False while a ``\\`` continuation, an open quote or bracket on the last line,
    an unclosed ``for`` or an unclosed ``textblock`` is pending; True otherwise (also when the
    text has errors: submitting it shows them)."""
    pre = split_lines(text)
    if pre.pending is not None:
        return False
    lines = [i for i in pre.items if isinstance(i, LogicalLine)]
    if lines:
        last = lines[-1]
        problem = check_brackets(last)
        if problem is not None and problem.message.startswith("unclosed"):
            return False
    depth = 0
    for line in lines:
        word = _command_word(line)
        if word == "for":
            depth += 1
        elif word == "end" and depth > 0:
            depth -= 1
    return depth == 0


def expected_next(text: str) -> list[str]:
    """For REPL completion: what may follow the last line of ``text`` (which should end at a
    token boundary). Keywords and punctuation are given as written (``if``, ``,``, ``as``);
    other tokens as ``<name>``, ``<number>``, ``<string>``, ``<binding>``, ``<date>``,
    ``<command>``, ``<end>``. Empty when the line cannot be continued."""
    pre = split_lines(text)
    lines = [i for i in pre.items if isinstance(i, LogicalLine)]
    if not lines or text.endswith("\n"):
        return ["<command>"]
    line = lines[-1]
    lark, builder = _parser()
    with _LOCK:
        builder.maps = [line.map]
        try:
            ip = lark.parse_interactive(line.text, start="start")
            ip.exhaust_lexer()
            accepts = ip.accepts()
        except (UnexpectedInput, MdlSyntaxError, RecursionError):
            return []
    out = set()
    for name in accepts:
        term = _display(name, lark)
        if term:
            out.add(term)
    return sorted(out)


_DISPLAY = {
    "NAME": "<name>",
    "NUMBER": "<number>",
    "STRING": "<string>",
    "BINDING": "<binding>",
    "DATE": "<date>",
    "CMDNAME": "<command>",
    "DSNAME": "<datastore>",
    "LABELWORD": "<label>",
    "FPREFIX": "i.",
    "CMPOP": "==",
    "$END": "<end>",
}


def _display(name: str, lark: Lark) -> str | None:
    if name == "HYPHWORD":
        return None
    if name in _DISPLAY:
        return _DISPLAY[name]
    if name in WORDS:
        return name.lower()
    pattern = lark.get_terminal(name).pattern
    return pattern.value if pattern.type == "str" else name.lower()
