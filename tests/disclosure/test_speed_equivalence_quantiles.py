"""The radix window search of :func:`window_values` (and the order statistics of the
winsorisation bounds) give exactly the windows of a full partition (:func:`windows_only`) and
``np.percentile``'s numbers, whatever the order, ties, signs or spread of the column; the one-cell
moments without a partition equal those with one (no timings here)."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure import quantiles
from mdlang.disclosure.magnitude import moments, winsor_bounds
from mdlang.disclosure.quantiles import window, window_mean, window_values, windows_only

PROBS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _reference(values: np.ndarray, probs, k: int) -> dict[float, np.ndarray]:
    part = windows_only(values.copy(), probs, k)
    return {p: part[slice(*window(len(values), p, k))] for p in probs}


def _columns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    x = np.round(rng.lognormal(12, 1, n), -2)
    half = rng.normal(size=n)
    half[: n // 2] = 0.0  # half the column one value
    clustered = np.sort(rng.normal(size=n))
    clustered[::61] = 1e9  # outliers at a regular stride
    return {
        "lognormal": x,
        "sorted": np.sort(x),
        "reversed": np.sort(x)[::-1].copy(),
        "few values": rng.integers(0, 5, n).astype(np.float64),
        "constant": np.full(n, 3.5),
        "half zero": half,
        "clustered": clustered,
        "negative": -x,
        "tiny range": 1.0 + rng.integers(0, 3, n) * np.finfo(float).eps,
    }


@pytest.mark.parametrize("seed", range(2))
def test_radix_windows_equal_the_partition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = quantiles._SELECT_MIN + int(rng.integers(0, 50_000))
    for name, values in _columns(rng, n).items():
        count, got = window_values(values, PROBS, 10)
        want = _reference(values, PROBS, 10)
        assert count == n
        for p in PROBS:
            assert np.array_equal(got[p], want[p]), (name, p)
            assert window_mean(got[p], 3) == window_mean(want[p], 3)


def test_large_columns_are_not_partitioned(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    columns = _columns(rng, quantiles._SELECT_MIN)
    calls: list[str] = []
    real = quantiles.windows_only
    monkeypatch.setattr(quantiles, "windows_only", lambda *a: calls.append("partition") or real(*a))
    window_values(columns["lognormal"], PROBS, 10)
    assert calls == []


def test_order_keys_ascend_with_the_values() -> None:
    values = np.array([-np.inf, -1e300, -2.5, -1e-300, -0.0, 0.0, 1e-300, 2.5, 3.0, 1e300, np.inf])
    keys = quantiles._order_keys(values)
    assert np.all(np.diff(keys) >= 0)
    assert keys[0] < keys[-1]


def test_small_and_tiny_columns() -> None:
    rng = np.random.default_rng(9)
    for n in (0, 3, 9, 10, 11, 500):
        values = rng.normal(size=n)
        count, got = window_values(values, PROBS, 10)
        assert count == n
        if n < 10:
            assert all(len(w) == 0 for w in got.values())
        else:
            want = _reference(values, PROBS, 10)
            assert all(np.array_equal(got[p], want[p]) for p in PROBS)


@pytest.mark.parametrize("seed", range(2))
def test_winsorisation_bounds_equal_numpy_percentiles_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(40 + seed)
    n = quantiles._SELECT_MIN + int(rng.integers(1, 30_000))
    for name, values in _columns(rng, n).items():
        values = values.copy()
        values[rng.random(n) < 0.05] = np.nan
        for lower, upper in ((1.0, 99.0), (0.0, 100.0), (2.5, 97.5), (50.0, 50.0)):
            finite = values[~np.isnan(values)]
            want = tuple(float(v) for v in np.percentile(finite, [lower, upper]))
            assert winsor_bounds(values, lower, upper) == want, (name, lower, upper)
    assert winsor_bounds(np.full(5, np.nan), 1.0, 99.0) is None


def _one_cell_before(x: np.ndarray, dominance_n: int) -> tuple[float, ...]:
    """The one-cell moments as computed before the speed-ups (partition for the top n)."""
    n = len(x)
    total = float(x.sum())
    mean = total / n
    dev2 = (x - mean) ** 2
    variance = float(dev2.sum()) / (n - 1) if n > 1 else np.nan
    a = np.abs(x)
    abs_total = float(a.sum())
    top = float(np.partition(a, n - dominance_n)[n - dominance_n :].sum()) if n > dominance_n else abs_total
    share = top / abs_total if abs_total > 0 else 0.0
    return (n, total, mean, variance, float(a.max()), float(dev2.max()), share)


@pytest.mark.parametrize("dominance_n", [1, 2, 3])
def test_one_cell_moments_equal_those_before(dominance_n: int) -> None:
    rng = np.random.default_rng(dominance_n)
    for trial in range(300):
        n = int(rng.integers(1, 40))
        x = rng.integers(-3, 4, n).astype(np.float64) if trial % 2 else rng.normal(0, 1e6, n)
        got = moments(np.zeros(n, dtype=np.int64), 1, x, None, True, dominance_n)
        values = tuple(float(getattr(got, f)[0]) for f in ("rows", "total", "mean", "variance", "max_abs", "max_dev2", "top_share"))
        assert np.array_equal(np.array(values), np.array(_one_cell_before(x, dominance_n), dtype=np.float64), equal_nan=True)
