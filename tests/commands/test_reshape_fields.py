"""The collapse key and the datastore record survive clone-dataset and the REPL's undo snapshot,
so that a copy of a collapsed dataset merges on its key and passes through the same gate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_multilevel_store import KOMMUNE, build, session_after

from mdlang.commands.datasets import dataset_sources
from mdlang.repl import snapshot

PERSONS = "create-dataset p\nimport db/INNTEKT as inn\nimport db/BOSTED as kom\n"
COLLAPSED = PERSONS + "clone-dataset p k\nuse k\ncollapse (count) inn -> folk, by(kom)\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("fields-store"))


def _folk_per_person() -> np.ndarray:
    return pd.Series(KOMMUNE).map(pd.Series(KOMMUNE).value_counts()).to_numpy(dtype=float)


def test_clone_of_a_collapsed_dataset_keeps_key_and_sources(store: Path) -> None:
    ses = session_after(store, COLLAPSED + "clone-dataset k k2\n")
    k, k2 = ses.datasets["k"], ses.datasets["k2"]
    assert k.key_column == "kom" and k2.key_column == "kom"
    assert k2.gate_sources == k.gate_sources == ("db",)
    assert dataset_sources(ses, k2) == ("db",)


def test_merge_from_the_clone_matches_on_the_recorded_key(store: Path) -> None:
    # the clone's first variable is no longer the key after the rename: only the recorded key
    # (which followed the rename) can tell merge what to match on
    ses = session_after(store, COLLAPSED + "clone-dataset k k2\nuse k2\nrename kom kommune\n"
                        "merge folk into p on kom\n")
    assert ses.datasets["k2"].key_column == "kommune"
    np.testing.assert_array_equal(ses.datasets["p"].frame["folk"].to_numpy(), _folk_per_person())


def test_repl_snapshot_restores_both_fields(store: Path) -> None:
    ses = session_after(store, COLLAPSED)
    before = snapshot.take(ses)
    ses.datasets["k"].key_column = None
    ses.datasets["k"].gate_sources = ("other",)
    snapshot.restore(ses, before)
    assert ses.datasets["k"].key_column == "kom" and ses.datasets["k"].gate_sources == ("db",)
