"""Byte-identical output across runs and hash seeds (architecture.md §5)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from render_cases import CASES

from mdlang.render import renderer

_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {here!r})
from render_cases import CASES
from mdlang.render import renderer
out = hashlib.sha256()
for fmt in ("text", "markdown", "json"):
    r = renderer(fmt)
    out.update(r.header().encode())
    for result, source in CASES.values():
        out.update(r.render(result, source).encode())
    out.update(r.footer().encode())
print(out.hexdigest())
"""


def _digest_in_process() -> str:
    out = hashlib.sha256()
    for fmt in ("text", "markdown", "json"):
        r = renderer(fmt)
        out.update(r.header().encode())
        for result, source in CASES.values():
            out.update(r.render(result, source).encode())
        out.update(r.footer().encode())
    return out.hexdigest()


def test_repeated_rendering_is_identical() -> None:
    assert _digest_in_process() == _digest_in_process()


def test_identical_across_processes_and_hash_seeds() -> None:
    here = str(Path(__file__).parent)
    digests = set()
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", _SCRIPT.format(here=here)], env=env,
                              capture_output=True, text=True, check=True)
        digests.add(done.stdout.strip())
    assert digests == {_digest_in_process()}
