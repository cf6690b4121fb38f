"""Fixtures of the engine tests: the small test datastore and a session connected to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_store import build, span


@pytest.fixture(scope="session")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A datastore root holding no.test.reg:1."""
    root = tmp_path_factory.mktemp("stores")
    build(root)
    return root


@pytest.fixture
def session(store_root: Path):
    """A session connected to no.test.reg:1 as db, with an empty active dataset p."""
    from mdlang.engine.session import Session
    from mdlang.syntax import ast as A

    s = Session(datastore_dirs=[str(store_root)])
    s.execute(A.Require("no.test.reg", A.Number(1), A.Name("db"), span=span(1)))
    s.execute(A.Command("create-dataset", (A.Name("p"),), span=span(2)))
    return s

