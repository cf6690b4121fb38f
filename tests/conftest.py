"""Project-wide test set-up: keep every run away from the user's own mdlang data, and keep tests
independent of each other's releases (the privacy ledger under MDLANG_HOME remembers every
release of a project, so a shared home would make results depend on test order)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_mdlang_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Audit logs, ledgers and REPL history go to a fresh temporary home for each test."""
    home = tmp_path_factory.mktemp("mdlang-home")
    monkeypatch.setenv("MDLANG_HOME", str(home))
    monkeypatch.delenv("MDLANG_PROJECT", raising=False)
    yield home
