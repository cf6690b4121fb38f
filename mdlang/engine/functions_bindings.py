"""Binding procedures: functions made for ``let``, import dates and ``++`` (they need no data),
usable in expressions too.

``bind(name)`` looks a binding up by a computed name (``bind(kpi ++ 2020)`` is ``$kpi2020``). It
needs the binding environment, which the evaluator passes as the keyword ``bindings`` (a mapping
name → value); evaluators that keep their own scope stack can call :func:`resolve_bind` instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mdlang.engine.functions_args import (
    index_of,
    is_missing_scalar,
    is_text,
    num,
    number_out,
    number_to_text,
    text,
    text_out,
)
from mdlang.engine.functions_dates import days_from_ymd, isoformat_days
from mdlang.engine.functions_spec import FunctionSpec
from mdlang.engine.values import Symbol, format_number, is_valid_name
from mdlang.errors import MdlRuntimeError

GROUP = "bindings"

_INTEGER_TEXT = re.compile(r"\s*[+-]?\d+\s*")


def date_fmt(year: Any, month: Any = 1, day: Any = 1) -> Any:
    """``date_fmt(y, m=1, d=1)``: the date as text ``'YYYY-MM-DD'``."""
    index = index_of((year, month, day))
    y = num("date_fmt", 1, year)
    m = num("date_fmt", 2, month)
    d = num("date_fmt", 3, day)
    days = days_from_ymd(y, m, d)
    if index is None:
        if math.isnan(float(days)):
            if any(math.isnan(v) for v in (y, m, d)):
                raise MdlRuntimeError(
                    "date_fmt() cannot make a date from a missing value",
                    hint="give year, month and day as numbers, e.g. date_fmt(2020, 12, 31)",
                )
            raise MdlRuntimeError(
                f"date_fmt({format_number(y)}, {format_number(m)}, {format_number(d)}) is not a valid date",
                hint="the month must be 1-12 and the day must exist in that month",
            )
        return isoformat_days(np.atleast_1d(days), None)
    return isoformat_days(np.broadcast_to(days, (len(index),)), index)


def to_int(x: Any) -> Any:
    """``to_int(x)``: a whole number from text such as ``'100'`` (numbers lose their decimals)."""
    if isinstance(x, pd.Series):
        if is_text(x):
            values = text("to_int", 1, x)
            try:
                numbers = pc.cast(pc.utf8_trim_whitespace(values), pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise MdlRuntimeError(
                    "to_int() found text that is not a whole number",
                    hint="destring, force turns such values into missing",
                ) from None
            return number_out(numbers.to_numpy(zero_copy_only=False).astype(np.float64), x.index)
        return number_out(np.trunc(num("to_int", 1, x)), x.index)
    if is_missing_scalar(x):
        raise MdlRuntimeError("to_int() cannot convert a missing value", hint="give it a number or a text like '100'")
    if isinstance(x, str):
        if isinstance(x, Symbol) or not _INTEGER_TEXT.fullmatch(x):
            raise MdlRuntimeError(
                f"to_int() cannot make a whole number of '{x}'",
                hint="give it digits, e.g. to_int('100')",
            )
        return int(x)
    return int(math.trunc(num("to_int", 1, x)))


def to_str(x: Any) -> Any:
    """``to_str(x)``: a number or a symbol as text."""
    if isinstance(x, pd.Series):
        if is_text(x):
            return text_out(text("to_str", 1, x), x.index)
        return text_out(number_to_text(num("to_str", 1, x)), x.index)
    if is_missing_scalar(x):
        raise MdlRuntimeError("to_str() cannot convert a missing value", hint="give it a number, a text or a name")
    if isinstance(x, str):
        return str(x)
    return format_number(num("to_str", 1, x))


def to_symbol(x: Any) -> Symbol:
    """``to_symbol('name')``: the text as a name (a symbol)."""
    if isinstance(x, pd.Series):
        raise MdlRuntimeError(
            "to_symbol() makes a name of one text written in the script or held by a binding, not of a variable",
            hint="write e.g. to_symbol('lønn') or to_symbol($navn)",
        )
    if is_missing_scalar(x):
        raise MdlRuntimeError("to_symbol() cannot make a name of a missing value", hint="give it a text such as 'lønn'")
    value = x if isinstance(x, str) else format_number(num("to_symbol", 1, x))
    if not is_valid_name(value):
        raise MdlRuntimeError(
            f"to_symbol() cannot make a name of '{value}'",
            hint="a name starts with a letter and holds only letters, digits and _",
        )
    return Symbol(value)


def resolve_bind(env: Mapping[str, Any], name: Any) -> Any:
    """The value of the binding called ``name`` (a text or a symbol; a leading ``$`` is
    allowed) in ``env``; :class:`MdlRuntimeError` when there is none."""
    if isinstance(name, pd.Series) or not isinstance(name, (str, int, float)) or is_missing_scalar(name):
        raise MdlRuntimeError(
            "bind() needs the name of a binding",
            hint="write e.g. bind(kpi ++ 2020) to refer to $kpi2020",
        )
    key = name if isinstance(name, str) else format_number(name)
    key = key[1:] if key.startswith("$") else key
    if key not in env:
        raise MdlRuntimeError(
            f"bind(): there is no binding ${key}",
            hint=f"define it first with let {key} = ...",
        )
    return env[key]


def bind(name: Any, *, bindings: Mapping[str, Any] | None = None) -> Any:
    """``bind(name)``: the value of the binding with that name (see :func:`resolve_bind`)."""
    return resolve_bind(bindings or {}, name)


SPECS = [
    FunctionSpec(
        "date_fmt", GROUP, "date_fmt(year, month?, day?)", 1, 3, date_fmt, "string",
        "Makes a date text YYYY-MM-DD from a year, a month (default 1) and a day (default 1), "
        "for import dates and bindings: date_fmt(2020) = '2020-01-01', date_fmt(2011, 11, 12) "
        "= '2011-11-12'. An impossible date is an error.",
        "import db/INNTEKT_WLONN date_fmt($år, 12, 31) as lønn",
    ),
    FunctionSpec(
        "to_int", GROUP, "to_int(x)", 1, 1, to_int, "number",
        "Makes a whole number of a text of digits (to_int('100') = 100); a number loses its "
        "decimals. Text that is not a whole number is an error.",
        "let år = to_int('2020')",
    ),
    FunctionSpec(
        "to_str", GROUP, "to_str(x)", 1, 1, to_str, "string",
        "Makes a text of a number or a name: to_str(2020) = '2020', to_str(lønn) = 'lønn'.",
        "let tekst = to_str($år)",
    ),
    FunctionSpec(
        "to_symbol", GROUP, "to_symbol(text)", 1, 1, to_symbol, "symbol",
        "Makes a name (a symbol) of a text, e.g. to use it as a variable name: to_symbol('lønn') "
        "is the name lønn. The text must be a valid name (a letter first, then letters, digits "
        "or _); to_symbol('123streng') is an error.",
        "let navn = to_symbol('lønn' ++ $år)",
    ),
    FunctionSpec(
        "bind", GROUP, "bind(name)", 1, 1, bind, "any",
        "The value of the binding whose name is computed: bind(kpi ++ 2020) is the same as "
        "$kpi2020. Useful in loops over years.",
        "let kpi = bind(kpi ++ $år)",
        needs_bindings=True,
    ),
]
