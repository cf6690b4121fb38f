"""The HTML report in a real browser (headless Chromium via tools/html_check.py): no console
errors and a screenshot that is not blank. Skipped when Chromium is not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from test_html import run_page

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("html_check", ROOT / "tools" / "html_check.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules.setdefault("html_check", module)
    spec.loader.exec_module(module)
    return module


html_check = _tool()
BROWSER = html_check.find_browser()


@pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")
def test_report_opens_without_errors_and_draws_something(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(run_page()[0], encoding="utf-8")
    result = html_check.check_page(BROWSER, report, tmp_path / "report.png")
    assert result.errors == ()
    assert result.screenshot.read_bytes().startswith(b"\x89PNG")


@pytest.mark.skipif(BROWSER is None, reason="chromium is not installed")
def test_checker_notices_a_broken_page(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    result = html_check.check_page(BROWSER, broken, tmp_path / "broken.png")
    assert not result.ok
    assert (
        any("Uncaught" in e for e in result.errors) and "the screenshot is blank" in result.errors
    )
