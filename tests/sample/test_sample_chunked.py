"""Large-population mode: variables handed to the writer in id-range chunks store the same rows."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from mdlang.datastore import sample
from mdlang.datastore.samplegen import amounts, frames, income

PERSONS = 3_000
SEED = 77


def _rows(path):
    table = pq.read_table(path)
    if pa.types.is_dictionary(table.schema.field("value").type):
        table = table.set_column(1, "value", table.column("value").cast(pa.string()))
    return table.to_pydict()


def test_chunked_build_stores_the_same_rows_and_metadata(tmp_path, monkeypatch):
    eager = tmp_path / "eager"
    sample.build_sample(eager, PERSONS, SEED)
    monkeypatch.setattr(frames, "EAGER_LIMIT", 1_000)
    monkeypatch.setattr(frames, "CHUNK_ROWS", 2_500)
    monkeypatch.setattr(income, "EAGER_LIMIT", 1_000)
    monkeypatch.setattr(amounts, "CHUNK_PERSONS", 200)
    monkeypatch.setattr(amounts, "MEMORY_BUDGET", 20_000)  # the rest is spilled to disk
    chunked = tmp_path / "chunked"
    sample.build_sample(chunked, PERSONS, SEED)

    status = chunked / "no.ssb.fdb" / "1" / "variables" / "BEFOLKNING_STATUSKODE.parquet"
    wage = chunked / "no.ssb.fdb" / "1" / "variables" / "INNTEKT_WLONN.parquet"
    assert pq.ParquetFile(status).num_row_groups > 10  # the chunked path was taken
    assert pq.ParquetFile(wage).num_row_groups > 5
    for name in sample.SAMPLE_NAMES:
        a, b = eager / name / "1", chunked / name / "1"
        meta_a = json.loads((a / "manifest.json").read_text())["variables"]
        meta_b = json.loads((b / "manifest.json").read_text())["variables"]
        assert meta_a == meta_b
        files = sorted(p.name for p in (a / "variables").iterdir())
        assert files == sorted(p.name for p in (b / "variables").iterdir())
        for f in files:
            assert _rows(a / "variables" / f) == _rows(b / "variables" / f), f


def test_status_rows_match_one_stable_sort_by_id():
    import numpy as np

    rng = np.random.default_rng(5)
    n = 5_000
    pid = 1_000_000 + rng.permutation(n).astype(np.int64) * 7 + rng.integers(0, 7, n)
    parts = []
    for date in range(12):
        keep = rng.random(n) < 0.7
        parts.append((pid[keep], rng.integers(0, 9, keep.sum()), 100 + date))
    parts.append((np.array([pid[0], pid[0]]), np.array([-1, -2]), 200))  # a repeated id: sort path
    ids = np.concatenate([p[0] for p in parts])
    order = np.argsort(ids, kind="stable")
    got = frames.status(parts)
    assert got["unit_id"].tolist() == ids[order].tolist()
    assert got["value"].tolist() == np.concatenate([p[1] for p in parts])[order].tolist()
    dates = np.concatenate([np.full(p[0].size, p[2]) for p in parts])[order]
    assert got["start"].tolist() == dates.tolist() == got["stop"].tolist()
