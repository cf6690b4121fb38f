"""Help texts for commands and functions, rendered from the command registry and the function
table, and ``mdlang help [TOPIC]`` on the command line.

The same text serves ``help X`` inside a script, the REPL and the command line, so they cannot
disagree. Everything is built from :mod:`mdlang.commands.specs` and
:data:`mdlang.engine.functions.FUNCTIONS`; nothing here keeps its own list.
"""

from __future__ import annotations

import sys
import textwrap
from typing import Any

from mdlang.commands.registry import CommandSpec, OptionSpec, all_commands
from mdlang.errors import UsageError
from mdlang.semantics.suggest import did_you_mean

WIDTH = 78

_ARG_PLACEHOLDER = {
    "int": "#",
    "number": "#",
    "string": "'text'",
    "var": "variable",
    "varlist": "variables",
    "terms": "terms",
    "codes": "codes",
    "name": "newname",
    "names": "newnames",
    "optional-var": "[variable]",
}


class UnknownHelpTopic(UsageError):
    """``help`` was asked about a name that is neither a command nor a function."""


def option_label(option: OptionSpec) -> str:
    """How an option is written: ``robust``, ``level(#)``, ``mfx(dydx|eyex|dyex|eydx)``."""
    if option.arg is None:
        return option.name
    if option.arg == "word" and option.choices:
        return f"{option.name}({'|'.join(option.choices)})"
    return f"{option.name}({_ARG_PLACEHOLDER.get(option.arg, option.arg)})"


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


def _option_lines(spec: CommandSpec) -> list[str]:
    labels = [option_label(o) for o in spec.options]
    width = min(max(len(label) for label in labels), 26) + 2
    out: list[str] = []
    for option, label in zip(spec.options, labels, strict=True):
        text = option.help
        notes = []
        if option.excludes:
            notes.append("not with " + ", ".join(option.excludes))
        if option.requires:
            notes.append("needs " + ", ".join(option.requires))
        if option.name in spec.extra.get("required_options", ()):
            notes.append("required")
        least = spec.extra.get("option_min_args", {}).get(option.name)
        if least:
            notes.append(f"needs {least} or more variables")
        if notes:
            text += " (" + "; ".join(notes) + ")"
        head = f"  {label:<{width}}" if len(label) < width else f"  {label}\n  {'':<{width}}"
        body = textwrap.wrap(text, WIDTH - width - 2) or [""]
        out.append(head + body[0])
        out.extend("  " + " " * width + line for line in body[1:])
    return out


def command_help(spec: CommandSpec) -> str:
    """The full help page of one command."""
    lines = [f"{spec.name} — {spec.summary}  [{spec.group}]", "", "Syntax", f"  {spec.syntax}", ""]
    lines += _wrap(spec.help)
    if spec.extra.get("stats"):
        stats = spec.extra["stats"]
        shown = [s for s in stats if not (s.startswith("p") and s[1:].isdigit())]
        more = " p1 … p99" if len(shown) < len(stats) else ""
        lines += ["", "Statistics"] + _wrap(" ".join(shown) + more)
    if spec.options:
        lines += ["", "Options"] + _option_lines(spec)
    lines += ["", "Example"] + [f"  {line}" for line in spec.example.splitlines()]
    if spec.disclosure:
        lines += ["", "Disclosure control"] + _wrap(spec.disclosure)
    return "\n".join(lines)


def _functions() -> dict[str, Any]:
    """The function table, or an empty one while the functions module is not available."""
    try:
        from mdlang.engine.functions import FUNCTIONS
    except ImportError:  # the function library is optional for command help
        return {}
    return FUNCTIONS


def _function_groups() -> list[str]:
    """The function reference's group order, when the library declares one."""
    try:
        from mdlang.engine.functions import GROUPS
    except ImportError:
        return []
    return list(GROUPS)


def function_help(fn: Any) -> str:
    """The help page of one function (a ``FunctionSpec``)."""
    lines = [f"{fn.name}() — function  [{fn.group}]", "", "Syntax", f"  {fn.signature}", ""]
    lines += _wrap(fn.help)
    lines += ["", "Example", f"  {fn.example}"]
    return "\n".join(lines)


def command_listing() -> str:
    """Every command, by group, with its one-line summary."""
    from mdlang.commands.specs import GROUPS

    commands = all_commands()
    lines = ["Commands (help COMMAND shows one in full):"]
    for group in GROUPS:
        members = sorted((s for s in commands.values() if s.group == group), key=lambda s: s.name)
        if not members:
            continue
        lines += ["", group]
        width = max(len(s.name) for s in members) + 2
        lines += [f"  {s.name:<{width}}{s.summary}" for s in members]
    return "\n".join(lines)


def function_listing() -> str:
    """Every function, by group, with its signature."""
    functions = _functions()
    if not functions:
        return "Functions: the function library is not available."
    lines = ["Functions (help-function NAME shows one in full):"]
    groups: dict[str, list[Any]] = {}
    for fn in functions.values():
        groups.setdefault(fn.group, []).append(fn)
    order = _function_groups()
    for group in sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g)):
        lines += ["", group]
        lines += [f"  {fn.signature}" for fn in sorted(groups[group], key=lambda f: f.name)]
    return "\n".join(lines)


def help_text(name: str | None = None) -> str:
    """Help for a command or a function; without a name, the listing of all commands.

    Raises :class:`UnknownHelpTopic` (with a "did you mean" hint) for an unknown name.
    """
    if not name:
        return command_listing()
    key = name.strip()
    if key.endswith("()"):
        key = key[:-2]
    commands = all_commands()
    if key in commands:
        return command_help(commands[key])
    functions = _functions()
    if key in functions:
        return function_help(functions[key])
    hint = did_you_mean(key, [*commands, *functions])
    raise UnknownHelpTopic(
        f"there is no command or function named {key!r}",
        hint=hint or "help without a name lists every command; help-function lists the functions",
    )


def function_help_text(name: str | None = None) -> str:
    """Help for a function (``help-function``); without a name, the listing of all functions."""
    if not name:
        return function_listing()
    key = name.strip().removesuffix("()")
    functions = _functions()
    if key in functions:
        return function_help(functions[key])
    raise UnknownHelpTopic(
        f"there is no function named {key!r}",
        hint=did_you_mean(key, functions) or "help-function without a name lists every function",
    )


def cli_help(args: Any) -> int:
    """``mdlang help [TOPIC]``: print the help and return 0; an unknown topic returns 2."""
    topic = getattr(args, "topic", None)
    try:
        text = help_text(topic)
    except UnknownHelpTopic as err:
        sys.stderr.write(f"mdlang: {err.message}\n")
        if err.hint:
            sys.stderr.write(f"  hint: {err.hint}\n")
        return 2
    sys.stdout.write(text + "\n")
    if not topic:
        sys.stdout.write("\nmdlang help FUNCTION shows a function; help-function in a script lists them.\n")
    return 0
