"""Project-wide test set-up: keep every run away from the user's own mdlang data."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_mdlang_home(tmp_path_factory: pytest.TempPathFactory):
    """Audit logs, ledgers and REPL history go to a temporary home during tests."""
    home = tmp_path_factory.mktemp("mdlang-home")
    old = os.environ.get("MDLANG_HOME")
    os.environ["MDLANG_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("MDLANG_HOME", None)
    else:
        os.environ["MDLANG_HOME"] = old
