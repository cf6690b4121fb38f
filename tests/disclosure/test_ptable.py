"""The p-table: bounded, exactly zero-mean, variance in range, positive counts stay positive."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure.keys import cell_key
from mdlang.disclosure.ptable import SCALE, PTable

DEFAULT_ROWS = {
    0: [0, 0, 0, 1000000, 0, 0, 0],
    1: [0, 0, 0, 1000000, 0, 0, 0],
    2: [0, 0, 530031, 196666, 104817, 80244, 88242],
    3: [0, 141304, 239837, 272156, 206471, 104722, 35510],
    4: [27068, 101642, 224824, 292932, 224824, 101642, 27068],
}


def test_default_table_is_pinned() -> None:
    t = PTable(3, 1.75)
    for n, weights in DEFAULT_ROWS.items():
        assert t.row(n).tolist() == weights
    assert t.row(1000).tolist() == DEFAULT_ROWS[4]


@pytest.mark.parametrize(("bound", "variance"), [(3, 1.75), (3, 1.5), (3, 2.0), (4, 2.5), (2, 1.0)])
def test_rows_are_bounded_zero_mean_and_never_negative(bound: int, variance: float) -> None:
    t = PTable(bound, variance)
    values = np.arange(-bound, bound + 1)
    for n in range(0, bound + 3):
        w = t.row(n)
        assert w.sum() == SCALE and (w >= 0).all()
        assert int((w * values).sum()) == 0  # exactly zero mean
        if n >= 1:
            assert (w[values < 1 - n] == 0).all()  # n + noise >= 1
        mean, var = t.moments(n)
        if n >= 2:
            assert var == pytest.approx(variance, abs=1e-4)


def test_default_variance_in_contract_range() -> None:
    t = PTable()
    for n in range(2, 10):
        assert 1.5 <= t.moments(n)[1] <= 2.0


def test_noise_is_deterministic_and_distributed_as_the_row() -> None:
    t = PTable()
    keys = [cell_key(i, "count") for i in range(60_000)]
    noise = np.array([t.noise(k, 50) for k in keys])
    assert [t.noise(k, 50) for k in keys[:100]] == noise[:100].tolist()
    assert abs(noise.mean()) < 0.03
    assert 1.6 < noise.var() < 1.9
    freq = np.bincount(noise + 3, minlength=7) / len(noise)
    assert np.allclose(freq, np.array(DEFAULT_ROWS[4]) / SCALE, atol=0.01)


def test_small_counts_never_become_zero_or_negative() -> None:
    t = PTable()
    for n in (1, 2, 3):
        out = {n + t.noise(cell_key(i, "count"), n) for i in range(5000)}
        assert min(out) >= 1 and max(out) <= n + 3
    assert t.noise(cell_key(9, "count"), 0) == 0


def test_building_the_table_needs_no_scipy() -> None:
    """Every gate builds a p-table; doing so must not pull scipy into a plain tabulate run."""
    import subprocess
    import sys

    code = ("import sys\nfrom mdlang.disclosure.ptable import PTable\nPTable(3, 1.75)\n"
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
