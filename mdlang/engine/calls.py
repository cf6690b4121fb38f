"""Calling functions of the expression language (:data:`mdlang.engine.functions.FUNCTIONS`).

:func:`call_vector` evaluates a call over the rows of a dataset; :func:`call_scalar` evaluates a
data-free call inside a binding expression (``let``, import dates, ``++``). Both check the name
and the number of arguments and give label functions the label set of their first argument.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

import pandas as pd

from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.expr import EvalEnv


def function_spec(expr: ast.Call) -> Any:
    """The spec of the function a call names, with a "did you mean" error when unknown."""
    from mdlang.engine.functions import FUNCTIONS

    spec = FUNCTIONS.get(expr.name)
    if spec is None:
        close = difflib.get_close_matches(expr.name, list(FUNCTIONS), n=1)
        raise MdlRuntimeError(
            f"unknown function {expr.name}()",
            expr.span,
            hint=f"did you mean {close[0]}()?" if close else "see help-function for the list of functions",
        )
    n = len(expr.args)
    if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
        raise MdlRuntimeError(
            f"{expr.name}() takes {_arity(spec)}, not {n}",
            expr.span,
            hint=f"write it as {spec.signature}",
        )
    return spec


def _arity(spec: Any) -> str:
    lo, hi = spec.min_args, spec.max_args
    if hi is None:
        return f"at least {lo} argument{'s' if lo != 1 else ''}"
    if lo == hi:
        return f"{lo} argument{'s' if lo != 1 else ''}"
    return f"{lo} to {hi} arguments"


def call_vector(expr: ast.Call, env: EvalEnv) -> Any:
    """Evaluate a function call over every row of ``env.frame``."""
    from mdlang.engine.expr import evaluate, materialise
    from mdlang.engine.functions_args import TAKES_CATEGORIES

    spec = function_spec(expr)
    args = [evaluate(a, env) for a in expr.args]
    # a function that works per category gets a coded column as it is (a few hundred
    # categories instead of millions of decoded strings); it materialises what it cannot use
    keep_first = getattr(spec.impl, TAKES_CATEGORIES, False)
    args = [a if (i == 0 and keep_first) else materialise(a) for i, a in enumerate(args)]
    kwargs: dict[str, Any] = {}
    if spec.needs_labels:
        first = expr.args[0] if expr.args else None
        kwargs["labels"] = env.labels(first.name) if isinstance(first, ast.Name) else None
    if spec.needs_bindings:
        kwargs["bindings"] = {}
    result = _invoke(spec, expr, args, kwargs)
    if isinstance(result, pd.Series) and len(result) != env.nrows:
        raise MdlRuntimeError(f"internal error: {expr.name}() returned the wrong number of rows", expr.span)
    return result


def call_scalar(expr: ast.Call, args: list[Any]) -> Any:
    """Evaluate a data-free call (binding expressions)."""
    spec = function_spec(expr)
    if not spec.binding_ok:
        raise MdlRuntimeError(
            f"{expr.name}() needs data and cannot be used in a binding expression",
            expr.span,
            hint="use it in generate or replace instead",
        )
    kwargs: dict[str, Any] = {}
    if spec.needs_labels:
        kwargs["labels"] = None
    return _invoke(spec, expr, args, kwargs)


def _invoke(spec: Any, expr: ast.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        return spec.impl(*args, **kwargs)
    except MdlRuntimeError as err:
        err.located(span=expr.span)
        raise
