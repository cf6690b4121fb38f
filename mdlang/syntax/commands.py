"""The command word at the start of a logical line: is it a command the registry knows?

Valid names come from :func:`mdlang.commands.registry.all_commands`; this module keeps no list
of its own. Only the grammar's structural words (``for``, ``end``, ``let``, ``textblock``,
``endblock``) are accepted even if the registry were to lack them, because the parser itself
implements them.
"""

from __future__ import annotations

import difflib
import re

from mdlang.commands.registry import all_commands
from mdlang.errors import MdlSyntaxError
from mdlang.syntax.lines import LogicalLine

_STRUCTURAL = frozenset({"for", "end", "let", "textblock", "endblock"})
_WORD = re.compile(r"\s*([^\W\d][\w\-@.]*)")


def known_commands() -> frozenset[str]:
    """Every command name a line may start with."""
    return frozenset(all_commands()) | _STRUCTURAL


def suggest(word: str, names: frozenset[str] | None = None) -> str | None:
    """The closest command name to a mistyped word, or None."""
    names = names if names is not None else known_commands()
    low = word.lower()
    if low in names:
        return low
    starts = sorted(n for n in names if n.startswith(low) and len(low) >= 2)
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(low, sorted(names), n=1, cutoff=0.6)
    return close[0] if close else None


def check_command_word(line: LogicalLine, names: frozenset[str] | None = None) -> MdlSyntaxError | None:
    """An error when the line does not start with a known command name, else None."""
    names = names if names is not None else known_commands()
    m = _WORD.match(line.text)
    if m is None:
        start = len(line.text) - len(line.text.lstrip())
        return MdlSyntaxError(
            "a line must start with a command name",
            line.map.span(start, start + 1),
            hint="start the line with a command such as generate, tabulate or import",
        )
    word = m.group(1)
    if word in names:
        return None
    near = suggest(word, names)
    if near is not None and near == word.lower():
        hint = f"command names are lower case: write '{near}'"
    elif near is not None:
        hint = f"did you mean '{near}'?"
    else:
        hint = "type 'help' for the list of commands"
    return MdlSyntaxError(
        f"unknown command '{word}'", line.map.span(m.start(1), m.end(1)), hint=hint
    )
