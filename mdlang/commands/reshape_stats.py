"""Group statistics of ``collapse`` and ``aggregate`` (language.md §7.8).

Every statistic works on a group number per row (``0..n_groups-1``, ``-1`` = row left out) and a
float column (NaN = missing); missing values are ignored. Conventions (mdlang's, documented in
the language reference):

* ``count`` counts non-missing values (text values too); ``sum`` of a group without values is 0,
  as in Stata; every other statistic of such a group is missing;
* ``sd`` is the sample standard deviation (n − 1); ``semean`` = sd/√n; ``sebinomial`` = √(p(1−p)/n)
  with p the group mean of a 0/1 variable;
* ``median``, ``iqr`` and ``p1``…``p99`` interpolate linearly between order statistics;
* ``percent`` is the group's share (in %) of all non-missing values of the variable;
* ``gini`` is the Gini coefficient of the group's values (missing when their total is 0).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

BASIC_STATS = (
    "mean", "min", "max", "median", "count", "sum", "semean", "sebinomial", "sd", "percent", "iqr", "gini",
)
_PERCENTILE = re.compile(r"^p([1-9][0-9]?)$")


def is_stat(name: str) -> bool:
    """True for a statistic collapse and aggregate know (the list above and p1…p99)."""
    return name in BASIC_STATS or _PERCENTILE.match(name) is not None


def needs_numbers(name: str) -> bool:
    """Every statistic but ``count`` needs a numeric variable."""
    return name != "count"


def group_stat(stat: str, groups: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """The statistic ``stat`` of ``values`` per group, as float64 of length ``n_groups``."""
    values = np.asarray(values, dtype=np.float64)
    take = (groups >= 0) & ~np.isnan(values)
    g, x = groups[take], values[take]
    n = np.bincount(g, minlength=n_groups).astype(np.float64)
    if stat == "count":
        return n
    if stat == "sum":
        return np.bincount(g, weights=x, minlength=n_groups)
    if stat == "percent":
        total = n.sum()
        return n * 100.0 / total if total else np.full(n_groups, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if stat == "mean":
            return np.bincount(g, weights=x, minlength=n_groups) / n
        if stat in ("sd", "semean"):
            sd = _sd(g, x, n, n_groups)
            return sd if stat == "sd" else sd / np.sqrt(n)
        if stat == "sebinomial":
            p = np.bincount(g, weights=x, minlength=n_groups) / n
            return np.sqrt(p * (1.0 - p) / n)
    series = pd.Series(x).groupby(g)
    if stat in ("min", "max"):
        out = getattr(series, stat)()
    elif stat == "median":
        out = series.quantile(0.5)
    elif stat == "iqr":
        out = series.quantile(0.75) - series.quantile(0.25)
    elif stat == "gini":
        return _gini(g, x, n, n_groups)
    else:
        match = _PERCENTILE.match(stat)
        if match is None:
            raise ValueError(f"unknown statistic {stat!r}")
        out = series.quantile(int(match.group(1)) / 100.0)
    result = np.full(n_groups, np.nan)
    result[out.index.to_numpy(dtype=np.int64)] = out.to_numpy(dtype=np.float64)
    return result


def _sd(g: np.ndarray, x: np.ndarray, n: np.ndarray, n_groups: int) -> np.ndarray:
    mean = np.bincount(g, weights=x, minlength=n_groups) / n
    dev2 = np.bincount(g, weights=(x - mean[g]) ** 2, minlength=n_groups)
    return np.sqrt(dev2 / (n - 1.0))


def _gini(g: np.ndarray, x: np.ndarray, n: np.ndarray, n_groups: int) -> np.ndarray:
    """Gini per group from ascending values: Σ (2i − n − 1)·x_i / (n · Σ x)."""
    order = np.lexsort((x, g))
    g_sorted, x_sorted = g[order], x[order]
    starts = np.concatenate(([0], np.cumsum(n.astype(np.int64))[:-1]))
    rank = np.arange(len(g_sorted)) - starts[g_sorted] + 1
    weighted = np.bincount(g_sorted, weights=(2.0 * rank - n[g_sorted] - 1.0) * x_sorted, minlength=n_groups)
    total = np.bincount(g_sorted, weights=x_sorted, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = weighted / (n * total)
    out[(n == 0) | (total == 0)] = np.nan
    return out
