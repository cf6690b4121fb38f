"""Read one datastore version: metadata from the manifest, values from Parquet at a date.

Temporal rules (datastore.md §2, language.md §2.4), all dates in epoch days:

* FIXED: the date is ignored.
* STATUS: only a published status date is allowed; the rows whose start equals it.
* ACCUMULATED: the period with start <= date <= stop.
* EVENT: the spell with start <= date <= stop, an empty stop meaning "valid onwards". Both ends
  are days on which the state holds. Where one spell stops on the day the next starts, the
  later spell wins that day (validation refuses any longer overlap).

The manifest is read once; Parquet files are opened only when a variable is read, with filters
pushed into pyarrow so only the needed rows are materialised.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from mdlang.datastore import layout
from mdlang.datastore.dates import format_date
from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.errors import DatastoreError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

T = TypeVar("T")


class Datastore:
    """One opened version of a datastore (read-only)."""

    def __init__(self, path: Path, *, version: int | None = None, note: str | None = None) -> None:
        self.path = Path(path)
        manifest = read_manifest(self.path)
        self.name: str = manifest["name"]
        self.stored_version: int = int(manifest["version"])
        self.version: int = self.stored_version if version is None else version
        self.description: str = manifest.get("description", "")
        self.note = note
        self.policy_path = self.path / layout.POLICY
        # a register holds hundreds of variables with long code lists and a script reads a few:
        # each VariableMetadata is built from its manifest entry the first time it is asked for
        self._raw: dict[str, dict] = {d["name"]: d for d in manifest["variables"]}
        self._vars: dict[str, VariableMetadata] = {}

    def __repr__(self) -> str:
        return f"Datastore({self.name}:{self.version}, {len(self._raw)} variables)"

    # ----- metadata -------------------------------------------------------------------------

    def variables(self) -> list[VariableMetadata]:
        """Metadata of every variable, sorted by name."""
        return [self.metadata(k) for k in sorted(self._raw)]

    def has(self, var: str) -> bool:
        """Whether the datastore holds a variable of that name."""
        return var in self._raw

    def metadata(self, var: str) -> VariableMetadata:
        """Metadata of one variable; DatastoreError with close names for an unknown one."""
        meta = self._vars.get(var)
        if meta is not None:
            return meta
        if var not in self._raw:
            close = difflib.get_close_matches(var.upper(), list(self._raw), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}?" if close else "`mdlang datastore describe NAME` lists the variables"
            raise DatastoreError(f"{self.name}:{self.version} has no variable {var}", hint=hint)
        meta = self._vars[var] = VariableMetadata.from_dict(self._raw[var])
        return meta

    def status_dates(self, var: str) -> list[int]:
        """The published status dates of a STATUS variable (empty for other temporalities)."""
        meta = self.metadata(var)
        return list(meta.status_dates) if meta.temporality is Temporality.STATUS else []

    def validity(self, var: str) -> tuple[int | None, int | None]:
        """First and last date the variable has data for (None, None for FIXED)."""
        meta = self.metadata(var)
        return meta.valid_from, meta.valid_until

    def code_list(self, var: str, date: int | None = None) -> dict[str, str]:
        """Code → label for the codes valid on ``date`` (every code when date is None)."""
        return {c.code: c.label for c in self.metadata(var).codes_at(date)}

    # ----- values ---------------------------------------------------------------------------

    def read_at(self, var: str, date: int | None) -> pd.DataFrame:
        """One row per unit with the value valid on ``date``: columns unit_id, value."""
        import numpy as np
        import pandas as pd

        meta = self.metadata(var)
        self._check_date(meta, date)
        status = meta.temporality is Temporality.STATUS
        table = self._read(meta, ["unit_id", "value"], _filter_at(meta, date), stop=not status)
        unit = table.column("unit_id").to_numpy()
        # the filter already did the temporal selection; only a spell that stops on the day the
        # next one starts leaves a unit twice, and then the later row (sorted by start) wins
        last = _last_per_unit(unit)
        if last.all():
            return pd.DataFrame({"unit_id": unit, "value": _values(meta, table.column("value"), None)}, copy=False)
        keep = np.flatnonzero(last)
        return pd.DataFrame({"unit_id": unit[keep], "value": _values(meta, table.column("value"), keep)}, copy=False)

    def read_spells(self, var: str, start: int, stop: int) -> pd.DataFrame:
        """Every row overlapping [start, stop]: columns unit_id, value, start, stop (null = open)."""
        import pandas as pd

        meta = self.metadata(var)
        if start > stop:
            raise DatastoreError(f"the interval {format_date(start)} to {format_date(stop)} ends before it starts")
        flt = _filter_spells(meta, start, stop)
        table = self._read(meta, ["unit_id", "value", "start_epoch_days", "stop_epoch_days"], flt)
        return pd.DataFrame(
            {
                "unit_id": table.column("unit_id").to_numpy(),
                "value": _values(meta, table.column("value"), None),
                "start": _nullable_int(table.column("start_epoch_days")),
                "stop": _nullable_int(table.column("stop_epoch_days")),
            },
            copy=False,
        )

    def read_panel(self, var: str, dates: list[int]) -> pd.DataFrame:
        """One row per unit and date with a value on that date: columns unit_id, date, value.

        Rows come date by date in the order the dates are given, and by unit_id within a date.
        """
        import numpy as np
        import pandas as pd

        meta = self.metadata(var)
        if not dates:
            raise DatastoreError("a panel needs at least one date")
        for d in dates:
            self._check_date(meta, d)
        if meta.temporality is not Temporality.FIXED and meta.data_type in (DataType.LONG, DataType.DOUBLE):
            return self._read_panel_numbers(meta, dates)
        flt: RowFilter | None = None
        if meta.temporality is not Temporality.FIXED:
            first, last = min(dates), max(dates)

            def within(s: np.ndarray, e: np.ndarray) -> np.ndarray:
                return (s <= last) & (np.isnan(e) | (e >= first))

            flt = within
        table = self._read(meta, ["unit_id", "value", "start_epoch_days", "stop_epoch_days"], flt)
        cols = _Columns(table)
        picks = [_select_at(meta, cols, d) for d in dates]
        rows = np.concatenate(picks)
        date_col = np.concatenate([np.full(len(p), d, dtype=np.int64) for p, d in zip(picks, dates, strict=True)])
        return pd.DataFrame(
            {
                "unit_id": cols.unit[rows],
                "date": date_col,
                "value": _values(meta, table.column("value"), rows),
            },
            copy=False,
        )

    def _read_panel_numbers(self, meta: VariableMetadata, dates: list[int]) -> pd.DataFrame:
        """:meth:`read_panel` of a dated LONG or DOUBLE variable in one pass over the row groups:
        the rows of each date are picked from a row group's numpy columns as it is read (no
        filtered copy of the file, no second selection), with the same rows, order and types."""
        import numpy as np
        import pandas as pd

        first, last = min(dates), max(dates)
        status = meta.temporality is Temporality.STATUS

        def pick(table: pa.Table) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None:
            start, stop = _days(table.column(_START)), _days(table.column(_STOP))
            # (np.isnan of integers casts them to floats first: only test days that can be null)
            later = (np.isnan(stop) | (stop >= first)) if stop.dtype.kind == "f" else stop >= first
            keep = np.flatnonzero((start <= last) & later)
            if not len(keep):
                return None
            start, stop = start[keep], stop[keep]
            if stop.dtype.kind == "f":
                stop = np.where(np.isnan(stop), np.inf, stop)  # an open spell is valid onwards
            unit = table.column("unit_id").to_numpy()[keep]
            value, missing = _numbers(meta, table.column("value"))
            value = value[keep]
            missing = missing[keep] if missing is not None else None
            out = []
            for d in dates:
                at = np.flatnonzero(start == d if status else (start <= d) & (stop >= d))
                out.append((unit[at], value[at], missing[at] if missing is not None else None))
            return out

        groups = map_row_groups(self._data_file(meta), ["unit_id", "value", _START, _STOP], pick)
        picked = [[g[j] for g in groups if g is not None] for j in range(len(dates))]
        units, values, missings, date_col = [], [], [], []
        for d, parts in zip(dates, picked, strict=True):
            unit = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
            last_rows = np.flatnonzero(_last_per_unit(unit))
            units.append(unit[last_rows])
            values.append((np.concatenate([p[1] for p in parts]) if parts else np.zeros(0))[last_rows])
            missings.append(np.concatenate([p[2] if p[2] is not None else np.zeros(len(p[0]), dtype=bool)
                                            for p in parts])[last_rows] if parts else np.zeros(0, dtype=bool))
            date_col.append(np.full(len(last_rows), d, dtype=np.int64))
        value = np.concatenate(values)
        missing = np.concatenate(missings)
        return pd.DataFrame(
            {"unit_id": np.concatenate(units).astype(np.int64, copy=False), "date": np.concatenate(date_col),
             "value": _number_column(meta, value, missing)},
            copy=False,
        )

    # ----- helpers --------------------------------------------------------------------------

    def _check_date(self, meta: VariableMetadata, date: int | None) -> None:
        if meta.temporality is Temporality.FIXED:
            return
        if date is None:
            raise DatastoreError(
                f"{meta.name} is {_article(meta.temporality.value)} {meta.temporality.value} variable and needs a date",
                hint=f"give a date, e.g. {format_date(meta.valid_until)}" if meta.valid_until is not None else None,
            )
        if meta.temporality is Temporality.STATUS and date not in meta.status_dates:
            raise DatastoreError(
                f"{format_date(date)} is not a status date of {meta.name}; nearest valid dates: "
                + ", ".join(format_date(d) for d in nearest_dates(meta.status_dates, date)),
                hint="STATUS variables are measured on their published status dates only",
            )

    def _data_file(self, meta: VariableMetadata) -> Path:
        """The Parquet file of a variable (DatastoreError when the version lacks it)."""
        path = layout.variable_file(self.path, meta.name)
        if not path.is_file():
            raise DatastoreError(f"{self.name}:{self.version} is damaged: the data of {meta.name} is missing")
        return path

    def _read(self, meta: VariableMetadata, columns: list[str], flt: RowFilter | None, *, stop: bool = True) -> pa.Table:
        """The ``columns`` of the rows ``flt`` keeps (every row when None).

        The file is read row group by row group and ``flt`` runs on numpy arrays of the start
        and stop days: about half the CPU time of pyarrow's expression filters here, and memory
        holds a row group per worker beyond the kept rows. ``stop=False`` leaves the stop days
        unread (``flt`` then gets None for them): a status filter looks at the start only.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self._data_file(meta)
        if flt is None:
            return pq.read_table(path, columns=columns)
        wanted = list(dict.fromkeys([*columns, _START, *([_STOP] if stop else [])]))

        def kept(table: pa.Table) -> pa.Table:
            mask = flt(_days(table.column(_START)), _days(table.column(_STOP)) if stop else None)
            table = table.select(columns)
            return table if mask.all() else table.filter(pa.array(mask))

        parts = map_row_groups(path, wanted, kept)
        if not parts:
            return pq.ParquetFile(path).schema_arrow.empty_table().select(columns)
        return pa.concat_tables(parts)


def map_row_groups(path: Path, columns: list[str], fn: Callable[[pa.Table], T]) -> list[T]:
    """``fn`` of each row group's ``columns``, in row-group order.

    The row groups are spread over the cores: pyarrow decodes and numpy filters without holding
    the GIL, so two workers keep two cores busy where one loop left the filtering of a row group
    waiting for the decode of the next. Each worker opens the file itself (a ParquetFile is not
    safe to share between threads). The results are in file order whatever the number of
    workers, so what is built from them does not depend on it.
    """
    import threading

    import pyarrow.parquet as pq

    from mdlang.parallel import ordered_map

    groups = pq.ParquetFile(path).metadata.num_row_groups
    local = threading.local()

    def one(group: int) -> T:
        pf = getattr(local, "file", None)
        if pf is None:
            pf = local.file = pq.ParquetFile(path)
        return fn(pf.read_row_group(group, columns=columns, use_threads=False))

    return ordered_map(one, range(groups))


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def nearest_dates(dates: tuple[int, ...] | list[int], date: int, k: int = 2) -> list[int]:
    """Up to ``k`` valid dates on each side of ``date``, ascending."""
    import bisect

    ordered = sorted(dates)
    i = bisect.bisect_left(ordered, date)
    return ordered[max(0, i - k) : i + k]


_MANIFESTS: dict[tuple[str, int, int], dict] = {}


def read_manifest(path: Path) -> dict:
    """The manifest of a version folder (cached while the file is unchanged)."""
    file = Path(path) / layout.MANIFEST
    try:
        st = file.stat()
    except OSError:
        st = None
    key = (str(file.resolve()), st.st_mtime_ns, st.st_size) if st is not None else None
    if key is not None and key in _MANIFESTS:
        return _MANIFESTS[key]
    manifest = _load_manifest(path, file)
    if key is not None:
        _MANIFESTS[key] = manifest
    return manifest


def _load_manifest(path: Path, file: Path) -> dict:
    """Parse and check a manifest; DatastoreError when missing or unreadable."""
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatastoreError(f"{path} is not a datastore version (no {layout.MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise DatastoreError(f"{file} cannot be read: {exc.__class__.__name__}") from None
    for key in ("name", "version", "variables"):
        if key not in manifest:
            raise DatastoreError(f"{file} lacks the field '{key}'", hint="rebuild the version with `mdlang datastore build`")
    return manifest


def _days(col: pa.ChunkedArray) -> np.ndarray:
    """A day column for a row filter: the stored integers as they are, or float64 with NaN for
    nulls when there are any."""
    import numpy as np

    if col.null_count == 0:
        return col.to_numpy()
    return col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


#: a row filter on the start and stop days (integers, or float64 with NaN where a stored day is
#: null) → row mask; a comparison with NaN is False, which drops the row as a null comparison in a
#: filter would, and ``np.isnan`` of integers is False
RowFilter = Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]
_START, _STOP = "start_epoch_days", "stop_epoch_days"


def _filter_at(meta: VariableMetadata, date: int | None) -> RowFilter | None:
    """The rows valid on ``date`` by temporality (None: every row, for FIXED)."""
    import numpy as np

    if meta.temporality is Temporality.FIXED:
        return None
    if meta.temporality is Temporality.STATUS:
        return lambda s, e: s == date
    if meta.temporality is Temporality.ACCUMULATED:
        return lambda s, e: (s <= date) & (e >= date)
    return lambda s, e: (s <= date) & (np.isnan(e) | (e >= date))


def _filter_spells(meta: VariableMetadata, start: int, stop: int) -> RowFilter:
    """The rows overlapping [start, stop] (an open end overlaps everything on its side)."""
    import numpy as np

    if meta.temporality is Temporality.STATUS:
        return lambda s, e: np.isnan(s) | ((s <= stop) & (s >= start))
    return lambda s, e: (np.isnan(s) | (s <= stop)) & (np.isnan(e) | (e >= start))


class _Columns:
    """The unit, start and stop columns of a read table as numpy arrays (open stop = +inf)."""

    def __init__(self, table: pa.Table) -> None:
        import numpy as np

        self.unit = table.column("unit_id").to_numpy()
        self.start = table.column("start_epoch_days").to_numpy(zero_copy_only=False)
        stop = table.column("stop_epoch_days")
        self.stop = stop.to_numpy(zero_copy_only=False).astype(np.float64)
        if stop.null_count:
            self.stop[np.isnan(self.stop)] = np.inf


def _select_at(meta: VariableMetadata, cols: _Columns, date: int | None) -> np.ndarray:
    """Row positions valid on ``date``, at most one per unit (the later spell on a shared day)."""
    import numpy as np

    if meta.temporality is Temporality.FIXED:
        return np.arange(len(cols.unit))
    if meta.temporality is Temporality.STATUS:
        ok = cols.start == date
    else:
        ok = (cols.start <= date) & (cols.stop >= date)
    rows = np.flatnonzero(ok)
    return rows[_last_per_unit(cols.unit[rows])]


def _last_per_unit(unit: np.ndarray) -> np.ndarray:
    """Mask of the last row of each run of equal unit ids (rows are sorted by unit)."""
    import numpy as np

    last = np.ones(len(unit), dtype=bool)
    last[:-1] = unit[1:] != unit[:-1]
    return last


def _numbers(meta: VariableMetadata, col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None]:
    """A LONG or DOUBLE value column as numpy: the stored numbers (nulls as 0 for LONG, NaN for
    DOUBLE) and where they are null (None when none is)."""
    import numpy as np

    if not col.null_count:
        return col.to_numpy(), None
    missing = col.is_null().to_numpy(zero_copy_only=False)
    if meta.data_type is DataType.DOUBLE:
        return col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False), missing
    return col.fill_null(0).to_numpy(), missing


def _number_column(meta: VariableMetadata, value: np.ndarray, missing: np.ndarray):
    """The value column :func:`_values` makes of these numbers: float64 for DOUBLE; int64 for
    LONG, or a nullable Int64 built from float64 when some are missing (as ``_nullable_int``)."""
    import numpy as np
    import pandas as pd

    if meta.data_type is DataType.DOUBLE:
        return value.astype("float64")
    if missing.any():
        floats = value.astype(np.float64)
        floats[missing] = np.nan
        return pd.array(floats, dtype="Int64")
    return value.astype("int64")


def _nullable_int(col: pa.ChunkedArray) -> pd.Series:
    import pandas as pd

    return pd.array(col.to_numpy(zero_copy_only=False), dtype="Int64") if col.null_count else col.to_numpy().astype("int64")


def _values(meta: VariableMetadata, col: pa.ChunkedArray, rows: np.ndarray | None):
    """The value column as pandas data: Categorical for codes, int64/float64/str otherwise."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from mdlang.datastore.writer import coded_categories

    if meta.data_type is DataType.STRING and meta.is_coded:
        extra: set[str] = set()
        for chunk in col.chunks:
            extra.update(chunk.dictionary.to_pylist())
        cats = coded_categories(meta, extra)
        codes = np.empty(len(col), dtype=np.int32)
        pos = 0
        for chunk in col.chunks:
            mapping = np.asarray(pd.Index(cats).get_indexer(chunk.dictionary.to_pylist()), dtype=np.int32)
            idx = chunk.indices.fill_null(0).to_numpy()
            part = mapping[idx] if len(mapping) else np.full(len(idx), -1, dtype=np.int32)
            if chunk.null_count:
                part = np.where(chunk.is_null().to_numpy(zero_copy_only=False), -1, part)
            codes[pos : pos + len(chunk)] = part
            pos += len(chunk)
        if rows is not None:
            codes = codes[rows]
        return pd.Categorical.from_codes(codes, categories=cats)
    if rows is not None:
        col = col.take(pa.array(rows, type=pa.int64()))
    if meta.data_type is DataType.STRING:
        return pd.array(col.to_pandas(), dtype="str")
    if meta.data_type is DataType.DOUBLE:
        return col.to_numpy(zero_copy_only=False).astype("float64")
    return _nullable_int(col)
