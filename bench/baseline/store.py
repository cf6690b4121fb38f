"""Direct reads of the per-variable Parquet files, as a careful analyst would write them.

Each reader returns ``(unit_ids, values)`` sorted by unit id, one row per unit: pyarrow pushes
the temporal filter down to the row groups, coded strings come back dictionary-encoded and become
pandas ``Categorical``s without a round trip through Python strings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

EPOCH = dt.date(1970, 1, 1)
FDB = "no.ssb.fdb"


def day(text: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return (dt.date.fromisoformat(text) - EPOCH).days


def _path(root: Path, var: str) -> Path:
    return Path(root) / FDB / "1" / "variables" / f"{var}.parquet"


def _values(column) -> pd.Series | np.ndarray:
    """A dictionary column as Categorical, anything else as a numpy array (float for nullable)."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        return column.to_pandas()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pd.Categorical(column.to_pandas())
    if column.null_count:
        return column.to_numpy(zero_copy_only=False).astype(np.float64)
    return column.to_numpy()


def _read(root: Path, var: str, filters, columns=("unit_id", "value")):
    return pq.read_table(
        _path(root, var), columns=list(columns), filters=filters, read_dictionary=["value"]
    )


def _last_per_unit(units: np.ndarray) -> np.ndarray:
    keep = np.ones(len(units), dtype=bool)
    keep[:-1] = units[1:] != units[:-1]
    return keep


def startup(root: Path) -> None:
    """Workload 0's twin: nothing beyond the imports of this module (pandas, pyarrow)."""
    return None


def read_at(root: Path, var: str, temporality: str, date: int | None = None):
    """One value per unit valid at ``date`` for FIXED, STATUS, ACCUMULATED or EVENT variables."""
    s, e = pc.field("start_epoch_days"), pc.field("stop_epoch_days")
    flt = {
        "FIXED": None,
        "STATUS": s == date,
        "ACCUMULATED": (s <= date) & (e >= date),
        "EVENT": (s <= date) & (e.is_null() | (e >= date)),
    }[temporality]
    table = _read(root, var, flt)
    units = table.column("unit_id").to_numpy()
    values = _values(table.column("value").combine_chunks())
    if temporality == "EVENT":
        keep = _last_per_unit(units)
        if not keep.all():
            units, values = units[keep], values[keep]
    return units, values


def read_spells(root: Path, var: str, start: int, stop: int) -> pd.DataFrame:
    """Every spell overlapping [start, stop]: unit_id, value, start, stop (NaN = open)."""
    s, e = pc.field("start_epoch_days"), pc.field("stop_epoch_days")
    flt = (s.is_null() | (s <= stop)) & (e.is_null() | (e >= start))
    table = _read(root, var, flt, ("unit_id", "value", "start_epoch_days", "stop_epoch_days"))
    return pd.DataFrame(
        {
            "unit_id": table.column("unit_id").to_numpy(),
            "value": _values(table.column("value").combine_chunks()),
            "start": table.column("start_epoch_days")
            .to_numpy(zero_copy_only=False)
            .astype(np.float64),
            "stop": table.column("stop_epoch_days")
            .to_numpy(zero_copy_only=False)
            .astype(np.float64),
        }
    )


def align(population: np.ndarray, units: np.ndarray, values):
    """``values`` (sorted by ``units``) placed on the sorted ``population``; missing where absent."""
    pos = np.searchsorted(units, population)
    pos[pos == len(units)] = 0
    hit = units[pos] == population if len(units) else np.zeros(len(population), dtype=bool)
    if isinstance(values, (pd.Categorical, pd.Series)) and isinstance(
        values.dtype, pd.CategoricalDtype
    ):
        cat = pd.Categorical(values)
        codes = np.where(hit, cat.codes[pos], -1)
        return pd.Categorical.from_codes(codes, dtype=cat.dtype)
    out = np.asarray(values, dtype=np.float64)[pos]
    out[~hit] = np.nan
    return out


def person_frame(root: Path, first: tuple, rest: list[tuple]) -> pd.DataFrame:
    """The left-join rule: ``first`` = (name, var, temporality, date) defines the population."""
    name, var, temp, date = first
    units, values = read_at(root, var, temp, date)
    frame = {"unit_id": units, name: values}
    for name, var, temp, date in rest:
        u, v = read_at(root, var, temp, date)
        frame[name] = align(units, u, v)
    return pd.DataFrame(frame)
