"""Graphics commands run as a script through the real engine and datastore, then rendered as the
HTML report and written as figure files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.policy import default_policy_text

N = 3000
IDS = np.arange(1, N + 1, dtype=np.int64)


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": IDS,
            "value": values,
            "start": pd.array([None] * N, dtype="Int64"),
            "stop": pd.array([None] * N, dtype="Int64"),
        }
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("graphics-store")
    rng = np.random.default_rng(3)
    codes = (Code("1", "Mann"), Code("2", "Kvinne"))
    sex = VariableMetadata(
        "KJOENN",
        "PERSON",
        Temporality.FIXED,
        DataType.STRING,
        title={"no": "Kjønn"},
        code_list=codes,
    )
    state = (Code("1", "Ugift"), Code("2", "Gift"))
    s1 = VariableMetadata(
        "SIV1",
        "PERSON",
        Temporality.FIXED,
        DataType.STRING,
        title={"no": "Sivilstand 1"},
        code_list=state,
    )
    s2 = VariableMetadata(
        "SIV2",
        "PERSON",
        Temporality.FIXED,
        DataType.STRING,
        title={"no": "Sivilstand 2"},
        code_list=state,
    )
    wage = VariableMetadata(
        "LONN", "PERSON", Temporality.FIXED, DataType.DOUBLE, title={"no": "Lønn"}
    )
    age = VariableMetadata(
        "ALDER", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Alder"}
    )
    wages = rng.lognormal(12.5, 0.5, N)
    wages[0] = 5e8  # one extreme earner
    write_version(
        root, "no.test.graphics", 1,
        [
            (sex, _frame(np.where(IDS % 2 == 1, "1", "2"))),
            (s1, _frame(rng.choice(["1", "2"], N))),
            (s2, _frame(rng.choice(["1", "2"], N))),
            (wage, _frame(wages)),
            (age, _frame(rng.integers(18, 80, N).astype(np.int64))),
        ],
        policy_text=default_policy_text(), secret=bytes(range(32)),
    )  # fmt: skip
    return root


SCRIPT = """require no.test.graphics:1 as db
create-dataset p
import db/KJOENN as kjønn
import db/SIV1 as s1
import db/SIV2 as s2
import db/LONN as lønn
import db/ALDER as alder
textblock
# Figures
Wages *by* sex.
endblock
histogram lønn, by(kjønn) width(50000)
barchart (max) lønn, over(kjønn)
boxplot lønn, over(kjønn)
piechart s1
hexbin alder lønn
sankey s1 s2
"""


@pytest.fixture(scope="module")
def results(store: Path) -> list:
    from mdlang.engine.runner import run_script
    from mdlang.errors import MdlError

    try:
        return run_script(SCRIPT, "figs.mdl", datastore_dirs=[str(store)], project="graphics-test")
    except MdlError as err:  # pragma: no cover - shows the engine's message if the seam breaks
        pytest.fail(err.format())


def test_every_graphics_command_releases_a_figure(results: list) -> None:
    figures = {r.line: r for r in results if r.kind == "figure"}
    assert sorted(figures) == [12, 13, 14, 15, 16, 17]
    assert [figures[line].data["spec"]["type"] for line in sorted(figures)] == [
        "histogram", "barchart", "boxplot", "piechart", "hexbin", "sankey",
    ]  # fmt: skip
    text = json.dumps([r.data for r in figures.values()])
    assert "5e+08" not in text and "500000000" not in text  # the extreme earner leaves no trace
    for c in (v for r in figures.values() for v in _counts(r.data["spec"])):
        assert c == "<10" or c >= 10


def _counts(spec):
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == "count":
                yield v
            else:
                yield from _counts(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _counts(v)


def test_html_report_and_figure_files(results: list, tmp_path: Path) -> None:
    from mdlang.engine.runner import statement_sources
    from mdlang.render import renderer
    from mdlang.render.figures import attach_figures
    from mdlang.syntax.parser import parse

    taken: set[str] = set()
    for r in results:
        attach_figures(r, str(tmp_path), "figs", taken)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "figs-line12-histogram.png", "figs-line13-barchart.png", "figs-line14-boxplot.png",
        "figs-line15-piechart.png", "figs-line16-hexbin.png", "figs-line17-sankey.png",
    ]  # fmt: skip
    sources = statement_sources(parse(SCRIPT).statements, SCRIPT)
    out = renderer("html")
    page = (
        out.header() + "".join(out.render(r, sources.get(r.line)) for r in results) + out.footer()
    )
    assert page.count("data:image/svg+xml;base64,") == 6
    assert "<h1>Figures</h1>" in page and "<p>Wages <em>by</em> sex.</p>" in page
    assert f"Written to: {tmp_path / 'figs-line12-histogram.png'}" in page
