"""The renderer registry: formats, errors for planned and unknown formats, extension."""

from __future__ import annotations

import pytest
from render_cases import CASES

from mdlang.errors import UsageError
from mdlang.render import FORMATS, PLANNED, register_format, renderer
from mdlang.render.json import JsonRenderer
from mdlang.render.markdown import MarkdownRenderer
from mdlang.render.text import TextRenderer


def test_known_formats() -> None:
    assert isinstance(renderer("text"), TextRenderer)
    assert isinstance(renderer("markdown"), MarkdownRenderer)
    assert isinstance(renderer("json"), JsonRenderer)
    assert renderer("text") is not renderer("text")


def test_html_is_a_registered_format() -> None:
    from mdlang.render.html import HtmlRenderer

    assert isinstance(renderer("html"), HtmlRenderer)
    assert "html" in FORMATS


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown output format 'csv'"):
        renderer("csv")


def test_register_format_extends_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "html", "mdlang.render.json:JsonRenderer")
    monkeypatch.setattr("mdlang.render.PLANNED", dict(PLANNED))
    register_format("html", "mdlang.render.json:JsonRenderer")
    result, _ = CASES["message"]
    assert renderer("html").render(result) == result.to_json() + "\n"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_streams(fmt: str) -> None:
    r = renderer(fmt)
    assert isinstance(r.header(), str) and isinstance(r.footer(), str)
    result, source = CASES["oneway"]
    assert r.render(result, source).endswith("\n")
