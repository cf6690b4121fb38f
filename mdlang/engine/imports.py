"""Bringing register variables into datasets: ``import``, ``import-event``, ``import-panel``.

The first import into an empty dataset defines its population (units with a value); later
imports left-join on the unit id, and ``outer_join`` widens the population (language.md §2.3,
datastore.md §2). Joins use sorted int64 ids and ``searchsorted`` rather than pandas merges.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.engine.context import Contributors
from mdlang.engine.dataset import Dataset
from mdlang.errors import MdlRuntimeError, Span

PANEL_DATE = "date@panel"


def lookup(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of ``wanted`` in ``sorted_ids`` (unique, ascending), -1 where absent."""
    if len(sorted_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    if len(sorted_ids) == len(wanted) and np.array_equal(sorted_ids, wanted):
        return np.arange(len(wanted), dtype=np.int64)  # the same population (the common case)
    pos = np.searchsorted(sorted_ids, wanted)
    pos_c = np.minimum(pos, len(sorted_ids) - 1)
    hit = sorted_ids[pos_c] == wanted
    return np.where(hit, pos_c, -1).astype(np.int64)


def unique_sorted(ids: np.ndarray) -> np.ndarray:
    """The distinct ids in ascending order (numpy 2's hash-based unique is slow on int64 ids)."""
    ids = np.asarray(ids, dtype=np.int64)
    if _ascending(ids):
        return ids
    ordered = np.sort(ids, kind="stable")
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def take_values(values: Any, indexer: np.ndarray) -> Any:
    """``values`` reordered by ``indexer`` with missing where the indexer is -1."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, (np.ndarray, pd.arrays.NumpyExtensionArray)) and values.dtype.kind in "iuf":
        # plain numbers: one gather into float64, NaN where absent (no pandas fill machinery)
        arr = np.asarray(values, dtype="float64")
        out = arr[np.maximum(indexer, 0)] if len(arr) else np.full(len(indexer), np.nan)
        out[indexer < 0] = np.nan
        return out
    return take(values, indexer, allow_fill=True)


def normalise(values: Any, meta: VariableMetadata) -> pd.Series:
    """Register values in the dataset's types: Categorical for coded, float64 for numbers, str."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    series = series.reset_index(drop=True)
    if isinstance(series.dtype, pd.CategoricalDtype):
        if meta.is_numeric:
            cats = pd.to_numeric(pd.Index(series.cat.categories.astype(str)), errors="coerce")
            return pd.Series(
                pd.Categorical.from_codes(series.cat.codes.to_numpy(), categories=cats.astype("float64"))
            )
        return series
    if meta.is_coded and meta.data_type is DataType.STRING:
        return series.astype("category")
    if meta.is_numeric:
        return series.astype("float64")
    return series.astype("str")


def code_labels(labels: dict[str, str], meta: VariableMetadata) -> dict[Any, str]:
    """A code list keyed like the dataset's values (numbers for numeric coded variables)."""
    if not meta.is_numeric:
        return dict(labels)
    out: dict[Any, str] = {}
    for code, label in labels.items():
        try:
            number = float(code)
        except ValueError:
            continue
        out[int(number) if number.is_integer() else number] = label
    return out


def _check_unit(ds: Dataset, meta: VariableMetadata, span: Span | None) -> None:
    if ds.unit_type is not None and meta.unit_type != ds.unit_type:
        raise MdlRuntimeError(
            f"{meta.name} describes {meta.unit_type} units, but the active dataset holds "
            f"{ds.unit_type} units",
            span,
            hint="import it into a dataset of its own unit type, then collapse … by() and merge",
        )


def import_cross(
    ds: Dataset,
    name: str,
    meta: VariableMetadata,
    data: pd.DataFrame,
    *,
    outer_join: bool,
    span: Span | None,
) -> None:
    """Add ``data`` (columns unit_id, value; one row per unit) to a cross-section dataset."""
    if ds.kind != "cross":
        raise MdlRuntimeError(
            f"cannot import a cross-section variable into the {ds.kind} dataset {ds.name}",
            span,
            hint="import it into a cross-section dataset and merge it into this one",
        )
    _check_unit(ds, meta, span)
    ids = data["unit_id"].to_numpy(dtype=np.int64)
    values = data["value"].reset_index(drop=True)
    order = None if _ascending(ids) else np.argsort(ids, kind="stable")
    if order is not None:
        ids, values = ids[order], values.iloc[order].reset_index(drop=True)
    if ds.is_empty:
        present = values.notna().to_numpy()
        ds.set_population(meta.unit_type, ids[present])
        ds.set_column(name, normalise(values[present], meta))
    else:
        if outer_join:
            _widen(ds, ids)
        indexer = lookup(ids, ds.ids)
        ds.set_column(name, normalise(pd.Series(take_values(values, indexer)), meta))
    _remember(ds, name, meta)


def _ascending(ids: np.ndarray) -> bool:
    return len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1]))


def _widen(ds: Dataset, new_ids: np.ndarray) -> None:
    """Outer join: add the units of ``new_ids`` the dataset lacks (all variables missing)."""
    order = np.argsort(ds.ids, kind="stable")
    sorted_ids = ds.ids[order]
    fresh = new_ids[lookup(sorted_ids, new_ids) < 0]
    if len(fresh) == 0:
        return
    union = unique_sorted(np.concatenate([sorted_ids, fresh]))
    indexer = lookup(sorted_ids, union)
    indexer = np.where(indexer >= 0, order[np.maximum(indexer, 0)], -1)
    frame = pd.DataFrame(
        {c: take_values(ds.frame[c], indexer) for c in ds.frame.columns},
        index=pd.RangeIndex(len(union)),
    )
    if ds.contributors.person_id is not None:
        old = ds.contributors.person_id
        person = np.where(indexer >= 0, old[np.maximum(indexer, 0)], union)
    else:
        person = union
    ds.frame = frame
    ds.ids = union.astype(np.int64)
    ds.contributors = Contributors(person_id=person.astype(np.int64))


def _remember(ds: Dataset, name: str, meta: VariableMetadata) -> None:
    ds.register[name] = meta
    if meta.link_unit_type is not None:
        ds.links.add(name)
        if meta.link_unit_type == "PERSON" and ds.unit_type != "PERSON" and name in ds.frame:
            _persons_from_link(ds, name)


def _persons_from_link(ds: Dataset, name: str) -> None:
    """In a dataset of non-person units, a link to PERSON says who contributes to each row."""
    link = pd.to_numeric(ds.frame[name], errors="coerce").to_numpy(dtype="float64")
    if ds.contributors.person_id is None:
        return
    person = np.where(np.isnan(link), ds.contributors.person_id, np.nan_to_num(link)).astype(np.int64)
    ds.contributors = Contributors(person_id=person)


def attach_persons(ds: Dataset, store: Any) -> None:
    """Who contributes to the rows of a dataset of non-person units (jobs, courses, visits):
    the person its unit's link variable to PERSON names (``ARBEIDSFORHOLD_PERSON``,
    ``HELSEPROFIL_PERSON_FNR``; a dated link such as a vehicle's owner at its latest date), so
    that thresholds count persons, not units (D4), even when the script never imports that link.
    Units without a link keep their own id."""
    if ds.unit_type in (None, "PERSON") or ds.contributors.person_id is None:
        return
    links = [m for m in store.variables() if m.unit_type == ds.unit_type and m.link_unit_type == "PERSON"]
    if not links:
        return
    # a fixed link (job → person) is best; else a dated one (vehicle → owner) at its latest date
    links.sort(key=lambda m: (m.temporality is not Temporality.FIXED, m.name))
    link = links[0]
    date = None
    if link.temporality is Temporality.STATUS:
        dates = store.status_dates(link.name)
        date = dates[-1] if dates else None
    elif link.temporality is not Temporality.FIXED:
        date = store.validity(link.name)[1]
    if date is None and link.temporality is not Temporality.FIXED:
        return
    data = store.read_at(link.name, date)
    ids = data["unit_id"].to_numpy(dtype=np.int64)
    persons = pd.to_numeric(data["value"], errors="coerce").to_numpy(dtype="float64")
    order = np.argsort(ids, kind="stable")
    ids, persons = ids[order], persons[order]
    if len(ids) == 0:
        return
    at = lookup(ids, ds.ids)
    person = persons[np.maximum(at, 0)]
    found = (at >= 0) & ~np.isnan(person)
    linked = np.where(found, np.nan_to_num(person), ds.ids)
    ds.contributors = Contributors(person_id=linked.astype(np.int64))


def import_event(ds: Dataset, name: str, meta: VariableMetadata, spells: pd.DataFrame, span: Span | None) -> None:
    """Make an empty dataset an event dataset of the spells (unit_id, value, start, stop)."""
    if ds.variables:
        raise MdlRuntimeError(
            f"import-event needs an empty dataset, but {ds.name} already has variables",
            span,
            hint="create a new dataset with create-dataset first (one event variable per dataset)",
        )
    if meta.temporality is not Temporality.EVENT:
        raise MdlRuntimeError(
            f"{meta.name} is a {meta.temporality.value.lower()} variable; import-event needs an event variable",
            span,
            hint="use import with a date instead",
        )
    _check_unit(ds, meta, span)
    if not ds.is_empty:
        # a population made with clone-units: keep the spells of its units only
        spells = spells[np.isin(spells["unit_id"].to_numpy(np.int64), ds.ids)]
    spells = spells.sort_values(["unit_id", "start"], kind="stable").reset_index(drop=True)
    ds.set_population(meta.unit_type, spells["unit_id"].to_numpy(dtype=np.int64))
    ds.kind = "event"
    ds.set_column(name, normalise(spells["value"], meta))
    ds.set_column(f"START@{name}", pd.to_numeric(spells["start"]).astype("float64"))
    ds.set_column(f"STOP@{name}", pd.to_numeric(spells["stop"]).astype("float64"))
    _remember(ds, name, meta)


def import_panel(
    ds: Dataset,
    parts: list[tuple[str, VariableMetadata, pd.DataFrame]],
    span: Span | None,
) -> None:
    """Make an empty dataset a panel: one row per unit and date of the first variable, the others
    left-joined on (unit, date), plus ``date@panel``."""
    if ds.variables:
        raise MdlRuntimeError(
            f"import-panel needs an empty dataset, but {ds.name} already has variables",
            span,
            hint="clone-units the population into a new dataset, use it, then import-panel",
        )
    units = {meta.unit_type for _, meta, _ in parts}
    if len(units) > 1:
        raise MdlRuntimeError(
            "import-panel needs variables of one unit type", span,
            hint="import variables of different unit types into different datasets",
        )
    _check_unit(ds, parts[0][1], span)
    first = parts[0][2]
    first = first[first["value"].notna()]
    if not ds.is_empty:
        # a population made with clone-units: the panel covers its units only
        first = first[np.isin(first["unit_id"].to_numpy(np.int64), ds.ids)]
    first = first.sort_values(["unit_id", "date"], kind="stable")
    ids = first["unit_id"].to_numpy(dtype=np.int64)
    dates = first["date"].to_numpy(dtype=np.int64)
    ds.set_population(parts[0][1].unit_type, ids)
    ds.kind = "panel"
    key_of = _PanelKeys(ids, dates)
    keys = key_of(ids, dates)
    for name, meta, data in parts:
        if name in ds.frame.columns:
            raise MdlRuntimeError(
                f"{name} is listed twice in import-panel", span, hint="list each variable once"
            )
        src = key_of(data["unit_id"].to_numpy(np.int64), data["date"].to_numpy(np.int64))
        order = np.argsort(src, kind="stable")
        indexer = lookup(src[order], keys)
        indexer = np.where(indexer >= 0, order[np.maximum(indexer, 0)], -1)
        ds.set_column(name, normalise(pd.Series(take_values(data["value"].reset_index(drop=True), indexer)), meta))
        _remember(ds, name, meta)
    ds.set_column(PANEL_DATE, dates.astype("float64"))


class _PanelKeys:
    """One sortable int64 per (unit, date) of a panel: the unit's rank among the population's
    units times the number of dates, plus the date's rank (-1 for units outside the panel).
    Ranks rather than raw ids, so that large pseudonymised ids cannot overflow."""

    def __init__(self, ids: np.ndarray, dates: np.ndarray) -> None:
        self.units = unique_sorted(ids)
        self.dates = unique_sorted(dates)

    def __call__(self, ids: np.ndarray, dates: np.ndarray) -> np.ndarray:
        unit = lookup(self.units, np.asarray(ids, dtype=np.int64))
        date = lookup(self.dates, np.asarray(dates, dtype=np.int64))
        key = unit * max(len(self.dates), 1) + date
        key[(unit < 0) | (date < 0)] = -1
        return key
