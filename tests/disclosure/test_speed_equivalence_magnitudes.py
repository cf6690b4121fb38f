"""A table's magnitudes computed layout by layout from its interior cells
(:func:`layout_moments`, :meth:`Gate.protect_magnitude_layouts`) are exactly those of the plain
per-layout computation (:func:`moments`, :meth:`Gate.protect_magnitudes`): the same numbers to
the last bit, the same releases, and the same fingerprints queued for the ledger in the same
order (no timings here)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mdlang.disclosure import gate as gate_module
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.ledger import Ledger
from mdlang.disclosure.magnitude import (
    cell_extremes,
    layout_moments,
    moments,
    top_n_sum,
    top_n_values,
)
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.tables import count_grid, magnitude_grids, stat_grids, table_layouts
from mdlang.engine.context import Contributors

SECRET = b"speed-equivalence-magnitudes"


def _table(rng: np.random.Generator, n: int, n_rows: int, n_cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    row = rng.integers(-1, n_rows, n)
    col = rng.integers(0, n_cols, n)
    kind = rng.integers(0, 4)
    if kind == 0:
        values = np.round(rng.lognormal(10, 1.2, n), -1)
    elif kind == 1:
        values = rng.integers(-3, 4, n).astype(np.float64)  # many ties, negatives
    elif kind == 2:
        values = np.where(rng.random(n) < 0.9, 1.0, 1000.0)  # dominance in small cells
    else:
        values = rng.normal(size=n)
    values[rng.random(n) < 0.15] = np.nan
    if n_rows > 2:
        row[row == n_rows - 1] = 0  # an empty row of cells
    return row, col, values


def _bit_equal(a, b) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.dtype == y.dtype, f.name
        assert np.array_equal(x, y, equal_nan=True), f.name


@pytest.mark.parametrize("split", [False, True], ids=["one-pass", "shares"])
@pytest.mark.parametrize("seed", range(4))
def test_layout_moments_equal_moments_bit_for_bit(seed: int, split: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """``shares``: the interior's extremes computed in shares of the rows, as on millions of
    rows (:func:`cell_extremes`), three of them here."""
    if split:
        from mdlang import parallel
        from mdlang.disclosure import magnitude

        monkeypatch.setattr(magnitude, "_SPLIT_MIN", 40)
        monkeypatch.setattr(parallel, "workers", lambda: 3)
    rng = np.random.default_rng(seed)
    for _ in range(30):
        n_rows, n_cols = int(rng.integers(1, 5)), int(rng.integers(2, 4))
        n = int(rng.integers(0, 800))
        row, col, values = _table(rng, n, n_rows, n_cols)
        dominance_n = int(rng.integers(1, 4))
        layouts = table_layouts(row, col, n_rows, n_cols)
        masked = [(np.where(np.isnan(values), -1, cells), k, merge) for cells, k, merge in layouts]
        interior, n_interior, _ = masked[0]
        extremes = cell_extremes(interior, n_interior, np.nan_to_num(values), dominance_n)
        abs_values = np.abs(values)
        for cells, k, merge in masked:
            if k == 1:
                continue  # a single cell takes moments' own one-cell path
            merge = np.arange(n_interior) if merge is None else merge
            got = layout_moments(cells + 1, k, values, abs_values, extremes, merge, dominance_n)
            _bit_equal(got, moments(cells, k, values, None, True, dominance_n))


def test_top_values_give_the_top_sum_of_any_grouping() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        n, n_cells, top = int(rng.integers(0, 60)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
        c = rng.integers(0, n_cells, n)
        x = rng.integers(0, 4, n).astype(np.float64)  # ties everywhere
        cells, kept = top_n_values(c, x, n_cells, top)
        assert np.array_equal(top_n_sum(cells, kept, n_cells, top), top_n_sum(c, x, n_cells, top))
        merge = rng.integers(0, 3, n_cells)
        assert np.array_equal(top_n_sum(merge[cells], kept, 3, top), top_n_sum(merge[c], x, 3, top))


def _releases(gate: Gate, per_layout: bool, row, col, n_rows, n_cols, values, contributors, stats):
    gate.begin_command("tabulate", ["r", "c", "v"])
    if per_layout:
        def release(cells, n):
            return gate.protect_magnitudes(cells, n, values, contributors, variable="v", population=values, stats=stats).values
        grids = stat_grids(release, row, col, n_rows, n_cols, stats)
    else:
        grids, _ = magnitude_grids(gate, table_layouts(row, col, n_rows, n_cols), n_rows, n_cols, values, contributors, "v", stats)
    return grids, [(e.streams, e.fingerprint.persons, e.fingerprint.key_sum, e.fingerprint.buckets.tolist(),
                    e.fingerprint.counts.tolist(), e.fingerprint.checks.tolist()) for e in gate._pending]


@pytest.mark.parametrize("seed", range(3))
def test_a_table_releases_and_notes_what_it_did_layout_by_layout(tmp_path, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for trial in range(6):
        n_rows, n_cols = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        n = int(rng.integers(200, 3000))
        row, col, values = _table(rng, n, n_rows, n_cols)
        if n_cols == 1:
            col = np.zeros(n, dtype=np.int64)
        ids = np.arange(n, dtype=np.int64) * 13 + 5
        if trial % 3 == 2:  # a collapsed dataset: rows stand for several persons
            contributors = Contributors(count=rng.integers(1, 5, n), key_sum=rng.integers(0, 2**62, n).astype(np.uint64))
        else:
            contributors = Contributors(person_id=ids)
        stats = ("sum", "mean", "sd", "gini") if trial % 2 else ("mean", "sd")
        gates = [Gate(Policy(), SECRET, ledger=Ledger(tmp_path / f"{seed}-{trial}-{i}.sqlite"), data_version="s:1") for i in range(2)]
        plain = _releases(gates[0], True, row, col, n_rows, n_cols, values, contributors, stats)
        fast = _releases(gates[1], False, row, col, n_rows, n_cols, values, contributors, stats)
        assert fast == plain


def test_several_rows_per_person_keep_the_weighted_path(tmp_path) -> None:
    rng = np.random.default_rng(3)
    n = 2000
    row, col, values = _table(rng, n, 3, 2)
    contributors = Contributors(person_id=np.sort(rng.integers(0, 400, n)).astype(np.int64))
    gates = [Gate(Policy(), SECRET, ledger=Ledger(tmp_path / f"w{i}.sqlite"), data_version="s:1") for i in range(2)]
    plain = _releases(gates[0], True, row, col, 3, 2, values, contributors, ("mean", "sd", "sum"))
    fast = _releases(gates[1], False, row, col, 3, 2, values, contributors, ("mean", "sd", "sum"))
    assert fast == plain


def _count_table(gate: Gate, row, col, n_rows, n_cols, contributors):
    gate.begin_command("tabulate", ["r", "c"])
    grid = count_grid(gate, row, col, n_rows, n_cols, contributors)
    return grid, [(e.streams, e.fingerprint.persons, e.fingerprint.key_sum, e.fingerprint.buckets.tolist(),
                   e.fingerprint.counts.tolist(), e.fingerprint.checks.tolist()) for e in gate._pending]


@pytest.mark.parametrize("seed", range(3))
def test_sketched_tables_note_what_the_plain_path_notes(tmp_path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Counts and magnitudes with every cell sketched at once (and margins merged from the
    sketch) queue the fingerprints of the plain path: per released cell, and margins from
    :func:`margin_fingerprints`, which a table of more than SKETCH_CELLS_MAX cells still uses."""
    rng = np.random.default_rng(200 + seed)
    n_rows, n_cols = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    row, col, values = _table(rng, 4000, n_rows, n_cols)
    contributors = Contributors(person_id=np.arange(4000, dtype=np.int64) * 3 + 1)
    results = []
    for limit in (gate_module.SKETCH_CELLS_MAX, 0):
        monkeypatch.setattr(gate_module, "SKETCH_CELLS_MAX", limit)
        gates = [Gate(Policy(), SECRET, ledger=Ledger(tmp_path / f"{seed}-{limit}-{i}.sqlite"), data_version="s:1") for i in range(2)]
        results.append((
            _count_table(gates[0], row, col, n_rows, n_cols, contributors),
            _releases(gates[1], False, row, col, n_rows, n_cols, values, contributors, ("mean", "sd")),
        ))
    assert results[0] == results[1]
