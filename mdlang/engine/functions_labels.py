"""Label functions: they look at the code list (code → label) of their first argument's
variable, which the evaluator passes as the keyword ``labels``.

``label_to_code`` gives one code (a scalar, whatever the first argument): the first code in
code-list order whose label is the given text, as a number for a numeric variable (register
code lists write codes as text) and as text for a text variable. ``inlabels`` and ``labelcontains`` are filters
like ``inlist``: 1/0 per row, missing where the variable is missing. Label comparisons are exact
and case-sensitive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mdlang.engine.functions_args import is_text, text
from mdlang.engine.functions_logic import inlist
from mdlang.engine.functions_spec import FunctionSpec
from mdlang.engine.values import format_number
from mdlang.errors import MdlRuntimeError

GROUP = "labels"


def _require(fname: str, labels: Mapping[Any, str] | None) -> Mapping[Any, str]:
    if not labels:
        raise MdlRuntimeError(
            f"{fname}() needs a variable with labels as argument 1, and this one has none",
            hint="give it labels with define-labels and assign-labels, or use a coded register variable",
        )
    return labels


def _label_text(fname: str, pos: int, value: Any) -> str:
    label = text(fname, pos, value)
    if not isinstance(label, str):
        raise MdlRuntimeError(
            f"{fname}() needs a label in quotes as argument {pos}",
            hint='write the label as text, e.g. "Mann"',
        )
    return label


def _as_code_of(var: Any, code: Any) -> Any:
    """A code in the value type of the variable (text codes for text variables)."""
    if is_text(var):
        return code if isinstance(code, str) else format_number(code)
    if isinstance(code, str):
        try:
            return float(code)
        except ValueError:
            return None
    return code


def label_to_code(var: Any, label: Any, *, labels: Mapping[Any, str] | None = None) -> Any:
    """``label_to_code(var, "Label")``: the code that carries the label."""
    code_list = _require("label_to_code", labels)
    wanted = _label_text("label_to_code", 2, label)
    for code, text_of_code in code_list.items():
        if text_of_code == wanted:
            converted = _as_code_of(var, code)
            if isinstance(converted, float) and converted.is_integer():
                return int(converted)
            return code if converted is None else converted
    raise MdlRuntimeError(
        f"label_to_code(): the label '{wanted}' is not in the code list of this variable",
        hint="list-labels shows the code list; labels must match exactly, capitals included",
    )


def inlabels(var: Any, *wanted: Any, labels: Mapping[Any, str] | None = None) -> Any:
    """``inlabels(var, "L1", ...)``: 1 when the variable's label is one of the given ones."""
    code_list = _require("inlabels", labels)
    by_label: dict[str, list[Any]] = {}
    for code, label in code_list.items():
        by_label.setdefault(label, []).append(code)
    codes: list[Any] = []
    for pos, value in enumerate(wanted, start=2):
        label = _label_text("inlabels", pos, value)
        if label not in by_label:
            raise MdlRuntimeError(
                f"inlabels(): the label '{label}' is not in the code list of this variable",
                hint="list-labels shows the code list; labels must match exactly, capitals included",
            )
        codes.extend(by_label[label])
    return _in_codes(var, codes)


def labelcontains(var: Any, part: Any, *, labels: Mapping[Any, str] | None = None) -> Any:
    """``labelcontains(var, "text")``: 1 when the variable's label contains the text."""
    code_list = _require("labelcontains", labels)
    needle = _label_text("labelcontains", 2, part)
    codes = [code for code, label in code_list.items() if needle in label]
    return _in_codes(var, codes)


def _in_codes(var: Any, codes: list[Any]) -> Any:
    converted = [c for c in (_as_code_of(var, code) for code in codes) if c is not None]
    return inlist(var, *converted)


SPECS = [
    FunctionSpec(
        "label_to_code", GROUP, 'label_to_code(var, "label")', 2, 2, label_to_code, "same",
        "The code that has the given label in the code list of var, so that a script can "
        "name categories by their labels: label_to_code(kjønn, \"Mann\") is '1'. It is an "
        "error when no code has that label; if several have it, the first in the code list "
        "is used.",
        'keep if kjønn == label_to_code(kjønn, "Mann")',
        binding_ok=False, needs_labels=True,
    ),
    FunctionSpec(
        "inlabels", GROUP, 'inlabels(var, "label1", "label2", ...)', 2, None, inlabels, "number",
        "1 if the label of var's value is one of the given labels, else 0 (missing where var "
        "is missing). Every label must be in var's code list, exactly as written there; "
        "otherwise the command stops with an error.",
        'keep if inlabels(sivstand, "Gift", "Registrert partner")',
        binding_ok=False, needs_labels=True,
    ),
    FunctionSpec(
        "labelcontains", GROUP, 'labelcontains(var, "text")', 2, 2, labelcontains, "number",
        "1 if the label of var's value contains the given text (capitals must match), else 0; "
        "missing where var is missing.",
        'generate helse = labelcontains(næring, "helse")',
        binding_ok=False, needs_labels=True,
    ),
]
