"""Baselines of workloads 6 and 7: event collapse and merge, and a fixed-effects panel regression."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.baseline.persons import summarize
from bench.baseline.store import FDB, align, day, person_frame, read_spells


def residents(root: Path, extra: list[tuple] = ()) -> pd.DataFrame:
    """Residents on 2023-01-01 (status code 1) with the ``extra`` imports."""
    frame = person_frame(
        root, ("regstat", "BEFOLKNING_STATUSKODE", "STATUS", day("2023-01-01")), []
    )
    frame = frame[frame["regstat"] == "1"].reset_index(drop=True)
    if extra:
        more = person_frame(
            root, ("regstat", "BEFOLKNING_STATUSKODE", "STATUS", day("2023-01-01")), list(extra)
        )
        units = frame["unit_id"].to_numpy()
        for name, *_ in extra:
            frame[name] = align(units, more["unit_id"].to_numpy(), more[name])
    return frame


def w6_collapse_merge(root: Path) -> pd.DataFrame:
    """Workload 6: count and total duration of job-seeker spells per person, merged into residents."""
    persons = residents(root, [("kjonn", "BEFOLKNING_KJOENN", "FIXED", None)])
    spells = read_spells(root, "ARBSOEK2001FDT_HOVED", day("2010-01-01"), day("2020-12-31"))
    varighet = spells["stop"].to_numpy() - spells["start"].to_numpy()
    units, first = np.unique(spells["unit_id"].to_numpy(), return_index=True)
    group = np.repeat(np.arange(len(units)), np.diff(np.append(first, len(spells))))
    antall = np.bincount(group, weights=spells["value"].notna().to_numpy(), minlength=len(units))
    ok = ~np.isnan(varighet)
    dager = np.bincount(group[ok], weights=varighet[ok], minlength=len(units))
    target = persons["unit_id"].to_numpy()
    persons["antall"] = align(target, units, antall)
    persons["dager"] = align(target, units, dager)
    return summarize(persons, ["antall", "dager"])


def _panel_values(root: Path, var: str, units: np.ndarray, dates: list[int]) -> np.ndarray:
    """A units × dates matrix of an ACCUMULATED variable (NaN where the unit has no value)."""
    s, e = pc.field("start_epoch_days"), pc.field("stop_epoch_days")
    path = Path(root) / FDB / "1" / "variables" / f"{var}.parquet"
    table = pq.read_table(path, filters=(s <= max(dates)) & (e >= min(dates)))
    unit = table.column("unit_id").to_numpy()
    start = table.column("start_epoch_days").to_numpy()
    stop = table.column("stop_epoch_days").to_numpy()
    value = table.column("value").to_numpy(zero_copy_only=False).astype(np.float64)
    out = np.empty((len(units), len(dates)))
    for j, d in enumerate(dates):
        m = (start <= d) & (stop >= d)
        out[:, j] = align(units, unit[m], value[m])
    return out


def w7_panel(root: Path) -> tuple[np.ndarray, np.ndarray]:
    """Workload 7: three income variables over ten year ends, then within (fixed-effects) OLS."""
    units = residents(root)["unit_id"].to_numpy()
    dates = [day(f"{y}-12-31") for y in range(2013, 2023)]
    y, x1, x2 = (
        _panel_values(root, v, units, dates).ravel()
        for v in ("INNTEKT_WLONN", "INNTEKT_WSAMINNT", "INNTEKT_UTSKATT")
    )
    unit_of = np.repeat(np.arange(len(units)), len(dates))
    ok = ~(np.isnan(y) | np.isnan(x1) | np.isnan(x2))
    g = unit_of[ok]
    data = np.column_stack([y[ok], x1[ok], x2[ok]])
    counts = np.bincount(g, minlength=len(units))
    means = np.column_stack([np.bincount(g, weights=c, minlength=len(units)) for c in data.T])
    with np.errstate(invalid="ignore", divide="ignore"):
        means /= counts[:, None]
    within = data - means[g]
    yy, xx = within[:, 0], within[:, 1:]
    xtx = xx.T @ xx
    beta = np.linalg.solve(xtx, xx.T @ yy)
    resid = yy - xx @ beta
    dof = len(yy) - xx.shape[1] - np.count_nonzero(counts)
    se = np.sqrt(np.diag(np.linalg.inv(xtx)) * (resid @ resid / dof))
    return beta, se
