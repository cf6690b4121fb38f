"""A small sample built once per test session, and helpers to read it.

The size (30 000 persons, about 20 000 of them Bergen residents) keeps the build to a few
seconds while leaving cohorts of ~250 Bergen children for the Helseprofil marginals. Checks
that need the default Bergen scale are marked ``slow`` and run only with MDLANG_SLOW_TESTS=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

SMALL_PERSONS = 30_000
SEED = 4242


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: needs the default-size sample (run with MDLANG_SLOW_TESTS=1)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MDLANG_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="default-size sample: set MDLANG_SLOW_TESTS=1")
    for item in items:
        if "slow" in item.keywords and "tests/sample" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mdlang.datastore.sample import build_sample

    root = tmp_path_factory.mktemp("sample")
    build_sample(root, persons=SMALL_PERSONS, seed=SEED)
    return root


@pytest.fixture(scope="session")
def fdb(sample_root: Path):
    from mdlang.datastore.store import open_datastore

    return open_datastore("no.ssb.fdb", 1, [sample_root])


@pytest.fixture(scope="session")
def helse(sample_root: Path):
    from mdlang.datastore.store import open_datastore

    return open_datastore("no.bergen.helseprofil", 1, [sample_root])


@pytest.fixture(scope="session")
def raw(sample_root: Path):
    """``raw(store, var)``: a variable's stored rows (unit_id, value, start/stop_epoch_days)."""

    def read(store: str, var: str):
        return pq.read_table(sample_root / store / "1" / "variables" / f"{var}.parquet").to_pandas()

    return read
