"""The row-group reader with numpy filters (reader ``_read``) keeps exactly the rows pyarrow's
expression filters kept, nulls included, over many row groups (no timings here)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from mdlang.datastore import reader
from mdlang.datastore.metadata import Temporality


def _store(tmp_path, rows: int, seed: int) -> reader.Datastore:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 40, rows).astype(np.int32)
    stop = start + rng.integers(0, 15, rows).astype(np.int32)
    table = pa.table(
        {
            "unit_id": np.sort(rng.integers(0, rows // 3 + 1, rows)).astype(np.int64),
            "value": pa.array(rng.choice(["a", "b", "c"], rows)).dictionary_encode(),
            "start_epoch_days": pa.array(start, mask=rng.random(rows) < 0.1),
            "stop_epoch_days": pa.array(stop, mask=rng.random(rows) < 0.3),
        }
    )
    (tmp_path / "variables").mkdir()
    pq.write_table(table, tmp_path / "variables" / "X.parquet", row_group_size=int(rng.integers(7, 90)))
    ds = object.__new__(reader.Datastore)
    ds.path, ds.name, ds.version = tmp_path, "t", 1
    return ds


def _expected(ds, expr) -> pa.Table:
    return pq.read_table(ds.path / "variables" / "X.parquet", columns=["unit_id", "value"], filters=expr)


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("seed", range(5))
def test_numpy_row_filters_keep_what_pyarrow_filters_kept(tmp_path, seed: int, threads: int, monkeypatch) -> None:
    """Row groups are read on ``threads`` worker threads (mdlang.parallel); the rows and their
    order are the same. A status read also without its stop days, as ``read_at`` does it."""
    from mdlang import parallel

    monkeypatch.setattr(parallel, "workers", lambda: threads)
    ds = _store(tmp_path, 700, seed)
    s, e = pc.field("start_epoch_days"), pc.field("stop_epoch_days")
    for date in (0, 9, 20, 39, 60):
        for temporality, expr in (
            (Temporality.STATUS, s == date),
            (Temporality.ACCUMULATED, (s <= date) & (e >= date)),
            (Temporality.EVENT, (s <= date) & (e.is_null() | (e >= date))),
        ):
            meta = SimpleNamespace(name="X", temporality=temporality)
            got = ds._read(meta, ["unit_id", "value"], reader._filter_at(meta, date))
            assert got.equals(_expected(ds, expr))
            if temporality is Temporality.STATUS:
                unstopped = ds._read(meta, ["unit_id", "value"], reader._filter_at(meta, date), stop=False)
                assert unstopped.equals(got)
    for first, last in ((3, 8), (30, 80), (-5, 0)):
        for temporality, expr in (
            (Temporality.EVENT, (s.is_null() | (s <= last)) & (e.is_null() | (e >= first))),
            (Temporality.STATUS, s.is_null() | ((s <= last) & (s >= first))),
        ):
            meta = SimpleNamespace(name="X", temporality=temporality)
            got = ds._read(meta, ["unit_id", "value"], reader._filter_spells(meta, first, last))
            assert got.equals(_expected(ds, expr))


def test_a_filter_that_keeps_nothing_gives_an_empty_table_with_the_columns(tmp_path) -> None:
    ds = _store(tmp_path, 50, 1)
    meta = SimpleNamespace(name="X", temporality=Temporality.STATUS)
    got = ds._read(meta, ["unit_id", "value"], reader._filter_at(meta, 10_000))
    assert got.num_rows == 0 and got.column_names == ["unit_id", "value"]

