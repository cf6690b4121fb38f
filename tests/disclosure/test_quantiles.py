"""Micro-aggregated quantiles (D6): never min or max, k nearest values, extreme-quantile rules."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.quantiles import micro_quantile, window
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import Contributors


@pytest.mark.parametrize("n", [10, 11, 23, 100, 1001])
@pytest.mark.parametrize("p", [0.01, 0.25, 0.5, 0.75, 0.99])
def test_window_holds_the_k_positions_nearest_to_the_target(n: int, p: float) -> None:
    lo, hi = window(n, p, 10)
    h = p * (n - 1)
    assert hi - lo == 10 and 0 <= lo and hi <= n
    inside = sorted(abs(i - h) for i in range(lo, hi))
    outside = [abs(i - h) for i in range(n) if not lo <= i < hi]
    assert not outside or max(inside) <= min(outside)


def test_quantile_is_the_rounded_mean_of_the_window() -> None:
    rng = np.random.default_rng(4)
    x = np.sort(rng.normal(100, 15, 501))
    # p50: h = 250, nearest ten positions are 245..254
    assert micro_quantile(x, 0.5, 10, 3) == round_sig(x[245:255].mean(), 3)
    assert micro_quantile(x, 0.25, 10, 3) == round_sig(x[120:130].mean(), 3)


def test_never_min_or_max() -> None:
    x = np.sort(np.r_[np.full(5, 1.0), np.full(10, 50.0), np.full(5, 1e6)])
    for p in (0.01, 0.25, 0.5, 0.75, 0.99):
        q = micro_quantile(x, p, 10, 3)
        assert q not in (1.0, 1e6)


def _release(n: int, probs=(0.01, 0.05, 0.25, 0.5, 0.95, 0.99)):
    g = Gate(Policy(), bytes(32))
    values = np.arange(n, dtype=float) ** 1.5
    ids = np.arange(n, dtype=np.int64)
    out, ns = g.protect_quantiles(np.zeros(n, dtype=np.int64), 1, values, Contributors(person_id=ids), probs)
    return out[0], ns[0], values


def test_extreme_quantiles_need_large_groups() -> None:
    q, n, _ = _release(150)
    assert q[0.01] is None and q[0.99] is None and q[0.05] is None and q[0.95] is None
    assert q[0.25] is not None
    q, n, _ = _release(400)
    assert q[0.05] is not None and q[0.01] is None
    q, n, values = _release(3000)
    assert q[0.01] == micro_quantile(values, 0.01, 10, 3)


def test_small_group_is_suppressed() -> None:
    q, n, _ = _release(6)
    assert n == "<10" and q[0.5] == "<10"
