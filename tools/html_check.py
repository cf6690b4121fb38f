"""Open HTML reports in headless Chromium: no console errors, and a screenshot that is not blank.

Usage::

    python tools/html_check.py REPORT.html [...] [--out DIR]
    python tools/html_check.py --examples [--out DIR]   # runs examples/*.mdl with --output html

Needs the ``chromium`` program (Debian: ``apt-get install -y chromium``). Chromium runs with no
network and a throw-away profile. Exit status 0 when every page passed, 1 when one failed, 2 when
Chromium is missing. Screenshots are written to ``--out`` (default: a temporary folder) so they
can be looked at.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1280,1600",
)
#: Console lines that mean the page itself is broken (script errors, failed loads).
_CONSOLE_ERROR = re.compile(
    r"CONSOLE.*(Uncaught|Error)|net::ERR_|Failed to load resource|Refused to load", re.IGNORECASE
)


@dataclass(frozen=True)
class Check:
    """The outcome for one page."""

    page: Path
    screenshot: Path
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def find_browser() -> str | None:
    """The path of a Chromium executable, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def blank(png: Path) -> bool:
    """True when a screenshot is (almost) one colour: nothing was drawn."""
    from PIL import Image

    with Image.open(png) as img:
        small = img.convert("L").resize((160, 200))
        lo, hi = small.getextrema()
        if hi - lo < 16:
            return True
        histogram = small.histogram()
        return max(histogram) > 0.995 * sum(histogram)


def check_page(browser: str, page: Path, shot: Path, timeout: float = 120.0) -> Check:
    """Load one page in headless Chromium, take a screenshot, collect console errors."""
    with tempfile.TemporaryDirectory(prefix="mdlang-chromium-") as profile:
        cmd = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    errors = [line.strip() for line in done.stderr.splitlines() if _CONSOLE_ERROR.search(line)]
    if not shot.is_file():
        errors.append(f"no screenshot written (chromium exit status {done.returncode})")
    elif blank(shot):
        errors.append("the screenshot is blank")
    return Check(page, shot, tuple(errors))


def example_reports(folder: Path) -> list[Path]:
    """Run every example script with ``--output html`` into ``folder``; the reports written."""
    out = []
    for script in sorted((ROOT / "examples").glob("*.mdl")):
        target = folder / f"{script.stem}.html"
        command = [
            sys.executable,
            "-m",
            "mdlang",
            "run",
            str(script),
            "--output",
            "html",
            "-o",
            str(target),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode:
            print(
                f"{script.name}: mdlang run exited with status {done.returncode}", file=sys.stderr
            )
        if target.is_file():
            out.append(target)
        else:
            print(f"{script.name}: no report written", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path, help="HTML files to check")
    parser.add_argument(
        "--examples", action="store_true", help="check the reports of examples/*.mdl"
    )
    parser.add_argument("--out", type=Path, help="folder for screenshots (and example reports)")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print(
            "html_check: chromium is not installed (apt-get install -y chromium)", file=sys.stderr
        )
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="mdlang-html-check-"))
    out.mkdir(parents=True, exist_ok=True)
    pages = list(args.pages) + (example_reports(out) if args.examples else [])
    if not pages:
        parser.error("give HTML files or --examples")
    failed = 0
    for page in pages:
        result = check_page(browser, page, out / f"{page.stem}.png")
        status = "ok" if result.ok else "FAILED"
        print(f"{status}: {page} (screenshot {result.screenshot})")
        for err in result.errors:
            print(f"  {err}")
        failed += not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    raise SystemExit(main())
