"""Panel, multilevel, decomposition and RDD commands run as scripts through the real engine on a
hand-made datastore with a four-year panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.policy import default_policy_text
from mdlang.errors import MdlError

N = 3000
IDS = np.arange(1, N + 1, dtype=np.int64)
YEARS = (2018, 2019, 2020, 2021)
RNG = np.random.default_rng(21)
U = RNG.normal(0, 50, N)
GROUP = (IDS % 2).astype(np.int64)
KOMMUNE = (IDS % 30).astype(np.int64)
SCORE = RNG.uniform(0, 100, N)
HOURS = {y: RNG.normal(1500, 200, N) + 0.3 * U for y in YEARS}
INCOME = {y: 100 + 0.2 * HOURS[y] + U + 40 * GROUP * (y >= 2020) + 30 * (SCORE >= 50) + RNG.normal(0, 20, N)
          for y in YEARS}


def fixed(values) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": IDS, "value": values, "start": pd.array([None] * N, dtype="Int64"),
                         "stop": pd.array([None] * N, dtype="Int64")})


def yearly(by_year: dict) -> pd.DataFrame:
    parts = []
    for y in YEARS:
        parts.append(pd.DataFrame({
            "unit_id": IDS, "value": np.asarray(by_year[y], dtype=np.float64),
            "start": pd.array([parse_date(f"{y}-01-01")] * N, dtype="Int64"),
            "stop": pd.array([parse_date(f"{y}-12-31")] * N, dtype="Int64"),
        }))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("panel-store")

    def acc(name: str) -> VariableMetadata:
        return VariableMetadata(name, "PERSON", Temporality.ACCUMULATED, DataType.DOUBLE, title={"no": name})

    def fix(name: str, dtype: DataType) -> VariableMetadata:
        return VariableMetadata(name, "PERSON", Temporality.FIXED, dtype, title={"no": name})

    write_version(
        root, "no.test.panel", 1,
        [(acc("INNTEKT"), yearly(INCOME)), (acc("TIMER"), yearly(HOURS)),
         (acc("ETTER"), yearly({y: np.full(N, float(y >= 2020)) for y in YEARS})),
         (fix("GRUPPE", DataType.LONG), fixed(GROUP)), (fix("KOMMUNE", DataType.LONG), fixed(KOMMUNE)),
         (fix("POENG", DataType.DOUBLE), fixed(SCORE))],
        policy_text=default_policy_text(), secret=bytes(range(32)),
    )
    return root


SCRIPT = """require no.test.panel:1 as db
create-dataset p
import-panel db/INNTEKT db/TIMER db/ETTER db/GRUPPE db/KOMMUNE db/POENG 2018-06-01 2019-06-01 2020-06-01 2021-06-01
regress-panel INNTEKT TIMER
regress-panel INNTEKT TIMER, re robust
hausman INNTEKT TIMER
regress-panel-diff INNTEKT GRUPPE ETTER
regress-panel-predict INNTEKT TIMER, predicted(yhat) effects(u)
regress-mml INNTEKT TIMER by KOMMUNE
oaxaca INNTEKT TIMER by GRUPPE
rdd INNTEKT POENG, cutoff(50) polynomial(1)
regress-panel INNTEKT TIMER yhat, pooled
"""


def long_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": np.tile(IDS, len(YEARS)),
        "y": np.concatenate([INCOME[y] for y in YEARS]),
        "x": np.concatenate([HOURS[y] for y in YEARS]),
        "g": np.tile(GROUP, len(YEARS)).astype(float),
        "t": np.repeat([float(y >= 2020) for y in YEARS], N),
    })


@pytest.fixture(scope="module")
def results(store: Path) -> dict:
    from mdlang.engine.runner import run_script

    try:
        out = run_script(SCRIPT, "panel.mdl", datastore_dirs=[str(store)], project="panel-test")
    except MdlError as err:  # pragma: no cover - shows the engine's message if the seam breaks
        pytest.fail(err.format())
    by_line: dict[int, list] = {}
    for r in out:
        by_line.setdefault(r.line, []).append(r)
    return by_line


def test_fixed_effects_slope_matches_the_within_estimator(results: dict) -> None:
    (res,) = results[4]
    f = long_frame()
    g = f.groupby("id")
    xd, yd = f["x"] - g["x"].transform("mean"), f["y"] - g["y"].transform("mean")
    b = float(xd @ yd / (xd @ xd))
    rows = {r[0]: r for r in res.data["rows"]}
    assert rows["TIMER"][1] == pytest.approx(b, rel=5e-4)
    assert abs(res.data["stats"]["n_groups"] - N) <= 5


def test_random_effects_hausman_and_diff_in_diff_release(results: dict) -> None:
    (re,) = results[5]
    assert re.data["title"] == "Random-effects GLS regression" and re.data["test"] == "z"
    fe, re2, h = results[6]
    assert [fe.kind, re2.kind, h.kind] == ["model", "model", "table"]
    assert h.data["stats"]["df"] == 1
    (did,) = results[7]
    f = long_frame()
    X = np.column_stack([f["g"], f["t"], f["g"] * f["t"], np.ones(len(f))])
    atet = np.linalg.lstsq(X, f["y"].to_numpy(), rcond=None)[0][2]
    rows = {r[0]: r for r in did.data["rows"]}
    assert rows["GRUPPE=1#ETTER=1"][1] == pytest.approx(atet, rel=5e-4)


def test_predict_creates_variables_and_releases_only_a_message(results: dict) -> None:
    (msg,) = results[8]
    assert msg.kind == "message"
    assert msg.data["text"] == "regress-panel-predict: created yhat, u (missing outside the estimation sample)."
    (later,) = results[12]
    assert later.kind == "model"


def test_mml_oaxaca_and_rdd_run_on_the_panel(results: dict) -> None:
    (mml,) = results[9]
    assert [r[0] for r in mml.data["rows"]] == ["TIMER", "_cons", "var(KOMMUNE)", "var(Residual)"]
    (ox,) = results[10]
    rows = {r[0]: r[1] for r in ox.data["rows"]}
    f = long_frame()
    gap = f.loc[f.g == 0, "y"].mean() - f.loc[f.g == 1, "y"].mean()
    assert rows["Difference"] == pytest.approx(gap, rel=5e-4)
    assert rows["Endowments"] + rows["Coefficients"] + rows["Interaction"] == pytest.approx(gap, rel=2e-3)
    (rd,) = results[11]
    assert rd.data["rows"][0][1] == pytest.approx(30, abs=8)


def test_predicted_values_and_effects_are_the_fixed_effects_fit(store: Path) -> None:
    from mdlang.engine.session import Session
    from mdlang.syntax import ast
    from mdlang.syntax.parser import parse

    text = "\n".join(SCRIPT.splitlines()[:3]) + (
        "\nregress-panel-predict INNTEKT TIMER, predicted(yhat) residuals(e) effects(u)"
        "\nregress-mml-predict INNTEKT TIMER by KOMMUNE, predicted(m)\n"
    )
    session = Session(datastore_dirs=[str(store)], project="panel-test")
    script = parse(text, "p.mdl")
    list(session.run(ast.Script(script.statements, file="p.mdl", source=text)))
    frame = session.datasets["p"].frame
    f = long_frame().sort_values(["id"], kind="stable")
    # the dataset's row order is its own; compare through (income, hours), unique per row
    got = frame[["INNTEKT", "TIMER", "yhat", "e", "u", "m"]].sort_values(["INNTEKT", "TIMER"]).to_numpy()
    g = f.groupby("id")
    xd, yd = f["x"] - g["x"].transform("mean"), f["y"] - g["y"].transform("mean")
    b = float(xd @ yd / (xd @ xd))
    cons = f["y"].mean() - b * f["x"].mean()
    u = g["y"].transform("mean") - b * g["x"].transform("mean") - cons
    ref = pd.DataFrame({"y": f["y"], "x": f["x"], "yhat": cons + b * f["x"], "u": u})
    ref["e"] = ref["y"] - ref["yhat"] - ref["u"]
    ref = ref.sort_values(["y", "x"])
    np.testing.assert_allclose(got[:, 2], ref["yhat"], rtol=1e-6)
    np.testing.assert_allclose(got[:, 4], ref["u"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got[:, 3], ref["e"], rtol=1e-6, atol=1e-6)
    assert np.isfinite(got[:, 5]).all()


def test_panel_commands_refuse_a_cross_section(store: Path) -> None:
    from mdlang.engine.runner import run_script

    text = "require no.test.panel:1 as db\ncreate-dataset p\nimport db/GRUPPE\nimport db/POENG\nregress-panel POENG GRUPPE\n"
    with pytest.raises(MdlError) as info:
        run_script(text, "x.mdl", datastore_dirs=[str(store)], project="panel-test")
    assert "needs a panel dataset" in info.value.format()
