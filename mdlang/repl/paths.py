"""Where the REPL keeps its files: the input history under the user's data folder."""

from __future__ import annotations

from pathlib import Path

from mdlang.disclosure.audit import mdlang_home


def history_path() -> Path:
    """The input-history file: ``$MDLANG_HOME/history``, else ``~/.local/share/mdlang/history``
    (the XDG data folder); its folder is created when missing."""
    home = mdlang_home()
    home.mkdir(parents=True, exist_ok=True)
    return home / "history"


def script_path(name: str, folder: Path) -> Path:
    """The file of a saved script: ``name`` with ``.mdl`` added unless it has a suffix, relative
    to ``folder`` unless it is an absolute path."""
    path = Path(name).expanduser()
    if not path.suffix:
        path = path.with_name(path.name + ".mdl")
    return path if path.is_absolute() else folder / path
