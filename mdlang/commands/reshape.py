"""``collapse`` and ``aggregate``: statistics over groups of rows (language.md §3.2, §7.8).

``collapse (stat) x [-> y] … , by(key)`` replaces the active dataset with one row per key value:
the by-variable keeps its name, the statistics become its variables and the unit type becomes
the key's (see :mod:`mdlang.commands.reshape_keys`). Who contributes to each new row is decided
in :mod:`mdlang.engine.privacy`, so later statistics are still checked on persons.
``aggregate`` computes the same statistics but keeps every row, adding them as new variables.

Neither command releases anything; disclosure control applies when the results are shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mdlang.commands.data import check_new, option
from mdlang.commands.registry import handler
from mdlang.commands.reshape_keys import (
    Key,
    check_not_restricted_value,
    factorize,
    resolve_key,
    set_key_column,
)
from mdlang.commands.reshape_stats import group_stat, is_stat, needs_numbers
from mdlang.engine import bindings as b
from mdlang.engine.dataset import Dataset
from mdlang.engine.expr import is_text, unknown_variable
from mdlang.engine.privacy import collapsed_contributors, winsorised, winsorises
from mdlang.errors import MdlRuntimeError, Span
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


def _items(ds: Dataset, stmt: ast.Collapse) -> list[tuple[str, str, str, Span | None]]:
    """(statistic, source, result name, span) of every item, checked."""
    out = []
    seen: set[str] = set()
    for group in stmt.groups:
        if not is_stat(group.stat):
            raise MdlRuntimeError(
                f"{stmt.name} has no statistic {group.stat}",
                group.span,
                hint="use one of mean min max median count sum semean sebinomial sd percent iqr gini p1…p99",
            )
        for item in group.items:
            source = b.name_of(item.source, "a variable name")
            if not ds.has(source) and source != ds.id_name:
                raise unknown_variable(source, ds.variables, item.source.span)
            check_not_restricted_value(ds, source, item.source, stmt.name)
            if item.target is None and stmt.name == "aggregate":
                raise MdlRuntimeError(
                    "aggregate needs a new name for each statistic",
                    item.span,
                    hint=f"write ({group.stat}) {source} -> new_name",
                )
            target = source if item.target is None else b.name_of(item.target, "a new variable name")
            if target in seen:
                raise MdlRuntimeError(
                    f"{stmt.name} would create {target} twice",
                    item.span,
                    hint="give each result its own name with ->",
                )
            seen.add(target)
            if needs_numbers(group.stat) and is_text(ds.frame[source]):
                raise MdlRuntimeError(
                    f"({group.stat}) needs a numeric variable, but {source} is alphanumeric",
                    item.source.span,
                    hint=f"convert it first (destring {source}), or use (count)",
                )
            out.append((group.stat, source, target, item.span))
    return out


def _values(ds: Dataset, source: str, stat: str) -> np.ndarray:
    """A column as floats; for ``count`` any non-missing value counts as 1."""
    series = ds.frame[source]
    if stat == "count":
        return np.where(series.notna().to_numpy(), 1.0, np.nan)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = pd.to_numeric(series.astype("object"), errors="coerce")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _no_condition(stmt: ast.Collapse) -> None:
    if stmt.condition is not None:
        raise MdlRuntimeError(
            f"{stmt.name} does not take an if condition",
            stmt.condition.span,
            hint="drop the units first with keep if / drop if",
        )


@handler("collapse")
def collapse(session: Session, stmt: ast.Collapse) -> list[Result]:
    """Replace the active dataset with one row per value of the by() variable."""
    if stmt.name == "aggregate":
        return aggregate(session, stmt)
    ds = session.active_dataset(stmt.span)
    _no_condition(stmt)
    by = option(stmt, "by")
    if by is None or not by.args or len(by.args) != 1:
        raise MdlRuntimeError(
            "collapse needs by() with one variable", stmt.span, hint="for example: collapse (mean) x, by(PERSONID_1)"
        )
    key = resolve_key(ds, by.args[0], "collapse")
    items = _items(ds, stmt)
    for _, _, target, span in items:
        if target == key.name:
            raise MdlRuntimeError(
                f"collapse would create {target} twice", span, hint="give the result another name with ->"
            )
    groups, uniques = factorize(key)
    n_groups = len(uniques)
    gate = session.gate_for(ds)
    clip = winsorises(key.unit_type)
    columns: dict[str, np.ndarray] = {}
    for stat, source, target, _ in items:
        values = _values(ds, source, stat)
        if clip and stat not in ("count", "percent"):
            values = winsorised(gate, source, values)
        columns[target] = group_stat(stat, groups, n_groups, values)
    ids = uniques if key.kind != "column" else np.arange(1, n_groups + 1, dtype=np.int64)
    contributors = collapsed_contributors(gate, groups, n_groups, ds.contributors, key.unit_type, ids)
    _replace(ds, key, uniques, ids, columns, contributors)
    return []


def _replace(ds: Dataset, key: Key, uniques: object, ids: np.ndarray, columns: dict[str, np.ndarray], contributors: object) -> None:
    """Turn ``ds`` into the collapsed dataset (by-variable first, then the statistics)."""
    keep_meta = {}
    frame = pd.DataFrame(index=pd.RangeIndex(len(ids)))
    if key.kind == "link":
        frame[key.name] = np.asarray(ids, dtype=np.float64)
    elif key.kind == "column":
        frame[key.name] = pd.Series(uniques).reset_index(drop=True)
    if key.kind != "id":
        keep_meta = {
            "register": ds.register.get(key.name),
            "code_labels": ds.code_labels.get(key.name),
            "labelsets": ds.labelsets.get(key.name),
        }
    for name, values in columns.items():
        frame[name] = values
    ds.frame = frame
    ds.ids = np.asarray(ids, dtype=np.int64)
    ds.contributors = contributors  # type: ignore[assignment]
    ds.unit_type = key.unit_type
    ds.kind = "cross"
    ds.register, ds.code_labels, ds.labelsets = {}, {}, {}
    for table, value in keep_meta.items():
        if value is not None:
            getattr(ds, table)[key.name] = value
    ds.links = {key.name} if key.kind == "link" else set()
    set_key_column(ds, key.name if key.kind == "column" else None)


@handler("aggregate")
def aggregate(session: Session, stmt: ast.Collapse) -> list[Result]:
    """Add group statistics as new variables, keeping every row."""
    ds = session.active_dataset(stmt.span)
    _no_condition(stmt)
    by = option(stmt, "by")
    items = _items(ds, stmt)
    for _, _, target, span in items:
        check_new(ds, target, span)
    if by is not None and by.args:
        if len(by.args) != 1:
            raise MdlRuntimeError("aggregate takes one by() variable", by.span, hint="for example: by(kommune)")
        groups, uniques = factorize(resolve_key(ds, by.args[0], "aggregate"))
        n_groups = len(uniques)
    else:
        groups, n_groups = np.zeros(len(ds), dtype=np.int64), 1
    for stat, source, target, _ in items:
        per_group = group_stat(stat, groups, n_groups, _values(ds, source, stat))
        column = np.where(groups >= 0, per_group[np.maximum(groups, 0)], np.nan) if n_groups else np.full(len(ds), np.nan)
        ds.set_column(target, column)
    return []
