"""``mdlang check SCRIPT|-``: parse and check a script without touching data.

Text output: ``file:line:col: error: message``, the line with a caret, and a hint. JSON output:
one object per line with ``file, line, col, severity, kind, message``. Exit 0 when there are no
errors (warnings allowed), 3 when there are, 2 when the script cannot be read.

Nothing here imports pandas: the catalogue (datastore metadata) is opened only when the script
has a ``require`` line, and metadata is read from the manifest alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mdlang.errors import MdlError, UsageError
from mdlang.semantics.checker import Catalogue
from mdlang.semantics.diagnostics import Diagnostic

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CHECK = 3


def catalogue_for(search_path: list[str] | None = None) -> Catalogue:
    """A catalogue that opens datastores from the search path, once per name and version.

    A sample datastore that has not been generated yet is not generated for a check: register
    names are then simply not checked (None stands for "no metadata")."""
    cache: dict[tuple[str, Any], Any] = {}

    def open_store(name: str, version: Any) -> Any:
        """Open NAME:VERSION (None for a sample that is not built yet)."""
        from mdlang.datastore import discovery
        from mdlang.datastore.store import open_datastore

        key = (name, version)
        if key not in cache:
            on_path = any(a.name == name for a in discovery.list_available(search_path))
            if not on_path and name in discovery.sample_names():
                # the sample is not built yet; building it takes long, so check without it
                cache[key] = None
                return None
            try:
                number = int(version)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"the version of {name} must be a whole number, not {version!r}",
                                 hint=f"write require {name}:NUMBER as ALIAS") from exc
            cache[key] = open_datastore(name, number, search_path)
        return cache[key]

    return open_store


def read_script(path: str) -> tuple[str, str]:
    """The text and the display name of a script file, or of standard input for ``-``."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(path).read_text(encoding="utf-8"), path
    except FileNotFoundError:
        raise UsageError(f"no such script: {path}", hint="check the file name") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc.__class__.__name__}",
                         hint="scripts are UTF-8 text files") from None


def render(diags: list[Diagnostic], source: str, fmt: str) -> str:
    """The report in ``text`` or ``json`` (JSON Lines) form."""
    if fmt == "json":
        return "".join(d.to_json() + "\n" for d in diags)
    if not diags:
        return ""
    errors = sum(d.is_error for d in diags)
    warnings = len(diags) - errors
    body = "\n".join(d.format(source) for d in diags)
    return f"{body}\n{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n"


def cli_check(args: Any) -> int:
    """Entry point of ``mdlang check`` (see the module docstring for output and exit codes)."""
    from mdlang.semantics.check import check_text

    try:
        text, name = read_script(args.script)
    except MdlError as err:
        sys.stderr.write(err.format() + "\n")
        return EXIT_USAGE
    catalogue = catalogue_for(getattr(args, "datastore_dir", None)) if "require" in text else None
    diags = check_text(text, file=name, catalogue=catalogue)
    sys.stdout.write(render(diags, text, getattr(args, "format", "text") or "text"))
    return EXIT_CHECK if any(d.is_error for d in diags) else EXIT_OK
