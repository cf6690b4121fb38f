"""The renderers against what mdlang/commands/describe.py really releases.

Runs tabulate and summarize on a small synthetic frame through the real gate, then checks that
every released number appears in the text and Markdown renderings as the formatting rules say,
and that the layout holds (no golden file: the noise belongs to the disclosure package).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.commands.describe import summarize, tabulate
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.render import renderer
from mdlang.render.grid import build_grid
from mdlang.render.numbers import is_number
from mdlang.syntax.parser import parse

N = 3000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "kjønn": pd.Categorical(rng.choice(["1", "2"], N)),
        "bydel": pd.Categorical(rng.choice(["01", "02", "03", "04"], N, p=[0.5, 0.3, 0.198, 0.002])),
        "lønn": rng.normal(500000, 100000, N),
    })


VARIABLES = {
    "kjønn": VariableInfo("kjønn", False, {"1": "Mann", "2": "Kvinne"}),
    "bydel": VariableInfo("bydel", False, {"01": "Årstad", "02": "Fana", "03": "Ytrebygda", "04": "Sentrum"}),
    "lønn": VariableInfo("lønn", True),
}

STATEMENTS = [
    "tabulate kjønn",
    "tabulate bydel kjønn, freq rowpct colpct chi2",
    "tabulate kjønn bydel, cellpct",
    "tabulate kjønn bydel, flatten",
    "tabulate kjønn bydel kjønn",
    "tabulate bydel kjønn, summarize(lønn) mean sum",
    "tabulate bydel, freq summarize(lønn) mean p50",
    "summarize lønn, gini iqr",
]


def _released(frame: pd.DataFrame, text: str):
    stmt = parse(text).statements[0]
    gate = Gate(Policy.from_preset("register"), b"render-tests-secret-0123456789ab")
    ctx = AnalysisContext(frame, Contributors(person_id=np.arange(N, dtype=np.int64)), VARIABLES,
                          "PERSON", "cross", gate, text.split()[0], 1)
    handler = tabulate if text.startswith("tabulate") else summarize
    return handler(ctx, stmt)


@pytest.mark.parametrize("text", STATEMENTS)
def test_every_released_cell_is_shown_as_formatted(frame: pd.DataFrame, text: str) -> None:
    (result,) = _released(frame, text)
    assert result.kind in ("table", "summary")
    grid = build_grid(result.kind, result.data)
    out = renderer("text").render(result, text)
    md = renderer("markdown").render(result, text)
    lines = out.splitlines()
    for raw, shown in zip(result.data["rows"], grid.rows, strict=True):
        for value, cell in zip(raw[grid.stub:], shown[grid.stub:], strict=True):
            if is_number(value):
                # the shown text is the released value, rounded only by the column's style
                assert abs(float(cell.replace(",", "")) - value) <= 0.005 + 1e-6 * abs(value), (value, cell)
            elif value is not None:
                assert cell == value
        row_text = " ".join(c for c in shown[grid.stub:] if c)
        flat_lines = [" ".join(line.replace("|", " ").split()) for line in lines]
        assert any(line.endswith(row_text) for line in flat_lines), row_text
        md_row = " | ".join(c or " " for c in shown[grid.stub:]) + " |"
        assert any(line.endswith(md_row) for line in md.splitlines()), md_row
    rule = next(line for line in lines if "-+-" in line)
    bar = rule.index("+")
    header = lines[lines.index(rule) - 1]
    assert header[bar] == "|"


def test_two_way_percentages_show_two_decimals(frame: pd.DataFrame) -> None:
    (result,) = _released(frame, "tabulate bydel kjønn, freq rowpct")
    out = renderer("text").render(result)
    total_pct_line = [line for line in out.splitlines() if line.rstrip().endswith("100.00")]
    assert len(total_pct_line) >= 4
    assert "Cell contents (top to bottom): frequency, row percentage" in out
