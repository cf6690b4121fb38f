"""Datastore-wide winsorisation bounds (D5, A16): computed over the whole stored population."""

from __future__ import annotations

import numpy as np

from mdlang.datastore.store import open_datastore
from mdlang.disclosure.bounds import DatastoreBounds
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from tests.redteam.canaries import NAME, truth


def test_register_bounds_are_percentiles_of_every_stored_value(store) -> None:
    ds = open_datastore(NAME, 1, [str(store)])
    found = DatastoreBounds(ds, Policy()).get("INNTEKT")
    t = truth()
    assert found is not None and found.values == len(t)
    assert found.bounds == tuple(float(v) for v in np.percentile(t["inntekt"], [1, 99]))
    assert DatastoreBounds(ds, Policy()).get("SKOLE") is None  # not numeric


def test_gate_uses_register_bounds_whatever_the_dataset_holds(store) -> None:
    ds = open_datastore(NAME, 1, [str(store)])
    gate = Gate.for_datastore(ds, audit=False, ledger=False)
    t = truth()
    subset = t["inntekt"].to_numpy()[:40]  # a small kept subset: its own p99 would be far lower
    gate.begin_command("summarize", ["inntekt"], {"inntekt": "INNTEKT"})
    expected = tuple(float(v) for v in np.percentile(t["inntekt"], [1, 99]))
    assert gate.bounds("inntekt", subset) == expected
    # replace moved the column outside the stored range: treated as derived (its own column)
    scaled = subset * 1000.0
    assert gate.bounds("inntekt", scaled) == tuple(float(v) for v in np.percentile(scaled, [1, 99]))
    gate.begin_command("summarize", ["x"], {})
    assert gate.bounds("x", subset) == tuple(float(v) for v in np.percentile(subset, [1, 99]))
