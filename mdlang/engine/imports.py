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


def lookup(sorted_ids: np.ndarray, wanted: np.ndarray, *, wanted_unique: bool = False) -> np.ndarray:
    """Positions of ``wanted`` in ``sorted_ids`` (unique, ascending), -1 where absent.

    ``wanted_unique``: the caller knows ``wanted`` holds no id twice (a cross-section dataset's
    ids). The dense table is then built over ``wanted`` and kept while that array lives, so a
    run of imports into one dataset builds it once instead of once per variable.
    """
    if len(sorted_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    if len(sorted_ids) == len(wanted) and np.array_equal(sorted_ids, wanted):
        return np.arange(len(wanted), dtype=np.int64)  # the same population (the common case)
    if wanted_unique and len(wanted):
        first = int(wanted.min()) if not _ascending(wanted) else int(wanted[0])
        table = _dense_table(wanted, len(sorted_ids), first)
        if table is not None:
            # where each of our ids sits in ``wanted``, scattered back: every id of ``wanted``
            # appears at most once, so no position is written twice
            off = np.asarray(sorted_ids, dtype=np.int64) - first
            at = np.take(table, off, mode="clip")
            at[off.view(np.uint64) >= len(table)] = -1
            found = np.flatnonzero(at >= 0)
            pos = np.full(len(wanted), -1, dtype=np.int64)
            pos[at[found]] = found
            return pos
    table = _dense_table(sorted_ids, len(wanted), int(sorted_ids[0]))
    if table is not None:
        # ids packed in a narrow range (as the sample's are): one gather instead of a binary
        # search per row, several times faster on millions of rows
        off = np.asarray(wanted, dtype=np.int64) - int(sorted_ids[0])
        pos = np.take(table, off, mode="clip").astype(np.int64)
        pos[off.view(np.uint64) >= len(table)] = -1  # below the range wraps to a huge unsigned
        return pos
    pos = np.searchsorted(sorted_ids, wanted)
    pos_c = np.minimum(pos, len(sorted_ids) - 1)
    hit = sorted_ids[pos_c] == wanted
    return np.where(hit, pos_c, -1).astype(np.int64)


#: the last dense table of :func:`_dense_table`: (ids array, table); the ids are kept so that
#: identity (not a recycled id()) decides a hit
_DENSE: list[tuple[np.ndarray, np.ndarray]] = []


def _dense_table(ids: np.ndarray, n_lookups: int, first: int) -> np.ndarray | None:
    """Position of every id of the range ``first`` … max(``ids``) (-1 = absent), for unique
    ``ids`` whose smallest is ``first``, when the range is at most a few times the number of ids
    and the lookup is large enough to pay for it; None otherwise (pseudonymised ids spread over
    2^63 take the binary search)."""
    n = len(ids)
    if n_lookups < _DENSE_MIN or n >= 2**31:
        return None
    if _DENSE and _DENSE[0][0] is ids:
        return _DENSE[0][1]
    span = int(ids.max()) - first + 1
    if span > max(_DENSE_SPAN * n, _DENSE_SMALL) or span > _DENSE_MAX:
        return None
    table = np.full(span, -1, dtype=np.int32)
    table[ids - first] = np.arange(n, dtype=np.int32)
    _DENSE[:] = [(ids, table)]
    return table


_DENSE_MIN = 1 << 16  # rows to look up before a table pays for itself
_DENSE_SPAN = 16  # largest id range per id (a table of at most 64 bytes per id)
_DENSE_SMALL = 1 << 16  # any range this small is fine (dates: days of a few decades)
_DENSE_MAX = 1 << 28  # largest table (int32: 1 GiB)


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
        indexer = lookup(ids, ds.ids, wanted_unique=True)
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
    grid = _PanelGrid.of(ds, parts[0][2])
    if grid is not None:
        ids, dates = grid.ids, grid.dates
        sources = grid.first_source
    else:
        ids, dates = _panel_rows(ds, parts[0][2])
        key_of = _PanelKeys(ids, dates)
        slot_of = _PanelSlots(key_of(ids, dates), key_of.size)  # keys ascending: rows sorted by (unit, date)

        def sources(data: pd.DataFrame) -> np.ndarray:
            return slot_of.first_source(key_of(data["unit_id"].to_numpy(np.int64), data["date"].to_numpy(np.int64)))

    ds.set_population(parts[0][1].unit_type, ids)
    ds.kind = "panel"
    for name, meta, data in parts:
        if name in ds.frame.columns:
            raise MdlRuntimeError(
                f"{name} is listed twice in import-panel", span, hint="list each variable once"
            )
        ds.set_column(name, normalise(pd.Series(take_values(data["value"].reset_index(drop=True), sources(data))), meta))
        _remember(ds, name, meta)
    ds.set_column(PANEL_DATE, dates.astype("float64"))


def _panel_rows(ds: Dataset, first: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Unit ids and dates of a new panel: the (unit, date) rows where the first variable has a
    value (within a clone-units population when there is one), sorted by unit, then date."""
    keep = first["value"].notna().to_numpy().copy()
    units = first["unit_id"].to_numpy(np.int64)
    if not ds.is_empty:
        # a population made with clone-units: the panel covers its units only
        keep &= lookup(unique_sorted(ds.ids), units) >= 0
    units = units[keep]
    dates = first["date"].to_numpy(np.int64)[keep]
    # read_panel gives the rows date by date, sorted by unit within a date: a stable sort on the
    # unit merges those runs (the same order as a stable sort on (unit, date) when the dates are
    # ascending); otherwise sort on both
    if len(dates) < 2 or bool(np.all(dates[1:] >= dates[:-1])):
        order = np.argsort(units, kind="stable")
    else:
        order = np.lexsort((dates, units))
    return units[order], dates[order]


class _PanelSlots:
    """Where each (unit, date) key sits among a panel's rows.

    A dense table over every possible key (units × dates, int32) turns the per-variable lookup
    into one gather instead of a binary search per row; beyond ``_DENSE_LIMIT`` keys it falls
    back to binary search on the sorted keys.
    """

    def __init__(self, keys: np.ndarray, size: int) -> None:
        self.keys = keys
        self.table: np.ndarray | None = None
        if 0 < size <= _DENSE_LIMIT and len(keys) < 2**31:
            self.table = np.full(size, -1, dtype=np.int32)
            self.table[keys] = np.arange(len(keys), dtype=np.int32)

    def positions(self, src: np.ndarray) -> np.ndarray:
        """The panel row of each key of ``src`` (-1 where it is not in the panel)."""
        if self.table is None:
            return lookup(self.keys, src)
        return np.where(src >= 0, self.table[np.maximum(src, 0)], -1)

    def first_source(self, src: np.ndarray) -> np.ndarray:
        """For each panel row, the first row of ``src`` holding its key (-1: none)."""
        pos = self.positions(src)
        rows = np.flatnonzero(pos >= 0)
        indexer = np.full(len(self.keys), -1, dtype=np.int64)
        # reversed, so that where a key occurs twice in src the earlier row is written last and wins
        indexer[pos[rows[::-1]]] = rows[::-1]
        return indexer


#: largest dense key table of :class:`_PanelSlots` (int32: 1 GiB at this size)
_DENSE_LIMIT = 1 << 28


class _PanelKeys:
    """One sortable int64 per (unit, date) of a panel: the unit's rank among the population's
    units times the number of dates, plus the date's rank (-1 for units outside the panel).
    Ranks rather than raw ids, so that large pseudonymised ids cannot overflow."""

    def __init__(self, ids: np.ndarray, dates: np.ndarray) -> None:
        self.units = unique_sorted(ids)
        self.dates = unique_sorted(dates)

    @property
    def size(self) -> int:
        """How many distinct keys there can be (units × dates)."""
        return len(self.units) * max(len(self.dates), 1)

    def __call__(self, ids: np.ndarray, dates: np.ndarray) -> np.ndarray:
        unit = lookup(self.units, np.asarray(ids, dtype=np.int64))
        date = lookup(self.dates, np.asarray(dates, dtype=np.int64))
        key = unit * max(len(self.dates), 1) + date
        key[(unit < 0) | (date < 0)] = -1
        return key


class _PanelGrid:
    """A new panel's rows as cells of the grid units × dates (the population's units, or the
    first variable's, by the first variable's distinct dates), found without sorting rows.

    A row's cell is its unit's rank times the number of dates plus its date's rank; the panel is
    the cells where the first variable has a value, in cell order (by unit, then date), and a
    dense table maps each cell to its panel row. Dates come in runs (read_panel gives the rows
    date by date), so a row's date rank is its run's. :meth:`of` returns None when the grid is
    too large for a dense table or the first variable holds a cell twice; the panel is then
    built by sorting (:func:`_panel_rows`).
    """

    def __init__(self, units: np.ndarray, dates: np.ndarray, cells: np.ndarray,
                 first: tuple[pd.DataFrame, np.ndarray] | None = None) -> None:
        self.units, self.grid_dates = units, dates
        n_dates = len(dates)
        self.ids = units[cells // n_dates]
        self.dates = dates[cells % n_dates]
        # one slot more than there are cells, left at -1: the off-grid cell -1 indexes it
        self.row_of = np.full(len(units) * n_dates + 1, -1, dtype=np.int32)
        self.row_of[cells] = np.arange(len(cells), dtype=np.int32)
        self._first = first  # the first variable's rows and their cells (not found twice)

    @classmethod
    def of(cls, ds: Dataset, first: pd.DataFrame) -> _PanelGrid | None:
        """The grid of the panel the first variable's rows make in ``ds`` (see the class)."""
        present = first["value"].notna().to_numpy()
        units = unique_sorted(ds.ids) if not ds.is_empty else unique_sorted(first["unit_id"].to_numpy(np.int64)[present])
        heads, run_dates = _date_runs(first["date"].to_numpy(np.int64))
        dates = unique_sorted(run_dates)
        size = len(units) * len(dates)
        if size == 0 or size > _DENSE_LIMIT or len(first) >= 2**31:
            return None
        every = _cells(units, dates, first["unit_id"].to_numpy(np.int64), heads, run_dates, len(first))
        cell = every[present & (every >= 0)]
        mark = np.zeros(size, dtype=bool)
        mark[cell] = True
        cells = np.flatnonzero(mark)
        if len(cells) != len(cell):
            return None  # a (unit, date) twice: keep the sorted join's handling of duplicates
        return cls(units, dates, cells, (first, every))

    def first_source(self, data: pd.DataFrame) -> np.ndarray:
        """For each panel row, the first row of ``data`` (unit_id, date) holding its cell (-1: none)."""
        if self._first is not None and self._first[0] is data:
            cell, self._first = self._first[1], None
        else:
            heads, run_dates = _date_runs(data["date"].to_numpy(np.int64))
            cell = _cells(self.units, self.grid_dates, data["unit_id"].to_numpy(np.int64), heads, run_dates, len(data))
        pos = self.row_of[cell]
        rows = np.flatnonzero(pos >= 0)
        indexer = np.full(len(self.ids), -1, dtype=np.int64)
        # reversed, so that where a cell occurs twice in data the earlier row is written last and wins
        indexer[pos[rows[::-1]]] = rows[::-1]
        return indexer


def _date_runs(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal dates starts, and its date."""
    heads = np.flatnonzero(dates[1:] != dates[:-1]) + 1 if len(dates) else np.zeros(0, dtype=np.int64)
    heads = np.concatenate([np.zeros(min(len(dates), 1), dtype=np.int64), heads])
    return heads, dates[heads]


def _cells(units: np.ndarray, dates: np.ndarray, ids: np.ndarray, heads: np.ndarray, run_dates: np.ndarray,
           n: int) -> np.ndarray:
    """The grid cell of each row (unit rank × len(dates) + date rank; -1 off the grid)."""
    unit = lookup(units, ids)
    date = np.repeat(lookup(dates, run_dates), np.diff(np.append(heads, n)))
    cell = unit * len(dates) + date
    cell[(unit < 0) | (date < 0)] = -1
    return cell
