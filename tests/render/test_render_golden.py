"""Golden renderings: every layout in every format, compared byte for byte.

Set ``MDLANG_UPDATE_GOLDEN=1`` to rewrite the files after a deliberate change, then read the
diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from render_cases import CASES

from mdlang.render import renderer

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {"text": "txt", "markdown": "md", "json": "jsonl"}


def _check(path: Path, produced: str) -> None:
    if os.environ.get("MDLANG_UPDATE_GOLDEN") == "1":
        path.write_bytes(produced.encode("utf-8"))
    expected = path.read_bytes().decode("utf-8")
    assert produced == expected, f"{path.name} differs from the golden file"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, fmt: str) -> None:
    result, source = CASES[name]
    _check(GOLDEN / f"{name}.{EXTENSIONS[fmt]}", renderer(fmt).render(result, source))


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_stream_is_header_results_footer(fmt: str) -> None:
    """What a runner writes: header, each result as it arrives, footer."""
    r = renderer(fmt)
    parts = [r.header()] + [r.render(res, src) for res, src in CASES.values()] + [r.footer()]
    _check(GOLDEN / f"run.{EXTENSIONS[fmt]}", "".join(parts))
