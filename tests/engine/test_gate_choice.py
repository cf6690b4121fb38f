"""The gate of a dataset that mixes datastores: the strictest policy of every datastore whose data
it holds, with record keys under the first datastore's secret. Two hand-made stores: a register
store (floor 1000) and a health-survey store (floor 200) sharing one secret, and a third store
with another secret."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from engine_store import run

from mdlang.commands.datasets import strictest_policy
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.policy import Policy, default_policy_text
from mdlang.errors import MdlRuntimeError

N = 1500
IDS = np.arange(1, N + 1, dtype=np.int64)
SHARED = bytes(range(32))
OTHER = bytes(range(100, 132))


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit_id": IDS, "value": values, "start": pd.array([None] * N, dtype="Int64"), "stop": pd.array([None] * N, dtype="Int64")}
    )


def _meta(name: str, kind: DataType, codes=None) -> VariableMetadata:
    return VariableMetadata(name, "PERSON", Temporality.FIXED, kind, title={"no": name}, code_list=codes)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gate-choice")
    write_version(
        root, "no.test.reg", 1, [(_meta("INNTEKT", DataType.LONG), _frame(IDS * 100))],
        policy_text=default_policy_text("register"), secret=SHARED,
    )
    bydel = (Code("01", "Arna"), Code("02", "Fana"))
    write_version(
        root, "no.test.hp", 1,
        [(_meta("BYDEL", DataType.STRING, bydel), _frame(np.where(IDS <= 600, "01", "02"))),
         (_meta("VEKT", DataType.DOUBLE), _frame(3000.0 + IDS))],
        policy_text=default_policy_text("health-survey"), secret=SHARED,
    )
    write_version(
        root, "no.test.other", 1, [(_meta("SKOLE", DataType.LONG), _frame(IDS % 7))],
        policy_text=default_policy_text("register"), secret=OTHER,
    )
    return root


def _session(root: Path):
    from mdlang.engine.session import Session

    s = Session(datastore_dirs=[str(root)])
    run(s, "require no.test.hp:1 as hp\nrequire no.test.reg:1 as db\nrequire no.test.other:1 as ot\n")
    return s


def test_strictest_policy_takes_the_stricter_value_of_every_field() -> None:
    tight = replace(Policy.from_preset("health-survey"), threshold=20, overlap_audit=True, winsor_upper=95.0)
    loose = replace(Policy.from_preset("register"), overlap_audit=False, dominance_k=90.0 - 10)
    combined = strictest_policy([tight, loose])
    assert combined.preset == "health-survey"  # no strict direction: the first one's
    assert (combined.threshold, combined.dataset_floor, combined.winsor_upper) == (20, 1000, 95.0)
    assert combined.dominance_k == 80.0 and combined.overlap_audit is True
    assert combined.looser_than(tight) == [] and combined.looser_than(loose) == []
    for f in fields(Policy):
        if f.metadata["stricter"] is None:
            continue
        assert getattr(combined, f.name) in (getattr(tight, f.name), getattr(loose, f.name))


def test_a_dataset_of_one_datastore_gets_that_datastores_gate(root: Path) -> None:
    s = _session(root)
    run(s, "create-dataset barn\nimport hp/BYDEL as bydel\n")
    gate = s.gate_for(s.datasets["barn"])
    assert gate is s.gates["hp"]
    assert gate.policy.dataset_floor == 200


def test_a_mixed_dataset_gets_the_strictest_policy_and_keeps_it(root: Path) -> None:
    s = _session(root)
    run(s, "create-dataset barn\nimport hp/BYDEL as bydel\nimport db/INNTEKT as inntekt\n")
    ds = s.datasets["barn"]
    gate = s.gate_for(ds)
    assert gate is not s.gates["hp"] and gate is not s.gates["db"]
    assert gate.policy.dataset_floor == 1000
    assert gate.policy.looser_than(s.gates["hp"].policy) == [] and gate.policy.looser_than(s.gates["db"].policy) == []
    assert s.gate_for(ds) is gate  # one gate per set of datastores: begin_command and release meet
    # the register variable gone, the data derived from it stays: still the strict gate
    run(s, "generate rik = inntekt > 100000\ndrop inntekt\nclone-dataset barn kopi\n")
    assert s.gate_for(ds).policy.dataset_floor == 1000
    assert s.gate_for(s.datasets["kopi"]).policy.dataset_floor == 1000
    run(s, "collapse (mean) rik, by(bydel)\n")
    assert s.gate_for(ds).policy.dataset_floor == 1000


def test_the_floor_of_a_mixed_dataset_is_the_register_floor(root: Path) -> None:
    s = _session(root)
    run(s, "create-dataset barn\nimport hp/BYDEL as bydel\nkeep if bydel == '01'\n")  # 600 >= 200
    assert len(s.datasets["barn"]) == 600
    run(s, "create-dataset blandet\nimport hp/BYDEL as bydel\nimport db/INNTEKT as inntekt\n")
    with pytest.raises(MdlRuntimeError, match="fewer than 1000 units"):
        run(s, "keep if bydel == '01'\n")
    assert len(s.datasets["blandet"]) == N


def test_record_keys_are_those_of_the_first_datastores_secret(root: Path) -> None:
    s = _session(root)
    run(s, "create-dataset a\nimport hp/VEKT as vekt\nimport db/INNTEKT as inntekt\n")
    run(s, "create-dataset b\nimport ot/SKOLE as skole\nimport hp/VEKT as vekt\n")
    mixed_shared = s.gate_for(s.datasets["a"])
    mixed_other = s.gate_for(s.datasets["b"])
    ids = IDS.copy()
    # hp and db share a secret: a person has one key under either store
    assert np.array_equal(mixed_shared.record_keys(ids), s.gates["hp"].record_keys(ids))
    assert np.array_equal(s.gates["db"].record_keys(ids), s.gates["hp"].record_keys(ids))
    # ot has its own secret and came first in b: its keys apply
    assert np.array_equal(mixed_other.record_keys(ids), s.gates["ot"].record_keys(ids))
    assert not np.array_equal(mixed_other.record_keys(ids), s.gates["hp"].record_keys(ids))


def test_analyses_on_a_mixed_dataset_use_bounds_of_each_datastore(root: Path) -> None:
    s = _session(root)
    results = run(s, "create-dataset barn\nimport hp/VEKT as vekt\nimport db/INNTEKT as inntekt\nsummarize vekt\n")
    (summary,) = [r for r in results if r.command == "summarize"]
    assert abs(summary.data["rows"][0][1] - N) <= 3
    lo, hi = np.percentile(3000.0 + IDS, [1, 99])
    assert summary.data["rows"][0][2] == pytest.approx(np.clip(3000.0 + IDS, lo, hi).mean(), rel=0.001)
    bounds = s.gate_for(s.datasets["barn"]).global_bounds
    assert bounds.get("VEKT").bounds == pytest.approx((lo, hi))
    assert bounds.get("INNTEKT").bounds == pytest.approx(tuple(np.percentile(IDS * 100.0, [1, 99])))


def test_a_copy_keeps_its_record_and_a_dataset_without_one_counts_as_holding_every_datastore(root: Path) -> None:
    import dataclasses

    s = _session(root)
    run(s, "create-dataset barn\nimport hp/BYDEL as bydel\n")
    # the REPL's undo snapshot copies datasets with dataclasses.replace: the record goes along
    copy = dataclasses.replace(s.datasets["barn"])
    s.datasets["barn"] = copy
    assert s.gate_for(copy).policy.dataset_floor == 200
    # a dataset holding data with no record at all: unknown means strict
    unrecorded = dataclasses.replace(copy, gate_sources=None)
    s.datasets["barn"] = unrecorded
    assert s.gate_for(unrecorded).policy.dataset_floor == 1000
    run(s, "import hp/VEKT as vekt\n")
    assert s.gate_for(unrecorded).policy.dataset_floor == 1000
    run(s, "create-dataset tom\n")
    assert s.gate_for(s.datasets["tom"]) is s.gate  # empty: no data yet
