"""Issue #10's speed-ups of the gate give exactly what the plain computations gave: ledger
fingerprints read in place (:func:`masked_fingerprints`), and the aggregate and fingerprints of
one set of rows with a value shared by the variables that have it (no timings here)."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.keys import RecordKeys
from mdlang.disclosure.ledger import (
    Ledger,
    fingerprints,
    key_parts,
    masked_fingerprints,
    one_cell_sketch,
    sketch_fingerprint,
)
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import Contributors

SECRET = b"perf-memo-test-secret"


def _same(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.persons, x.key_sum) == (y.persons, y.key_sum)
        for part in ("buckets", "counts", "checks"):
            assert getattr(x, part).dtype == getattr(y, part).dtype
            assert np.array_equal(getattr(x, part), getattr(y, part))


@pytest.mark.parametrize("seed", range(5))
def test_masked_fingerprints_equal_those_of_the_rows_copied_out(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(25):
        n = int(rng.integers(1, 3000))
        n_cells = 1 if trial % 3 == 0 else int(rng.integers(2, 7))
        cells = rng.integers(-1, n_cells, n)
        keys = RecordKeys(SECRET)(rng.permutation(10 * n)[:n].astype(np.int64))
        bucket, check = key_parts(keys)
        persons = np.bincount(cells[cells >= 0], minlength=n_cells)
        sums = [int(rng.integers(0, 2**63)) for _ in range(n_cells)]
        wanted = sorted(rng.choice(n_cells, size=int(rng.integers(0, n_cells + 1)), replace=False).tolist())
        take = cells >= 0
        expected = fingerprints(cells[take], n_cells, (bucket[take], check[take]), None, persons, sums, wanted)
        got = masked_fingerprints(cells, n_cells, (bucket, check), persons, sums, wanted)
        _same(got, expected)


def _pending_after(gate: Gate, columns: list[np.ndarray], ids: np.ndarray) -> list:
    gate.begin_command("summarize", [f"v{i}" for i in range(len(columns))])
    contributors = Contributors(person_id=ids)
    cells = np.zeros(len(ids), dtype=np.int64)
    for i, values in enumerate(columns):
        gate.protect_magnitudes(cells, 1, values, contributors, variable=f"v{i}", population=values)
        gate.protect_quantiles(cells, 1, values, contributors, (0.25, 0.5))
    return list(gate._pending)


def test_variables_with_the_same_rows_queue_the_same_fingerprints_as_before(tmp_path) -> None:
    """Two columns with the same missing rows share one aggregate; a third with other missing
    rows gets its own; what is queued for the ledger is what a fresh gate per column queues."""
    rng = np.random.default_rng(7)
    ids = np.arange(1, 4001, dtype=np.int64)
    a = rng.normal(size=4000)
    a[::7] = np.nan
    b = rng.normal(5, 2, size=4000)
    b[np.isnan(a)] = np.nan
    c = rng.normal(size=4000)
    c[::5] = np.nan
    shared = Gate(Policy(), SECRET, ledger=Ledger(tmp_path / "a.sqlite"), data_version="s:1")
    together = _pending_after(shared, [a, b, c], ids)
    apart = []
    for i, col in enumerate([a, b, c]):
        alone = Gate(Policy(), SECRET, ledger=Ledger(tmp_path / f"b{i}.sqlite"), data_version="s:1")
        alone.begin_command("summarize", ["v0", "v1", "v2"])
        contributors = Contributors(person_id=ids)
        alone.protect_magnitudes(np.zeros(4000, dtype=np.int64), 1, col, contributors, variable=f"v{i}", population=col)
        apart.extend(alone._pending)
    assert [e.streams for e in together] == [e.streams for e in apart]
    assert [e.streams for e in together] == [("vars:v0+v1+v2", f"vars:v{i}") for i in range(3)]
    _same([e.fingerprint for e in together], [e.fingerprint for e in apart])
    assert together[0].fingerprint.persons == together[1].fingerprint.persons == int((~np.isnan(a)).sum())
    assert together[2].fingerprint.persons == int((~np.isnan(c)).sum())


def test_the_shared_rows_are_forgotten_at_the_next_command(tmp_path) -> None:
    gate = Gate(Policy(), SECRET, ledger=Ledger(tmp_path / "a.sqlite"), data_version="s:1")
    ids = np.arange(1, 2001, dtype=np.int64)
    values = np.linspace(0.0, 1.0, 2000)
    _pending_after(gate, [values], ids)
    assert gate._same_cells is not None
    gate.begin_command("summarize", ["v0"])
    assert gate._same_cells is None


def test_layouts_of_one_column_release_what_fresh_gates_release(tmp_path) -> None:
    """The masks, bounds and clipped values remembered across a table's layouts change nothing."""
    rng = np.random.default_rng(3)
    n = 6000
    ids = np.arange(1, n + 1, dtype=np.int64)
    values = np.round(rng.lognormal(10, 1, n))
    values[::9] = np.nan
    row, col = rng.integers(0, 3, n), rng.integers(0, 2, n)
    layouts = [(row * 2 + col, 6), (row, 3), (col, 2), (np.zeros(n, dtype=np.int64), 1)]
    contributors = Contributors(person_id=ids)
    shared = Gate(Policy(), SECRET, data_version="s:1")
    shared.begin_command("tabulate", ["r", "c", "y"])
    for i, (cells, k) in enumerate(layouts):
        got = shared.protect_magnitudes(cells, k, values, contributors, variable="y", population=values, stats=("mean", "sd", "sum"))
        fresh = Gate(Policy(), SECRET, data_version="s:1")
        fresh.begin_command("tabulate", ["r", "c", "y"])
        want = fresh.protect_magnitudes(cells, k, values, contributors, variable="y", population=values, stats=("mean", "sd", "sum"))
        assert got == want, i
        assert got.winsorised  # the lognormal tail is clipped, so the clipped values were used
    changed = values * 2.0  # a new column under the same name gets its own bounds
    assert shared.bounds("y", changed) == Gate(Policy(), SECRET, data_version="s:1").bounds("y", changed)
    assert shared.bounds("y", changed) != shared.bounds("y", values)


def test_winsorised_is_decided_on_each_call_s_own_rows() -> None:
    """The rows outside the bounds are remembered per column; whether a release was winsorised
    still depends on whether its cells hold any of them."""
    n = 5000
    ids = np.arange(1, n + 1, dtype=np.int64)
    values = 1.0 + np.arange(n) % 2  # bounds 1 and 2: only the planted values lie outside
    values[:40] = 1e9  # far above the winsorisation bounds of the whole column
    contributors = Contributors(person_id=ids)
    gate = Gate(Policy(), SECRET, data_version="s:1")
    gate.begin_command("summarize", ["y"])
    without = np.where(np.arange(n) < 40, -1, 0)
    first = gate.protect_magnitudes(without, 1, values, contributors, variable="y", population=values)
    second = gate.protect_magnitudes(np.zeros(n, dtype=np.int64), 1, values, contributors, variable="y", population=values)
    assert (first.winsorised, second.winsorised) == (False, True)
    assert first.values[0]["mean"] != second.values[0]["mean"]


@pytest.mark.parametrize("seed", range(4))
def test_a_sketch_updated_from_the_last_one_equals_a_fresh_one(seed: int) -> None:
    """Selections that differ in a few rows (updated) or many (recomputed) give the fingerprint
    of the selected rows copied out."""
    rng = np.random.default_rng(seed)
    n = 20000
    bucket, check = key_parts(RecordKeys(SECRET)(rng.permutation(10 * n)[:n].astype(np.int64)))
    base = None
    for changed in (0.0, 0.01, 0.2, 0.6, 0.05, 0.0):
        cells = np.where(rng.random(n) < 0.9, 0, -1) if base is None else base.cells.copy()
        flip = rng.random(n) < changed
        cells[flip] = np.where(cells[flip] == 0, -1, 0)
        sketch = one_cell_sketch(cells, (bucket, check), base)
        take = cells == 0
        persons, key_sum = int(take.sum()), int(rng.integers(0, 2**63))
        want = fingerprints(cells[take], 1, (bucket[take], check[take]), None, [persons], [key_sum], [0])
        _same([sketch_fingerprint(sketch, persons, key_sum)], want)
        base = sketch


def test_a_count_and_a_magnitude_on_the_same_cells_share_one_aggregate(tmp_path) -> None:
    """aggregate() remembers a copy of its cells: a caller changing its array afterwards does
    not make the next call reuse a stale aggregate."""
    ids = np.arange(1, 3001, dtype=np.int64)
    cells = (ids % 3).astype(np.int64)
    values = np.linspace(1.0, 2.0, 3000)
    gate = Gate(Policy(), SECRET, ledger=Ledger(tmp_path / "a.sqlite"), data_version="s:1")
    gate.begin_command("tabulate", ["x", "y"])
    contributors = Contributors(person_id=ids)
    counts = gate.aggregate(cells, 3, contributors)
    gate.protect_magnitudes(cells.copy(), 3, values, contributors, variable="y", population=values)
    assert len(gate._pending) == 6
    _same([e.fingerprint for e in gate._pending[:3]], [e.fingerprint for e in gate._pending[3:]])
    cells[:1500] = -1  # the caller reuses its array
    fewer = gate.aggregate(cells, 3, contributors)
    assert fewer.persons.tolist() == [500, 500, 500] and counts.persons.tolist() == [1000, 1000, 1000]
