"""The REPL in a real terminal: tools/repl_tmux_check.py types into it through tmux (completing
names with Tab), runs a tabulate and reads the table off the screen. Skipped without tmux."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

TOOL = Path(__file__).parents[2] / "tools" / "repl_tmux_check.py"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_repl_in_a_real_terminal() -> None:
    spec = importlib.util.spec_from_file_location("repl_tmux_check", TOOL)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.run_check(timeout=120) == []
