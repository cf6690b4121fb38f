"""Project-wide test set-up: keep every run away from the user's own mdlang data, and keep tests
independent of each other's releases (the privacy ledger under MDLANG_HOME remembers every
release of a project, so a shared home would make results depend on test order)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_mdlang_home(tmp_path_factory: pytest.TempPathFactory):
    """A home for what module- and session-scoped fixtures run (they start before the per-test
    home below): without it they would write to the user's own ledger and, run after run,
    spend that project's budget."""
    home = tmp_path_factory.mktemp("mdlang-session-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MDLANG_HOME", str(home))
        patch.delenv("MDLANG_PROJECT", raising=False)
        patch.delenv("MDLANG_DEPLOYMENT", raising=False)
        yield home


@pytest.fixture(autouse=True)
def _isolated_mdlang_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Audit logs, ledgers and REPL history go to a fresh temporary home for each test."""
    home = tmp_path_factory.mktemp("mdlang-home")
    monkeypatch.setenv("MDLANG_HOME", str(home))
    monkeypatch.delenv("MDLANG_PROJECT", raising=False)
    monkeypatch.delenv("MDLANG_DEPLOYMENT", raising=False)
    yield home
