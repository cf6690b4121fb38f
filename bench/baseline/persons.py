"""Baselines of workloads 1-5: person imports, a derivation chain, tables, summaries, models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.baseline.store import align, day, person_frame, read_at

NIVA = {
    "0": "G",
    "1": "G",
    "2": "G",
    "3": "V",
    "4": "V",
    "5": "V",
    "6": "H",
    "7": "H",
    "8": "H",
    "9": "U",
}
PERCENTILES = [1, 25, 50, 75, 99]


def w1_import(root: Path) -> pd.DataFrame:
    """Workload 1: six imports, the first (status) defining the population."""
    return person_frame(
        root,
        ("regstat", "BEFOLKNING_STATUSKODE", "STATUS", day("2023-01-01")),
        [
            ("kjonn", "BEFOLKNING_KJOENN", "FIXED", None),
            ("faarmnd", "BEFOLKNING_FOEDSELS_AAR_MND", "FIXED", None),
            ("lonn", "INNTEKT_WLONN", "ACCUMULATED", day("2022-12-31")),
            ("bosted", "BOSATTEFDT_BOSTED", "EVENT", day("2022-12-31")),
            ("utd", "NUDB_BU", "EVENT", day("2022-12-31")),
        ],
    )


def prelude(root: Path) -> pd.DataFrame:
    """The shared start of workloads 2-5: residents on 2023-01-01 and eight variables."""
    d22 = day("2022-12-31")
    frame = person_frame(
        root, ("regstat", "BEFOLKNING_STATUSKODE", "STATUS", day("2023-01-01")), []
    )
    frame = frame[frame["regstat"] == "1"].reset_index(drop=True)
    units = frame["unit_id"].to_numpy()
    for name, var, temp, date in [
        ("kjonn", "BEFOLKNING_KJOENN", "FIXED", None),
        ("faarmnd", "BEFOLKNING_FOEDSELS_AAR_MND", "FIXED", None),
        ("bosted", "BOSATTEFDT_BOSTED", "EVENT", d22),
        ("lonn", "INNTEKT_WLONN", "ACCUMULATED", d22),
        ("utd", "NUDB_BU", "EVENT", d22),
        ("saminnt", "INNTEKT_WSAMINNT", "ACCUMULATED", d22),
        ("skatt", "INNTEKT_UTSKATT", "ACCUMULATED", d22),
    ]:
        u, v = read_at(root, var, temp, date)
        frame[name] = align(units, u, v)
    return frame


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Workload 2's ten generate/replace/recode commands."""
    alder = 2022 - np.trunc(frame["faarmnd"].to_numpy(dtype=np.float64) / 100)
    frame["alder"] = alder
    frame["alder2"] = alder * alder
    bosted = frame["bosted"]
    frame["bergen"] = np.where(bosted.isna(), np.nan, (bosted == "4601").to_numpy(dtype=np.float64))
    utd = frame["utd"].cat
    first = pd.Categorical([str(c)[:1] for c in utd.categories])
    recoded = pd.Series(first).map(NIVA).to_numpy(dtype=object)
    niva_cats = sorted(set(NIVA.values()))
    lookup = np.array([niva_cats.index(x) if isinstance(x, str) else -1 for x in recoded] + [-1])
    frame["niva"] = pd.Categorical.from_codes(lookup[utd.codes], categories=niva_cats)
    lonn = frame["lonn"].to_numpy(dtype=np.float64, na_value=np.nan)
    lonn = np.where(np.isnan(lonn), 0.0, lonn)
    frame["lonn"] = lonn
    frame["harlonn"] = (lonn > 0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["loglonn"] = np.where(lonn > 0, np.log(lonn), np.nan)
    ung = np.where(alder < 30, 1.0, np.nan)
    frame["ung"] = np.where(alder >= 30, 0.0, ung)
    return frame


def w2_derive(root: Path) -> pd.DataFrame:
    """Workload 2: the prelude and the derivation chain."""
    return derive(prelude(root))


def _rowpct(sizes: pd.Series) -> pd.Series:
    return sizes / sizes.groupby(level=0, observed=True).transform("sum") * 100


def w3_tabulate(root: Path) -> list:
    """Workload 3: one-way, two-way with row percentages, three-way, and a table of means."""
    f = derive(prelude(root))
    one = f.groupby("kjonn", observed=True).size()
    two = f.groupby(["bosted", "kjonn"], observed=True).size()
    three = f.groupby(["kjonn", "niva", "bergen"], observed=True).size()
    means = f.groupby(["niva", "kjonn"], observed=True)["lonn"].agg(["count", "mean", "std"])
    return [one, two, _rowpct(two), three, means]


def summarize(
    frame: pd.DataFrame, names: list[str], mask: np.ndarray | None = None
) -> pd.DataFrame:
    """N, mean, sd and percentiles 1/25/50/75/99 of each variable."""
    rows = {}
    for name in names:
        x = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        if mask is not None:
            x = x[mask]
        x = x[~np.isnan(x)]
        rows[name] = [len(x), x.mean(), x.std(ddof=1), *np.percentile(x, PERCENTILES)]
    return pd.DataFrame(rows, index=["n", "mean", "sd", *(f"p{p}" for p in PERCENTILES)]).T


def w4_summarize(root: Path) -> list:
    """Workload 4: summarize five variables, plain and with a condition."""
    f = derive(prelude(root))
    names = ["lonn", "saminnt", "skatt", "alder", "faarmnd"]
    mask = (f["kjonn"] == "2").to_numpy() & (f["alder"].to_numpy() >= 25)
    return [summarize(f, names), summarize(f, names, mask)]


def design(
    frame: pd.DataFrame, numeric: list[str], factors: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Columns of the numeric terms, one dummy per non-base level of each factor, and a constant;
    plus the mask of complete rows."""
    cols, ok = [], np.ones(len(frame), dtype=bool)
    for name in numeric:
        x = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        ok &= ~np.isnan(x)
        cols.append(x)
    for name in factors:
        codes = frame[name].cat.codes.to_numpy()
        ok &= codes >= 0
        present = np.unique(codes[codes >= 0])
        cols.extend((codes == c).astype(np.float64) for c in present[1:])
    cols.append(np.ones(len(frame)))
    return np.column_stack(cols), ok


def ols(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors from the normal equations."""
    xtx = x.T @ x
    beta = np.linalg.solve(xtx, x.T @ y)
    resid = y - x @ beta
    sigma2 = resid @ resid / (len(y) - x.shape[1])
    return beta, np.sqrt(np.diag(np.linalg.inv(xtx)) * sigma2)


def w5_models(root: Path) -> list:
    """Workload 5: OLS with ten terms and a logit with eight."""
    import statsmodels.api as sm

    f = derive(prelude(root))
    x, ok = design(f, ["alder", "alder2", "bergen", "saminnt", "skatt"], ["kjonn", "niva"])
    ok &= ~np.isnan(f["lonn"].to_numpy())
    fit = ols(f["lonn"].to_numpy()[ok], x[ok])
    x, ok = design(f, ["alder", "alder2", "bergen", "ung"], ["kjonn", "niva"])
    y = f["harlonn"].to_numpy()
    logit = sm.Logit(y[ok], x[ok]).fit(disp=0)
    return [fit, logit.params, logit.bse]


def w5_model_times(root: Path) -> dict[str, dict[str, float]]:
    """Workload 5's two models timed one by one (wall and CPU seconds each), after the data are
    read and derived and statsmodels is imported: the figures of issue #7."""
    import time

    import statsmodels.api as sm

    f = derive(prelude(root))
    out: dict[str, dict[str, float]] = {}
    t, c = time.perf_counter(), time.process_time()
    x, ok = design(f, ["alder", "alder2", "bergen", "saminnt", "skatt"], ["kjonn", "niva"])
    ok &= ~np.isnan(f["lonn"].to_numpy())
    ols(f["lonn"].to_numpy()[ok], x[ok])
    out["regress"] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
    t, c = time.perf_counter(), time.process_time()
    x, ok = design(f, ["alder", "alder2", "bergen", "ung"], ["kjonn", "niva"])
    sm.Logit(f["harlonn"].to_numpy()[ok], x[ok]).fit(disp=0)
    out["logit"] = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}
    return out
