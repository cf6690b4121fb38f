"""Mathematical functions: trigonometry, logarithms, rounding, combinatorics, ``quantile`` and
``pi``. Results outside a function's domain (``sqrt(-1)``, ``ln(0)``) are missing.

``ceil`` and ``floor`` follow their mathematical definitions (``ceil(-17.3)`` = −17,
``floor(-8.6)`` = −9), as Stata does; the microdata.no reference's examples −18 and −8 contradict
the functions' names and are taken as misprints. ``round`` rounds halves away from zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mdlang.engine.functions_args import index_of, num, number_out, scalar_number
from mdlang.engine.functions_spec import FunctionSpec
from mdlang.errors import MdlRuntimeError

GROUP = "math"


def _elementwise(fname: str, fn: Callable[..., Any], *, integral: bool = False) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        index = index_of(args)
        values = [num(fname, i + 1, a) for i, a in enumerate(args)]
        with np.errstate(all="ignore"):
            result = fn(*values)
        return number_out(result, index, integral=integral)

    return impl


def _is_int(x: Any) -> Any:
    return np.asarray(x) == np.floor(x)


def _comb(n: Any, k: Any) -> Any:
    from scipy import special
    ok = _is_int(n) & _is_int(k) & (np.asarray(n) >= 0) & (np.asarray(k) >= 0) & (np.asarray(k) <= n)
    value = special.comb(np.where(ok, n, 0), np.where(ok, k, 0))
    # Exact integers where a double can hold them.
    value = np.where(value < 2**53, np.round(value), value)
    return np.where(ok, value, np.nan)


def _lnfactorial(x: Any) -> Any:
    from scipy import special
    ok = _is_int(x) & (np.asarray(x) >= 0)
    return np.where(ok, special.gammaln(np.where(ok, x, 0) + 1), np.nan)


def _logit(x: Any) -> Any:
    ok = (np.asarray(x) > 0) & (np.asarray(x) < 1)
    xs = np.where(ok, x, 0.5)
    return np.where(ok, np.log(xs / (1 - xs)), np.nan)


def _round_half_away(x: Any) -> Any:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _round(x: Any, y: Any = 1.0) -> Any:
    unit = np.abs(y)
    ok = unit > 0
    unit = np.where(ok, unit, 1.0)
    steps = _round_half_away(np.asarray(x) / unit)
    # For units like 0.01, dividing by 100 gives the nearest double (7.32, not 7.32000001).
    inverse = 1.0 / unit
    exact_inverse = (inverse == np.round(inverse)) & (unit < 1)
    value = np.where(exact_inverse, steps / np.round(inverse), steps * unit)
    return np.where(ok, value, np.nan)


def quantile(x: Any, n: Any) -> Any:
    """``quantile(x, n)``: the quantile group (0 to n−1) of each value among the non-missing
    values of ``x``.

    A value's group is floor(r · n / N), where N counts the non-missing values and r is the
    number of values strictly below it: tied values share the group of the first of them, so
    the result does not depend on row order.
    """
    groups = scalar_number("quantile", 2, n, "the number of groups")
    if not (math.isfinite(groups) and groups == math.floor(groups) and 2 <= groups <= 100):
        raise MdlRuntimeError(
            "quantile() needs a whole number of groups between 2 and 100 as argument 2",
            hint="e.g. quantile(inntekt, 10) for deciles",
        )
    index = index_of((x,))
    values = num("quantile", 1, x)
    if index is None:
        return None if math.isnan(values) else 0
    present = np.flatnonzero(~np.isnan(values))
    order = np.argsort(values[present], kind="stable")
    ordered = values[present][order]
    positions = np.arange(len(ordered))
    # Each value's rank is the position of the first of its ties.
    run_start = np.empty(len(ordered), dtype=bool)
    run_start[:1] = True
    run_start[1:] = ordered[1:] != ordered[:-1]
    below = np.maximum.accumulate(np.where(run_start, positions, 0))
    result = np.full(len(values), np.nan)
    result[present[order]] = (below * int(groups)) // max(len(ordered), 1)
    return number_out(result, index)


def _pi() -> float:
    return math.pi


def _m(name: str, signature: str, fn: Callable[..., Any], help_text: str, example: str,
       *, min_args: int | None = None, integral: bool = False) -> FunctionSpec:
    nargs = fn.__code__.co_argcount
    return FunctionSpec(
        name, GROUP, signature, nargs if min_args is None else min_args, nargs,
        _elementwise(name, fn, integral=integral), "number", help_text, example,
    )


def _acos(x: Any) -> Any:
    return np.arccos(x)


def _asin(x: Any) -> Any:
    return np.arcsin(x)


def _atan(x: Any) -> Any:
    return np.arctan(x)


def _cos(x: Any) -> Any:
    return np.cos(x)


def _sin(x: Any) -> Any:
    return np.sin(x)


def _tan(x: Any) -> Any:
    return np.tan(x)


def _sqrt(x: Any) -> Any:
    return np.sqrt(x)


def _exp(x: Any) -> Any:
    return np.exp(x)


def _ln(x: Any) -> Any:
    return np.where(np.asarray(x) > 0, np.log(np.where(np.asarray(x) > 0, x, 1)), np.nan)


def _log10(x: Any) -> Any:
    return np.where(np.asarray(x) > 0, np.log10(np.where(np.asarray(x) > 0, x, 1)), np.nan)


def _abs(x: Any) -> Any:
    return np.abs(x)


def _ceil(x: Any) -> Any:
    return np.ceil(x)


def _floor(x: Any) -> Any:
    return np.floor(x)


def _int(x: Any) -> Any:
    return np.trunc(x)


SPECS = [
    _m("acos", "acos(x)", _acos, "The arc cosine of x in radians (0 to pi), the angle whose cosine is x; missing "
       "outside [−1, 1].",
       "generate v = acos(x)"),
    _m("asin", "asin(x)", _asin, "The arc sine of x in radians (−pi/2 to pi/2); missing outside [−1, 1].",
       "generate v = asin(x)"),
    _m("atan", "atan(x)", _atan, "The arc tangent of x in radians (−pi/2 to pi/2), the angle whose tangent is x.",
       "generate v = atan(x)"),
    _m("cos", "cos(x)", _cos, "The cosine of x, with x in radians (a full circle is 2 * pi()), e.g. for "
       "seasonal terms cos(2 * pi() * month / 12).", "generate y = cos(2 * pi() * x)"),
    _m("sin", "sin(x)", _sin, "The sine of x, with x in radians (a full circle is 2 * pi()), e.g. for seasonal "
       "terms sin(2 * pi() * month / 12).", "generate y = sin(2 * pi() * x)"),
    _m("tan", "tan(x)", _tan, "The tangent of x, with x in radians (a full circle is 2 * pi()).", "generate y = tan(x)"),
    _m("comb", "comb(n, k)", _comb,
       "The number of ways to choose k items out of n (the binomial coefficient). n and k must "
       "be whole numbers with 0 ≤ k ≤ n; otherwise the result is missing.",
       "generate par = comb(barn, 2)", integral=True),
    _m("sqrt", "sqrt(x)", _sqrt, "The square root of x; missing for negative x. The same as x ^ 0.5.",
       "generate rot = sqrt(areal)"),
    _m("exp", "exp(x)", _exp, "e (2.71828...) raised to the power x, the inverse of ln(): exp(ln(x)) = x.",
       "generate y = exp(logx)"),
    _m("ln", "ln(x)", _ln, "The natural logarithm of x; missing when x is 0 or negative.",
       "generate loginntekt = ln(inntekt)"),
    _m("lnfactorial", "lnfactorial(x)", _lnfactorial,
       "The natural logarithm of x factorial (x!), for whole numbers x ≥ 0; use "
       "exp(lnfactorial(x)) for the factorial of small x.",
       "generate lf = lnfactorial(barn)"),
    _m("log10", "log10(x)", _log10, "The base-10 logarithm of x; missing when x is 0 or negative.",
       "generate lg = log10(inntekt)"),
    _m("logit", "logit(x)", _logit,
       "The log odds ln(x / (1 − x)) of a proportion x; missing unless 0 < x < 1.",
       "generate lo = logit(andel)"),
    _m("abs", "abs(x)", _abs, "The absolute value of x: x without its sign, abs(-4.5) = 4.5.", "generate avvik = abs(x - 100)"),
    _m("ceil", "ceil(x)", _ceil,
       "The smallest whole number that is at least x: ceil(7.2) = 8 and ceil(-17.3) = -17. "
       "(The microdata.no reference gives -18 for the latter; mdlang follows the "
       "mathematical definition, as Stata does.)",
       "generate øvre = ceil(x)", integral=True),
    _m("floor", "floor(x)", _floor,
       "The largest whole number that is at most x: floor(7.8) = 7 and floor(-8.6) = -9. "
       "(The microdata.no reference gives -8 for the latter, as if floor were int(); mdlang "
       "follows the mathematical definition, as Stata does. Use int() to cut off decimals "
       "towards zero.)",
       "generate nedre = floor(x)", integral=True),
    _m("int", "int(x)", _int,
       "x with its decimals cut off, towards zero: int(7.8) = 7 and int(-17.6) = -17. Handy "
       "for taking parts of numbers, e.g. the year of a YYYYMM value: int(faarmnd / 100).",
       "generate fødselsår = int(faarmnd / 100)", integral=True),
    _m("round", "round(x, y?)", _round,
       "x rounded to the nearest multiple of y (default 1, the nearest whole number); halves "
       "are rounded away from zero. round(7.321, 0.01) = 7.32, round(-7.6) = -8.",
       "generate beløp = round(inntekt, 1000)", min_args=1),
    FunctionSpec(
        "quantile", GROUP, "quantile(x, n)", 2, 2, quantile, "number",
        "Divides the non-missing values of x into n groups of (nearly) equal size by rank and "
        "gives each unit its group number, 0 for the lowest values to n-1 for the highest: "
        "n = 10 gives deciles 0-9, n = 100 percentiles 0-99. n must be a whole number from 2 "
        "to 100. The group of a value is floor(r * n / N), where N is the number of "
        "non-missing values and r the number of values below it, so equal values always land "
        "in the same group. Missing values stay missing.",
        "generate desil = quantile(inntekt, 10)",
        binding_ok=False,
    ),
    FunctionSpec(
        "pi", GROUP, "pi()", 0, 0, _elementwise("pi", _pi), "number",
        "The number pi (3.14159...), the ratio of a circle's circumference to its "
        "diameter. It takes no arguments but needs the brackets.",
        "let pi = pi()",
    ),
]
