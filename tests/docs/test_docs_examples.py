"""Scripts in the documentation are real: ```mdl blocks pass ``mdlang check`` without errors,
```mdl-fragment blocks (command examples that assume a dataset) at least parse."""

from __future__ import annotations

import pytest
from docs_pages import DOCS, fenced_blocks, pages

from mdlang.engine.functions import FUNCTIONS
from mdlang.semantics.check import check_text
from mdlang.syntax.parser import parse_all


def _blocks(kind: str) -> list[tuple[str, str]]:
    out = []
    for page in pages():
        for info, line, body in fenced_blocks(page.read_text(encoding="utf-8")):
            if info == kind:
                out.append((f"{page.relative_to(DOCS)}:{line}", body))
    return out


SCRIPTS = _blocks("mdl")
FRAGMENTS = _blocks("mdl-fragment")


def test_the_pages_hold_scripts_and_fragments():
    assert any(where.startswith("getting-started.md") for where, _ in SCRIPTS)
    assert len(FRAGMENTS) >= 80


@pytest.mark.parametrize(("where", "body"), SCRIPTS, ids=[w for w, _ in SCRIPTS])
def test_mdl_block_passes_check(where, body):
    errors = [d.format(body) for d in check_text(body, file=where, functions=FUNCTIONS) if d.is_error]
    assert errors == []


@pytest.mark.parametrize(("where", "body"), FRAGMENTS, ids=[w for w, _ in FRAGMENTS])
def test_mdl_fragment_parses(where, body):
    _, errors = parse_all(body, file=where)
    assert [e.format() for e in errors] == []


def test_check_catches_a_broken_block():
    broken = "require no.ssb.fdb:45 as db\ncreate-dataset p\ntabulate kjønn\n"
    assert [d.message for d in check_text(broken, functions=FUNCTIONS) if d.is_error] == [
        "unknown variable kjønn"
    ]
