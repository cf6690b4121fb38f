"""The HTML report: well-formed, self-contained, deterministic, every result beside its line,
markers and refusals marked, text blocks converted from Markdown safely."""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from render_cases import CASES, make
from test_figures import FIGURES, figure

from mdlang.render import renderer
from mdlang.render.grid import build_grid
from mdlang.render.html import HtmlRenderer
from mdlang.render.html_markdown import inline, markdown_to_html

VOID = {"meta", "img", "br", "hr", "input", "link", "source", "col", "wbr"}


class TagChecker(HTMLParser):
    """Checks that every element is closed in order and collects resource references."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.refs: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.refs.append(value)
            if name == "id" and value:
                self.ids.append(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()


def page(results) -> str:
    out = HtmlRenderer()
    return out.header() + "".join(out.render(r, src) for r, src in results) + out.footer()


def run_page() -> tuple[str, list]:
    results = [CASES[name] for name in sorted(CASES)]
    results.append((figure("histogram", line=20), "histogram lønn, by(kjønn)"))
    results.append(
        (make("textblock", "message", {"text": "# Results\n\nSee *below*."}, line=1), None)
    )
    return page(results), results


def test_page_is_well_formed_and_self_contained() -> None:
    text, _ = run_page()
    assert text.startswith("<!DOCTYPE html>\n<html") and text.endswith("</html>\n")
    checker = TagChecker()
    checker.feed(text)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert len(checker.ids) == len(set(checker.ids))
    assert all(ref.startswith(("data:image/svg+xml;base64,", "#")) for ref in checker.refs), (
        checker.refs
    )
    assert (
        not re.search(r"(src|href)=\"https?:", text)
        and "<script" not in text
        and "@import" not in text
    )
    assert "@media print" in text


def test_every_result_is_beside_its_numbered_line() -> None:
    text, results = run_page()
    sections = re.findall(r'<section class="[^"]*" id="r(\d+)" data-line="(\d+)">', text)
    assert [int(line) for _, line in sections] == [r.line for r, _ in results]
    assert [int(i) for i, _ in sections] == list(range(1, len(results) + 1))
    assert '<span class="ln">20</span>' in text  # the histogram's source line number
    for r, _ in results:
        if r.kind in ("table", "summary", "model"):
            grid = build_grid(r.kind, r.data)
            for header in grid.headers:
                assert f">{html.escape(header)}</th>" in text
            for row in grid.rows:
                assert all(f">{html.escape(cell)}</td>" in text for cell in row)
        elif r.kind == "refusal":
            assert html.escape(r.data["text"]) in text


def test_suppression_markers_and_refusals_are_marked() -> None:
    text = page([CASES["oneway_markers"]])
    assert '<td class="num marker" title="withheld by disclosure control">&lt;10</td>' in text
    assert '<td class="num marker" title="withheld by disclosure control">x</td>' in text
    refusal = make("summarize", "refusal", {"text": "summarize: output withheld by disclosure control (D4 threshold).",
                                              "rule": "D4 threshold", "remedy": "widen the condition"})  # fmt: skip
    out = HtmlRenderer().render(refusal, "summarize x if a == 1")
    assert (
        '<div class="refusal" role="note"><strong>Output withheld by disclosure control.</strong>'
        in out
    )
    assert "<p><em>What to do:</em> widen the condition</p>" in out


def test_notes_are_footnotes() -> None:
    out = HtmlRenderer().render(*CASES["oneway_markers"])
    assert '<ol class="notes"><li id="r1-n1">Counts are perturbed' in out
    assert '<li id="r1-n2">x: withheld because' in out


def test_figure_is_embedded_as_svg_with_its_released_numbers() -> None:
    out = HtmlRenderer().render(figure("boxplot", line=3), "boxplot lønn, over(kjønn)")
    uri = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', out)
    assert uri is not None
    root = ET.fromstring(base64.b64decode(uri.group(1)))
    assert root.tag.endswith("svg")
    assert "Released numbers behind the figure" in out and "&quot;p50&quot;: 20.0" in out


def test_page_bytes_are_deterministic() -> None:
    assert run_page()[0] == run_page()[0]


def test_registered_as_the_html_format() -> None:
    out = renderer("html")
    assert isinstance(out, HtmlRenderer) and out.name == "html"


def test_source_is_escaped_when_plain_and_highlighted_when_the_lexer_exists() -> None:
    out = HtmlRenderer()
    src = out.source("generate x = a < b & c > 1", 4)
    assert src.startswith('<pre class="source"><span class="ln">4</span>')
    assert "<b" not in src.replace("<span", "") and "&lt;" in src


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# Title", "<h1>Title</h1>"),
        ("### Sub *x*", "<h3>Sub <em>x</em></h3>"),
        ("one\ntwo", "<p>one two</p>"),
        ("a **b** _c_ `d<e>`", "<p>a <strong>b</strong> <em>c</em> <code>d&lt;e&gt;</code></p>"),
        ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
        ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>"),
        ("```\n<x> & y\n```", "<pre><code>&lt;x&gt; &amp; y</code></pre>"),
        ("> quoted", "<blockquote><p>quoted</p></blockquote>"),
        ("---", "<hr>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        (
            "[site](https://www.microdata.no)",
            '<p><a href="https://www.microdata.no" rel="noopener noreferrer">site</a></p>',
        ),
        ("[bad](javascript:alert)", "<p>bad</p>"),
        ("snake_case_name and 2*3*4", "<p>snake_case_name and 2*3*4</p>"),
    ],
)
def test_markdown(markdown: str, expected: str) -> None:
    assert markdown_to_html(markdown) == expected


def test_markdown_attribute_injection_is_escaped() -> None:
    assert (
        inline('[x](https://a.no/"onmouseover="y)')
        == '<a href="https://a.no/&quot;onmouseover=&quot;y" rel="noopener noreferrer">x</a>'
    )


def test_all_figure_kinds_render_into_the_page() -> None:
    text = page([(figure(name, line=i + 1), None) for i, name in enumerate(sorted(FIGURES))])
    assert text.count("data:image/svg+xml;base64,") == len(FIGURES)
