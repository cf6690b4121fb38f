"""Row functions: statistics across several variables (and literal values) of the same row.

The numeric row statistics use the valid (non-missing) values of the row; a row without any
valid value gives missing (``rowtotal`` too, so that "no information" is not read as 0).
``rowstd`` is the sample standard deviation and needs two valid values. ``rowconcat`` joins text,
treating a missing part as empty, and is missing only when every part is missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mdlang.engine.functions_args import (
    TEXT_TYPE,
    index_of,
    is_missing_scalar,
    is_text,
    num,
    number_out,
    number_to_text,
    text,
    text_out,
)
from mdlang.engine.functions_spec import FunctionSpec
from mdlang.engine.values import format_number

GROUP = "rows"


def _matrix(fname: str, args: tuple[Any, ...]) -> tuple[np.ndarray, pd.Index | None]:
    index = index_of(args)
    n = 1 if index is None else len(index)
    columns = [np.broadcast_to(num(fname, i + 1, a), (n,)) for i, a in enumerate(args)]
    return np.column_stack(columns), index


def _row_stat(fname: str, stat: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        m, index = _matrix(fname, args)
        valid = ~np.isnan(m)
        count = valid.sum(axis=1)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stat(m, count)
        result = np.where(count > 0, result, np.nan)
        return number_out(result if index is not None else result[0], index)

    return impl


def _rowmax(m: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.fmax.reduce(m, axis=1)


def _rowmin(m: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.fmin.reduce(m, axis=1)


def _rowtotal(m: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.nansum(m, axis=1)


def _rowmean(m: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.nansum(m, axis=1) / count


def _rowmedian(m: np.ndarray, count: np.ndarray) -> np.ndarray:
    ordered = np.sort(m, axis=1)  # NaN sorts last
    rows = np.arange(len(m))
    low = np.clip((count - 1) // 2, 0, None)
    high = np.clip(count // 2, 0, None)
    return (ordered[rows, low] + ordered[rows, high]) / 2


def _rowstd(m: np.ndarray, count: np.ndarray) -> np.ndarray:
    mean = np.nansum(m, axis=1) / count
    squares = np.nansum((m - mean[:, None]) ** 2, axis=1)
    return np.where(count >= 2, np.sqrt(squares / (count - 1)), np.nan)


def _missing_mask(arg: Any, n: int) -> np.ndarray:
    if isinstance(arg, pd.Series):
        return arg.isna().to_numpy()
    return np.full(n, is_missing_scalar(arg))


def _count(missing: bool) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        index = index_of(args)
        n = 1 if index is None else len(index)
        total = np.zeros(n, dtype=np.int64)
        for arg in args:
            mask = _missing_mask(arg, n)
            total += mask if missing else ~mask
        return number_out(total if index is not None else total[0], index, integral=True)

    return impl


def _as_text_part(i: int, arg: Any) -> Any:
    """One rowconcat part as text (numbers are written as string() writes them)."""
    if is_text(arg):
        return text("rowconcat", i, arg)
    if isinstance(arg, pd.Series):
        return number_to_text(num("rowconcat", i, arg))
    value = num("rowconcat", i, arg)
    return None if np.isnan(value) else format_number(value)


def rowconcat(*args: Any) -> Any:
    """``rowconcat(a, b, ...)``: the parts joined into one text per row."""
    index = index_of(args)
    parts = [_as_text_part(i + 1, a) for i, a in enumerate(args)]
    if index is None:
        present = [p for p in parts if p is not None]
        return "".join(present) if present else None
    n = len(index)
    arrays = []
    all_missing = np.ones(n, dtype=bool)
    for part in parts:
        if isinstance(part, pa.ChunkedArray):
            all_missing &= part.is_null().to_numpy(zero_copy_only=False)
            arrays.append(part)
        elif part is not None:
            all_missing[:] = False
            arrays.append(pa.scalar(part, TEXT_TYPE))
    if not arrays:
        return text_out(pa.chunked_array([pa.nulls(n, TEXT_TYPE)]), index)
    joined = pc.binary_join_element_wise(
        *arrays, pa.scalar("", TEXT_TYPE), null_handling="replace", null_replacement=""
    )
    if isinstance(joined, pa.Scalar):
        joined = pa.array([joined.as_py()] * n, TEXT_TYPE)
    joined = pc.if_else(pa.array(all_missing), pa.scalar(None, TEXT_TYPE), joined)
    return text_out(joined, index)


def _r(name: str, stat: Callable[..., Any], help_text: str, example: str) -> FunctionSpec:
    return FunctionSpec(
        name, GROUP, f"{name}(x1, x2, ...)", 1, None, _row_stat(name, stat), "number",
        help_text, example, binding_ok=False,
    )


SPECS = [
    _r("rowmax", _rowmax, "The largest of the valid values among the listed variables on each row.",
       "generate høyest = rowmax(lønn2019, lønn2020, lønn2021)"),
    _r("rowmin", _rowmin, "The smallest of the valid values among the listed variables on each row.",
       "generate lavest = rowmin(lønn2019, lønn2020, lønn2021)"),
    _r("rowmean", _rowmean,
       "The mean of the valid values among the listed variables on each row; missing values "
       "are left out of both the sum and the count.",
       "generate snitt = rowmean(lønn2019, lønn2020, lønn2021)"),
    _r("rowmedian", _rowmedian,
       "The median of the valid values among the listed variables on each row.",
       "generate median = rowmedian(lønn2019, lønn2020, lønn2021)"),
    _r("rowtotal", _rowtotal,
       "The sum of the valid values among the listed variables on each row (missing values "
       "count as nothing); a row where every value is missing gives missing, not 0.",
       "generate sum = rowtotal(lønn, næringsinntekt, trygd)"),
    _r("rowstd", _rowstd,
       "The sample standard deviation (divisor n − 1) of the valid values among the listed "
       "variables on each row; missing when fewer than two values are valid.",
       "generate spredning = rowstd(lønn2019, lønn2020, lønn2021)"),
    FunctionSpec(
        "rowconcat", GROUP, "rowconcat(s1, s2, ...)", 1, None, rowconcat, "string",
        "Joins texts (variables or quoted literals) into one text per row, e.g. "
        "rowconcat('Hr. ', fornavn, ' ', etternavn). Numbers are written as string() writes "
        "them; a missing part counts as empty, and the result is missing only when every part "
        "is missing.",
        "generate nøkkel = rowconcat(kommune, '-', kjønn)",
        binding_ok=False,
    ),
    FunctionSpec(
        "rowmissing", GROUP, "rowmissing(x1, x2, ...)", 1, None, _count(True), "number",
        "The number of the listed variables (numeric or text) that are missing on each row.",
        "generate mangler = rowmissing(lønn2019, lønn2020, lønn2021)",
        binding_ok=False,
    ),
    FunctionSpec(
        "rowvalid", GROUP, "rowvalid(x1, x2, ...)", 1, None, _count(False), "number",
        "The number of the listed variables (numeric or text) that have a value on each row.",
        "generate gyldige = rowvalid(lønn2019, lønn2020, lønn2021)",
        binding_ok=False,
    ),
]
