"""Property tests: any well-formed released table renders, aligned, in every format."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from render_cases import make

from mdlang.render import renderer
from mdlang.render.width import display_width

_labels = st.text(alphabet=st.sampled_from("abcæøåÅØ東 |*_-x<1"), min_size=1, max_size=12)
_cells = st.one_of(
    st.integers(min_value=0, max_value=10**7),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from(["<10", "x"]),
    st.none(),
)


@st.composite
def tables(draw: st.DrawFn) -> dict:
    n_cols = draw(st.integers(min_value=1, max_value=8))
    columns = [draw(_labels) for _ in range(n_cols)] + [draw(st.sampled_from(["Total", "Freq."]))]
    n_rows = draw(st.integers(min_value=0, max_value=6))
    rows = [[draw(_labels)] + [draw(_cells) for _ in range(n_cols)] for _ in range(n_rows)]
    data = {"title": draw(_labels), "columns": columns, "rows": rows, "stub": 1}
    if draw(st.booleans()):
        data["stats"] = {"chi2": draw(st.floats(0, 1e3)), "p": draw(st.floats(0, 1)), "df": 3}
    return data


@settings(max_examples=60, deadline=None)
@given(tables(), st.sampled_from(["table", "summary"]))
def test_any_table_renders_aligned_in_every_format(data: dict, kind: str) -> None:
    result = make("tabulate", kind, data)
    text = renderer("text").render(result, "tabulate a b")
    table = [line for line in text.splitlines() if "-+-" in line or re.match(r"^-+$", line)]
    assert table, text
    for panel in text.split("\n\n"):
        rule_widths = {display_width(line) for line in panel.splitlines() if "-+-" in line}
        assert len(rule_widths) <= 1, panel
    for line in text.splitlines():
        assert line == line.rstrip()
    md = renderer("markdown").render(result, "tabulate a b")
    pipe_lines = [line for line in md.splitlines() if line.startswith("|")]
    counts = {len(re.findall(r"(?<!\\)\|", line)) for line in pipe_lines}
    assert len(counts) == 1, pipe_lines
    assert json.loads(renderer("json").render(result)) == result.to_dict()


def _char_at(line: str, column: int) -> str:
    """The character at a display column (wide characters take two)."""
    pos = 0
    for ch in line:
        if pos == column:
            return ch
        pos += display_width(ch)
    return ""


@settings(max_examples=40, deadline=None)
@given(tables())
def test_stub_separator_is_in_one_column_per_panel(data: dict) -> None:
    text = renderer("text").render(make("tabulate", "table", data))
    for panel in text.split("\n\n"):
        lines = panel.splitlines()
        rules = [line for line in lines if line.startswith("-") and "+" in line]
        if not rules:
            continue
        bar = rules[0].index("+")
        start = lines.index(rules[0]) - 1  # the header line
        for line in lines[start:]:
            assert _char_at(line, bar) in "|+", (line, bar)
