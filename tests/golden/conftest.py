"""Golden tests share the small test datastore of the engine tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))

from engine_store import build  # noqa: E402


@pytest.fixture(scope="session")
def golden_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A datastore root holding no.test.reg:1 (same bytes on every run)."""
    root = tmp_path_factory.mktemp("golden-stores")
    build(root)
    return root
