"""Shared helpers for the model tests: seeded data and hand-made analysis contexts (no tests here)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.syntax.parser import parse

SECRET = bytes(range(32))
LABELS = {"kjønn": {"1": "Mann", "2": "Kvinne"}}
TEXT = ("kjønn", "sivil")


def frame(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = pd.DataFrame({
        "alder": rng.integers(20, 65, n).astype(np.float64),
        "kjønn": pd.Categorical(rng.choice(["1", "2"], n), categories=["1", "2"]),
        "bydel": rng.integers(1, 5, n).astype(np.int64),
        "mann": rng.integers(0, 2, n).astype(np.float64),
        "fylke": rng.integers(0, 30, n).astype(np.float64),
        "eks": rng.integers(1, 5, n).astype(np.float64),
        "sivil": rng.choice(["1", "2", "3"], n, p=[0.5, 0.3, 0.2]),
    })
    women = (f["kjønn"] == "2").to_numpy()
    f["lønn"] = 1000 + 50 * f["alder"] + 300 * women + 40 * f["bydel"] + rng.normal(0, 500, n)
    z = -3 + 0.05 * f["alder"] + 0.5 * women
    f["gift"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    f["antall"] = rng.poisson(np.exp(-1 + 0.02 * f["alder"])).astype(np.float64)
    missing = rng.random(n) < 0.03
    f.loc[missing, "lønn"] = np.nan
    return f


def infos(f: pd.DataFrame) -> dict[str, VariableInfo]:
    return {c: VariableInfo(c, c not in TEXT, LABELS.get(c)) for c in f.columns}


def context(f: pd.DataFrame, command: str, *, mask=None, ids=None, policy: Policy | None = None) -> AnalysisContext:
    ids = np.arange(len(f), dtype=np.int64) * 7 + 3 if ids is None else ids
    return AnalysisContext(
        frame=f, contributors=Contributors(person_id=ids), variables=infos(f), unit_type="PERSON",
        kind="cross", gate=Gate(policy or Policy(), SECRET), command=command, line=5, mask=mask,
    )


def statement(text: str):
    return parse(text).statements[0]


def sig_digits(x: float) -> int:
    """Significant digits of a released number (trailing zeros do not count)."""
    if x == 0 or x is None:
        return 0
    s = f"{abs(x):.15g}"
    if "e" in s:
        s = s.split("e")[0]
    digits = s.replace(".", "").lstrip("0").rstrip("0")
    return len(digits)


def rounded(x: float, digits: int = 4) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))
