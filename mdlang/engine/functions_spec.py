"""The description of one function of the expression language (re-exported by
:mod:`mdlang.engine.functions`, where the table of all functions lives)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FunctionSpec:
    """One function of the expression language.

    ``impl(*args)`` takes scalars (int, float, str, None for missing) or pandas Series aligned on
    one index and returns a Series when any argument is a Series, else a scalar. Label functions
    (``needs_labels``) also take the keyword ``labels`` (code → label of the first argument's
    variable, or None when it has none); ``bind`` (``needs_bindings``) takes the keyword
    ``bindings`` (a mapping name → value). ``returns`` is ``"number"``, ``"string"``, ``"same"``
    (the type of the first argument, e.g. the code type of a variable), ``"symbol"`` or ``"any"``
    (``bind``: whatever the binding holds). ``binding_ok`` says whether the function may stand in
    ``let`` and other data-free places.
    """

    name: str
    group: str
    signature: str
    min_args: int
    max_args: int | None
    impl: Callable[..., Any]
    returns: str
    help: str
    example: str
    binding_ok: bool = True
    needs_labels: bool = False
    needs_bindings: bool = False
