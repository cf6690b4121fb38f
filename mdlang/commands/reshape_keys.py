"""Keys of multi-level commands: what a ``by()`` or ``on`` variable holds, and the key column
a collapsed dataset remembers.

A ``by()`` variable is one of three kinds:

* ``id`` — the dataset's unit identifier (``PERSONID_1``): the keys are the unit ids;
* ``link`` — a link variable holding another unit's pseudonymised ids (``BEFOLKNING_MOR_FNR``,
  ``BEFOLKNING_REGSTAT_FAMNR``): the keys are those ids, the new unit is the linked one;
* ``column`` — an ordinary variable (a municipality or bydel code): the new unit is the generic
  group unit :data:`mdlang.engine.privacy.GROUP_UNIT` and the variable stays visible by name.

After ``collapse … by(column)`` the dataset remembers that column as its key (the
:attr:`Dataset.key_column` field, carried by copies and renames), so that ``merge … on`` matches
against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mdlang.engine import bindings as b
from mdlang.engine.dataset import Dataset
from mdlang.engine.expr import unknown_variable
from mdlang.engine.privacy import GROUP_UNIT, link_unit
from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast


@dataclass(frozen=True)
class Key:
    """The values of a ``by()`` variable per row and the unit they identify."""

    name: str
    kind: str  # "id", "link" or "column"
    values: Any  # np.ndarray of float ids (NaN = missing) for id/link, a Series for column
    unit_type: str


def key_column(ds: Dataset) -> str | None:
    """The ordinary variable a collapsed dataset is keyed by (None: keyed by its unit ids).

    A group dataset without a recorded key (one not made by collapse) falls back to its first
    variable, as long as its values are distinct.
    """
    name = ds.key_column
    if name is not None and ds.has(name):
        return name
    if ds.unit_type == GROUP_UNIT and ds.variables:
        first = ds.variables[0]
        if ds.frame[first].notna().all() and ds.frame[first].is_unique:
            return first
    return None


def set_key_column(ds: Dataset, name: str | None) -> None:
    """Remember (or forget) the key column of a dataset."""
    ds.key_column = name


def ids_of(series: pd.Series) -> np.ndarray:
    """A link column as float ids (NaN where missing)."""
    return pd.to_numeric(series.astype("object") if isinstance(series.dtype, pd.CategoricalDtype) else series,
                         errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def resolve_key(ds: Dataset, node: ast.Expr, command: str) -> Key:
    """The ``by()`` key of a command on ``ds``."""
    name = b.name_of(node, "a variable name")
    if name == ds.id_name:
        return Key(name, "id", ds.ids.astype(np.float64), ds.unit_type or "PERSON")
    if not ds.has(name):
        raise unknown_variable(name, ds.variables + ([ds.id_name] if ds.id_name else []), node.span)
    if name in ds.links:
        meta = ds.register.get(name)
        unit = link_unit(meta.name if meta else name, meta.link_unit_type if meta else "PERSON")
        return Key(name, "link", ids_of(ds.frame[name]), unit or "PERSON")
    if key_column(ds) == name:
        return Key(name, "column", ds.frame[name], ds.unit_type or GROUP_UNIT)
    return Key(name, "column", ds.frame[name], GROUP_UNIT)


def factorize(key: Key) -> tuple[np.ndarray, Any]:
    """Group numbers per row (-1 = missing key) and the distinct key values in ascending order."""
    if key.kind != "column":
        codes, uniques = pd.factorize(key.values, sort=True, use_na_sentinel=True)
        return codes.astype(np.int64), np.asarray(uniques, dtype=np.float64).astype(np.int64)
    series = key.values
    if isinstance(series.dtype, pd.CategoricalDtype):
        raw = series.cat.codes.to_numpy().astype(np.int64)
        present = np.flatnonzero(np.bincount(raw[raw >= 0], minlength=len(series.cat.categories)))
        remap = np.full(len(series.cat.categories), -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        codes = np.where(raw >= 0, remap[np.maximum(raw, 0)], -1)
        uniques = pd.Categorical.from_codes(present, dtype=series.dtype)
        return codes, uniques
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), uniques


def check_not_restricted_value(ds: Dataset, name: str, node: ast.Expr, command: str) -> None:
    """D1: identifiers and link variables may be keys, never the values of a statistic."""
    if ds.is_restricted(name):
        raise MdlRuntimeError(
            f"{name} holds pseudonymised identifiers and cannot be used as a value in {command}",
            node.span,
            hint="use it as the by() key instead",
        )
