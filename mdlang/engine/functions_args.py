"""Argument handling shared by the function groups: turning scalars and Series into numpy
arrays (numbers) or Arrow arrays (text), type errors that name the function and argument, and
turning results back into scalars or Series aligned on the arguments' index.

Conventions: a numeric result is float64 with NaN for missing; anything that is not finite
(±inf, an undefined result) is missing, as microdata.no has no infinities. A text result is a
pandas Series of dtype ``"str"``. Scalar results are plain Python values (None for missing).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mdlang.engine.values import Symbol
from mdlang.errors import MdlRuntimeError

TEXT_TYPE = pa.large_string()


def index_of(args: tuple[Any, ...] | list[Any]) -> pd.Index | None:
    """The index of the first Series among the arguments, or None when all are scalars."""
    for arg in args:
        if isinstance(arg, pd.Series):
            return arg.index
    return None


def is_missing_scalar(value: Any) -> bool:
    """True for the scalar missing value (None, NaN or pandas NA)."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def series_is_text(s: pd.Series) -> bool:
    """True when a Series holds text (str/object text or a categorical with text codes)."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return not pd.api.types.is_numeric_dtype(dtype.categories.dtype)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return False
    if pd.api.types.is_object_dtype(dtype):
        kind = pd.api.types.infer_dtype(s, skipna=True)
        return kind not in ("integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty")
    return True


def is_text(value: Any) -> bool:
    """True for a text argument: a str scalar or a text Series."""
    if isinstance(value, pd.Series):
        return series_is_text(value)
    return isinstance(value, str)


def type_error(fname: str, pos: int, wanted: str) -> MdlRuntimeError:
    """The error for an argument of the wrong type (``wanted`` is "number" or "text")."""
    if wanted == "number":
        return MdlRuntimeError(
            f"{fname}() needs a number as argument {pos}, not text",
            hint="destring turns text variables into numbers; write numbers without quotes",
        )
    return MdlRuntimeError(
        f"{fname}() needs text as argument {pos}, not a number",
        hint="string() turns a number into text; write text in quotes",
    )


def num(fname: str, pos: int, value: Any) -> np.ndarray | float:
    """A numeric argument as a float64 array (Series) or a float (scalar); missing is NaN."""
    if isinstance(value, pd.Series):
        if series_is_text(value):
            raise type_error(fname, pos, "number")
        dtype = value.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            cats = np.asarray(dtype.categories, dtype=np.float64)
            codes = value.cat.codes.to_numpy()
            out = cats[np.where(codes < 0, 0, codes)] if len(cats) else np.full(len(codes), np.nan)
            out[codes < 0] = np.nan
            return out
        if pd.api.types.is_object_dtype(dtype):
            value = pd.to_numeric(value)
        return value.to_numpy(dtype=np.float64, na_value=np.nan)
    if is_missing_scalar(value):
        return math.nan
    if isinstance(value, Symbol):
        raise MdlRuntimeError(
            f"{fname}() needs a number as argument {pos}, not the name {value}",
            hint="a bare word in a binding expression is a name; write $name for a binding's value",
        )
    if isinstance(value, str):
        raise type_error(fname, pos, "number")
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return float(value)
    raise type_error(fname, pos, "number")


def text(fname: str, pos: int, value: Any) -> pa.ChunkedArray | str | None:
    """A text argument as an Arrow large_string array (Series) or a str/None (scalar)."""
    if isinstance(value, pd.Series):
        if not series_is_text(value):
            raise type_error(fname, pos, "text")
        try:
            arr = pa.array(value, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # An object column mixing text with other values: compare them as their text.
            arr = pa.array(value.astype("str"), from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            chunked = arr
        else:
            chunked = pa.chunked_array([arr])
        if chunked.type != TEXT_TYPE:
            chunked = pc.cast(chunked, TEXT_TYPE)
        return chunked
    if is_missing_scalar(value):
        return None
    if isinstance(value, str):
        return str(value)
    raise type_error(fname, pos, "text")


def scalar_number(fname: str, pos: int, value: Any, what: str) -> float:
    """An argument that must be a single number written in the script (not a variable)."""
    if isinstance(value, pd.Series):
        raise MdlRuntimeError(
            f"{fname}() needs a single number as argument {pos} ({what}), not a variable",
            hint=f"write {what} as a number in the script",
        )
    return num(fname, pos, value)


def number_out(result: Any, index: pd.Index | None, *, integral: bool = False) -> Any:
    """A numeric result as a Series on ``index`` or, without an index, a Python scalar
    (an int when ``integral``); non-finite values become missing."""
    with np.errstate(invalid="ignore"):
        r = np.asarray(result, dtype=np.float64)
        r = np.where(np.isfinite(r), r, np.nan)
    if index is None:
        v = float(r)
        if math.isnan(v):
            return None
        return int(v) if integral else v
    if r.ndim == 0:
        r = np.full(len(index), float(r))
    return pd.Series(r, index=index, dtype=np.float64)


def truth_out(values: Any, missing: Any, index: pd.Index | None) -> Any:
    """A 1/0 result with missing where ``missing`` is true (scalar: 1, 0 or None)."""
    r = np.where(missing, np.nan, np.where(values, 1.0, 0.0))
    return number_out(r, index, integral=True)


def text_out(result: Any, index: pd.Index | None) -> Any:
    """A text result (Arrow array, str or None) as a ``"str"`` Series or a scalar."""
    if index is None:
        if isinstance(result, (pa.Scalar,)):
            result = result.as_py()
        return None if result is None else str(result)
    if isinstance(result, (pa.Array, pa.ChunkedArray)):
        return pd.Series(result, index=index, dtype="str")
    return pd.Series([result] * len(index), index=index, dtype="str")


def text_missing(value: pa.ChunkedArray | str | None) -> Any:
    """The missing mask of a text argument: a numpy bool array or a bool."""
    if isinstance(value, pa.ChunkedArray):
        return value.is_null().to_numpy(zero_copy_only=False)
    return value is None


def arrow_bool_out(result: pa.ChunkedArray | pa.Array, index: pd.Index) -> pd.Series:
    """A nullable Arrow boolean result as a 1/0/NaN Series."""
    values = pc.fill_null(result, False).to_numpy(zero_copy_only=False)
    missing = result.is_null().to_numpy(zero_copy_only=False)
    return truth_out(values, missing, index)


def number_to_text(values: np.ndarray) -> pa.ChunkedArray:
    """Numbers as text, vectorised: whole numbers without decimals (``199812``), others in the
    shortest form that reads back exactly (``7.5``); missing stays missing."""
    values = np.asarray(values, dtype=np.float64)
    missing = ~np.isfinite(values)
    with np.errstate(invalid="ignore"):
        integral = ~missing & (values == np.floor(values)) & (np.abs(values) < 2**53)
    result = pc.cast(pa.array(np.where(integral, values, 0).astype(np.int64)), TEXT_TYPE)
    fractional = ~(integral | missing)
    if fractional.any():
        floats = pc.cast(pa.array(np.where(fractional, values, 0.0)), TEXT_TYPE)
        result = pc.if_else(pa.array(fractional), floats, result)
    if missing.any():
        result = pc.if_else(pa.array(missing), pa.scalar(None, TEXT_TYPE), result)
    return pa.chunked_array([result])


def per_category(impl: Any) -> Any:
    """Wrap a function of one text argument (plus scalar arguments) so that on a categorical
    column it runs once per category and the result is spread out by the codes: coded
    variables have a few hundred categories but millions of rows."""

    def wrapped(s: Any, *rest: Any) -> Any:
        if (
            not isinstance(s, pd.Series)
            or not isinstance(s.dtype, pd.CategoricalDtype)
            or not series_is_text(s)
            or any(isinstance(r, pd.Series) for r in rest)
        ):
            if isinstance(s, pd.Series) and isinstance(s.dtype, pd.CategoricalDtype):
                from mdlang.engine.expr import materialise

                s = materialise(s)  # the evaluator passes categoricals through (TAKES_CATEGORIES)
            return impl(s, *rest)
        categories = pd.Series(s.cat.categories.astype(str), dtype="str")
        per_cat = impl(categories, *rest)
        codes = s.cat.codes.to_numpy()
        missing = codes < 0
        positions = np.where(missing, 0, codes)
        if series_is_text(per_cat):
            dictionary = pa.array(per_cat, from_pandas=True, type=TEXT_TYPE)
            if len(dictionary) == 0:
                dictionary = pa.array([""], TEXT_TYPE)
            indices = pa.array(positions.astype(np.int32), mask=missing)
            decoded = pc.take(dictionary, indices)
            return text_out(pa.chunked_array([decoded]), s.index)
        values = per_cat.to_numpy(dtype=np.float64, na_value=np.nan)
        if len(values) == 0:
            values = np.array([np.nan])
        return number_out(np.where(missing, np.nan, values[positions]), s.index)

    wrapped.__name__ = getattr(impl, "__name__", "wrapped")
    wrapped.__doc__ = impl.__doc__
    setattr(wrapped, TAKES_CATEGORIES, True)
    return wrapped


#: attribute of a :func:`per_category` function: the evaluator passes its first argument
#: unmaterialised, so that a coded column is worked on per category rather than per row
TAKES_CATEGORIES = "takes_categories"
