"""Helpers shared by the sample-datastore tests: code lists valid on a date, and a small built
sample opened as a datastore."""

from __future__ import annotations

from typing import Any

import pytest


def valid_codes(codes, when: int) -> dict[str, str]:
    """The codes of a code list valid on day ``when`` (days since 1970-01-01), with their labels."""
    return {
        c.code: c.label
        for c in codes
        if (c.valid_from is None or c.valid_from <= when)
        and (c.valid_until is None or c.valid_until >= when)
    }


def built_fdb(tmp_path_factory: pytest.TempPathFactory, name: str, persons: int, seed: int) -> Any:
    """``no.ssb.fdb`` of a sample of ``persons`` built with ``seed`` in a fresh folder."""
    from mdlang.datastore.sample import build_sample
    from mdlang.datastore.store import open_datastore

    root = tmp_path_factory.mktemp(name)
    build_sample(root, persons=persons, seed=seed)
    return open_datastore("no.ssb.fdb", 1, [root])
