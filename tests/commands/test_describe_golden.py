"""Golden output of tabulate and summarize: with a fixed secret and data, released numbers never
change between runs or releases of mdlang (a change here changes what researchers have seen, so
it must be deliberate: regenerate the file with ``MDLANG_REGEN_GOLDEN=1 pytest
tests/commands/test_describe_golden.py`` and say so in the change log)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.commands.describe import summarize, tabulate
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax.parser import parse

GOLDEN_FILE = Path(__file__).parent / "golden" / "describe_released.json"
GOLDEN = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
N = 1500
ROWS = np.arange(N)
FRAME = pd.DataFrame(
    {
        "kjonn": pd.Categorical(np.where(ROWS % 2 == 0, "1", "2")),
        "grp": pd.Categorical((ROWS % 7).astype(str)),
        "x": (ROWS % 97) * 10.0 + ROWS / 10,
    }
)
VARS = {
    "kjonn": VariableInfo("kjonn", False, {"1": "Gutt", "2": "Jente"}),
    "grp": VariableInfo("grp", False),
    "x": VariableInfo("x", True),
}


@pytest.mark.parametrize("text", list(GOLDEN))
def test_released_output_is_pinned(text: str) -> None:
    gate = Gate(Policy(), bytes(range(32)))
    ctx = AnalysisContext(FRAME, Contributors(person_id=ROWS.astype(np.int64) * 5 + 3), VARS, "PERSON", "cross", gate, text.split()[0], 1)
    handler = tabulate if text.startswith("tabulate") else summarize
    (result,) = handler(ctx, parse(text).statements[0])
    if os.environ.get("MDLANG_REGEN_GOLDEN") == "1":
        GOLDEN[text] = result.to_dict()
        GOLDEN_FILE.write_text(json.dumps(GOLDEN, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert result.to_dict() == GOLDEN[text]
