"""The degrees of freedom that panel models release for ``F(df1, df2)`` agree with the counts
released beside them (Number of obs, Number of groups), estimator by estimator, so that they
show what Stata shows and reveal nothing the perturbed counts do not."""

from __future__ import annotations

import json
import re
from pathlib import Path

SAMPLE_EXPECTED = Path(__file__).resolve().parent / "sample_expected"


def _panel_models() -> list[tuple[str, dict]]:
    """(source line, stats) of every released panel model in the panel golden."""
    script = (Path(__file__).resolve().parent / "sample_scripts" / "panel_models.mdl").read_text(encoding="utf-8")
    lines = script.splitlines()
    out = []
    for row in (SAMPLE_EXPECTED / "panel_models.jsonl").read_text(encoding="utf-8").splitlines():
        result = json.loads(row)
        if result["kind"] == "model" and result["command"] in ("regress-panel", "regress-panel-diff", "hausman"):
            out.append((lines[result["line"] - 1], result["data"]))
    return out


def _k(data: dict) -> int:
    """Number of slopes: the shown rows without _cons (no golden panel model uses control())."""
    return sum(1 for row in data["rows"] if row[0] != "_cons")


def test_f_dfs_follow_the_released_counts() -> None:
    models = _panel_models()
    assert len(models) >= 12
    checked = 0
    for source, data in models:
        stats = data["stats"]
        if "f" not in stats:
            assert data["title"].startswith("Random-effects"), source
            continue
        n, groups, k = stats["n"], stats["n_groups"], _k(data)
        constant = any(row[0] == "_cons" for row in data["rows"])
        assert stats["df_m"] == k, source
        if "cluster(" in source:
            assert 1 <= stats["df_r"] < 100, source  # clusters - 1: the fylker, not persons
        elif data["title"].startswith("Fixed-effects") and re.search(r"\brobust\b", source):
            assert stats["df_r"] == groups - 1, source
        elif data["title"].startswith("Fixed-effects"):
            assert stats["df_r"] == n - groups - k, source
        elif data["title"].startswith("Between"):
            assert stats["df_r"] == groups - k - int(constant), source
        elif re.search(r"\brobust\b", source):
            assert stats["df_r"] == groups - 1, source
        else:
            assert stats["df_r"] == n - k - int(constant), source
        if "f_u" in stats:
            assert (stats["df_u_num"], stats["df_u_den"]) == (groups - 1, n - groups - k), source
        checked += 1
    assert checked >= 10


def test_text_shows_f_with_its_dfs_for_every_panel_f() -> None:
    text = (SAMPLE_EXPECTED / "panel_models.txt").read_text(encoding="utf-8")
    assert not re.search(r"^\s+F\s+=", text, flags=re.M)
    assert len(re.findall(r"^\s+F\(\d+, \d+\)\s+=", text, flags=re.M)) >= 10
    assert len(re.findall(r"^F test that all u_i=0: F\(\d+, \d+\) = \S+ +Prob > F = \d\.\d{4}$", text, flags=re.M)) >= 5
