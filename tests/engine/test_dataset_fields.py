"""Dataset.gate_sources and Dataset.key_column are real fields: copies, clones of units, renames
and drops carry or clear them as a dataset's other metadata."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from mdlang.engine.dataset import Dataset


def _keyed() -> Dataset:
    ds = Dataset(name="k", unit_type="GROUP", gate_sources=("db", "hp"), key_column="kom")
    ds.set_population("GROUP", np.array([1, 2, 3]))
    ds.set_column("kom", pd.Series(["0301", "4601", "5001"]))
    ds.set_column("folk", np.array([10.0, 20.0, 30.0]))
    return ds


def test_copy_carries_both_fields() -> None:
    copy = _keyed().copy("k2")
    assert (copy.name, copy.gate_sources, copy.key_column) == ("k2", ("db", "hp"), "kom")


def test_clone_units_carries_the_sources_but_not_the_key() -> None:
    clone = _keyed().clone_units("u")
    assert clone.gate_sources == ("db", "hp") and clone.key_column is None and clone.variables == []


def test_dataclass_replace_as_the_repl_snapshot_does_carries_both() -> None:
    snap = dataclasses.replace(_keyed(), frame=_keyed().frame.copy(deep=False))
    assert (snap.gate_sources, snap.key_column) == (("db", "hp"), "kom")


def test_rename_follows_the_key_and_drop_clears_it() -> None:
    ds = _keyed()
    ds.rename_column("kom", "kommune")
    assert ds.key_column == "kommune"
    ds.rename_column("folk", "antall")
    assert ds.key_column == "kommune"
    ds.drop_columns(["kommune"])
    assert ds.key_column is None


def test_add_source_appends_once_in_order() -> None:
    ds = Dataset(name="p")
    assert ds.gate_sources is None
    ds.add_source("hp")
    ds.add_source("db")
    ds.add_source("hp")
    assert ds.gate_sources == ("hp", "db")
