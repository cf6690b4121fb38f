"""docs/sample-datastores.md is generated from the metadata and must not go stale."""

from __future__ import annotations

from mdlang.datastore.samplegen import docs


def test_docs_page_is_current(sample_root):
    expected = docs.render_root(sample_root)
    actual = docs.PAGE.read_text(encoding="utf-8")
    assert actual == expected, "run: python -m mdlang.datastore.samplegen.docs"


def test_docs_page_lists_every_variable(fdb, helse):
    text = docs.PAGE.read_text(encoding="utf-8")
    for ds in (fdb, helse):
        for m in ds.variables():
            assert f"| `{m.name}` |" in text
    assert "| `4601` | Bergen | 2020-01-01 |  |" in text
    assert "| `1201` | Bergen |  | 2019-12-31 |" in text
