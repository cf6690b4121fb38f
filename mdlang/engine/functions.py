"""The function library of the expression language: :data:`FUNCTIONS` maps each function name to
its :class:`FunctionSpec` (language.md §4.3).

How the evaluator calls a function: ``spec.impl(*args)``, each argument a Python scalar (int,
float, str; None for missing) or a pandas Series (all aligned on one index; numbers as float64
with NaN or a nullable dtype, text as ``"str"``/object with NA, or a Categorical). The result
is a Series on the same index when any argument is a Series, else a scalar — except
``label_to_code``, which always gives one code, and ``pi``, which takes no arguments. Numeric
results are float64 with NaN for missing (anything not finite is missing); 1/0 results are
numbers. Label functions (``spec.needs_labels``) get the keyword ``labels``: the code → label
mapping of their first argument's variable (None when it has none). ``bind``
(``spec.needs_bindings``) gets the keyword ``bindings`` (name → value), or the evaluator calls
:func:`resolve_bind` itself. Wrong argument types raise :class:`mdlang.errors.MdlRuntimeError`
naming the function and the argument; the caller adds the position in the script.

The implementations live in one module per group (``functions_dates``, ``functions_math`` …);
:func:`call` checks the number of arguments and calls one by name, for callers that have no
AST at hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mdlang.engine import (
    functions_bindings,
    functions_dates,
    functions_distributions,
    functions_labels,
    functions_logic,
    functions_math,
    functions_rows,
    functions_strings,
)
from mdlang.engine.functions_bindings import resolve_bind
from mdlang.engine.functions_spec import FunctionSpec
from mdlang.errors import MdlRuntimeError

__all__ = ["FUNCTIONS", "GROUPS", "FunctionSpec", "call", "resolve_bind"]

#: Group names in the order the function reference shows them.
GROUPS: tuple[str, ...] = (
    "dates", "distributions", "math", "rows", "strings", "logic", "labels", "bindings",
)

FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for module in (
        functions_dates,
        functions_distributions,
        functions_math,
        functions_rows,
        functions_strings,
        functions_logic,
        functions_labels,
        functions_bindings,
    )
    for spec in module.SPECS
}


def arity_text(spec: FunctionSpec) -> str:
    """How many arguments a function takes, in words ("2 arguments", "1 to 3 arguments")."""
    lo, hi = spec.min_args, spec.max_args
    plural = "s" if (hi if hi is not None else lo) != 1 else ""
    if hi is None:
        return f"at least {lo} argument{'s' if lo != 1 else ''}"
    if lo == hi:
        return f"{lo} argument{plural}"
    return f"{lo} to {hi} arguments"


def call(
    name: str,
    *args: Any,
    labels: Mapping[Any, str] | None = None,
    bindings: Mapping[str, Any] | None = None,
) -> Any:
    """Call the function ``name`` after checking that it exists and how many arguments it got."""
    spec = FUNCTIONS.get(name)
    if spec is None:
        raise MdlRuntimeError(f"unknown function {name}()", hint="help-function lists every function")
    n = len(args)
    if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
        raise MdlRuntimeError(
            f"{name}() takes {arity_text(spec)}, not {n}",
            hint=f"write it as {spec.signature}",
        )
    kwargs: dict[str, Any] = {}
    if spec.needs_labels:
        kwargs["labels"] = labels
    if spec.needs_bindings:
        kwargs["bindings"] = bindings or {}
    return spec.impl(*args, **kwargs)
