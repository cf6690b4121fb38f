"""``reshape-to-panel`` (wide → long) and ``reshape-from-panel`` (long → wide), language.md §2.6.

``reshape-to-panel lønn sivstand`` turns ``lønn2019 lønn2020 sivstand2019 …`` into ``lønn`` and
``sivstand`` with one row per unit and suffix; the suffix, as a number, goes into ``date@panel``
(a suffix may be digit groups joined by ``_``, such as ``2021_01_01`` → 20210101). Variables that
match no prefix are repeated on every row. A prefix whose variables lack some suffix gets missing
there. ``reshape-from-panel`` spreads every variable back with the suffix it came with; for a
panel made by ``import-panel`` the suffix is the measurement date as ``YYYYMMDD``.

Each repeated row keeps its person (``person_id`` contributors), see :mod:`mdlang.engine.privacy`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mdlang.commands.registry import handler
from mdlang.engine import bindings as b
from mdlang.engine.dataset import Dataset
from mdlang.engine.imports import PANEL_DATE, take_values
from mdlang.engine.privacy import repeated
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session

_SUFFIX = re.compile(r"^\d+(?:_\d+)*$")
EPOCH = dt.date(1970, 1, 1)


def _wide_columns(ds: Dataset, prefix: str, span: Any) -> dict[str, str]:
    """The variables ``prefix<digits>`` → their suffix text; an error for non-digit suffixes."""
    found: dict[str, str] = {}
    for name in ds.variables:
        if not name.startswith(prefix) or name == prefix:
            continue
        rest = name[len(prefix):]
        if _SUFFIX.match(rest):
            found[name] = rest
        elif any(ch.isdigit() for ch in rest) and rest[0].isdigit():
            raise MdlRuntimeError(
                f"the suffix of {name} after {prefix} is not made of digits",
                span,
                hint="reshape-to-panel needs names such as lønn2019 lønn2020; rename the variable first",
            )
    if not found:
        raise MdlRuntimeError(
            f"there are no variables named {prefix} followed by digits",
            span,
            hint=f"reshape-to-panel needs wide variables such as {prefix}2019 {prefix}2020",
        )
    if ds.has(prefix):
        raise MdlRuntimeError(
            f"the variable {prefix} already exists, so the long variable cannot take its name",
            span,
            hint=f"rename {prefix} first",
        )
    return found


@handler("reshape-to-panel")
def reshape_to_panel(session: Session, stmt: ast.Command) -> list[Result]:
    """Wide → long: one row per unit and suffix, ``date@panel`` holding the suffix."""
    ds = session.active_dataset(stmt.span)
    if ds.kind != "cross" or ds.is_empty:
        raise MdlRuntimeError(
            f"reshape-to-panel needs a cross-section dataset; {ds.name} is {_kind_words(ds)}",
            stmt.span,
            hint="use a dataset made with import (one row per unit)",
        )
    if ds.contributors.person_id is None:
        raise MdlRuntimeError(
            f"reshape-to-panel works on datasets of persons, but the rows of {ds.name} aggregate several persons",
            stmt.span,
            hint="reshape before collapse, or keep the collapsed data in wide form",
        )
    if ds.has(PANEL_DATE):
        raise MdlRuntimeError(f"the variable {PANEL_DATE} already exists", stmt.span, hint=f"drop {PANEL_DATE} first")
    prefixes = [b.name_of(arg, "a variable prefix") for arg in stmt.args]
    wide = {p: _wide_columns(ds, p, arg.span) for p, arg in zip(prefixes, stmt.args, strict=True)}
    texts: dict[int, str] = {}
    for columns in wide.values():
        for rest in columns.values():
            texts.setdefault(int(rest.replace("_", "")), rest)
    suffixes = sorted(texts)
    n, t = len(ds), len(suffixes)
    every = np.repeat(np.arange(n, dtype=np.int64), t)
    consumed = {c for columns in wide.values() for c in columns}
    frame: dict[str, Any] = {}
    for name in ds.variables:
        if name not in consumed:
            frame[name] = _take(ds.frame[name], every)
    for prefix, columns in wide.items():
        by_suffix = {int(rest.replace("_", "")): name for name, rest in columns.items()}
        frame[prefix] = _interleave(ds, [by_suffix.get(s) for s in suffixes], n)
        ds.copy_meta(next(iter(columns)), prefix)
    frame[PANEL_DATE] = np.tile(np.asarray(suffixes, dtype=np.float64), n)
    ds.frame = pd.DataFrame(frame, index=pd.RangeIndex(n * t))
    for name in consumed:
        ds.forget(name)
    ds.contributors = repeated(ds.contributors, t)
    ds.ids = np.repeat(ds.ids, t)
    ds.kind = "panel"
    # the suffix texts travel as date@panel's labels (copied by clone-dataset, shown by tables)
    ds.code_labels[PANEL_DATE] = {float(s): texts[s] for s in suffixes}
    return []


def _take(column: pd.Series, indexer: np.ndarray) -> pd.Series:
    values = take_values(column, indexer)
    return values if isinstance(values, pd.Series) else pd.Series(values)


def _interleave(ds: Dataset, names: list[str | None], n: int) -> pd.Series:
    """One long column from the wide columns of each suffix (None: missing for that suffix)."""
    template = ds.frame[next(name for name in names if name is not None)]
    parts = [
        _take(ds.frame[name] if name is not None else template, np.arange(n) if name is not None else np.full(n, -1))
        for name in names
    ]
    stacked = pd.concat(parts, ignore_index=True)
    t = len(names)
    order = (np.arange(t)[None, :] * n + np.arange(n)[:, None]).reshape(-1)
    return stacked.iloc[order].reset_index(drop=True)


def _kind_words(ds: Dataset) -> str:
    if ds.is_empty:
        return "empty"
    return {"cross": "a cross-section dataset", "event": "an event dataset", "panel": "a panel dataset"}[ds.kind]


@handler("reshape-from-panel")
def reshape_from_panel(session: Session, stmt: ast.Command) -> list[Result]:
    """Long → wide: each variable gets one column per measurement, suffixed with its time."""
    ds = session.active_dataset(stmt.span)
    if ds.kind != "panel" or not ds.has(PANEL_DATE):
        raise MdlRuntimeError(
            f"reshape-from-panel needs a panel dataset; {ds.name} is {_kind_words(ds)}",
            stmt.span,
            hint="build a panel with import-panel or reshape-to-panel first",
        )
    units, unit_ids = pd.factorize(ds.ids, sort=True)
    dates, date_values = pd.factorize(ds.frame[PANEL_DATE].to_numpy(dtype=np.float64), sort=True)
    if (dates < 0).any():
        raise MdlRuntimeError(
            f"some rows have no {PANEL_DATE}", stmt.span, hint=f"drop if sysmiss({PANEL_DATE}) first"
        )
    n_units, n_dates = len(unit_ids), len(date_values)
    cell = units.astype(np.int64) * n_dates + dates
    if len(np.unique(cell)) != len(cell):
        raise MdlRuntimeError(
            "some units have several rows for the same date@panel", stmt.span,
            hint="keep one row per unit and time (for instance with collapse) first",
        )
    grid = np.full(n_units * n_dates, -1, dtype=np.int64)
    grid[cell] = np.arange(len(cell))
    grid = grid.reshape(n_units, n_dates)
    suffixes = _suffix_texts(ds, date_values)
    frame: dict[str, Any] = {}
    names = [v for v in ds.variables if v != PANEL_DATE]
    for name in names:
        for j, suffix in enumerate(suffixes):
            new = f"{name}{suffix}"
            if new in frame:
                raise MdlRuntimeError(
                    f"spreading the panel would create {new} twice", stmt.span,
                    hint="rename one of the variables first",
                )
            frame[new] = _take(ds.frame[name], grid[:, j])
            ds.copy_meta(name, new)
    first = np.full(n_units, len(cell), dtype=np.int64)
    np.minimum.at(first, units, np.arange(len(cell)))
    ds.contributors = ds.contributors.take(first)
    ds.ids = np.asarray(unit_ids, dtype=np.int64)
    ds.frame = pd.DataFrame(frame, index=pd.RangeIndex(n_units))
    for name in names + [PANEL_DATE]:
        ds.forget(name)
    ds.kind = "cross"
    return []


def _suffix_texts(ds: Dataset, date_values: np.ndarray) -> list[str]:
    """The suffix of each measurement: the original text after reshape-to-panel, else YYYYMMDD."""
    known = ds.code_labels.get(PANEL_DATE)
    out = []
    for value in date_values:
        if known and float(value) in known:
            out.append(known[float(value)])
        elif known is not None:
            out.append(str(int(value)))
        else:
            out.append((EPOCH + dt.timedelta(days=int(value))).strftime("%Y%m%d"))
    return out
