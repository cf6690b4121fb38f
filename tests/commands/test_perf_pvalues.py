"""The p-values and critical values computed with scipy.special (issue #10: scipy.stats is not
imported for them) are scipy.stats' own numbers, edge cases included."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from mdlang.commands.models_ols import chi2_sf, f_sf, t_table
from mdlang.disclosure.table_layout import chi2_test

XS = [0.0, 1e-300, 1e-12, 0.003, 0.5, 1.0, 2.7, 11.0, 75.0, 400.0, 1e6, np.inf, -1.0, -1e-300, np.nan]
DFS = [1, 2, 3, 7, 30, 1000, 5_500_000, 2.5]


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


@pytest.mark.parametrize("df_den", [*DFS, 0, -3])
def test_f_sf_is_scipy_stats_f_sf(df_den: float) -> None:
    for df_num in [*DFS, 0]:
        for x in XS:
            want = float(sps.f.sf(x, df_num, df_den))
            assert _same(f_sf(x, df_num, df_den), want), (x, df_num, df_den)


def test_chi2_sf_is_scipy_stats_chi2_sf() -> None:
    for df in [*DFS, 0, -1]:
        for x in XS:
            assert _same(chi2_sf(x, df), float(sps.chi2.sf(x, df))), (x, df)
    assert chi2_sf(-2.0, 3) == 1.0 and np.isnan(chi2_sf(1.0, 0))


@pytest.mark.parametrize("df", [None, 1, 4, 29, 2000, 5_500_000])
def test_t_table_is_what_scipy_stats_gives(df: int | None) -> None:
    rng = np.random.default_rng(11)
    coef = np.concatenate([rng.normal(0, 3, 200), [0.0, 1.0, np.nan, 5.0]])
    se = np.concatenate([rng.uniform(0.01, 2.0, 200), [0.0, 0.0, 1.0, np.inf]])
    for level in (80.0, 90.0, 95.0, 99.0, 99.9):
        stat, p, lo, hi = t_table(coef, se, df, level)
        dist = sps.norm if df is None else sps.t(df)
        with np.errstate(divide="ignore", invalid="ignore"):
            want_stat = coef / se
        want_p = 2.0 * dist.sf(np.abs(want_stat))
        crit = dist.ppf(0.5 + level / 200.0)
        np.testing.assert_array_equal(stat, want_stat)
        np.testing.assert_array_equal(p, want_p)
        np.testing.assert_array_equal(lo, coef - crit * se)
        np.testing.assert_array_equal(hi, coef + crit * se)


def test_chi2_test_p_value_is_scipy_stats() -> None:
    counts = [[120, 80, 200], [60, 90, 150], [180, 170, 350]]
    out = chi2_test(counts)
    obs = np.array([[120.0, 80.0], [60.0, 90.0]])
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.sum()
    stat = float(((obs - expected) ** 2 / expected).sum())
    assert out["df"] == 1
    assert out["chi2"] == float(f"{stat:.4g}")
    assert out["p"] == float(f"{float(sps.chi2.sf(stat, 1)):.4g}")
