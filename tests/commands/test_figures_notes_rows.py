"""Figures carry the notes of the gate's releases they are drawn from (D5 row weighting).

On an event dataset (several rows per person) where five persons have far more rows than
everyone else, the gate weighs those persons down to the 99th percentile of rows per person and
says so in :attr:`MagnitudeRelease.notes`. Every figure drawn from such a magnitude must carry
that note once, after its own notes, and show it in every output format; a figure of one row per
person, and a count-only figure, must not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mdlang.commands.graphics  # noqa: F401  (registers the handlers)
import mdlang.commands.graphics_bars  # noqa: F401
import mdlang.commands.graphics_flows  # noqa: F401
from mdlang.cli import main
from mdlang.commands.registry import ANALYSES
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.rows import WEIGHT_NOTE
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.engine.runner import run_script
from mdlang.render import renderer
from mdlang.syntax.parser import parse

PERSONS = 1000
HEAVY = 5  # persons with HEAVY_ROWS rows each; everyone else has two
HEAVY_ROWS = 40
HEAVY_VALUE = 80.0


def _events() -> pd.DataFrame:
    """One row per spell: 995 persons with two spells around 50, five with 40 spells of 80."""
    rng = np.random.default_rng(11)
    counts = np.array([2] * (PERSONS - HEAVY) + [HEAVY_ROWS] * HEAVY)
    pid = np.repeat(np.arange(PERSONS, dtype=np.int64), counts)
    heavy = pid >= PERSONS - HEAVY
    wage = np.where(heavy, HEAVY_VALUE, np.round(rng.normal(50.0, 5.0, len(pid)), 1))
    sex = np.where(pid % 2 == 0, "1", "2")
    return pd.DataFrame(
        {
            "pid": pid,
            "wage": wage,
            "hours": np.round(rng.normal(30.0, 4.0, len(pid)), 1),
            "k": pd.Categorical(sex),
            "sector": pd.Categorical(rng.choice(["a", "b"], len(pid))),
        }
    )


EVENTS = _events()
PEOPLE = EVENTS.drop_duplicates("pid").reset_index(drop=True)  # one row per person
NUMERIC = {"pid", "wage", "hours"}


def _variables(frame: pd.DataFrame) -> dict[str, VariableInfo]:
    return {c: VariableInfo(c, numeric=c in NUMERIC) for c in frame}


@pytest.fixture()
def gate() -> Gate:
    return Gate(Policy.from_preset("register"), secret=b"figure-notes-test-secret-0123456")


def run(gate: Gate, text: str, frame: pd.DataFrame = EVENTS, kind: str = "event") -> Any:
    stmt = parse(text).statements[0]
    ctx = AnalysisContext(
        frame=frame,
        contributors=Contributors(person_id=frame["pid"].to_numpy(dtype=np.int64)),
        variables=_variables(frame),
        unit_type="PERSON",
        kind=kind,
        gate=gate,
        command=stmt.name,
        line=4,
        mask=None,
    )
    (result,) = ANALYSES[stmt.name](ctx, stmt)
    return result


MAGNITUDE_FIGURES = [
    "barchart (mean) wage",
    "barchart (mean) wage, over(k)",
    "barchart (sum) wage, over(k)",
    "barchart (sd) wage, by(k)",
    "barchart (mean) wage hours, over(sector)",
    "boxplot wage",
    "boxplot wage hours, over(k)",
    "histogram wage, normal",
    "histogram wage, normal by(k) freq",
]


@pytest.mark.parametrize("text", MAGNITUDE_FIGURES)
def test_a_figure_drawn_from_weighted_magnitudes_carries_the_weighting_note_once_last(
    gate: Gate, text: str
) -> None:
    r = run(gate, text)
    assert r.kind == "figure", r.data
    assert r.notes.count(WEIGHT_NOTE) == 1, r.notes
    # after the figure's own notes (which come first, as the command wrote them)
    assert r.notes[-1] == WEIGHT_NOTE or r.notes[-1].startswith("Note: this project has used")
    assert len(set(r.notes)) == len(r.notes)


@pytest.mark.parametrize("text", MAGNITUDE_FIGURES)
def test_the_same_figure_of_one_row_per_person_has_no_weighting_note(gate: Gate, text: str) -> None:
    r = run(gate, text, PEOPLE, kind="cross")
    assert r.kind == "figure", r.data
    assert WEIGHT_NOTE not in r.notes, r.notes


@pytest.mark.parametrize(
    "text",
    [
        "histogram wage",
        "histogram wage, discrete",
        "barchart (count) sector, over(k)",
        "barchart (percent) sector",
        "barchart (median) wage, over(k)",
        "piechart sector",
        "hexbin wage hours, gridsize(5)",
        "sankey k sector",
    ],
)
def test_a_figure_of_counts_or_quantiles_on_event_data_has_no_weighting_note(
    gate: Gate, text: str
) -> None:
    r = run(gate, text)
    assert r.kind == "figure", r.data
    assert WEIGHT_NOTE not in r.notes, r.notes


def test_several_rows_per_person_without_a_heavy_person_get_no_note(gate: Gate) -> None:
    """Everyone has two rows: nobody is above the cap, so the gate weighs nobody down."""
    even = EVENTS[EVENTS["pid"] < PERSONS - HEAVY].reset_index(drop=True)
    r = run(gate, "barchart (mean) wage, over(k)", even)
    assert WEIGHT_NOTE not in r.notes


def test_the_weighted_bar_is_the_person_capped_mean_not_the_row_mean(gate: Gate) -> None:
    """The note describes what happened to the number: the heavy persons count as two rows each
    (the 99th percentile of rows per person), checked against a by-hand computation."""
    r = run(gate, "barchart (mean) wage")
    (bar,) = r.data["spec"]["panels"][0]["series"][0]["values"]
    wage = EVENTS["wage"].to_numpy()
    heavy = (EVENTS["pid"] >= PERSONS - HEAVY).to_numpy()
    weights = np.where(heavy, 2.0 / HEAVY_ROWS, 1.0)
    capped = float((weights * wage).sum() / weights.sum())
    row_mean = float(wage.mean())
    assert row_mean - capped > 2.0  # the two readings are far apart
    assert bar == pytest.approx(capped, abs=0.3)


def test_the_weighting_note_shows_under_the_figure_in_every_output_format(gate: Gate) -> None:
    r = run(gate, "boxplot wage, over(k)")
    text = renderer("text").render(r, "boxplot wage, over(k)")
    assert WEIGHT_NOTE in " ".join(text.split())
    title_at = text.index("Box plot of wage")
    assert " ".join(text[title_at:].split()).find(WEIGHT_NOTE) > 0  # below the figure's title

    markdown = renderer("markdown").render(r, "boxplot wage, over(k)")
    assert WEIGHT_NOTE in markdown
    assert markdown.index(WEIGHT_NOTE) > markdown.index("Box plot of wage")

    (line,) = [ln for ln in renderer("json").render(r).splitlines() if ln.strip()]
    assert WEIGHT_NOTE in json.loads(line)["notes"]

    page = renderer("html").render(r, "boxplot wage, over(k)")
    assert WEIGHT_NOTE in page
    assert page.index(WEIGHT_NOTE) > page.index("<figure>")


# ------------------------------------------------------------------------------------------------
# the same through the engine: a job register with several spells per person
# ------------------------------------------------------------------------------------------------

JOBS = "no.test.figurejobs"


def _job_spells(day0: int) -> pd.DataFrame:
    """995 persons with two spells of 5 to 60 days in sector a or b; five with 40 spells of 200
    to 239 days in sector a."""
    rng = np.random.default_rng(5)
    rows: list[tuple[int, str, int, int]] = []
    for pid in range(1, PERSONS + 1):
        if pid > PERSONS - HEAVY:
            rows += [(pid, "a", day0 + i, day0 + i + 200 + i) for i in range(HEAVY_ROWS)]
        else:
            code = "a" if pid % 3 else "b"
            first, second = (int(d) for d in rng.integers(5, 61, 2))
            rows += [(pid, code, day0 + 2, day0 + 2 + first), (pid, code, day0 + 90, day0 + 90 + second)]
    return pd.DataFrame(rows, columns=["unit_id", "value", "start", "stop"])


def _job_store(root: Path) -> Path:
    """Job spells in 2020 (:func:`_job_spells`) and a fixed wage for everyone."""
    from mdlang.datastore.dates import parse_date
    from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    ids = np.arange(1, PERSONS + 1, dtype=np.int64)
    spells = _job_spells(parse_date("2020-01-01"))
    spells["start"] = spells["start"].astype("Int64")
    spells["stop"] = spells["stop"].astype("Int64")
    job = VariableMetadata("JOBB", "PERSON", Temporality.EVENT, DataType.STRING, title={"no": "Jobb"},
                           code_list=(Code("a", "Sektor a"), Code("b", "Sektor b")))
    wage = VariableMetadata("LONN", "PERSON", Temporality.FIXED, DataType.DOUBLE, title={"no": "Lønn"})
    none = pd.array([None] * PERSONS, dtype="Int64")
    wages = pd.DataFrame({"unit_id": ids, "value": np.round(np.random.default_rng(3).normal(500.0, 50.0, PERSONS), 0),
                          "start": none, "stop": none})
    write_version(root, JOBS, 1, [(job, spells), (wage, wages)], policy_text=default_policy_text(),
                  secret=bytes(range(7, 39)))
    return root


@pytest.fixture(scope="module")
def job_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _job_store(tmp_path_factory.mktemp("figure-jobs"))


EVENT_SCRIPT = f"""require {JOBS}:1 as j
create-dataset e
import-event j/JOBB 2020-01-01 to 2020-12-31 as jobb
generate dager = STOP@jobb - START@jobb
barchart (mean) dager, over(jobb)
boxplot dager
histogram dager, normal
hexbin dager START@jobb, gridsize(5)
"""
PERSON_SCRIPT = f"""require {JOBS}:1 as j
create-dataset p
import j/LONN as lonn
barchart (mean) lonn
boxplot lonn
histogram lonn, normal
"""


def test_figures_of_an_event_dataset_carry_the_weighting_note(job_store: Path) -> None:
    results = run_script(EVENT_SCRIPT, "jobs.mdl", datastore_dirs=[str(job_store)], project="fig")
    figures = {r.command: r for r in results if r.kind == "figure"}
    assert set(figures) == {"barchart", "boxplot", "histogram", "hexbin"}, [r.data for r in results]
    for command in ("barchart", "boxplot", "histogram"):
        assert figures[command].notes.count(WEIGHT_NOTE) == 1, (command, figures[command].notes)
    assert WEIGHT_NOTE not in figures["hexbin"].notes  # counts of persons: nothing weighted
    # the bar is the capped mean (the five long spells count two rows each), not the row mean
    a_bar = figures["barchart"].data["spec"]["panels"][0]["series"][0]["values"][0]
    spells = _job_spells(0)
    spells = spells[spells["value"] == "a"]
    days = (spells["stop"] - spells["start"]).to_numpy(dtype=float)
    weights = np.where(spells["unit_id"].to_numpy() > PERSONS - HEAVY, 2.0 / HEAVY_ROWS, 1.0)
    capped = float((weights * days).sum() / weights.sum())
    assert float(days.mean()) - capped > 10.0
    assert a_bar == pytest.approx(capped, abs=0.5)


def test_figures_of_a_person_dataset_carry_no_weighting_note(job_store: Path) -> None:
    results = run_script(PERSON_SCRIPT, "persons.mdl", datastore_dirs=[str(job_store)], project="fig")
    figures = [r for r in results if r.kind == "figure"]
    assert [r.command for r in figures] == ["barchart", "boxplot", "histogram"]
    assert all(WEIGHT_NOTE not in r.notes for r in figures)


def test_mdlang_run_shows_the_note_under_the_figure_in_json(
    job_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "jobs.mdl"
    script.write_text(EVENT_SCRIPT, encoding="utf-8")
    assert main(["run", "--output", "json", "--datastore-dir", str(job_store), str(script)]) == 0
    lines = [json.loads(ln) for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    box = next(d for d in lines if d["command"] == "boxplot")
    assert box["kind"] == "figure" and box["notes"].count(WEIGHT_NOTE) == 1
