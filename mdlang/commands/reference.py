"""The language reference page (``docs/language-reference.md``), generated from the command
registry and the function table so that the page and ``help`` can never disagree.

:func:`build_reference` returns the page; :func:`unavailable_commands` says which registered
commands have no implementation yet (the page and ``docs/differences.md`` list them).
``python -m mdlang.commands.reference`` rewrites the page and the generated block of
``docs/differences.md``; ``python -m mdlang.commands.reference --check`` only reports whether
they are current (exit code 1 when stale).

The hand-written section "Decisions where microdata.no is silent" is read from
``docs/reference/decisions.md`` so that it can be edited as prose.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mdlang.commands.registry import ANALYSES, HANDLERS, CommandSpec, OptionSpec, all_commands

#: The repository's docs folder (the page is generated for the source tree, not an installation).
DOCS = Path(__file__).resolve().parents[2] / "docs"
REFERENCE_PAGE = DOCS / "language-reference.md"
DECISIONS_SOURCE = DOCS / "reference" / "decisions.md"
DIFFERENCES_PAGE = DOCS / "differences.md"

#: How to regenerate; quoted by the staleness test and the page header.
REGENERATE = "python -m mdlang.commands.reference"

#: Markers around the generated list in docs/differences.md.
BEGIN_MARK = "<!-- BEGIN generated: not-yet-available (python -m mdlang.commands.reference) -->"
END_MARK = "<!-- END generated: not-yet-available -->"

#: English names of the reference page's (Norwegian) command groups.
GROUP_TITLES: dict[str, str] = {
    "Datasett": "datasets",
    "Tilrettelegging": "importing and preparing variables",
    "Statistikk": "descriptive statistics",
    "Analyse": "analysis",
    "Regresjon": "regression models",
    "Overlevelsesanalyse": "survival analysis",
    "Grafikk": "graphics",
    "Bindinger": "bindings and loops",
    "Støtte": "help, text and session",
}

#: English headings of the function groups.
FUNCTION_GROUP_TITLES: dict[str, str] = {
    "dates": "Dates",
    "distributions": "Probability distributions",
    "math": "Mathematics",
    "rows": "Row functions",
    "strings": "Strings",
    "logic": "Logic and filters",
    "labels": "Labels",
    "bindings": "Binding procedures",
}

_ARG_TEXT = {
    None: "—",
    "int": "whole number",
    "number": "number",
    "string": "quoted text",
    "var": "one variable",
    "varlist": "variables",
    "terms": "model terms",
    "codes": "codes",
    "word": "one of the words",
    "name": "new variable name",
    "names": "new variable names",
    "optional-var": "optional variable",
}


class ReferenceBuildError(RuntimeError):
    """The reference cannot be built (a command module does not import)."""


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (lower case, punctuation dropped, spaces to -)."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _cell(text: str) -> str:
    """Text made safe for a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _load_implementations() -> None:
    """Import every command module so that its handlers register (as the engine does)."""
    import mdlang.commands

    for info in sorted(pkgutil.iter_modules(mdlang.commands.__path__), key=lambda i: i.name):
        if info.name in {"registry", "help", "reference"} or info.name.startswith("specs"):
            continue
        try:
            importlib.import_module(f"mdlang.commands.{info.name}")
        except ImportError as err:
            raise ReferenceBuildError(
                f"mdlang.commands.{info.name} cannot be imported ({err}); the list of available "
                "commands would be wrong, so fix that module first"
            ) from err


def _repl_handlers() -> dict[str, Any]:
    try:
        from mdlang.repl.session_commands import HANDLERS as repl_handlers
    except ImportError:  # the REPL's dependencies are optional for the reference
        return {}
    return dict(repl_handlers)


def _loops_available() -> bool:
    try:
        from mdlang.engine.loops import run_for
    except ImportError:
        return False
    return callable(run_for)


def unavailable_commands() -> list[str]:
    """Registered commands that mdlang cannot run yet, in registry order.

    A command is available when the engine has a handler or analysis for it; ``for`` is run by
    the engine's loop runner; session commands (``repl_only``) by the REPL; a block terminator
    (``end``, ``endblock``) is available when the block it closes is.
    """
    _load_implementations()
    commands = all_commands()
    repl = _repl_handlers()

    def available(spec: CommandSpec) -> bool:
        if spec.name in HANDLERS or spec.name in ANALYSES:
            return True
        if spec.name == "for":
            return _loops_available()
        if spec.extra.get("repl_only"):
            return spec.name in repl
        opener = spec.extra.get("terminates")
        if opener and opener in commands:
            return available(commands[opener])
        return False

    return [name for name, spec in commands.items() if not available(spec)]


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def _option_notes(spec: CommandSpec, option: OptionSpec) -> str:
    notes: list[str] = []
    if option.choices and option.arg == "word":
        notes.append("one of " + ", ".join(f"`{c}`" for c in option.choices))
    if option.default not in (None, "") and option.arg is not None:
        notes.append(f"default `{option.default}`")
    if option.excludes:
        notes.append("not with " + ", ".join(f"`{o}`" for o in option.excludes))
    if option.requires:
        notes.append("needs " + ", ".join(f"`{o}`" for o in option.requires))
    if option.name in spec.extra.get("required_options", ()):
        notes.append("required")
    least = spec.extra.get("option_min_args", {}).get(option.name)
    if least:
        notes.append(f"needs {least} or more variables")
    return "; ".join(notes)


def _options_table(spec: CommandSpec) -> list[str]:
    from mdlang.commands.help import option_label

    lines = ["| option | argument | what it does |", "|---|---|---|"]
    for option in spec.options:
        text = option.help
        notes = _option_notes(spec, option)
        if notes:
            text = f"{text} ({notes})" if text else notes
        label = _cell(option_label(option))
        lines.append(f"| `{label}` | {_ARG_TEXT.get(option.arg, option.arg)} | {_cell(text)} |")
    return lines


def _stats_line(spec: CommandSpec) -> list[str]:
    stats = spec.extra.get("stats")
    if not stats:
        return []
    shown = [s for s in stats if not (s.startswith("p") and s[1:].isdigit())]
    words = " ".join(f"`{s}`" for s in shown)
    if len(shown) < len(stats):
        words += " and the percentiles `p1` … `p99`"
    return [f"**Statistics:** {words}", ""]


def _command_section(spec: CommandSpec, missing: set[str]) -> list[str]:
    lines = [f"#### `{spec.name}`", "", f"*{spec.summary}*", ""]
    if spec.name in missing:
        lines += [
            "> **Not yet available in this version of mdlang**: `mdlang check` accepts it, but "
            "running it stops the script with an error that says so.",
            "",
        ]
    lines += ["```", spec.syntax, "```", "", spec.help, ""]
    lines += _stats_line(spec)
    if spec.extra.get("dataset_kind") == "panel":
        lines += ["Needs a panel dataset (from `import-panel` or `reshape-to-panel`).", ""]
    if spec.extra.get("repl_only"):
        lines += ["Works only in the interactive command window (`mdlang repl`); in a script it "
                  "is an error.", ""]
    if spec.options:
        lines += _options_table(spec) + [""]
    if spec.example:
        lines += ["Example:", "", "```mdl-fragment", spec.example, "```", ""]
    if spec.disclosure:
        lines += [f"**Disclosure control.** {spec.disclosure}", ""]
    return lines


def _groups() -> list[tuple[str, list[CommandSpec]]]:
    from mdlang.commands.specs import GROUPS

    commands = all_commands().values()
    order = list(GROUPS) + sorted({s.group for s in commands} - set(GROUPS))
    return [(g, [s for s in commands if s.group == g]) for g in order]


def _group_heading(group: str) -> str:
    title = GROUP_TITLES.get(group)
    return f"{group} ({title})" if title else group


# ---------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------


def _function_groups() -> list[tuple[str, list[Any]]]:
    from mdlang.engine.functions import FUNCTIONS, GROUPS

    present = {f.group for f in FUNCTIONS.values()}
    order = [g for g in GROUPS if g in present] + sorted(present - set(GROUPS))
    return [(g, [f for f in FUNCTIONS.values() if f.group == g]) for g in order]


def _function_table(functions: Iterable[Any]) -> list[str]:
    lines = ["| function | what it gives | example |", "|---|---|---|"]
    for fn in functions:
        help_text = fn.help if fn.binding_ok else f"{fn.help} Needs data: not usable in `let`."
        lines.append(f"| `{_cell(fn.signature)}` | {_cell(help_text)} | `{_cell(fn.example)}` |")
    return lines


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------

_INTRO = """\
This page lists every command and function mdlang knows, with the same text that `help COMMAND`
and `help-function NAME` show. Commands are grouped as on microdata.no's command reference
(with the Norwegian group names). Each command shows its syntax (`<...>` is a place holder,
`[...]` is optional), its options, an example and what disclosure control does to its output.
Examples are fragments: they assume a dataset that holds the variables they name (see
[Getting started](getting-started.md) for whole scripts). How mdlang differs from microdata.no is
summed up in [Differences from microdata.no](differences.md)."""


def _decisions() -> list[str]:
    text = DECISIONS_SOURCE.read_text(encoding="utf-8").strip()
    return [text, ""]


def build_reference() -> str:
    """The whole text of ``docs/language-reference.md``."""
    missing = set(unavailable_commands())
    groups = _groups()
    function_groups = _function_groups()
    lines = [
        "# Language reference",
        "",
        f"<!-- Generated by `{REGENERATE}` from the command registry and the function table; "
        "do not edit by hand. -->",
        "",
        _INTRO,
        "",
        "## Contents",
        "",
        "* [Commands](#commands)",
    ]
    for group, _ in groups:
        lines.append(f"  * [{_group_heading(group)}](#{slug(_group_heading(group))})")
    lines.append("* [Functions](#functions)")
    for group, _ in function_groups:
        title = FUNCTION_GROUP_TITLES.get(group, group)
        lines.append(f"  * [{title}](#{slug(title)})")
    lines += [
        "* [Decisions where microdata.no is silent](#decisions-where-microdatano-is-silent)",
        "* [Not yet available](#not-yet-available)",
        "",
        "## Commands",
        "",
    ]
    for group, specs in groups:
        lines += [f"### {_group_heading(group)}", ""]
        lines += [", ".join(f"[`{s.name}`](#{slug(s.name)})" for s in specs), ""]
        for spec in specs:
            lines += _command_section(spec, missing)
    lines += [
        "## Functions",
        "",
        "Functions are used in expressions (`generate`, `replace`, `if` conditions, `keep if`, "
        "`drop if`). Those that need no data may also stand in `let`, import dates and `as` "
        "names; the others say so. `help-function NAME` shows one function.",
        "",
    ]
    for group, functions in function_groups:
        lines += [f"### {FUNCTION_GROUP_TITLES.get(group, group)}", ""]
        lines += _function_table(functions) + [""]
    lines += ["## Decisions where microdata.no is silent", ""]
    lines += _decisions()
    lines += ["## Not yet available", ""]
    lines += _unavailable_text(missing)
    return "\n".join(lines).rstrip("\n") + "\n"


def _unavailable_text(missing: set[str] | list[str]) -> list[str]:
    names = [n for n in all_commands() if n in set(missing)]
    if not names:
        return ["Every command of the reference can run in this version of mdlang.", ""]
    return [
        "These commands are known to the parser, `mdlang check` and `help`, but this version of "
        "mdlang cannot run them yet; a script that uses one stops there with the error "
        "\"the command NAME is not available in this version of mdlang\":",
        "",
        ", ".join(f"[`{n}`](#{slug(n)})" for n in names),
        "",
    ]


def differences_block() -> str:
    """The generated block of ``docs/differences.md`` (markers included)."""
    missing = unavailable_commands()
    if missing:
        body = (
            "At the time this page was generated, these commands are recognised (by `mdlang check`"
            " and `help`) but cannot run yet: "
            + ", ".join(f"[`{n}`](language-reference.md#{slug(n)})" for n in missing)
            + "."
        )
    else:
        body = "At the time this page was generated, every command of the reference can run."
    return f"{BEGIN_MARK}\n{body}\n{END_MARK}"


def refresh_differences(text: str) -> str:
    """``text`` (the differences page) with its generated block replaced by the current one."""
    start, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise ValueError(f"{DIFFERENCES_PAGE.name} lacks the generated-block markers")
    return text[:start] + differences_block() + text[end + len(END_MARK):]


def _stale() -> list[Path]:
    stale: list[Path] = []
    if not REFERENCE_PAGE.exists() or REFERENCE_PAGE.read_text(encoding="utf-8") != build_reference():
        stale.append(REFERENCE_PAGE)
    current = DIFFERENCES_PAGE.read_text(encoding="utf-8")
    if refresh_differences(current) != current:
        stale.append(DIFFERENCES_PAGE)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated pages (or, with ``--check``, report whether they are stale)."""
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale pages (exit 1)")
    args = parser.parse_args(argv)
    try:
        return _run(check=args.check)
    except ReferenceBuildError as err:
        sys.stderr.write(f"{REGENERATE}: {err}\n")
        return 2


def _run(*, check: bool) -> int:
    if check:
        stale = _stale()
        for path in stale:
            sys.stderr.write(f"{path} is stale; run: {REGENERATE}\n")
        return 1 if stale else 0
    REFERENCE_PAGE.write_text(build_reference(), encoding="utf-8")
    DIFFERENCES_PAGE.write_text(
        refresh_differences(DIFFERENCES_PAGE.read_text(encoding="utf-8")), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
