"""Text functions. Positions count characters (not bytes) from 1. Missing text gives missing.

``lower`` and ``upper`` change only the ASCII letters A-Z, as the microdata.no reference
documents (``upper('blåbær')`` is ``'BLåBæR'``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mdlang.engine.functions_args import (
    TEXT_TYPE,
    arrow_bool_out,
    index_of,
    is_text,
    num,
    number_out,
    number_to_text,
    per_category,
    text,
    text_out,
    type_error,
)
from mdlang.engine.functions_spec import FunctionSpec
from mdlang.engine.values import format_number

GROUP = "strings"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _text_to_text(fname: str, arrow_fn: Callable[[Any], Any], py_fn: Callable[[str], str]) -> Callable[..., Any]:
    def impl(s: Any) -> Any:
        index = index_of((s,))
        value = text(fname, 1, s)
        if index is None:
            return None if value is None else py_fn(value)
        return text_out(arrow_fn(value), index)

    return per_category(impl)


@per_category
def length(s: Any) -> Any:
    """``length(s)``: the number of characters."""
    index = index_of((s,))
    value = text("length", 1, s)
    if index is None:
        return None if value is None else len(value)
    counts = pc.utf8_length(value).to_numpy(zero_copy_only=False)
    return number_out(np.asarray(counts, dtype=np.float64), index)


def string(x: Any) -> Any:
    """``string(x)``: a number written as text."""
    if is_text(x):
        raise type_error("string", 1, "number")
    index = index_of((x,))
    value = num("string", 1, x)
    if index is None:
        return None if math.isnan(value) else format_number(value)
    return text_out(number_to_text(value), index)


def _edge(fname: str, arrow_fn: Callable[..., Any], np_fn: Callable[..., Any],
          py_fn: Callable[[str, str], bool]) -> Callable[..., Any]:
    def impl(s: Any, affix: Any) -> Any:
        index = index_of((s, affix))
        value = text(fname, 1, s)
        pattern = text(fname, 2, affix)
        if index is None:
            if value is None or pattern is None:
                return None
            return int(py_fn(value, pattern))
        if pattern is None:
            return number_out(np.nan, index)
        if isinstance(pattern, str) and isinstance(value, pa.ChunkedArray):
            return arrow_bool_out(arrow_fn(value, pattern=pattern), index)
        left, left_missing = _numpy_text(value, len(index))
        right, right_missing = _numpy_text(pattern, len(index))
        result = np.where(left_missing | right_missing, np.nan, np_fn(left, right).astype(float))
        return number_out(result, index)

    return per_category(impl)


def _numpy_text(value: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Text as a numpy StringDType array (missing as '') and its missing mask."""
    dtype = np.dtypes.StringDType()
    if isinstance(value, pa.ChunkedArray):
        missing = value.is_null().to_numpy(zero_copy_only=False)
        filled = pc.fill_null(value, "").to_numpy(zero_copy_only=False)
        return filled.astype(dtype), missing
    if value is None:
        return np.full(n, "", dtype=dtype), np.ones(n, dtype=bool)
    return np.full(n, value, dtype=dtype), np.zeros(n, dtype=bool)


def _slice_bounds(pos: Any, count: Any, lengths: Any) -> tuple[Any, Any, Any]:
    """0-based start and stop of substr(s, pos, count), and where the result is empty."""
    pos = np.trunc(pos)
    count = np.trunc(count)
    start = np.where(pos > 0, pos - 1, pos)
    stop = np.where(pos > 0, start + count, np.where(pos + count < 0, pos + count, lengths))
    empty = (pos == 0) | (count <= 0) | (-pos > lengths)
    return start, stop, empty


@per_category
def substr(s: Any, pos: Any, count: Any) -> Any:
    """``substr(s, pos, len)``: ``len`` characters from position ``pos`` (1-based; a negative
    position counts from the end)."""
    index = index_of((s, pos, count))
    value = text("substr", 1, s)
    p = num("substr", 2, pos)
    c = num("substr", 3, count)
    if index is None:
        return _substr_scalar(value, p, c)
    if isinstance(value, pa.ChunkedArray) and np.ndim(p) == 0 and np.ndim(c) == 0:
        return text_out(_substr_arrow(value, p, c), index)
    return text_out(_substr_rowwise(value, p, c, len(index)), index)


def _substr_scalar(value: str | None, p: float, c: float) -> str | None:
    if value is None or math.isnan(p) or math.isnan(c):
        return None
    start, stop, empty = _slice_bounds(p, c, len(value))
    return "" if empty else value[int(start) : int(min(stop, len(value)))]


def _substr_arrow(value: pa.ChunkedArray, p: float, c: float) -> Any:
    """A text column with one position and length for every row."""
    if math.isnan(p) or math.isnan(c):
        return pa.chunked_array([pa.nulls(len(value), TEXT_TYPE)])
    start, stop, empty = _slice_bounds(p, c, np.inf)
    if bool(empty):
        empty_text = pa.scalar("", TEXT_TYPE)
        return pc.if_else(pc.is_null(value), pa.scalar(None, TEXT_TYPE), empty_text)
    stop_at = None if np.isinf(stop) else int(stop)
    sliced = pc.utf8_slice_codeunits(value, start=int(start), stop=stop_at)
    if p < 0:
        # A position before the start of the text gives '', not the text's beginning.
        too_short = pc.less(pc.utf8_length(value), int(-p))
        sliced = pc.if_else(too_short, pa.scalar("", TEXT_TYPE), sliced)
    return sliced


def _substr_rowwise(value: Any, p: Any, c: Any, n: int) -> Any:
    """Positions or lengths that vary by row (taken from variables)."""
    texts, missing = _numpy_text(value, n)
    p = np.broadcast_to(p, (n,))
    c = np.broadcast_to(c, (n,))
    missing = missing | np.isnan(p) | np.isnan(c)
    lengths = np.strings.str_len(texts)
    start, stop, empty = _slice_bounds(np.where(missing, 1, p), np.where(missing, 0, c), lengths)
    start = np.where(start < 0, lengths + start, start).astype(np.int64)
    stop = np.where(stop < 0, lengths + stop, stop).astype(np.int64)
    sliced = np.strings.slice(texts, np.maximum(start, 0), np.maximum(stop, 0))
    result = pa.array(sliced.astype(object), type=TEXT_TYPE, mask=missing)
    return pc.if_else(pa.array(empty & ~missing), pa.scalar("", TEXT_TYPE), result)


def _t(name: str, signature: str, impl: Callable[..., Any], returns: str, help_text: str,
       example: str, nargs: int = 1) -> FunctionSpec:
    return FunctionSpec(name, GROUP, signature, nargs, nargs, impl, returns, help_text, example)


SPECS = [
    _t("length", "length(s)", length, "number",
       "The number of characters in a text; Norwegian letters count as one character "
       "each: length('blåbær') = 6.",
       "generate lengde = length(yrkeskode)"),
    _t("string", "string(x)", string, "string",
       "Turns a number into text: whole numbers are written without decimals "
       "(string(199812) = '199812'), others with as many decimals as needed (string(7.5) = "
       "'7.5'). Use it to cut numbers into pieces with substr() or to compare them with "
       "codes. destring does the opposite.",
       "generate tekst = string(faarmnd)"),
    _t("lower", "lower(s)", _text_to_text("lower", pc.ascii_lower, lambda v: v.translate(_ASCII_LOWER)),
       "string",
       "The text in lower case. Only the letters A-Z change; Æ, Ø, Å and other non-ASCII "
       "letters stay as they are, as on microdata.no.",
       "generate navn = lower(navn)"),
    _t("upper", "upper(s)", _text_to_text("upper", pc.ascii_upper, lambda v: v.translate(_ASCII_UPPER)),
       "string",
       "The text in upper case. Only the letters a-z change; æ, ø, å and other non-ASCII "
       "letters stay as they are, as on microdata.no.",
       "generate navn = upper(navn)"),
    _t("startswith", "startswith(s, prefix)",
       _edge("startswith", pc.starts_with, np.strings.startswith, str.startswith), "number",
       "1 if the text begins with the given prefix, else 0 (missing when the text is "
       "missing). Useful as a filter on hierarchical codes.",
       "keep if startswith(næring, '47')", nargs=2),
    _t("endswith", "endswith(s, suffix)",
       _edge("endswith", pc.ends_with, np.strings.endswith, str.endswith), "number",
       "1 if the text ends with the given suffix, else 0 (missing when the text is missing).",
       "generate x = endswith(kode, '9')", nargs=2),
    _t("substr", "substr(s, pos, len)", substr, "string",
       "The part of a text that starts at character pos (1 is the first) and is len "
       "characters long; a negative pos counts from the end (-1 is the last character). "
       "substr('y32ssx', 2, 3) = '32s' and substr('y32ssx', -3, 2) = 'ss'. A part that lies "
       "outside the text gives the empty text ''.",
       "generate fylke = substr(bosted, 1, 2)", nargs=3),
    _t("ltrim", "ltrim(s)", _text_to_text("ltrim", pc.utf8_ltrim_whitespace, str.lstrip), "string",
       "The text without spaces (and other blank characters) at the start.", "generate kode = ltrim(kode)"),
    _t("rtrim", "rtrim(s)", _text_to_text("rtrim", pc.utf8_rtrim_whitespace, str.rstrip), "string",
       "The text without spaces (and other blank characters) at the end.", "generate kode = rtrim(kode)"),
    _t("trim", "trim(s)", _text_to_text("trim", pc.utf8_trim_whitespace, str.strip), "string",
       "The text without spaces (and other blank characters) at the start and the end; "
       "spaces inside are kept.", "generate kode = trim(kode)"),
]
