"""The commands of microdata.no's command window that only the REPL can carry out: ``history``,
``save``, ``load`` and ``edit`` (language.md §3.9, §7.10).

Each handler takes the :class:`~mdlang.repl.executor.Executor`, the parsed statement and its
source text (for the echo), and raises :class:`~mdlang.errors.MdlError` when it cannot do its
work. Script files live in the executor's ``scripts_dir`` (the working folder of ``mdlang
repl``); ``save`` does not overwrite a file that this session did not save or load itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mdlang.errors import MdlError, MdlRuntimeError
from mdlang.repl.paths import script_path
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.repl.executor import Executor

#: the name ``save`` uses when neither a name nor an earlier save or load gives one
DEFAULT_SCRIPT = "session"


def history(ex: Executor, stmt: ast.Command, source: str | None) -> None:
    """List the commands of this session, without results."""
    text = "\n".join(ex.history) if ex.history else "No commands have run in this session yet."
    ex.message("history", text, source)


def save(ex: Executor, stmt: ast.Command, source: str | None) -> None:
    """Write the session's commands to a script file."""
    path = _target(ex, stmt)
    if path.exists() and path != ex.current_script:
        raise MdlRuntimeError(
            f"the script {path.name} already exists",
            stmt.span,
            hint="choose another name, or load it first to go on working on it",
        )
    try:
        path.write_text("".join(line + "\n" for line in ex.history), encoding="utf-8")
    except OSError:
        raise MdlRuntimeError(
            f"the script {path.name} could not be written",
            stmt.span,
            hint="check that the folder exists and can be written to",
        ) from None
    ex.current_script = path
    count = len(ex.history)
    text = f"Saved {count} command{'s' if count != 1 else ''} to {path.name}."
    if stmt.options:
        text += " mdlang repl has no script editor: open the file in your own editor."
    ex.message("save", text, source)


def load(ex: Executor, stmt: ast.Command, source: str | None) -> None:
    """Replace the session with a saved script and run it (stopping at its first error)."""
    from mdlang.syntax.parser import parse

    path = _target(ex, stmt)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MdlRuntimeError(
            f"there is no saved script {path.name}",
            stmt.span,
            hint="save one first with: save 'NAME'",
        ) from None
    except (OSError, UnicodeDecodeError):
        raise MdlRuntimeError(
            f"the script {path.name} could not be read",
            stmt.span,
            hint="it must be a readable UTF-8 text file",
        ) from None
    try:
        script = parse(text, path.name)
    except MdlError as err:
        ex.error(err.located(file=path.name, source=text))
        ex.err.write("the session was not replaced\n")
        return
    ex.reset()
    ex.current_script = path
    ex.message("load", f"Loaded {path.name}; the session now holds its commands.", source)
    ex.run_statements(script.statements, text, path.name)


def edit(ex: Executor, stmt: ast.Command, source: str | None) -> None:
    """``edit`` opens microdata.no's script editor, which a terminal session does not have."""
    raise MdlRuntimeError(
        "edit opens microdata.no's script editor, which mdlang repl does not have",
        stmt.span,
        hint="save the session with save 'NAME' and open NAME.mdl in your editor",
    )


def _target(ex: Executor, stmt: ast.Command) -> Path:
    name = _name(stmt)
    if name is None:
        if stmt.name == "load":
            raise MdlRuntimeError(
                "load needs the name of a script", stmt.span, hint="write: load 'NAME'"
            )
        return ex.current_script or script_path(DEFAULT_SCRIPT, ex.scripts_dir)
    return script_path(name, ex.scripts_dir)


def _name(stmt: ast.Command) -> str | None:
    if not stmt.args:
        return None
    arg = stmt.args[0]
    if isinstance(arg, ast.String):
        return arg.value
    if isinstance(arg, ast.Name):
        return arg.name
    raise MdlRuntimeError(
        f"{stmt.name} needs a script name in quotes",
        getattr(arg, "span", stmt.span),
        hint=f"write: {stmt.name} 'NAME'",
    )


#: command name → handler(executor, statement, source)
HANDLERS: dict[str, Callable[[Executor, ast.Command, str | None], None]] = {
    "history": history,
    "save": save,
    "load": load,
    "edit": edit,
}
