"""The Engine protocol: unit-level data in, aggregates out.

Commands that need group counts, group moments or regression sufficient statistics ask an
:class:`Engine` rather than touching pandas directly, so that a DuckDB engine (larger than
memory) or a Dask engine (several machines) can replace :class:`PandasEngine` without changing
commands or disclosure control (architecture.md §3, performance.md). Every method returns
aggregates only; the caller passes them to the gate before anything is released.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class GroupMoments:
    """Per group: number of non-missing values, their sum and sum of squares."""

    keys: pd.DataFrame
    n: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray


@dataclass(frozen=True)
class Sufficient:
    """OLS sufficient statistics over the complete rows: X'X, X'y, y'y and n."""

    xtx: np.ndarray
    xty: np.ndarray
    yty: float
    n: int


class Engine(Protocol):
    """What an execution engine provides (aggregates only)."""

    def group_sizes(self, frame: pd.DataFrame, by: list[str], mask: np.ndarray | None = None) -> pd.DataFrame:
        """Rows per observed combination of ``by`` (missing keys dropped): columns by + ``n``."""
        ...

    def group_moments(
        self, frame: pd.DataFrame, var: str, by: list[str], mask: np.ndarray | None = None
    ) -> GroupMoments:
        """Count, sum and sum of squares of ``var`` per group (missing values ignored)."""
        ...

    def sufficient(self, frame: pd.DataFrame, y: str, xs: list[str], mask: np.ndarray | None = None) -> Sufficient:
        """X'X, X'y, y'y over rows where y and every x are present (a constant column first)."""
        ...


def _selected(frame: pd.DataFrame, columns: list[str], mask: np.ndarray | None) -> pd.DataFrame:
    sub = frame[columns]
    return sub if mask is None else sub.loc[mask]


class PandasEngine:
    """The in-memory engine: grouped reductions with ``groupby(observed=True)``, never crosstab."""

    def group_sizes(self, frame: pd.DataFrame, by: list[str], mask: np.ndarray | None = None) -> pd.DataFrame:
        """See :meth:`Engine.group_sizes`."""
        sub = _selected(frame, by, mask)
        sizes = sub.groupby(by, observed=True, dropna=True, sort=True).size()
        return sizes.rename("n").reset_index()

    def group_moments(
        self, frame: pd.DataFrame, var: str, by: list[str], mask: np.ndarray | None = None
    ) -> GroupMoments:
        """See :meth:`Engine.group_moments`."""
        sub = _selected(frame, [*by, var], mask)
        values = sub[var].astype("float64")
        work = sub[by].assign(_v=values, _v2=values * values)
        grouped = work.groupby(by, observed=True, dropna=True, sort=True)
        agg = grouped.agg(n=("_v", "count"), total=("_v", "sum"), total_sq=("_v2", "sum")).reset_index()
        return GroupMoments(
            keys=agg[by],
            n=agg["n"].to_numpy(dtype=np.int64),
            total=agg["total"].to_numpy(dtype="float64"),
            total_sq=agg["total_sq"].to_numpy(dtype="float64"),
        )

    def sufficient(self, frame: pd.DataFrame, y: str, xs: list[str], mask: np.ndarray | None = None) -> Sufficient:
        """See :meth:`Engine.sufficient`."""
        sub = _selected(frame, [y, *xs], mask).astype("float64")
        arr = sub.to_numpy()
        arr = arr[~np.isnan(arr).any(axis=1)]
        yv = arr[:, 0]
        x = np.column_stack([np.ones(len(arr)), arr[:, 1:]])
        return Sufficient(xtx=x.T @ x, xty=x.T @ yv, yty=float(yv @ yv), n=len(arr))


#: the engine commands use unless told otherwise
DEFAULT_ENGINE: Engine = PandasEngine()
