"""Fixtures of the red-team suite: the canary datastore, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.redteam.canaries import build


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The root folder holding ``no.redteam.helse:1``."""
    root = tmp_path_factory.mktemp("redteam-store")
    build(root)
    return root


@pytest.fixture(scope="session")
def tight_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same data with the owner's budget tightened to 60 cells (for A08)."""
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import Policy
    from tests.redteam.canaries import NAME, variables

    root = tmp_path_factory.mktemp("redteam-tight")
    policy = Policy(budget_cells=60).to_toml()
    write_version(root, NAME, 1, variables(), policy_text=policy, secret=bytes(range(1, 33)))
    return root


@pytest.fixture(scope="session")
def versions_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Versions 1 and 2 of the datastore; the canary has left version 2 (A26)."""
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text
    from tests.redteam.canaries import CANARY, NAME, variables

    root = tmp_path_factory.mktemp("redteam-versions")
    write_version(root, NAME, 1, variables(), policy_text=default_policy_text(), secret=bytes(range(1, 33)))
    later = [(meta, frame[frame["unit_id"] != CANARY].reset_index(drop=True)) for meta, frame in variables()]
    write_version(root, NAME, 2, later, policy_text=default_policy_text(), secret=bytes(range(1, 33)))
    return root
