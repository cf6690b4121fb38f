"""``merge <vars> into <dataset> [on <var>]``: copy variables between unit levels (language.md
§3.2, §7.7).

The active dataset is the source and must have one row per key: its unit ids, or, after
``collapse … by(<code variable>)``, that variable. Without ``on`` the target's unit ids are
matched against the source keys; with ``on`` the target's variable is. Target rows without a
match get missing; a variable the target already has is an error. The target keeps its own
contributors, so every later release is still counted on the target's persons (see
:mod:`mdlang.engine.privacy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mdlang.commands.registry import handler
from mdlang.commands.reshape_keys import ids_of, key_column
from mdlang.engine import bindings as b
from mdlang.engine.dataset import Dataset
from mdlang.engine.expr import unknown_variable
from mdlang.engine.imports import take_values
from mdlang.engine.privacy import GROUP_UNIT
from mdlang.errors import MdlRuntimeError, Span
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session

#: source units whose ids are pseudonymised person numbers, so they match persons without on
_PERSON_NUMBERED = frozenset({"PERSON", "FAMILIE", "HUSHOLDNING"})


def _normalised(values: Any) -> pd.Index:
    """Keys as comparable values: numbers as floats, codes as text ("0301" stays "0301")."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("object")
    if series.dtype.kind in "iufb":
        return pd.Index(series.to_numpy(dtype=np.float64, na_value=np.nan))
    return pd.Index(series.map(_text_key, na_action="ignore").to_numpy(dtype=object), dtype=object)


def _match(source_index: pd.Index, target_keys: Any) -> np.ndarray:
    """For each target row, the source row with the same key (-1: none). Keys are compared per
    distinct target value, so a 5-million-row target costs one factorize."""
    series = target_keys if isinstance(target_keys, pd.Series) else pd.Series(target_keys)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy().astype(np.int64), pd.Series(series.cat.categories)
    else:
        raw_codes, raw_uniques = pd.factorize(series, use_na_sentinel=True)
        codes, uniques = raw_codes.astype(np.int64), pd.Series(raw_uniques)
    wanted = _normalised(uniques)
    if source_index.dtype != wanted.dtype:
        source_index = pd.Index(source_index.map(_text_key), dtype=object)
        wanted = pd.Index(wanted.map(_text_key), dtype=object)
    valid = ~source_index.isna()
    positions = np.flatnonzero(valid)
    found = pd.Index(source_index[valid]).get_indexer(wanted)
    per_unique = np.where(found >= 0, positions[np.maximum(found, 0)], -1).astype(np.int64)
    if len(per_unique) == 0:
        return np.full(len(codes), -1, dtype=np.int64)
    return np.where(codes >= 0, per_unique[np.maximum(codes, 0)], -1)


def _text_key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _source_keys(source: Dataset) -> tuple[str, Any]:
    column = key_column(source)
    if column is not None:
        return column, source.frame[column].reset_index(drop=True)
    if source.unit_type == GROUP_UNIT:
        raise MdlRuntimeError(
            f"the active dataset {source.name} no longer has the variable it was collapsed by",
            None,
            hint="keep the by() variable of collapse (it is the key that merge matches on)",
        )
    return source.id_name or "unit id", pd.Series(source.ids)


def _target_keys(source: Dataset, target: Dataset, stmt: ast.Merge) -> Any:
    if stmt.on is None:
        column = key_column(source)
        if column is not None:
            raise MdlRuntimeError(
                f"the active dataset is keyed by {column}; say which variable of {target.name} holds it",
                stmt.span,
                hint=f"write merge … into {target.name} on <variable with the {column} codes>",
            )
        compatible = source.unit_type == target.unit_type or (
            source.unit_type in _PERSON_NUMBERED and target.unit_type == "PERSON"
        )
        if not compatible:
            raise MdlRuntimeError(
                f"the active dataset holds {source.unit_type} units and {target.name} holds "
                f"{target.unit_type} units",
                stmt.span,
                hint=f"name the variable of {target.name} that holds the {source.unit_type} ids: merge … on <variable>",
            )
        return pd.Series(target.ids)
    on = b.name_of(stmt.on, "a variable name")
    if on == target.id_name:
        return pd.Series(target.ids)
    if not target.has(on):
        raise MdlRuntimeError(
            f"dataset {target.name} has no variable {on}",
            stmt.on.span,
            hint="on names a variable of the dataset that receives the variables",
        )
    values = target.frame[on]
    if on in target.links:
        return pd.Series(ids_of(values))
    return values.reset_index(drop=True)


def _check_unique(keys: pd.Index, key_name: str, source: Dataset, span: Span | None) -> None:
    valid = keys[~keys.isna()]
    if not valid.is_unique:
        raise MdlRuntimeError(
            f"the active dataset {source.name} has several rows for some values of {key_name}; "
            "merge needs one row per key",
            span,
            hint=f"make one row per key first, e.g. collapse (mean) x, by({key_name})",
        )


@handler("merge")
def merge(session: Session, stmt: ast.Merge) -> list[Result]:
    """Copy variables of the active dataset into another dataset (left join on the target)."""
    source = session.active_dataset(stmt.span)
    target_name = b.name_of(stmt.target, "a dataset name")
    target = session.dataset(target_name, stmt.target.span)
    if target is source:
        raise MdlRuntimeError(
            "merge copies variables into another dataset, not into the active one",
            stmt.target.span,
            hint="name the dataset that should receive the variables",
        )
    if target.is_empty:
        raise MdlRuntimeError(
            f"dataset {target.name} has no units yet", stmt.target.span, hint=f"import a variable into {target.name} first"
        )
    names = []
    for node in stmt.variables:
        name = b.name_of(node, "a variable name")
        if not source.has(name):
            if name == source.id_name:
                raise MdlRuntimeError(
                    f"{name} is the unit identifier and cannot be merged",
                    node.span,
                    hint="the identifier is matched on; name the variables to copy",
                )
            raise unknown_variable(name, source.variables, node.span)
        if target.has(name) or name == target.id_name:
            raise MdlRuntimeError(
                f"dataset {target.name} already has a variable {name}",
                node.span,
                hint=f"rename {name} first (rename {name} new_name), or drop it in {target.name}",
            )
        names.append(name)
    key_name, source_keys = _source_keys(source)
    source_index = _normalised(source_keys)
    _check_unique(source_index, key_name, source, stmt.span)
    indexer = _match(source_index, _target_keys(source, target, stmt))
    for name in names:
        column = source.frame[name]
        values = take_values(column, indexer)
        target.set_column(name, pd.Series(values) if not isinstance(values, pd.Series) else values)
        _copy_meta(source, target, name)
    return []


def _copy_meta(source: Dataset, target: Dataset, name: str) -> None:
    for table in ("register", "code_labels", "labelsets"):
        value = getattr(source, table).get(name)
        if value is not None:
            getattr(target, table)[name] = value
    if name in source.links:
        target.links.add(name)
