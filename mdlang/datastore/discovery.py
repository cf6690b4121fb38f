"""Find datastores: the search path and the resolution of ``NAME:VERSION``.

Roots are searched in this order: the ``--datastore-dir`` folders, the folders in
``$MDLANG_DATASTORE_DIR`` (separated by ``os.pathsep``), then the built-in sample root. The
sample is built on first use by :func:`mdlang.datastore.sample.ensure_sample`, and only when a
sample name is asked for that no other root holds. The sample stores one data version and
answers every version number with it, saying so in ``Datastore.note``.

This module imports neither pandas nor pyarrow, so ``mdlang check`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdlang.datastore import layout
from mdlang.errors import DatastoreError

if TYPE_CHECKING:
    from mdlang.datastore.reader import Datastore

ENV_VAR = "MDLANG_DATASTORE_DIR"

#: Names the built-in sample provides (the sample module may extend this with SAMPLE_NAMES).
SAMPLE_NAMES: tuple[str, ...] = ("no.ssb.fdb", "no.bergen.helseprofil")

#: opened versions, shared within the process: ``mdlang run`` checks a script (which opens the
#: datastores it requires) and then runs it (``require`` opens them again). A Datastore is
#: read-only; the key holds the manifest's size and modification time, so a rebuilt version
#: at the same place is opened afresh.
_OPENED: dict[tuple[str, int, int, int, str | None], Datastore] = {}


@dataclass(frozen=True, slots=True)
class Available:
    """One datastore name found in one root, with its stored versions."""

    name: str
    versions: tuple[int, ...]
    root: Path
    sample: bool = False


def search_roots(dirs: Iterable[str | os.PathLike] | None = None) -> list[Path]:
    """The user roots in search order: ``dirs`` first, then ``$MDLANG_DATASTORE_DIR``."""
    roots = [Path(d) for d in dirs or ()]
    env = os.environ.get(ENV_VAR, "")
    roots += [Path(p) for p in env.split(os.pathsep) if p]
    return roots


def sample_names() -> tuple[str, ...]:
    """Datastore names served by the built-in sample."""
    return SAMPLE_NAMES


def _sample_root(build: bool) -> Path | None:
    """The sample root; with ``build`` it is generated when missing, else None if absent."""
    import importlib

    sample = importlib.import_module("mdlang.datastore.sample")  # only when really needed

    if build:
        root = sample.ensure_sample()
        return Path(root) if root is not None else None
    finder = getattr(sample, "sample_root", None)
    if finder is None:
        return None
    root = Path(finder() if callable(finder) else finder)
    return root if root.is_dir() else None


def list_available(dirs: Iterable[str | os.PathLike] | None = None, *, include_sample: bool = True) -> list[Available]:
    """Every datastore on the search path, in search order (the sample only if already built)."""
    out = [Available(n, tuple(layout.stored_versions(r, n)), r) for r in search_roots(dirs) for n in layout.stored_names(r)]
    if include_sample:
        try:
            root = _sample_root(build=False)
        except ImportError:
            root = None
        if root is not None:
            out += [Available(n, tuple(layout.stored_versions(root, n)), root, True) for n in layout.stored_names(root)]
    return out


def is_known(name: str, dirs: Iterable[str | os.PathLike] | None = None) -> bool:
    """Whether ``name`` can be required at all (on the user roots, or as a sample name)."""
    return name in sample_names() or any(a.name == name for a in list_available(dirs, include_sample=False))


def find_datastore(name: str, version: int, dirs: Iterable[str | os.PathLike] | None = None) -> Datastore:
    """Open ``NAME:VERSION``; DatastoreError naming what exists when it cannot be found."""

    found = [a for a in list_available(dirs, include_sample=False) if a.name == name]
    for a in found:
        if version in a.versions:
            return _open(layout.version_dir(a.root, name, version), version)
    if found:
        versions = sorted({v for a in found for v in a.versions})
        raise DatastoreError(
            f"datastore {name} has no version {version}; available: {', '.join(str(v) for v in versions)}",
            hint=f"require {name}:{versions[-1]} for the newest version",
        )
    if name in sample_names():
        root = _sample_root(build=True)
        stored = layout.stored_versions(root, name) if root is not None else []
        if stored:
            return _open_sample(root, name, version, stored[-1])
    raise DatastoreError(f"no datastore named {name}; {_describe_available(dirs)}", hint=_hint(dirs))


def _open_sample(root: Path, name: str, version: int, stored: int) -> Datastore:
    note = f"{name}:{version} is served by the synthetic sample, which holds one data version under every version number."
    return _open(layout.version_dir(root, name, stored), version, note)


def _open(folder: Path, version: int, note: str | None = None) -> Datastore:
    """The Datastore of a version folder, opened once per process while its manifest is unchanged."""
    from mdlang.datastore.reader import Datastore

    try:
        st = (folder / layout.MANIFEST).stat()
    except OSError:
        return Datastore(folder, version=version, note=note)  # raises the error that says why
    key = (str(folder.resolve()), st.st_mtime_ns, st.st_size, version, note)
    ds = _OPENED.get(key)
    if ds is None:
        ds = _OPENED[key] = Datastore(folder, version=version, note=note)
    return ds


def _describe_available(dirs: Iterable[str | os.PathLike] | None) -> str:
    names = sorted({a.name for a in list_available(dirs, include_sample=False)} | set(sample_names()))
    return "available: " + ", ".join(names)


def _hint(dirs: Iterable[str | os.PathLike] | None) -> str:
    roots = search_roots(dirs)
    where = ", ".join(str(r) for r in roots) if roots else "no folders given"
    return f"searched {where}, then the built-in sample; add a folder with --datastore-dir or ${ENV_VAR}"


def parse_reference(text: str) -> tuple[str, int | None]:
    """Split ``NAME`` or ``NAME:VERSION`` (a UsageError-free DatastoreError on bad input)."""
    name, sep, version = text.partition(":")
    if not sep:
        return name, None
    if not version.isdigit():
        raise DatastoreError(f"'{text}' is not NAME:VERSION with a whole-number version")
    return name, int(version)
