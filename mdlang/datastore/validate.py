"""Check a microdata-tools delivery (``INPUT/VAR/VAR.csv`` + ``VAR.json``) and turn it into frames.

Every problem is collected, never just the first: each names the file, the line and the field.
Checks run column-wise (pyarrow/numpy); only offending rows are looked at one by one. Rules
(microdata-tools data-file-format, datastore.md §1):

* identifiers are whole numbers; values are present and of the declared type; a coded value is
  in the code list on the row's start date (FIXED rows: in the code list at all);
* dates are ``YYYY-MM-DD``; FIXED rows have no start (a stop is ignored); STATUS rows have
  start = stop; ACCUMULATED rows have both, start <= stop; EVENT rows have a start and
  start <= stop when a stop is given;
* one FIXED row per unit; one STATUS row per unit and date; ACCUMULATED periods of a unit do not
  intersect; EVENT spells of a unit do not overlap (a spell may stop on the day the next one
  starts) and a unit has at most one open spell.

No message carries a value from the data: the line number is enough to find it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mdlang.datastore.csvscan import CsvData, read_delivery_csv
from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import DataType, Temporality, VariableMetadata
from mdlang.datastore.microdata_json import parse_metadata
from mdlang.datastore.problems import MAX_LINES_PER_KIND, Problem
from mdlang.datastore.writer import is_sorted

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

_INT = r"^-?[0-9]{1,18}$"
_ID = r"^[0-9]{1,18}$"
_FLOAT = r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"


@dataclass
class VariableResult:
    """One variable of a delivery after validation: metadata, rows and problems."""

    name: str
    meta: VariableMetadata | None
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)


def variable_folders(input_dir: Path) -> tuple[list[Path], list[Problem]]:
    """The variable folders of a delivery, sorted, and problems with its layout."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        return [], [Problem(str(input_dir), None, "(folder)", "not a folder")]
    folders, problems = [], []
    for child in sorted(input_dir.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            folders.append(child)
        elif child.suffix in (".csv", ".json"):
            problems.append(Problem(str(child), None, "(file)", f"belongs in a folder of its own: {child.stem}/{child.name}"))
    if not folders and not problems:
        problems.append(Problem(str(input_dir), None, "(folder)", "holds no variable folders (VAR/VAR.csv + VAR/VAR.json)"))
    return folders, problems


def validate_delivery(
    input_dir: Path, progress: Callable[[int, int, str], None] | None = None
) -> tuple[list[VariableResult], list[Problem]]:
    """Validate every variable of a delivery; returns the results and all problems in order.

    ``progress(done, total, name)`` is called before each variable (for a progress bar).
    """
    folders, problems = variable_folders(Path(input_dir))
    results = []
    for i, folder in enumerate(folders):
        if progress is not None:
            progress(i, len(folders), folder.name)
        results.append(validate_variable(folder))
    if progress is not None:
        progress(len(folders), len(folders), "")
    for r in results:
        problems.extend(r.problems)
    return results, problems


def validate_variable(folder: Path) -> VariableResult:
    """Validate ``folder/NAME.json`` and ``folder/NAME.csv`` and build the stored frame."""
    name = folder.name
    json_path, csv_path = folder / f"{name}.json", folder / f"{name}.csv"
    result = VariableResult(name, None, None)
    for path in (json_path, csv_path):
        if not path.is_file():
            result.problems.append(Problem(str(path), None, "(file)", "missing"))
    meta = None
    if json_path.is_file():
        meta, found = _read_json(name, json_path)
        result.problems.extend(found)
    if not csv_path.is_file():
        return result
    data, found = read_delivery_csv(csv_path, str(csv_path))
    result.problems.extend(found)
    if data is None:
        return result
    checker = _RowChecker(str(csv_path), data)
    frame = checker.run(meta)
    result.problems.extend(checker.problems)
    if meta is not None and not result.problems:
        result.meta, result.frame = meta, frame
    return result


def _read_json(name: str, path: Path) -> tuple[VariableMetadata | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(str(path), None, "(file)", "is not UTF-8 text")]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(str(path), exc.lineno, "(json)", f"invalid JSON: {exc.msg}")]
    return parse_metadata(name, doc, file=str(path), text=text)


class _RowChecker:
    """Column-wise checks of one data file; collects problems located by line."""

    def __init__(self, file: str, data: CsvData) -> None:
        self.file = file
        self.table = data.table
        self.lines = data.line_numbers
        self.problems: list[Problem] = []
        self.n = data.table.num_rows

    def report(self, rows: np.ndarray, fld: str, message: str, others: np.ndarray | None = None) -> None:
        """Add one problem per offending row (capped), ``others`` giving a related row each."""
        rows_list = rows.tolist()
        for k, i in enumerate(rows_list[:MAX_LINES_PER_KIND]):
            text = message if others is None else message.format(other=int(self.lines[others[k]]))
            self.problems.append(Problem(self.file, int(self.lines[i]), fld, text))
        if len(rows_list) > MAX_LINES_PER_KIND:
            rest = len(rows_list) - MAX_LINES_PER_KIND
            gist = message.split(" (")[0].replace(" on line {other}", "")
            self.problems.append(Problem(self.file, None, fld, f"{rest} more lines with the same problem: {gist}"))

    def run(self, meta: VariableMetadata | None) -> pd.DataFrame | None:
        import numpy as np
        import pandas as pd
        import pyarrow as pa

        t = self.table
        ok = np.ones(self.n, dtype=bool)
        empty_id = _empty(t.column("unit_id"))
        unit, unit_ok = _parse_numbers(t.column("unit_id"), pa.int64(), _ID)
        unit_ok &= unit >= 0
        self.report(np.flatnonzero(empty_id), "unit_id", "missing identifier")
        self.report(np.flatnonzero(~unit_ok & ~empty_id), "unit_id", "identifier is not a whole number")
        ok &= unit_ok
        start, start_ok, start_empty = self._dates("start")
        stop, stop_ok, stop_empty = self._dates("stop")
        ok &= start_ok & stop_ok
        empty_value = _empty(t.column("value"))
        self.report(np.flatnonzero(empty_value), "value", "missing value")
        ok &= ~empty_value
        if meta is None:
            return None
        ok &= self._temporal(meta.temporality, start, stop, start_empty, stop_empty, start_ok & stop_ok)
        value, value_ok = self._values(meta, empty_value)
        ok &= value_ok
        if meta.temporality is Temporality.FIXED:
            start = np.full(self.n, np.nan)
            stop = np.full(self.n, np.nan)
            stop_empty = np.ones(self.n, dtype=bool)
        if meta.is_coded:
            self._codes_at_dates(meta, t.column("value"), start, ok)
        self._per_unit(meta.temporality, unit, start, stop, stop_empty, ok)
        if self.problems:
            return None
        return pd.DataFrame({"unit_id": unit, "value": value, "start": _int32(start), "stop": _int32(stop)})

    def _dates(self, fld: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Epoch days (NaN when empty or bad), validity mask and emptiness mask of a date column."""
        import numpy as np

        col = self.table.column(fld)
        days, ok, empty = parse_dates(col)
        self.report(np.flatnonzero(~ok), fld, "malformed date, expected YYYY-MM-DD")
        return days, ok, empty

    def _temporal(self, temporality: Temporality, start, stop, start_empty, stop_empty, dates_ok) -> np.ndarray:
        import numpy as np

        bad = np.zeros(self.n, dtype=bool)

        def flag(mask: np.ndarray, fld: str, message: str) -> None:
            mask = mask & dates_ok  # a malformed date is reported once, as malformed
            self.report(np.flatnonzero(mask & ~bad), fld, message)
            bad[mask] = True

        if temporality is Temporality.FIXED:
            flag(~start_empty, "start", "a FIXED variable has no start date; leave the field empty")
            return ~bad
        article = "an" if temporality in (Temporality.ACCUMULATED, Temporality.EVENT) else "a"
        flag(start_empty, "start", f"{article} {temporality.value} row needs a start date")
        if temporality is not Temporality.EVENT:
            flag(stop_empty, "stop", f"{article} {temporality.value} row needs a stop date")
        with np.errstate(invalid="ignore"):
            if temporality is Temporality.STATUS:
                flag(~start_empty & ~stop_empty & (start != stop), "stop", "a STATUS row must have start equal to stop")
            else:
                flag(~start_empty & ~stop_empty & (start > stop), "stop", "stop is before start")
        return ~bad

    def _values(self, meta: VariableMetadata, empty: np.ndarray) -> tuple[object, np.ndarray]:
        import numpy as np
        import pyarrow as pa

        col = self.table.column("value")
        if meta.data_type is DataType.STRING:
            return col.to_pandas(), np.ones(self.n, dtype=bool)
        if meta.data_type is DataType.DATE:
            days, ok, _ = parse_dates(col)
            self.report(np.flatnonzero(~ok & ~empty), "value", "not a date, expected YYYY-MM-DD (dataType DATE)")
            return np.nan_to_num(days, nan=0).astype(np.int64), ok & ~empty
        if meta.data_type is DataType.LONG:
            values, ok = _parse_numbers(col, pa.int64(), _INT)
            kind = "a whole number (dataType LONG)"
        else:
            values, ok = _parse_numbers(col, pa.float64(), _FLOAT)
            kind = "a number with '.' as decimal separator (dataType DOUBLE)"
        self.report(np.flatnonzero(~ok & ~empty), "value", f"not {kind}")
        return values, ok

    def _codes_at_dates(self, meta: VariableMetadata, col: pa.ChunkedArray, dates: np.ndarray, ok: np.ndarray) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        codes = list(dict.fromkeys(c.code for c in meta.code_list or ()))
        idx = pc.index_in(col, value_set=pa.array(codes, type=pa.string())).fill_null(-1).to_numpy()
        self.report(np.flatnonzero(ok & (idx < 0)), "value", "code not in the code list")
        valid = idx >= 0
        entries: dict[str, list[tuple[float, float]]] = {}
        for c in meta.code_list or ():
            lo = -np.inf if c.valid_from is None else c.valid_from
            hi = np.inf if c.valid_until is None else c.valid_until
            entries.setdefault(c.code, []).append((lo, hi))
        limited = [k for k, code in enumerate(codes) if not any(lo == -np.inf and hi == np.inf for lo, hi in entries[code])]
        if limited:
            # only rows whose code has a limited validity need a date check; group them by code
            check = np.flatnonzero(ok & np.isin(idx, limited) & ~np.isnan(dates))
            order = check[np.argsort(idx[check], kind="stable")]
            bounds = np.searchsorted(idx[order], np.arange(len(codes) + 1))
            for k in limited:
                rows = order[bounds[k] : bounds[k + 1]]
                d = dates[rows]
                hit = np.zeros(len(rows), dtype=bool)
                for lo, hi in entries[codes[k]]:
                    hit |= (d >= lo) & (d <= hi)
                valid[rows[~hit]] = False
        self.report(np.flatnonzero(ok & (idx >= 0) & ~valid), "value", "code not valid in the code list on the row's start date")
        ok &= valid

    def _per_unit(self, temporality: Temporality, unit, start, stop, stop_empty, ok) -> None:
        """Duplicates and overlaps between rows of the same unit (only rows valid so far)."""
        import numpy as np

        rows = np.flatnonzero(ok)
        if len(rows) < 2:
            return
        u = unit[rows]
        s = np.nan_to_num(start[rows], nan=-np.inf)
        order = rows if is_sorted(u, s) else rows[np.lexsort((rows, s, u))]
        u, s = unit[order], np.nan_to_num(start[order], nan=-np.inf)
        e = np.where(stop_empty[order], np.inf, stop[order])
        same = u[1:] == u[:-1]
        prev, nxt = order[:-1], order[1:]
        if temporality is Temporality.FIXED:
            m = same
            self.report(nxt[m], "unit_id", "duplicate row for the same unit (first on line {other})", prev[m])
            return
        if temporality is Temporality.STATUS:
            m = same & (s[1:] == s[:-1])
            self.report(nxt[m], "start", "duplicate row for the same unit and date (first on line {other})", prev[m])
            return
        reach, other = _reach_so_far(u, e)
        other = order[other]
        if temporality is Temporality.ACCUMULATED:
            m = same & (s[1:] <= reach)
            self.report(nxt[m], "start", "period overlaps the period on line {other} for the same unit", other[m])
            return
        both_open = same & np.isinf(e[1:]) & np.isinf(reach)
        self.report(nxt[both_open], "stop", "second open spell for the same unit (the other is on line {other})", other[both_open])
        overlap = same & ~both_open & ((s[1:] < reach) | (s[1:] == s[:-1]))
        self.report(nxt[overlap], "start", "spell overlaps the spell on line {other} for the same unit", other[overlap])


def _reach_so_far(u: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows 1..n-1 sorted by (unit, start): the latest stop among the unit's earlier rows
    (inf when one is open) and the position of the row holding it.

    Comparing with the latest stop so far, not just the previous row's, also catches a spell
    that overlaps a long spell two or more rows back. Encoding (unit group, stop) in one int64
    lets one running maximum do the work for all units at once.
    """
    import numpy as np

    group = np.cumsum(np.concatenate(([True], u[1:] != u[:-1]))) - 1
    shift, open_code, width = 1 << 31, 1 << 32, 1 << 33
    stops = (np.where(np.isinf(e), open_code, np.nan_to_num(e, posinf=0)) + shift).astype(np.int64)
    key = group.astype(np.int64) * width + stops
    running = np.maximum.accumulate(key)
    holder = np.maximum.accumulate(np.where(key == running, np.arange(len(key)), 0))
    best = running[:-1] - group[1:].astype(np.int64) * width - shift
    reach = np.where(best == open_code, np.inf, best).astype(np.float64)
    return reach, holder[:-1]


def _empty(col: pa.ChunkedArray) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.equal(pc.utf8_length(col), 0).to_numpy(zero_copy_only=False)


def parse_dates(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epoch days as float (NaN when empty or bad), ok-mask (empty counts as ok), empty-mask.

    A delivery repeats few distinct dates many times, so each distinct text is parsed once.
    """
    import numpy as np
    import pyarrow.compute as pc

    combined = col.combine_chunks() if hasattr(col, "combine_chunks") else col
    encoded = pc.dictionary_encode(combined)
    texts = encoded.dictionary.to_pylist()
    lookup = np.array([_day_or_nan(t) for t in texts], dtype=np.float64)
    blank = np.array([t == "" for t in texts], dtype=bool)
    idx = encoded.indices.to_numpy(zero_copy_only=False)
    days, empty = lookup[idx], blank[idx]
    return days, ~np.isnan(days) | empty, empty


def _day_or_nan(text: str) -> float:
    try:
        return float(parse_date(text))
    except ValueError:
        return float("nan")


def _parse_numbers(col: pa.ChunkedArray, type_: pa.DataType, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Numbers and an ok-mask; one vectorised cast when all parse, a regex only to locate errors."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(col, type_).to_numpy()
        return values, np.ones(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.match_substring_regex(col, pattern).to_numpy(zero_copy_only=False)
    clean = pc.if_else(pa.array(ok), col, pa.scalar("0"))
    values = pc.cast(clean, type_).to_numpy()
    return values, ok


def _int32(days: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Epoch days with NaN as a nullable Int32 array."""
    import numpy as np
    import pandas as pd

    missing = np.isnan(days)
    return pd.arrays.IntegerArray(np.where(missing, 0, days).astype(np.int32), missing)


def iter_variables(results: list[VariableResult]) -> Iterator[tuple[VariableMetadata, pd.DataFrame]]:
    """The (metadata, frame) pairs of a validated delivery, for :func:`write_version`."""
    for r in results:
        if r.meta is not None and r.frame is not None:
            yield r.meta, r.frame
