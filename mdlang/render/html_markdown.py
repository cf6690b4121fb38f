"""A small, safe Markdown-to-HTML converter for ``textblock`` text in the HTML report.

Supported: ATX headings (``#`` … ``######``), paragraphs, unordered (``-``, ``*``, ``+``) and
ordered (``1.``) lists, fenced code blocks (```` ``` ````), block quotes (``>``), horizontal
rules, and inline ``**strong**``, ``*emphasis*``/``_emphasis_``, ``code`` and
``[links](url)``. Everything else is escaped, so no raw HTML in a text block reaches the page;
a link is kept only when its target is ``http(s):``, ``mailto:`` or a ``#fragment`` (no
``javascript:``), and it gets ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_STRONG = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\*)|(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)")
_SAFE_URL = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)


def inline(text: str) -> str:
    """Escape a line of text and apply inline markup (code spans first, so they stay literal)."""
    parts = _CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            out.append(_spans(part))
    return "".join(out)


def _spans(text: str) -> str:
    text = html.escape(text)

    def link(m: re.Match[str]) -> str:
        label, url = m.group(1), html.unescape(m.group(2))
        if not _SAFE_URL.match(url):
            return label
        return f'<a href="{html.escape(url)}" rel="noopener noreferrer">{label}</a>'

    text = _LINK.sub(link, text)
    text = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", text)
    return _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)


def markdown_to_html(text: str) -> str:
    """The HTML of a Markdown text (see the module docstring for what is supported)."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    list_tag = ""
    quote: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")

    def flush() -> None:
        nonlocal list_tag
        if para:
            out.append("<p>" + " ".join(inline(p.strip()) for p in para) + "</p>")
            para.clear()
        if items:
            out.append(
                f"<{list_tag}>" + "".join(f"<li>{inline(i)}</li>" for i in items) + f"</{list_tag}>"
            )
            items.clear()
            list_tag = ""
        if quote:
            out.append("<blockquote>" + markdown_to_html("\n".join(quote)) + "</blockquote>")
            quote.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
        elif stripped.startswith(">"):
            if para or items:
                flush()
            quote.append(stripped[1:].lstrip())
        elif not stripped:
            flush()
        elif m := _HEADING.match(stripped):
            flush()
            level = len(m.group(1))
            out.append(f"<h{level}>{inline(m.group(2))}</h{level}>")
        elif _RULE.match(stripped):
            flush()
            out.append("<hr>")
        elif (m := _BULLET.match(line)) or (m := _ORDERED.match(line)):
            tag = "ul" if _BULLET.match(line) else "ol"
            if para or quote or (items and tag != list_tag):
                flush()
            list_tag = tag
            items.append(m.group(1))
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped
        else:
            if items or quote:
                flush()
            para.append(stripped)
        i += 1
    flush()
    return "\n".join(out)
