"""Datastore storage: write a version (``write_version``) and read one (``open_datastore``).

This module is the public face named in docs/internals/contracts.md; the work is done in
:mod:`mdlang.datastore.writer`, :mod:`mdlang.datastore.reader` and
:mod:`mdlang.datastore.discovery`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from mdlang.datastore.reader import Datastore
from mdlang.datastore.writer import write_version

__all__ = ["Datastore", "open_datastore", "write_version"]


def open_datastore(
    name: str, version: int, search_path: Iterable[str | os.PathLike] | None = None
) -> Datastore:
    """Open ``NAME:VERSION`` from the search path (see :mod:`mdlang.datastore.discovery`)."""
    from mdlang.datastore.discovery import find_datastore

    return find_datastore(name, version, search_path)
