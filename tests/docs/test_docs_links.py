"""Every internal link in docs/ points to a file that exists and, with #, to an anchor in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_pages import DOCS, anchors, links, pages

_REPO = DOCS.parent


def _broken(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    broken = []
    for line, target in links(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / path_part).resolve() if path_part else page
        where = f"{page.relative_to(_REPO)}:{line}: {target}"
        if not dest.exists():
            broken.append(f"{where} (no such file)")
            continue
        if anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text(encoding="utf-8")):
            broken.append(f"{where} (no such anchor)")
    return broken


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_internal_links_resolve(page):
    assert _broken(page) == []


def test_the_link_checker_finds_a_broken_file_and_a_broken_anchor(tmp_path):
    page = tmp_path / "a.md"
    (tmp_path / "b.md").write_text("# Title\n\n## Same\n\n## Same\n", encoding="utf-8")
    page.write_text(
        "See [b](b.md#same-1), [c](c.md), [x](b.md#nothere), `[code](c.md)` and [up](#top).\n"
        "\n```\n[in a block](missing.md)\n```\n\n# Top\n",
        encoding="utf-8",
    )
    global _REPO
    saved, _REPO = _REPO, tmp_path
    try:
        found = _broken(page)
    finally:
        _REPO = saved
    assert found == ["a.md:1: c.md (no such file)", "a.md:1: b.md#nothere (no such anchor)"]


def test_index_links_every_page():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    targets = {(DOCS / t.partition("#")[0]).resolve() for _, t in links(index) if "://" not in t}
    expected = {p.resolve() for p in DOCS.glob("*.md") if p.name != "index.md"}
    assert expected - targets == set()
