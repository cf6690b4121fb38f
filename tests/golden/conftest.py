"""Golden tests share the small test datastore of the engine tests (``golden_store``), and the
model goldens run on a small synthetic sample datastore built once per session
(``sample_store``: ``mdlang sample-data --persons 20000 --seed 1``, about 6 s)."""

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


#: size and seed of the sample the model goldens run on (see README.md before changing them)
SAMPLE_PERSONS = 20_000
SAMPLE_SEED = 1


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A datastore root holding the sample stores no.ssb.fdb:1 and no.bergen.helseprofil:1."""
    from mdlang.datastore.sample import build_sample

    root = tmp_path_factory.mktemp("golden-sample")
    build_sample(root, persons=SAMPLE_PERSONS, seed=SAMPLE_SEED)
    return root
