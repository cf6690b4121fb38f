"""Vectorised evaluation of expressions over the active dataset.

A value during evaluation is either a column — a pandas Series aligned with the dataset's rows,
float64 for numbers (NaN = missing) or text (NaN = missing), or a Categorical straight from the
frame — or a scalar: ``int``/``float`` for numbers, ``str`` for text, ``None`` for the missing
literal ``.``. Logical results are numbers 1/0 with missing where an input is missing
(three-valued logic, language.md §7.3). :func:`condition_mask` turns a condition into a boolean
mask where missing counts as false.

Bindings are resolved before evaluation (:mod:`mdlang.engine.bindings`); functions come from
:mod:`mdlang.engine.functions` through :mod:`mdlang.engine.calls`. The unit identifier and link
variables are refused here (D1).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast

Value = Any  # pd.Series | int | float | str | None

_ARITH = {"+", "-", "*", "/", "^"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}


@dataclass
class EvalEnv:
    """What an expression may see: the frame, the names it may not touch, and label sets.

    ``restricted`` maps a name that exists but may not be used in expressions (identifier, link
    variables) to the reason shown to the user. ``labels`` gives the label set of a variable
    (user-assigned or from the register's code list) for the label functions.
    """

    frame: pd.DataFrame
    restricted: Mapping[str, str]
    labels: Callable[[str], Mapping[Any, str] | None] = lambda name: None

    @property
    def nrows(self) -> int:
        return len(self.frame)


# -------------------------------------------------------------------------------------------
# type helpers
# -------------------------------------------------------------------------------------------


def is_text(value: Value) -> bool:
    """True for text values: str scalars and text (or text-coded categorical) columns."""
    if isinstance(value, str):
        return True
    if isinstance(value, pd.Series):
        if isinstance(value.dtype, pd.CategoricalDtype):
            return not pd.api.types.is_numeric_dtype(value.cat.categories.dtype)
        return not (pd.api.types.is_numeric_dtype(value.dtype) or pd.api.types.is_bool_dtype(value.dtype))
    return False


def _series(values: np.ndarray, index: pd.Index) -> pd.Series:
    """Wrap an array without copying it (pandas 3 copies ndarrays by default)."""
    return pd.Series(values, index=index, copy=False)


def as_numbers(series: pd.Series) -> pd.Series:
    """A numeric column as float64 with NaN for missing (categoricals decoded)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = np.asarray(series.cat.categories, dtype="float64")
        codes = series.cat.codes.to_numpy()
        out = np.where(codes >= 0, cats[np.clip(codes, 0, None)] if len(cats) else np.nan, np.nan)
        return _series(out.astype("float64", copy=False), series.index)
    if series.dtype == "float64":
        return series
    return series.astype("float64")


def as_text(series: pd.Series) -> pd.Series:
    """A text column as pandas strings with NaN for missing (categoricals decoded)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype("str")
    if series.dtype == "str":
        return series
    return series.astype("str")


def materialise(value: Value) -> Value:
    """Turn a categorical column into a plain numeric or text column; scalars pass through."""
    if isinstance(value, pd.Series) and isinstance(value.dtype, pd.CategoricalDtype):
        return as_text(value) if is_text(value) else as_numbers(value)
    if isinstance(value, pd.Series) and not is_text(value) and value.dtype != "float64":
        return as_numbers(value)
    return value


def broadcast(value: Value, n: int) -> pd.Series:
    """A column of ``n`` rows holding ``value`` (which may already be a column)."""
    if isinstance(value, pd.Series):
        return materialise(value)
    if value is None:
        return pd.Series(np.full(n, np.nan), dtype="float64", copy=False)
    if isinstance(value, str):
        return pd.Series([value] * n, dtype="str")
    return pd.Series(np.full(n, float(value)), dtype="float64", copy=False)


def _describe(node: ast.Expr) -> str:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Call):
        return f"{node.name}(…)"
    return "this expression"


# -------------------------------------------------------------------------------------------
# evaluation
# -------------------------------------------------------------------------------------------


def evaluate(expr: ast.Expr, env: EvalEnv) -> Value:
    """Evaluate ``expr`` over every row of ``env.frame``."""
    if isinstance(expr, ast.Number):
        return expr.value
    if isinstance(expr, ast.String):
        return expr.value
    if isinstance(expr, ast.Missing):
        return None
    if isinstance(expr, ast.DateLit):
        return expr.text
    if isinstance(expr, ast.Name):
        return column(expr.name, env, expr)
    if isinstance(expr, ast.Unary):
        return _unary(expr, env)
    if isinstance(expr, ast.Binary):
        return _binary(expr, env)
    if isinstance(expr, ast.Call):
        from mdlang.engine.calls import call_vector  # local: functions load lazily

        return call_vector(expr, env)
    if isinstance(expr, ast.RegVar):
        raise MdlRuntimeError(
            f"the register variable {expr.name} cannot be used directly in an expression",
            expr.span,
            hint=f"import it first: import {expr.alias + '/' if expr.alias else ''}{expr.name} as name",
        )
    if isinstance(expr, (ast.Binding, ast.Concat)):
        raise MdlRuntimeError("internal error: a binding was not resolved before evaluation", expr.span)
    raise MdlRuntimeError("this cannot be used in an expression", getattr(expr, "span", None))


def column(name: str, env: EvalEnv, node: ast.Expr | None = None) -> pd.Series:
    """The column of a dataset variable, with the errors a user needs for a bad name."""
    span = getattr(node, "span", None)
    if name in env.restricted:
        raise MdlRuntimeError(
            f"{name} {env.restricted[name]}",
            span,
            hint="pseudonymised identifiers may only be used as by() keys in collapse or on keys in merge",
        )
    if name not in env.frame.columns:
        raise unknown_variable(name, list(env.frame.columns), span)
    return env.frame[name]


def unknown_variable(name: str, names: list[str], span: Any) -> MdlRuntimeError:
    """The error for a variable the active dataset does not have."""
    close = difflib.get_close_matches(name, [str(n) for n in names], n=1)
    if close:
        hint = f"did you mean {close[0]}?"
    elif not names:
        hint = "the active dataset has no variables yet; import one first"
    else:
        hint = "import or generate it first, or check the spelling"
    return MdlRuntimeError(f"the active dataset has no variable {name}", span, hint=hint)


def _unary(expr: ast.Unary, env: EvalEnv) -> Value:
    value = evaluate(expr.operand, env)
    if is_text(value):
        what = "negate" if expr.op == "-" else "apply ! to"
        raise MdlRuntimeError(
            f"cannot {what} text ({_describe(expr.operand)} is alphanumeric)",
            expr.span,
            hint="convert it to numbers first with destring",
        )
    value = materialise(value)
    if expr.op == "-":
        return None if value is None else -value
    if value is None:
        return None
    if isinstance(value, pd.Series):
        arr = value.to_numpy()
        out = np.where(np.isnan(arr), np.nan, (arr == 0).astype("float64"))
        return _series(out, value.index)
    return int(value == 0)


def _binary(expr: ast.Binary, env: EvalEnv) -> Value:
    op = expr.op
    if op in ("==", "!=") and isinstance(expr.right, ast.Missing):
        return _missing_test(evaluate(expr.left, env), op == "==")
    if op in ("==", "!=") and isinstance(expr.left, ast.Missing):
        return _missing_test(evaluate(expr.right, env), op == "==")
    left = evaluate(expr.left, env)
    right = evaluate(expr.right, env)
    if op in _COMPARE:
        return _compare(expr, left, right)
    if op in _ARITH:
        return _arith(expr, left, right)
    return _logic(expr, left, right)


def _missing_test(value: Value, equal: bool) -> Value:
    if isinstance(value, pd.Series):
        miss = value.isna().to_numpy()
        return _series((miss if equal else ~miss).astype("float64"), value.index)
    miss = value is None or (isinstance(value, float) and np.isnan(value))
    return int(miss == equal)


def _type_error(expr: ast.Binary, left: Value, right: Value) -> MdlRuntimeError:
    text_side, num_side = (expr.left, expr.right) if is_text(left) else (expr.right, expr.left)
    if isinstance(num_side, ast.Number) and isinstance(text_side, ast.Name):
        shown = num_side.value
        return MdlRuntimeError(
            f"{text_side.name} is alphanumeric (text) and cannot be compared with the number {shown}",
            expr.span,
            hint=f"quote the value: {text_side.name} {expr.op} '{shown}'",
        )
    if isinstance(num_side, ast.Name) and isinstance(text_side, ast.String):
        return MdlRuntimeError(
            f"{num_side.name} is numeric and cannot be compared with the text '{text_side.value}'",
            expr.span,
            hint=f"remove the quotes: {num_side.name} {expr.op} {text_side.value}",
        )
    return MdlRuntimeError(
        f"cannot compare text with a number ({_describe(text_side)} is alphanumeric, "
        f"{_describe(num_side)} is numeric)",
        expr.span,
        hint="convert with destring (text to number) or string() (number to text)",
    )


def _compare(expr: ast.Binary, left: Value, right: Value) -> Value:
    if left is not None and right is not None and is_text(left) != is_text(right):
        raise _type_error(expr, left, right)
    fast = _categorical_compare(expr.op, left, right)
    if fast is not None:
        return fast
    left, right = materialise(left), materialise(right)
    if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
        if left is None or right is None:
            return None
        return int(_apply_compare(expr.op, left, right))
    index = left.index if isinstance(left, pd.Series) else right.index
    if left is None or right is None:
        return _series(np.full(len(index), np.nan), index)
    if not is_text(left):
        # numbers: compare the float arrays directly (NaN rows are overwritten below)
        left = left.to_numpy() if isinstance(left, pd.Series) else left
        right = right.to_numpy() if isinstance(right, pd.Series) else right
        with np.errstate(invalid="ignore"):
            result = _apply_compare(expr.op, left, right)
    else:
        result = _apply_compare(expr.op, left, right)
    result = np.asarray(result, dtype="float64")
    missing = _isna(left) | _isna(right)
    if not isinstance(missing, np.ndarray):
        missing = np.full(len(index), bool(missing))
    result[missing] = np.nan
    return _series(result, index)


def _apply_compare(op: str, a: Any, b: Any) -> Any:
    """Elementwise comparison; rows with a missing side are overwritten by the caller."""
    fn = {
        "==": lambda x, y: x == y,
        "!=": lambda x, y: x != y,
        "<": lambda x, y: x < y,
        ">": lambda x, y: x > y,
        "<=": lambda x, y: x <= y,
        ">=": lambda x, y: x >= y,
    }[op]
    result = fn(a, b)
    if isinstance(result, pd.Series):
        return result.fillna(False).to_numpy(dtype=bool)
    return result


def _isna(value: Value) -> np.ndarray | bool:
    if isinstance(value, pd.Series):
        return value.isna().to_numpy()
    if isinstance(value, np.ndarray):
        return np.isnan(value) if value.dtype.kind == "f" else np.zeros(len(value), dtype=bool)
    return value is None


def _categorical_compare(op: str, left: Value, right: Value) -> Value:
    """``coded == 'x'`` on a Categorical without decoding every row (the common filter)."""
    if op not in ("==", "!="):
        return None
    col, scalar = (left, right) if isinstance(left, pd.Series) else (right, left)
    if not (isinstance(col, pd.Series) and isinstance(col.dtype, pd.CategoricalDtype)):
        return None
    if isinstance(scalar, pd.Series) or scalar is None:
        return None
    cats = col.cat.categories
    if is_text(col):
        key = scalar
    else:
        key = float(scalar)
        cats = pd.Index(np.asarray(cats, dtype="float64"))
    codes = col.cat.codes.to_numpy()
    where = cats.get_indexer([key])[0]
    hit = codes == where if where >= 0 else np.zeros(len(codes), dtype=bool)
    out = (hit if op == "==" else ~hit).astype("float64")
    out[codes < 0] = np.nan
    return _series(out, col.index)


def _arith(expr: ast.Binary, left: Value, right: Value) -> Value:
    for side, node in ((left, expr.left), (right, expr.right)):
        if is_text(side):
            raise MdlRuntimeError(
                f"arithmetic needs numbers, but {_describe(node)} is alphanumeric (text)",
                expr.span,
                hint="convert text to numbers with destring; join text with rowconcat()",
            )
    left, right = materialise(left), materialise(right)
    if left is None or right is None:
        if isinstance(left, pd.Series) or isinstance(right, pd.Series):
            index = left.index if isinstance(left, pd.Series) else right.index
            return _series(np.full(len(index), np.nan), index)
        return None
    a = left.to_numpy() if isinstance(left, pd.Series) else left
    b = right.to_numpy() if isinstance(right, pd.Series) else right
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if expr.op == "+":
            out = np.add(a, b, dtype="float64")
        elif expr.op == "-":
            out = np.subtract(a, b, dtype="float64")
        elif expr.op == "*":
            out = np.multiply(a, b, dtype="float64")
        elif expr.op == "/":
            out = np.divide(a, b, dtype="float64")
        else:
            out = np.power(np.asarray(a, dtype="float64"), b)
    if isinstance(left, pd.Series) or isinstance(right, pd.Series):
        out = np.where(np.isfinite(out), out, np.nan)
        index = left.index if isinstance(left, pd.Series) else right.index
        return _series(out, index)
    out = float(out)
    if not np.isfinite(out):
        return None
    both_int = isinstance(left, int) and isinstance(right, int) and expr.op in "+-*"
    return int(out) if both_int else out


def _truth(value: Value, node: ast.Expr) -> Value:
    """Numbers as 1/0/NaN truth values; text is an error."""
    if is_text(value):
        raise MdlRuntimeError(
            f"{_describe(node)} is text and cannot be used as a condition",
            getattr(node, "span", None),
            hint=f"compare it with a value, e.g. {_describe(node)} == '1'",
        )
    value = materialise(value)
    if value is None:
        return None
    if isinstance(value, pd.Series):
        arr = value.to_numpy()
        out = (arr != 0).astype("float64")
        out[np.isnan(arr)] = np.nan
        return out
    return float(value != 0)


def _logic(expr: ast.Binary, left: Value, right: Value) -> Value:
    a, b = _truth(left, expr.left), _truth(right, expr.right)
    index = None
    for side in (left, right):
        if isinstance(side, pd.Series):
            index = side.index
    a = np.nan if a is None else a
    b = np.nan if b is None else b
    a_true, a_false = np.equal(a, 1.0), np.equal(a, 0.0)
    b_true, b_false = np.equal(b, 1.0), np.equal(b, 0.0)
    if expr.op == "&":
        true, false = a_true & b_true, a_false | b_false
    else:
        true, false = a_true | b_true, a_false & b_false
    if index is None:
        return 1 if bool(true) else (0 if bool(false) else None)
    out = np.full(len(index), np.nan)
    out[np.broadcast_to(true, out.shape)] = 1.0
    out[np.broadcast_to(false, out.shape)] = 0.0
    return _series(out, index)


# -------------------------------------------------------------------------------------------
# entry points used by commands
# -------------------------------------------------------------------------------------------


def condition_mask(expr: ast.Expr | None, env: EvalEnv) -> np.ndarray:
    """Rows where the condition holds; a missing condition counts as false."""
    n = env.nrows
    if expr is None:
        return np.ones(n, dtype=bool)
    true, _false = truth_masks(expr, env)
    return np.broadcast_to(true, (n,)).copy() if np.ndim(true) == 0 else true


def truth_masks(expr: ast.Expr, env: EvalEnv) -> tuple[Any, Any]:
    """Three-valued truth of a condition as two boolean masks (true rows, false rows); rows in
    neither are missing. Conditions are evaluated this way, without float intermediates, because
    ``keep if``/``tabulate … if`` on millions of rows is the hot path."""
    if isinstance(expr, ast.Binary) and expr.op in ("&", "|"):
        t1, f1 = truth_masks(expr.left, env)
        t2, f2 = truth_masks(expr.right, env)
        if expr.op == "&":
            return t1 & t2, f1 | f2
        return t1 | t2, f1 & f2
    if isinstance(expr, ast.Unary) and expr.op == "!":
        t, f = truth_masks(expr.operand, env)
        return f, t
    if isinstance(expr, ast.Binary) and expr.op in _COMPARE and not (
        isinstance(expr.left, ast.Missing) or isinstance(expr.right, ast.Missing)
    ):
        masks = _compare_masks(expr, env)
        if masks is not None:
            return masks
    value = _truth(evaluate(expr, env), expr)
    if value is None:
        return False, False
    if isinstance(value, np.ndarray):
        return value == 1.0, value == 0.0
    return value == 1.0, value == 0.0


def _compare_masks(expr: ast.Binary, env: EvalEnv) -> tuple[np.ndarray, np.ndarray] | None:
    """Numeric or categorical comparisons straight to masks; None when another path is needed."""
    left, right = evaluate(expr.left, env), evaluate(expr.right, env)
    if left is None or right is None:
        return None
    if is_text(left) != is_text(right):
        raise _type_error(expr, left, right)
    for col, scalar in ((left, right), (right, left)):
        if (
            expr.op in ("==", "!=")
            and isinstance(col, pd.Series)
            and isinstance(col.dtype, pd.CategoricalDtype)
            and not isinstance(scalar, pd.Series)
        ):
            cats = col.cat.categories
            key = scalar if is_text(col) else float(scalar)
            if not is_text(col):
                cats = pd.Index(np.asarray(cats, dtype="float64"))
            codes = col.cat.codes.to_numpy()
            where = cats.get_indexer([key])[0]
            known = codes >= 0
            hit = codes == where if where >= 0 else np.zeros(len(codes), dtype=bool)
            if expr.op == "==":
                return hit, known & ~hit
            return known & ~hit, hit
    if is_text(left):
        return None
    a, b = materialise(left), materialise(right)
    a = a.to_numpy() if isinstance(a, pd.Series) else a
    b = b.to_numpy() if isinstance(b, pd.Series) else b
    with np.errstate(invalid="ignore"):
        result = np.asarray(_apply_compare(expr.op, a, b), dtype=bool)
    missing = np.asarray(np.isnan(a) | np.isnan(b), dtype=bool)
    return result & ~missing, ~result & ~missing


def evaluate_column(expr: ast.Expr, env: EvalEnv) -> pd.Series:
    """The value of ``expr`` as a column of ``env.nrows`` rows (numbers float64, text str)."""
    value = evaluate(expr, env)
    col = broadcast(value, env.nrows)
    col.index = pd.RangeIndex(env.nrows)
    if is_text(col) and col.dtype != "str":
        col = col.astype("str")
    return col
