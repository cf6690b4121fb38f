"""Logical filter functions: ``inlist``, ``inrange`` and ``sysmiss``.

Missing follows mdlang's three-valued logic (language.md §7.3): ``inlist`` is 1 when some value
matches, else missing when a comparison involved a missing value, else 0 — so a missing ``x``
gives missing, which an ``if`` condition treats as false. ``inrange`` with a missing ``x`` is
missing; a missing bound means "no bound on that side", as in Stata. ``sysmiss`` is never
missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mdlang.engine.functions_args import (
    TEXT_TYPE,
    arrow_bool_out,
    index_of,
    is_missing_scalar,
    is_text,
    num,
    text,
    truth_out,
)
from mdlang.engine.functions_spec import FunctionSpec

GROUP = "logic"


def _first_kind(args: tuple[Any, ...]) -> bool:
    """True when the comparison is between texts: decided by the first non-missing argument."""
    for arg in args:
        if isinstance(arg, pd.Series) or not is_missing_scalar(arg):
            return is_text(arg)
    return False


def _arrow(value: Any) -> Any:
    return pa.scalar(value, TEXT_TYPE) if not isinstance(value, pa.ChunkedArray) else value


def _scalar_truth(result: Any) -> Any:
    value = result.as_py() if isinstance(result, pa.Scalar) else result
    return None if value is None else int(bool(value))


def inlist(x: Any, *candidates: Any) -> Any:
    """``inlist(x, v1, v2, ...)``: 1 when x equals one of the values."""
    args = (x, *candidates)
    index = index_of(args)
    if _first_kind(args):
        xs = text("inlist", 1, x)
        return _inlist_text(xs, [text("inlist", i + 2, v) for i, v in enumerate(candidates)], index)
    xs = num("inlist", 1, x)
    return _inlist_numbers(xs, [num("inlist", i + 2, v) for i, v in enumerate(candidates)], index)


def _inlist_text(xs: Any, values: list[Any], index: pd.Index | None) -> Any:
    if isinstance(xs, pa.ChunkedArray) and all(isinstance(v, str) for v in values):
        # The common case, a text column against literal codes: one hash lookup per row.
        hit = pc.is_in(xs, value_set=pa.array(values, TEXT_TYPE))
        hit = pc.if_else(pc.is_null(xs), pa.scalar(None, pa.bool_()), hit)
        return arrow_bool_out(hit, index)
    result: Any = pa.scalar(False)
    for v in values:
        result = pc.or_kleene(result, pc.equal(_arrow(xs), _arrow(v)))
    if index is None:
        return _scalar_truth(result)
    if isinstance(result, pa.Scalar):
        result = pa.array([result.as_py()] * len(index), pa.bool_())
    return arrow_bool_out(result, index)


def _inlist_numbers(xs: Any, values: list[Any], index: pd.Index | None) -> Any:
    if np.ndim(xs) == 1 and all(np.ndim(v) == 0 for v in values):
        known = [v for v in values if not np.isnan(v)]
        hit = np.isin(xs, known)
        missing = np.isnan(xs) | (~hit & (len(known) < len(values)))
        return truth_out(hit, missing, index)
    hit = np.zeros(np.shape(xs), dtype=bool)
    unknown = np.isnan(xs)
    for v in values:
        hit = hit | (xs == v)
        unknown = unknown | np.isnan(v)
    return truth_out(hit, ~hit & unknown, index)


def inrange(x: Any, low: Any, high: Any) -> Any:
    """``inrange(x, low, high)``: 1 when low ≤ x ≤ high."""
    args = (x, low, high)
    index = index_of(args)
    if _first_kind(args):
        xs = text("inrange", 1, x)
        lo = text("inrange", 2, low)
        hi = text("inrange", 3, high)
        if index is None:
            if xs is None:
                return None
            return int((lo is None or lo <= xs) and (hi is None or xs <= hi))
        result: Any = pa.scalar(True)
        if lo is not None:
            result = pc.and_kleene(result, pc.fill_null(pc.greater_equal(_arrow(xs), _arrow(lo)), True))
        if hi is not None:
            result = pc.and_kleene(result, pc.fill_null(pc.less_equal(_arrow(xs), _arrow(hi)), True))
        x_missing = pc.is_null(_arrow(xs)) if xs is not None else pa.scalar(True)
        result = pc.if_else(x_missing, pa.scalar(None, pa.bool_()), result)
        if isinstance(result, pa.Scalar):
            result = pa.array([result.as_py()] * len(index), pa.bool_())
        return arrow_bool_out(result, index)
    xs = num("inrange", 1, x)
    lo = num("inrange", 2, low)
    hi = num("inrange", 3, high)
    with np.errstate(invalid="ignore"):
        ok = (np.isnan(lo) | (lo <= xs)) & (np.isnan(hi) | (xs <= hi))
    return truth_out(ok, np.isnan(xs), index)


def sysmiss(x: Any) -> Any:
    """``sysmiss(x)``: 1 when x is missing, else 0."""
    if isinstance(x, pd.Series):
        missing = x.isna().to_numpy()
        return truth_out(missing, False, x.index)
    return int(is_missing_scalar(x))


SPECS = [
    FunctionSpec(
        "inlist", GROUP, "inlist(x, v1, v2, ...)", 2, None, inlist, "number",
        "1 if x equals one of the listed values, else 0. x and the values are all numbers or "
        "all texts (codes in quotes). It also works the other way round, to ask whether a "
        "value occurs in any of several variables: inlist('1', reg1, reg2). A missing x gives "
        "missing (false in an if condition).",
        "generate oslo = 1 if inlist(bosted, '0301')",
        binding_ok=True,
    ),
    FunctionSpec(
        "inrange", GROUP, "inrange(x, min, max)", 3, 3, inrange, "number",
        "1 if min ≤ x ≤ max (both ends included), else 0; works for numbers and texts. A "
        "missing x gives missing; a missing bound means no limit on that side.",
        "keep if inrange(alder, 16, 66)",
    ),
    FunctionSpec(
        "sysmiss", GROUP, "sysmiss(x)", 1, 1, sysmiss, "number",
        "1 if x is missing (system missing), else 0. This is how to test for missing values: "
        "drop if sysmiss(inntekt).",
        "generate ufør = !sysmiss(uføregrad)",
    ),
]
