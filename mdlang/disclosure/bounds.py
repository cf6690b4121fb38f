"""Datastore-wide winsorisation bounds (D5): p1/p99 of a register variable over its whole
population, computed once per datastore version and kept in memory.

The bounds of a register variable are the policy's lower/upper percentiles of *every* value the
datastore holds for it (all units, all periods), read straight from the stored column — never
from the researcher's current dataset, so no ``keep if`` or ``if`` can make the band hug a small
group (A16). Derived variables (``generate``) have no register column; the gate falls back to the
whole dataset column before the command's ``if`` (the v1 rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mdlang.datastore.layout import variable_file
from mdlang.disclosure.magnitude import winsor_bounds
from mdlang.disclosure.policy import Policy

#: (store folder, variable, lower, upper) → bounds, shared by every gate of the process
_CACHE: dict[tuple[str, str, float, float], GlobalBounds | None] = {}


@dataclass(frozen=True)
class GlobalBounds:
    """The bounds of one register variable and how many stored values they came from."""

    variable: str
    bounds: tuple[float, float] | None
    values: int
    low: float
    high: float

    def covers(self, column: np.ndarray) -> bool:
        """Whether a dataset column stays within the stored range (else it was changed by
        ``replace`` and is treated as a derived variable)."""
        arr = np.asarray(column, dtype=np.float64)
        arr = arr[~np.isnan(arr)]
        return len(arr) == 0 or (float(arr.min()) >= self.low and float(arr.max()) <= self.high)


def register_values(folder: str | Path, variable: str) -> np.ndarray | None:
    """Every stored value of a numeric register variable as float64 (None: absent or not numeric)."""
    path = variable_file(Path(folder), variable)
    if not path.is_file():
        return None
    column = pq.read_table(path, columns=["value"]).column("value")
    kind = column.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    return column.to_numpy(zero_copy_only=False).astype(np.float64)


class DatastoreBounds:
    """Bounds of the register variables of one datastore version under one policy."""

    def __init__(self, ds: Any, policy: Policy) -> None:
        self.folder = str(ds.path)
        self.policy = policy

    def get(self, variable: str) -> GlobalBounds | None:
        """The datastore-wide bounds of a register variable (None when it is not numeric or not stored)."""
        key = (self.folder, variable, self.policy.winsor_lower, self.policy.winsor_upper)
        if key not in _CACHE:
            values = register_values(self.folder, variable)
            if values is None:
                _CACHE[key] = None
            else:
                found = winsor_bounds(values, self.policy.winsor_lower, self.policy.winsor_upper)
                finite = values[~np.isnan(values)]
                low = float(finite.min()) if len(finite) else 0.0
                high = float(finite.max()) if len(finite) else 0.0
                _CACHE[key] = GlobalBounds(variable, found, len(finite), low, high)
        return _CACHE[key]
