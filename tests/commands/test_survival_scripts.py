"""cox, kaplan-meier and weibull run as a script through the real engine and a hand-made store."""

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
EXTREME = 87654  # one person's survival time, far beyond everyone else's


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": IDS, "value": values,
        "start": pd.array([None] * N, dtype="Int64"), "stop": pd.array([None] * N, dtype="Int64"),
    })


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("survival-store")
    rng = np.random.default_rng(11)
    women = IDS % 2 == 0
    latent = rng.weibull(1.3, N) * np.where(women, 600.0, 900.0)
    censor = rng.uniform(0, 1500, N)
    days = np.ceil(np.minimum(latent, censor)).astype(np.int64) + 1
    event = (latent <= censor).astype(np.int64)
    days[0], event[0] = EXTREME, 1
    sex = VariableMetadata("KJOENN", "PERSON", Temporality.FIXED, DataType.STRING, title={"no": "Kjønn"},
                           code_list=(Code("1", "Mann"), Code("2", "Kvinne")))
    dager = VariableMetadata("DAGER", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Dager"})
    dod = VariableMetadata("DOD", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Død"})
    alder = VariableMetadata("ALDER", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Alder"})
    write_version(
        root, "no.test.survival", 1,
        [(sex, _frame(np.where(women, "2", "1"))), (dager, _frame(days)), (dod, _frame(event)),
         (alder, _frame(rng.integers(20, 80, N).astype(np.int64)))],
        policy_text=default_policy_text(), secret=bytes(range(32)),
    )
    return root


SCRIPT = """require no.test.survival:1 as db
create-dataset p
import db/KJOENN as kjønn
import db/DAGER as dager
import db/DOD as død
import db/ALDER as alder
cox død dager alder i.kjønn, hazard
cox død dager
kaplan-meier død dager, by(kjønn)
kaplan-meier død dager if kjønn == '2'
weibull død dager, by(kjønn)
"""


@pytest.fixture(scope="module")
def results(store: Path, tmp_path_factory: pytest.TempPathFactory) -> list:
    from mdlang.engine.runner import run_script
    from mdlang.errors import MdlError

    with pytest.MonkeyPatch.context() as mp:  # a fresh audit log and privacy ledger (D10, D11)
        mp.setenv("MDLANG_HOME", str(tmp_path_factory.mktemp("survival-home")))
        try:
            return run_script(SCRIPT, "surv.mdl", datastore_dirs=[str(store)], project="survival-test")
        except MdlError as err:  # pragma: no cover - shows the engine's message if the seam breaks
            pytest.fail(err.format())


def test_every_survival_command_releases(results: list) -> None:
    kinds = [(r.line, r.kind) for r in results if r.line >= 7]
    assert kinds == [
        (7, "model"), (8, "model"), (9, "figure"), (9, "table"), (10, "figure"), (10, "table"),
        (11, "figure"), (11, "table"),
    ]
    by_line = {(r.line, r.kind): r for r in results}
    cox = by_line[(7, "model")].data
    assert [row[0] for row in cox["rows"]] == ["alder", "kjønn=Kvinne"]
    assert cox["columns"][1] == "hazard_ratio" and cox["rows"][1][1] > 1  # women: shorter times
    km = by_line[(9, "figure")].data["spec"]
    assert [c["label"] for c in km["curves"]] == ["Mann", "Kvinne"]
    assert [c["label"] for c in by_line[(10, "figure")].data["spec"]["curves"]] == [""]
    assert by_line[(11, "table")].data["rows"][0][0] == "Mann: shape"


def test_nothing_is_refused_by_the_ledger(results: list) -> None:
    assert [r.data["rule"] for r in results if r.kind == "refusal"] == []


def test_the_extreme_person_leaves_no_trace(results: list) -> None:
    text = json.dumps([r.to_dict() for r in results])
    assert str(EXTREME) not in text and "8.765e" not in text
    for r in results:
        if r.kind == "figure":
            for curve in r.data["spec"]["curves"]:
                for band in curve.get("bands", []):
                    assert band["at_risk"] >= 10 and band["events"] >= 10
                    assert band["end"] < 3000
