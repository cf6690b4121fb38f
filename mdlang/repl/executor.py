"""Runs what is typed at the prompt: parse, check against the session's scope, run, render.

One :class:`Executor` holds a :class:`~mdlang.engine.session.Session` for the whole REPL. Each
submitted text is parsed as a small script (``<repl>`` in messages) and its statements run in
order, as ``mdlang run`` would: results rendered by the text renderer, errors printed with
``MdlError.format()``, stopping at the first error. Unlike a batch run the session goes on, and a
command that fails or is cancelled with Ctrl-C leaves every dataset as it was before it
(:mod:`mdlang.repl.snapshot`).

The session commands ``history``, ``save``, ``load`` and ``edit`` are handled here
(:mod:`mdlang.repl.session_commands`); ``clear`` runs in the engine and also forgets the
history. Only commands that ran without error enter the history, so ``save`` writes a script
that runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from mdlang.engine.runner import statement_sources
from mdlang.engine.session import Session, command_name
from mdlang.errors import MdlError
from mdlang.repl import snapshot
from mdlang.repl.scope_sync import scope_from_session
from mdlang.semantics.scope import Scope
from mdlang.syntax import ast
from mdlang.syntax.parser import parse

#: the name errors and results of typed commands are shown under
INPUT_NAME = "<repl>"

#: what leaves the REPL when typed alone on a line
EXIT_WORDS = frozenset({"exit"})


class Executor:
    """Runs submitted text in one session (see the module docstring).

    ``out`` receives rendered results, ``err`` error messages; ``scripts_dir`` is where ``save``
    and ``load`` look for script files.
    """

    def __init__(
        self,
        session: Session,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        scripts_dir: Path | None = None,
    ) -> None:
        from mdlang.render import renderer

        self.session = session
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.scripts_dir = scripts_dir if scripts_dir is not None else Path.cwd()
        self.renderer = renderer("text")
        #: the commands of this session that ran, as typed (``history``, ``save``)
        self.history: list[str] = []
        #: the script file last saved or loaded (``save`` without a name writes it again)
        self.current_script: Path | None = None
        self.scope: Scope = scope_from_session(session)

    # -- entry point ------------------------------------------------------------------------

    def submit(self, text: str) -> bool:
        """Run one submitted input; False when it asks to leave the REPL."""
        if not text.strip():
            return True
        if text.strip() in EXIT_WORDS:
            return False
        try:
            script = parse(text, INPUT_NAME)
        except MdlError as err:
            self.error(err.located(file=INPUT_NAME, source=text))
            return True
        self.run_statements(script.statements, text, INPUT_NAME)
        return True

    def run_statements(self, statements: tuple[ast.Statement, ...], text: str, file: str) -> bool:
        """Run top-level statements of ``text`` in order; False after the first error."""
        from mdlang.repl import session_commands

        sources = statement_sources(statements, text)
        lines = text.splitlines()
        for stmt in statements:
            typed = statement_text(stmt, lines)
            name = command_name(stmt)
            try:
                if name in session_commands.HANDLERS:
                    session_commands.HANDLERS[name](self, stmt, sources.get(_line(stmt)))
                    continue
            except MdlError as err:
                self.error(err.located(file=file, source=text))
                return False
            if not self.run_one(stmt, text, file, sources):
                return False
            if name == "clear":
                self.history.clear()
            else:
                self.history.append(typed)
        return True

    # -- one engine command -----------------------------------------------------------------

    def run_one(self, stmt: ast.Statement, text: str, file: str, sources: dict[int, str]) -> bool:
        """Check and run one statement; on an error or Ctrl-C restore the state before it."""
        problem = self.check(stmt, text, file)
        if problem is not None:
            self.err.write(problem + "\n")
            return False
        session = self.session
        session.file, session.source = file, text
        for gate in session.gates.values():  # the audit and the ledger name this input
            gate.begin_script(text, file)
        before = snapshot.take(session)
        try:
            for result in session.guarded(stmt):
                self.write(self.renderer.render(result, sources.get(result.line)))
        except MdlError as err:
            snapshot.restore(session, before)
            self.error(err.located(file=file, source=text))
            return False
        except KeyboardInterrupt:
            snapshot.restore(session, before)
            self.err.write(
                f"cancelled: {command_name(stmt)} was stopped; the datasets are as they were before it\n"
            )
            return False
        finally:
            self.scope = scope_from_session(session)
        return True

    def check(self, stmt: ast.Statement, text: str, file: str) -> str | None:
        """The first semantic error of ``stmt`` in the current scope, formatted, or None."""
        from mdlang.engine.functions import FUNCTIONS
        from mdlang.semantics.check import check_script

        script = ast.Script((stmt,), file=file, source=text)
        found = check_script(script, file=file, scope=self.scope.snapshot(), functions=FUNCTIONS)
        for diag in found:
            if diag.is_error:
                return diag.format(text)
        return None

    # -- output -----------------------------------------------------------------------------

    def write(self, text: str) -> None:
        """Write rendered output and flush it (results appear as each command finishes)."""
        self.out.write(text)
        self.out.flush()

    def error(self, err: MdlError) -> None:
        """Print an error as ``mdlang run`` does."""
        self.err.write(err.format() + "\n")
        self.err.flush()

    def message(self, command: str, text: str, source: str | None) -> None:
        """Render a data-free message the way results are rendered."""
        result = self.session.gate.message(command, 1, text)
        self.write(self.renderer.render(result, source))

    def reset(self) -> None:
        """Forget datasets, label sets, bindings and the history (connections stay)."""
        self.session.clear()
        self.session.loop_stack.clear()
        self.history.clear()
        self.scope = scope_from_session(self.session)


def statement_text(stmt: ast.Statement, lines: list[str]) -> str:
    """The text of a top-level statement as typed (continuation lines and loop bodies kept)."""
    span = getattr(stmt, "span", None)
    if span is None or span.line <= 0:
        from mdlang.syntax.printer import print_statement

        return print_statement(stmt)
    end = max(span.end_line, span.line)
    return "\n".join(line.rstrip() for line in lines[span.line - 1 : end])


def _line(stmt: Any) -> int:
    span = getattr(stmt, "span", None)
    return span.line if span is not None else 0
