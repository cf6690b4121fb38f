"""Command specs of the groups Bindinger (bindings and loops) and Støtte (help and session),
plus the block terminator ``endblock``."""

from __future__ import annotations

from mdlang.commands.specs_common import METADATA, cmd, opt

BINDINGER = "Bindinger"
STOTTE = "Støtte"

NOTHING = "Releases nothing derived from data."

_LOOP_EXAMPLE = (
    "for år in 2018 : 2020\n"
    "  import db/INNTEKT_WLONN date_fmt($år, 12, 31) as lønn ++ $år\n"
    "end"
)
_TEXT_EXAMPLE = "textblock\n## Inntekt etter kjønn\nTabellen under viser …\nendblock"
SESSION = (
    "Works in the interactive session (mdlang repl) only; a batch script that uses it is refused "
    "before it runs."
)

# --- Bindinger ---------------------------------------------------------------------------------

cmd(
    "let", BINDINGER, "control", "define a binding (a named constant)",
    "let <name> = <expression>",
    args="binding", min_args=1, max_args=1,
    help=(
        "Binds a name to a number, a string, a symbol (a bare name) or a combination of them; "
        "refer to it as $name anywhere a name, number, string or date may stand. ++ joins values "
        "into one (let dato = $år ++ '-01-01'); functions that need no data, such as date_fmt() "
        "or pi(), may be used. A later let with the same name overwrites the value."
    ),
    example="let år = 2020",
    disclosure=NOTHING,
)

cmd(
    "for", BINDINGER, "control", "repeat commands for a list of values",
    "for <i>[, <j> ...] in <values>[, <values> ...] [; <k> in <values> ...]",
    args="loop", min_args=1, max_args=None,
    help=(
        "Runs the commands up to the matching end once per value, with the iterator bound as "
        "$i. Values are listed with spaces or commas, or as an inclusive range a : b. Several "
        "iterators before in walk their lists in step; ; adds an inner loop level. Bindings "
        "made inside the loop live for one round only; changes to datasets stay."
    ),
    example=_LOOP_EXAMPLE,
    disclosure=NOTHING,
)

cmd(
    "end", BINDINGER, "control", "close a for loop",
    "end",
    help=(
        "Marks the end of the commands repeated by the nearest open for; every for needs its "
        "own end. Nested loops close innermost first."
    ),
    example=_LOOP_EXAMPLE,
    disclosure=NOTHING,
    terminates="for",
)

# --- Støtte ------------------------------------------------------------------------------------

cmd(
    "help", STOTTE, "info", "help for a command, or a list of all commands",
    "help [<command>]",
    args="topic", min_args=0, max_args=1,
    help=(
        "Shows the help text of a command: what it does, its syntax and options, an example and "
        "what disclosure control does to its output. Without a name, lists every command by group."
    ),
    example="help tabulate",
    disclosure=NOTHING,
)

cmd(
    "help-function", STOTTE, "info", "help for a function, or a list of all functions",
    "help-function [<function>]",
    args="function", min_args=0, max_args=1,
    help="Shows the help text of a function; without a name, lists every function by group.",
    example="help-function date",
    disclosure=NOTHING,
)

cmd(
    "variables", STOTTE, "info", "list register variables with their metadata",
    "variables [<alias/VARIABLE> ...]",
    args="regvars", min_args=0, max_args=None,
    help=(
        "Lists the variables of the connected datastores, or describes the listed register "
        "variables: unit type, temporality, data type, validity period and label."
    ),
    example="variables db/BEFOLKNING_KJOENN",
    disclosure=METADATA,
)

cmd(
    "textblock", STOTTE, "control", "start a block of Markdown text",
    "textblock",
    args="text",
    help=(
        "Starts free text that runs to a line holding only endblock. The text is not run; it "
        "appears in the output as Markdown (headings, lists, emphasis)."
    ),
    example=_TEXT_EXAMPLE,
    disclosure=NOTHING,
)

cmd(
    "endblock", STOTTE, "control", "end a block of Markdown text",
    "endblock",
    help=(
        "Marks the end of a textblock; it must stand alone on its line. The lines between "
        "textblock and endblock are shown as Markdown text."
    ),
    example=_TEXT_EXAMPLE,
    disclosure=NOTHING,
    terminates="textblock",
)

cmd(
    "configure", STOTTE, "info", "set a configuration for the script",
    "configure <setting>",
    args="word", min_args=1, max_args=1,
    help=(
        "Sets a configuration for the rest of the script: alpha turns on experimental commands "
        "(which may change), nocache makes every result be computed afresh."
    ),
    example="configure nocache",
    disclosure=NOTHING,
    settings=("alpha", "nocache"),
    free_options=True,  # the sub-options of configure are not documented; they are not checked
)

cmd(
    "clear", STOTTE, "session", "wipe the session's datasets, bindings and history",
    "clear",
    help="Removes every dataset, variable and binding of the session and its history; it cannot be undone.",
    example="clear",
    disclosure=NOTHING,
)

cmd(
    "history", STOTTE, "session", "list the commands of this session",
    "history",
    help=(
        "Lists the commands typed in this interactive session, in order and without their "
        "results, so they can be copied into a script."
    ),
    example="history",
    disclosure=SESSION,
    repl_only=True,
)

cmd(
    "save", STOTTE, "session", "save the session as a script",
    "save ['<script name>'] [, edit]",
    args="string", min_args=0, max_args=1,
    options=(opt("edit", None, "open the saved script in the editor"),),
    help="Saves the commands of this interactive session as a named script (quote names with spaces).",
    example="save 'min analyse'",
    disclosure=SESSION,
    repl_only=True,
)

cmd(
    "load", STOTTE, "session", "replace the session with a saved script",
    "load '<script name>'",
    args="string", min_args=1, max_args=1,
    help="Replaces the interactive session with a saved script; the current session is kept as a copy.",
    example="load 'min analyse'",
    disclosure=SESSION,
    repl_only=True,
)

cmd(
    "edit", STOTTE, "session", "save the session and open it in the editor",
    "edit",
    help="Writes the interactive session to the active script and opens it for editing (as save, edit).",
    example="edit",
    disclosure=SESSION,
    repl_only=True,
)
