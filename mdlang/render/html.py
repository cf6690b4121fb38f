"""The HTML report: one self-contained page for a whole run (``--output html``).

Each result is a block with the script lines that produced it (numbered, highlighted with the
language's Pygments lexer when :mod:`mdlang.repl.lexer` is available) beside its output: tables
as HTML tables with suppression markers styled, figures embedded as SVG data URIs with the
released numbers they were drawn from, refusals visibly marked, ``textblock`` text converted
from Markdown, notes as numbered footnotes. The page needs no network (inline CSS, no fonts or
scripts), prints cleanly (a print stylesheet) and its bytes depend only on the results.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from mdlang.render.grid import Grid, build_grid, cell_contents
from mdlang.render.html_markdown import markdown_to_html
from mdlang.render.numbers import is_marker
from mdlang.render.stats import ANOVA_KEYS, anova_rows, has_anova, stat_lines
from mdlang.results import Result

TITLE = "mdlang report"

CSS = """
:root { --ink: #1d2430; --muted: #5b6675; --rule: #d6dbe2; --band: #f5f7fa; --warn: #9b2c2c; --warnbg: #fdf0f0; --mark: #7a4b00; --markbg: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
header.report { padding: 1rem 2rem; border-bottom: 2px solid var(--rule); }
header.report h1 { margin: 0; font-size: 1.3rem; }
main { padding: 0 2rem 2rem; }
section.result { display: grid; grid-template-columns: minmax(16rem, 2fr) 5fr; gap: 1.5rem; padding: 1rem 0; border-bottom: 1px solid var(--rule); break-inside: avoid; }
section.result.textblock { display: block; }
.source { margin: 0; align-self: start; white-space: pre-wrap; font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: var(--band); border-radius: 4px; padding: .5rem .75rem; overflow-wrap: anywhere; }
.source .ln { display: inline-block; min-width: 2.5em; color: var(--muted); user-select: none; text-align: right; margin-right: .75em; }
.output { min-width: 0; }
.output h2 { font-size: 1rem; margin: 0 0 .5rem; }
table.grid { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: .25rem 0; }
table.grid th, table.grid td { padding: .2rem .6rem; border-bottom: 1px solid var(--rule); }
table.grid th { text-align: left; border-bottom: 2px solid var(--ink); }
table.grid td.num, table.grid th.num { text-align: right; }
table.grid td.stub { font-weight: 500; }
table.grid tr.total td { border-top: 2px solid var(--ink); font-weight: 600; }
table.grid .group { border-left: 2px solid var(--rule); }
td.marker { color: var(--mark); background: var(--markbg); font-style: italic; }
p.key { color: var(--muted); margin: .25rem 0; font-size: .9em; }
dl.stats { display: grid; grid-template-columns: max-content max-content; gap: .1rem 1rem; margin: .5rem 0; }
dl.stats dt { color: var(--muted); }
dl.stats dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.refusal { border-left: 4px solid var(--warn); background: var(--warnbg); padding: .5rem .75rem; border-radius: 0 4px 4px 0; }
.refusal strong { color: var(--warn); }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
details.released { margin-top: .4rem; font-size: .9em; }
details.released pre { background: var(--band); padding: .5rem; overflow-x: auto; max-height: 20rem; }
ol.notes { margin: .5rem 0 0; padding-left: 1.5rem; color: var(--muted); font-size: .88em; }
pre.message { margin: 0; white-space: pre-wrap; }
.markdown h1, .markdown h2, .markdown h3 { margin: .4rem 0; }
.markdown code, .output code { background: var(--band); padding: 0 .2em; border-radius: 3px; }
blockquote { border-left: 3px solid var(--rule); margin: .5rem 0; padding-left: .75rem; color: var(--muted); }
@media (max-width: 900px) { section.result { grid-template-columns: 1fr; } }
@media print {
  body { font-size: 10.5pt; }
  header.report, main { padding-left: 0; padding-right: 0; }
  section.result { grid-template-columns: 1fr; gap: .4rem; page-break-inside: avoid; }
  details.released { display: none; }
  .source { background: none; border: 1px solid var(--rule); }
  a { color: inherit; text-decoration: none; }
}
"""


def _lexer_css() -> tuple[Any, str]:
    """The Pygments lexer and formatter of the language with their CSS, if the lexer exists."""
    try:
        from pygments.formatters import HtmlFormatter

        from mdlang.repl.lexer import MdlLexer
    except ImportError:
        return None, ""
    formatter = HtmlFormatter(nowrap=True, classprefix="hl-")
    return (MdlLexer(), formatter), formatter.get_style_defs(".source")


class HtmlRenderer:
    """Streams results into one HTML page (``header`` … ``render`` × n … ``footer``)."""

    name = "html"

    def __init__(self) -> None:
        self._highlight, self._lexer_styles = _lexer_css()
        self._count = 0

    def header(self) -> str:
        """The page up to the first result: head with inline styles, the report heading."""
        css = CSS.strip() + ("\n" + self._lexer_styles if self._lexer_styles else "")
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{TITLE}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
            f'<header class="report"><h1>{TITLE}</h1></header>\n<main>\n'
        )

    def footer(self) -> str:
        """The end of the page."""
        return "</main>\n</body>\n</html>\n"

    def render(self, result: Result, source: str | None = None) -> str:
        """One result as a ``<section>``: its numbered source beside its output and notes."""
        self._count += 1
        ident = f"r{self._count}"
        textblock = result.command == "textblock"
        classes = "result textblock" if textblock else f"result {html.escape(result.kind)}"
        parts = [f'<section class="{classes}" id="{ident}" data-line="{int(result.line)}">']
        if source and not textblock:
            parts.append(self.source(source, result.line))
        body = self.body(result)
        notes = notes_html(result.notes, ident)
        parts.append(f'<div class="output">{body}{notes}</div>')
        parts.append("</section>\n")
        return "\n".join(parts)

    def source(self, text: str, first_line: int) -> str:
        """The statement's script lines, numbered from ``first_line``."""
        if self._highlight is not None:
            from pygments import highlight

            lexer, formatter = self._highlight
            code = highlight(text, lexer, formatter).rstrip("\n")
        else:
            code = html.escape(text)
        lines = code.split("\n")
        numbered = [
            f'<span class="ln">{first_line + i}</span>{line}' for i, line in enumerate(lines)
        ]
        return '<pre class="source">' + "\n".join(numbered) + "</pre>"

    def body(self, result: Result) -> str:
        """The output of a result without notes."""
        data = result.data
        if result.kind == "message":
            return message_html(result.command, data)
        if result.kind == "refusal":
            return refusal_html(data)
        if result.kind == "figure":
            return figure_html(result)
        return table_html(result.kind, data, result.command)


def message_html(command: str, data: Mapping[str, Any]) -> str:
    """A message: Markdown for text blocks, else preformatted text."""
    text = str(data.get("text", ""))
    if command == "textblock" or data.get("format") == "markdown":
        return f'<div class="markdown">{markdown_to_html(text)}</div>'
    return f'<pre class="message">{html.escape(text.strip(chr(10)))}</pre>'


def refusal_html(data: Mapping[str, Any]) -> str:
    """A refusal, marked as withheld output with its rule and remedy."""
    out = [
        '<div class="refusal" role="note"><strong>Output withheld by disclosure control.</strong>'
    ]
    out.append(f"<p>{html.escape(str(data.get('text', '')))}</p>")
    rule = str(data.get("rule") or "")
    if rule and rule not in str(data.get("text", "")):
        out.append(f"<p><em>Rule:</em> {html.escape(rule)}</p>")
    if data.get("remedy"):
        out.append(f"<p><em>What to do:</em> {html.escape(str(data['remedy']))}</p>")
    out.append("</div>")
    return "".join(out)


def figure_html(result: Result | Mapping[str, Any]) -> str:
    """A figure drawn from its released spec as an SVG data URI, with the released numbers."""
    from mdlang.render.figures import figure_bytes

    data = result.data if isinstance(result, Result) else result
    title = str(data.get("title") or "")
    svg = base64.b64encode(figure_bytes(data, "svg")).decode("ascii")
    spec = json.dumps(data.get("spec") or {}, ensure_ascii=False, indent=1)
    files = [str(f) for f in data.get("files") or []]
    written = f'<p class="key">Written to: {html.escape(", ".join(files))}</p>' if files else ""
    return (
        f'<figure><img alt="{html.escape(title or "figure")}" src="data:image/svg+xml;base64,{svg}"></figure>'
        f'{written}<details class="released"><summary>Released numbers behind the figure</summary>'
        f"<pre>{html.escape(spec)}</pre></details>"
    )


def table_html(kind: str, data: Mapping[str, Any], command: str) -> str:
    """A table, summary or model as an HTML table with its statistics."""
    grid = build_grid(kind, data)
    stats = data.get("stats") or {}
    out = []
    if grid.title and grid.title != command:
        title = grid.title
        if grid.spanner and grid.spanner not in title:
            title = f"{title} (columns: {grid.spanner})"
        out.append(f"<h2>{html.escape(title)}</h2>")
    anova = kind == "model" and has_anova(stats)
    if anova:
        headers, rows = anova_rows(stats)
        out.append(grid_table(headers, rows, 1))
    if grid.key:
        out.append(f'<p class="key">{html.escape(cell_contents(grid.key))}</p>')
    out.append(grid_table(grid.headers, grid.rows, grid.stub, grid, data.get("rows") or []))
    pairs = stat_lines(stats, hide=ANOVA_KEYS if anova else ())
    if pairs:
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in pairs)
        out.append(f'<dl class="stats">{items}</dl>')
    return "".join(out)


def grid_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    stub: int,
    grid: Grid | None = None,
    raw: Sequence[Sequence[Any]] = (),
) -> str:
    """An HTML table of formatted cells; ``raw`` (the released cells) marks suppressed ones."""
    groups = set(grid.group_starts) if grid is not None else set()
    totals = grid.total_rows if grid is not None else frozenset()
    head = "".join(
        f'<th class="{_cls(i, stub, groups)}" scope="col">{html.escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for r, row in enumerate(rows):
        raw_row = raw[r] if r < len(raw) else ()
        cells = []
        for i, cell in enumerate(row):
            cls = _cls(i, stub, groups)
            if i < len(raw_row) and i >= stub and is_marker(raw_row[i]):
                cls += " marker"
                cells.append(
                    f'<td class="{cls}" title="withheld by disclosure control">{html.escape(cell)}</td>'
                )
            else:
                cells.append(f'<td class="{cls}">{html.escape(cell)}</td>')
        row_cls = ' class="total"' if r in totals else ""
        body.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
    return (
        f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _cls(i: int, stub: int, groups: set[int]) -> str:
    cls = "stub" if i < stub else "num"
    return cls + (" group" if i in groups else "")


def notes_html(notes: Sequence[str], ident: str) -> str:
    """A result's notes as numbered footnotes."""
    if not notes:
        return ""
    items = "".join(f'<li id="{ident}-n{i}">{html.escape(n)}</li>' for i, n in enumerate(notes, 1))
    return f'<ol class="notes">{items}</ol>'
