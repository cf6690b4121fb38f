"""summarize on data with several rows per person (consultations, event spells, panels).

Decided semantics: N counts distinct persons (what the threshold counts, and all that may be
released: a row count would tell how many rows a person has, attack A20); mean, sd and
percentiles are computed over the rows (observations), as microdata.no does. The output must say
so, in a note of its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_multilevel_store import CHILDREN, VISIT_WEIGHT, build, run

BODY = "create-dataset k\nimport db/HELSEPROFIL_VEKT as vekt\nsummarize vekt\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("panel-summarize"))


def _summary(store: Path):
    (summary,) = [r for r in run(store, BODY, project="panel-summarize") if r.command == "summarize"]
    return summary


def test_n_counts_persons_not_rows(store: Path) -> None:
    row = _summary(store).data["rows"][0]
    assert len(VISIT_WEIGHT) == 3 * len(CHILDREN)
    assert abs(row[1] - len(CHILDREN)) <= 3


def test_mean_is_over_the_rows(store: Path) -> None:
    row = _summary(store).data["rows"][0]
    lo, hi = np.percentile(VISIT_WEIGHT, [1, 99])
    assert row[2] == pytest.approx(np.clip(VISIT_WEIGHT, lo, hi).mean(), rel=0.002)


def test_the_output_says_what_n_and_the_statistics_count(store: Path) -> None:
    notes = _summary(store).notes
    assert any(note.startswith("Several rows per person: N counts distinct persons") for note in notes), notes
    assert not any(note.startswith("A few persons with many rows are weighted down") for note in notes), notes
