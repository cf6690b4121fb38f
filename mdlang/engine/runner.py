"""``mdlang run``: parse → check → run → release → render, streaming each result.

:func:`run_script` is the programmatic form (parse the whole script first, then run it and return
the released results). :func:`cli_run` is the command line: it renders every result as soon as
its command finishes, writes ``-o FILE`` through a temporary file renamed at the end, and maps
outcomes to exit codes (interfaces.md): 0 ran, 1 runtime error after printing what ran, 2 usage,
3 syntax or semantic error before anything ran, 4 withheld output with ``--strict``. No
traceback ever reaches the user.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import IO, Any

from mdlang.engine.session import Session
from mdlang.errors import MdlError, MdlSemanticError, Span, UsageError
from mdlang.results import Result
from mdlang.syntax import ast

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, EXIT_CHECK, EXIT_WITHHELD = 0, 1, 2, 3, 4


def parse_script(text: str, file: str | None = None, datastore_dirs: list[str] | None = None) -> ast.Script:
    """Parse the whole script (raises MdlSyntaxError) and run the semantic check when the
    checker is installed (raises MdlSemanticError on its first error)."""
    from mdlang.syntax.parser import parse

    script = parse(text, file)
    for err in semantic_errors(script, text, file, datastore_dirs):
        raise err
    return script


def semantic_errors(
    script: ast.Script, text: str, file: str | None, datastore_dirs: list[str] | None = None
) -> list[MdlError]:
    """The errors (not warnings) of ``mdlang.semantics.check``, if that checker exists."""
    try:
        from mdlang.semantics.check import check_script
        from mdlang.semantics.cli import catalogue_for
    except ModuleNotFoundError as err:
        if err.name and err.name.startswith("mdlang.semantics"):
            return []
        raise
    found = check_script(script, catalogue=catalogue_for(datastore_dirs), file=file)
    errors: list[MdlError] = []
    for diag in found:
        if getattr(diag, "severity", "error") != "error":
            continue
        line, col = getattr(diag, "line", 0), getattr(diag, "col", 0)
        errors.append(
            MdlSemanticError(
                diag.message,
                Span(line, col, line, col) if line else None,
                hint=diag.hint,
                file=file,
                source=text,
            )
        )
    return errors


def run_script(
    text: str,
    file: str | None = None,
    *,
    datastore_dirs: list[str] | None = None,
    project: str | None = None,
    policy_override: Any = None,
) -> list[Result]:
    """Parse, check and run a whole script; return its released results (raises MdlError)."""
    script = parse_script(text, file, datastore_dirs)
    session = Session(datastore_dirs=datastore_dirs, project=project, policy_override=policy_override)
    return list(session.run(ast.Script(script.statements, file=file, source=text)))


def statement_sources(statements: tuple[ast.Statement, ...], text: str) -> dict[int, str]:
    """Script line → the text of the statement starting there (loop bodies included), so that
    a renderer can echo the command beside its result."""
    lines = text.splitlines()
    out: dict[int, str] = {}
    for stmt in statements:
        span = getattr(stmt, "span", None)
        if span is None or span.line <= 0:
            continue
        end = max(span.end_line, span.line)
        if isinstance(stmt, ast.For):
            end = span.line
            out.update(statement_sources(stmt.body, text))
        out.setdefault(span.line, textwrap.dedent("\n".join(lines[span.line - 1 : end])))
    return out


def withheld(result: Result) -> bool:
    """True when disclosure control withheld all or part of a result."""
    if result.kind == "refusal":
        return True
    for row in result.data.get("rows", ()) or ():
        for cell in row[1:]:  # the first cell is the row's label
            if isinstance(cell, str) and cell[:1] in ("<", "x"):
                return True
    return False


def _read_source(path: str) -> tuple[str, str | None]:
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(path).read_text(encoding="utf-8"), path
    except FileNotFoundError:
        raise UsageError(f"no such script file: {path}", hint="check the path") from None
    except (OSError, UnicodeDecodeError):
        raise UsageError(f"cannot read the script file {path}", hint="it must be a readable UTF-8 text file") from None


class _Output:
    """Standard output, or a temporary file beside ``-o FILE`` that is renamed at the end."""

    def __init__(self, target: str | None) -> None:
        self.target = target
        self.tmp: str | None = None
        if target is None:
            self.stream: IO[str] = sys.stdout
            return
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            raise UsageError(f"the output folder does not exist: {folder}", hint="create it first")
        fd, self.tmp = tempfile.mkstemp(prefix=".mdlang-", suffix=".part", dir=folder)
        self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        if text:
            self.stream.write(text)
            self.stream.flush()

    def finish(self) -> None:
        if self.tmp is None:
            return
        self.stream.close()
        os.replace(self.tmp, self.target)

    def abandon(self) -> None:
        if self.tmp is None:
            return
        self.stream.close()
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def cli_run(args: Any) -> int:
    """``mdlang run SCRIPT|-`` (see the module docstring for the exit codes)."""
    from mdlang.disclosure.audit import project_name

    project = project_name(getattr(args, "project", None))  # a name the deployment refuses stops here
    text, file = _read_source(args.script)
    try:
        script = parse_script(text, file, getattr(args, "datastore_dir", None))
    except MdlError as err:
        sys.stderr.write(err.located(file=file, source=text).format() + "\n")
        return EXIT_CHECK
    from mdlang.render import renderer
    from mdlang.render.figures import attach_figures

    render = renderer(getattr(args, "output", "text") or "text")
    stem = Path(file).stem if file and file != "<stdin>" else "stdin"
    figure_names: set[str] = set()
    session = Session(
        datastore_dirs=getattr(args, "datastore_dir", None),
        project=project,
        figures_dir=getattr(args, "figures", None),
    )
    out = _Output(getattr(args, "out", None))
    held = False
    code = EXIT_OK
    try:
        out.write(_call(render, "header"))
        sources = statement_sources(script.statements, text)
        try:
            for result in session.run(ast.Script(script.statements, file=file, source=text)):
                held = held or withheld(result)
                if session.figures_dir:
                    attach_figures(result, session.figures_dir, stem, figure_names)
                out.write(render.render(result, sources.get(result.line)))
        except MdlError as err:
            out.write(_call(render, "footer"))
            out.finish()
            sys.stderr.write(err.located(file=file, source=text).format() + "\n")
            return EXIT_RUNTIME
        out.write(_call(render, "footer"))
        out.finish()
    except BaseException as exc:
        out.abandon()
        if isinstance(exc, (KeyboardInterrupt, SystemExit, BrokenPipeError)):
            raise
        sys.stderr.write(
            "mdlang: internal error while writing the output\n"
            "  hint: this is a bug in mdlang; please report it with the script (not the data)\n"
        )
        return EXIT_RUNTIME
    if held and getattr(args, "strict", False):
        code = EXIT_WITHHELD
    return code


def _call(render: Any, name: str) -> str:
    fn = getattr(render, name, None)
    return fn() if fn is not None else ""
