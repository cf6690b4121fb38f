"""Small value types shared by the function library, the binding evaluator and the expression
evaluator: :class:`Symbol` (a bare name) and the joining rule of ``++``.

A binding value is a number (int or float), a text (str) or a :class:`Symbol`. ``++`` joins
binding values (language.md §5):

* any part that is a symbol makes the result a symbol: ``lønn ++ 16 ++ "_2"`` → symbol
  ``lønn16_2``, ``to ++ tusen`` → symbol ``totusen``;
* otherwise the result is text: ``2000 ++ "-01-01"`` → ``'2000-01-01'``; two numbers give text
  too (``2000 ++ 1`` → ``'20001'``), because ``++`` joins, it never adds.

Numbers are written as :func:`format_number` writes them (``16.0`` → ``16``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from mdlang.errors import MdlRuntimeError

_NAME = re.compile(r"[^\W\d_]\w*")


class Symbol(str):
    """A bare name used as a value: produced by bindings (``let siv = sivstand``), ``++`` and
    ``to_symbol()``. It compares equal to the same text but is a distinct type, so that callers
    can tell a name from a quoted string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Symbol({str.__repr__(self)})"


def is_valid_name(text: str) -> bool:
    """True when ``text`` is a valid variable name: a letter (Unicode letters count), then
    letters, digits or underscores."""
    return _NAME.fullmatch(text) is not None


def format_number(x: int | float) -> str:
    """Write a number the way mdlang shows it in text: integral values without a decimal part
    (``199812.0`` → ``'199812'``), others in the shortest form that reads back exactly."""
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return str(int(x))
    return repr(x)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return str(value)
    return format_number(value)


def concat_values(a: Any, b: Any) -> Any:
    """Join two binding values with ``++`` (see the module docstring for the rule)."""
    for value in (a, b):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise MdlRuntimeError(
                "++ cannot join a missing value",
                hint="++ joins numbers, texts and names written in the script or held by bindings",
            )
        if not isinstance(value, (str, int, float)):
            raise MdlRuntimeError(
                "++ joins binding values and names, not dataset values",
                hint="to join the text of variables row by row, use rowconcat()",
            )
    joined = _as_text(a) + _as_text(b)
    if isinstance(a, Symbol) or isinstance(b, Symbol):
        return Symbol(joined)
    return joined


def concat(parts: Iterable[Any]) -> Any:
    """Join two or more binding values with ``++``, left to right."""
    items = list(parts)
    if not items:
        raise MdlRuntimeError("++ needs values on both sides")
    result = items[0]
    if len(items) == 1:
        return result
    for item in items[1:]:
        result = concat_values(result, item)
    return result
