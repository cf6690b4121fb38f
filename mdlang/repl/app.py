"""``mdlang repl`` (and plain ``mdlang``): the interactive command window.

A prompt_toolkit :class:`~prompt_toolkit.PromptSession` in the litecli/pgcli manner: a history
file that survives restarts (:func:`mdlang.repl.paths.history_path`), Up/Down and Ctrl-R
search, grey suggestions from the history, Tab completion from the registry and the session's
scope (:mod:`mdlang.repl.completer`), highlighting by :class:`mdlang.repl.lexer.MdlLexer`.
Enter submits a complete command and otherwise starts a new line (``is_complete``: a trailing
``\\``, an open bracket or quote, an open ``for`` or ``textblock``). Ctrl-C clears the input, or
cancels a running command (the executor restores the datasets); Ctrl-D on an empty line or
``exit`` leaves.

When standard input is not a terminal, the commands read from it run one by one without a
prompt, so ``mdlang repl < session.mdl`` behaves like typing them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import has_focus
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer

from mdlang.repl.completer import MdlCompleter, SessionSources
from mdlang.repl.executor import Executor
from mdlang.repl.lexer import MdlLexer
from mdlang.repl.paths import history_path
from mdlang.syntax.parser import is_complete

PROMPT = "mdl> "
CONTINUATION = "...> "
INDENT = "    "


def banner(project: str | None = None) -> str:
    """The greeting printed when an interactive session starts (with the session's project,
    when given: the privacy ledger and budget the session's outputs count against)."""
    from mdlang import __version__

    return (
        f"mdlang {__version__}: the microdata.no analysis language.\n"
        "Type help for the commands, help COMMAND for one of them; Tab completes; "
        "exit or Ctrl-D leaves.\n"
    ) + (project_line(project) if project is not None else "")


def project_line(project: str) -> str:
    """Which project the session works in, and whether the installation fixed it."""
    from mdlang.disclosure.deployment import fixed_project

    how = "fixed by this installation" if fixed_project() is not None else "choose another with --project"
    return f"Project: {project} ({how}).\n"


def loop_depth(text: str) -> int:
    """How many ``for`` blocks are open at the end of ``text`` (for the indentation)."""
    depth = 0
    for line in text.split("\n"):
        words = line.split()
        if not words:
            continue
        if words[0] == "for":
            depth += 1
        elif words[0] == "end" and depth:
            depth -= 1
    return depth


def key_bindings() -> KeyBindings:
    """Enter: take a highlighted completion, submit a complete command, or start a new line."""
    kb = KeyBindings()

    @kb.add("enter", filter=has_focus(DEFAULT_BUFFER))
    def _enter(event: KeyPressEvent) -> None:
        buf = event.current_buffer
        state = buf.complete_state
        if state is not None and state.current_completion is not None:
            buf.apply_completion(state.current_completion)
            return
        if is_complete(buf.text):
            buf.validate_and_handle()
            return
        buf.insert_text("\n" + INDENT * loop_depth(buf.text))

    return kb


def make_prompt(
    executor: Executor, sources: SessionSources, *, history_file: Path | None = None, **io: Any
) -> PromptSession[str]:
    """The PromptSession of a REPL (``io`` passes ``input``/``output`` through, for tests)."""
    path = history_file if history_file is not None else history_path()
    return PromptSession(
        message=PROMPT,
        multiline=True,
        prompt_continuation=CONTINUATION,
        key_bindings=key_bindings(),
        history=FileHistory(str(path)),
        auto_suggest=AutoSuggestFromHistory(),
        completer=MdlCompleter(sources),
        complete_while_typing=False,
        lexer=PygmentsLexer(MdlLexer),
        include_default_pygments_style=True,
        **io,
    )


def interact(executor: Executor, prompt: PromptSession[str]) -> int:
    """Read and run commands until ``exit`` or Ctrl-D; returns the exit code 0."""
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt: the input is dropped
        except EOFError:
            return 0
        try:
            if not executor.submit(text):
                return 0
        except KeyboardInterrupt:
            executor.err.write("cancelled\n")


def run_piped(executor: Executor, stream: TextIO) -> int:
    """Run commands read from a non-terminal stream, one complete command at a time."""
    pending: list[str] = []
    for line in stream:
        pending.append(line.rstrip("\n"))
        text = "\n".join(pending)
        if is_complete(text):
            pending = []
            if not executor.submit(text):
                return 0
    if pending:
        executor.submit("\n".join(pending))
    return 0


def cli_repl(args: Any) -> int:
    """``mdlang repl [--project NAME] [--datastore-dir DIR …]``."""
    from mdlang.disclosure.audit import project_name
    from mdlang.engine.session import Session

    dirs = getattr(args, "datastore_dir", None)
    project = project_name(getattr(args, "project", None))  # a name the deployment refuses stops here
    session = Session(datastore_dirs=dirs, project=project, interactive=True)
    executor = Executor(session)
    if not sys.stdin.isatty():
        return run_piped(executor, sys.stdin)
    sources = SessionSources(executor, dirs)
    sys.stdout.write(banner(project))
    return interact(executor, make_prompt(executor, sources))
