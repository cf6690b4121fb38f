"""Shared helpers of the graphics commands: arguments, options, categories and the release.

Categories come from the whole active dataset (not the selected rows), so which bars or panels a
figure has never tells which categories the selected persons have; a category whose released
count is suppressed is left out of the figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError, Span
from mdlang.results import Result
from mdlang.syntax import ast


def span_of(node: Any) -> Span | None:
    """The node's position, when it has a real one."""
    span = getattr(node, "span", None)
    return span if span is not None and span.line else None


def variable_name(ctx: AnalysisContext, expr: ast.Expr, command: str) -> str:
    """The name of a variable argument, checked to exist in the active dataset."""
    if isinstance(expr, ast.Name):
        name = expr.name
    elif isinstance(expr, ast.String):
        name = expr.value
    else:
        raise MdlRuntimeError(
            "expected a variable name here", span_of(expr), hint="write the variable's name"
        )
    if name not in ctx.variables:
        raise MdlRuntimeError(
            f"{name} is not a variable of the active dataset",
            span_of(expr),
            hint=f"import or generate {name} before {command}, or check the spelling",
        )
    return name


def options(stmt: ast.Command) -> dict[str, ast.Option]:
    """The statement's options by name."""
    return {opt.name: opt for opt in stmt.options}


def option_vars(ctx: AnalysisContext, opt: ast.Option | None, command: str) -> list[str]:
    """The variables named inside an option such as ``over(a b)`` or ``by(a)``."""
    if opt is None or not opt.args:
        return []
    return [variable_name(ctx, e, command) for e in opt.args]


def number_option(opt: ast.Option, command: str, *, integer: bool) -> float:
    """The one positive number inside an option such as ``bin(20)`` or ``width(0.5)``."""
    args = opt.args or ()
    ok = len(args) == 1 and isinstance(args[0], ast.Number) and args[0].value > 0
    if ok and integer and not float(args[0].value).is_integer():
        ok = False
    if not ok:
        what = "whole number" if integer else "number"
        raise MdlRuntimeError(
            f"{opt.name}() needs one positive {what}",
            span_of(opt),
            hint=f"for example: {command} x, {opt.name}(10)",
        )
    return float(args[0].value)


def require_numeric(ctx: AnalysisContext, name: str, command: str, node: Any) -> None:
    """An error when a variable is not numeric."""
    if not ctx.variables[name].numeric:
        raise MdlRuntimeError(
            f"{command} needs a numeric variable; {name} holds text",
            span_of(node),
            hint=f"convert it with destring {name}, or choose a numeric variable",
        )


def selected(ctx: AnalysisContext) -> np.ndarray:
    """The rows chosen by the command's ``if`` as a boolean array."""
    if ctx.mask is None:
        return np.ones(len(ctx.frame), dtype=bool)
    return np.asarray(ctx.mask, dtype=bool)


def numeric_values(ctx: AnalysisContext, name: str) -> np.ndarray:
    """The whole column as float64 (NaN = missing)."""
    return pd.to_numeric(ctx.frame[name], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )


@dataclass(frozen=True)
class Factor:
    """A variable's rows as category numbers (-1 = missing) and its category labels in order."""

    name: str
    codes: np.ndarray
    labels: list[str]


def factor(ctx: AnalysisContext, name: str) -> Factor:
    """The categories of a variable over the whole dataset, labelled from its code list."""
    series = ctx.frame[name]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cats = list(series.cat.categories)
        present = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        remap = np.cumsum(present) - 1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        cats = [c for c, p in zip(cats, present, strict=True) if p]
    else:
        raw, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
        codes, cats = raw.astype(np.int64), list(uniques)
    from mdlang.commands.describe import pool_rare_values  # values as labels: the tables' rule

    codes, cats = pool_rare_values(ctx, name, codes, cats)
    info = ctx.variables.get(name)
    labels = info.labels if info is not None else None
    return Factor(name, codes, [label_of(c, labels) for c in cats])


def label_of(value: Any, labels: Any) -> str:
    """The label of a code (the code itself when it has none)."""
    text = fmt(value)
    if labels:
        for key in (value, text, str(value)):
            if key in labels:
                return str(labels[key])
    return text


def fmt(value: Any) -> str:
    """A code as text (whole floats without ``.0``)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def joint(factors: list[Factor]) -> Factor:
    """The combinations of several factors as one (labels joined with ``", "``)."""
    if len(factors) == 1:
        return factors[0]
    codes = np.zeros(len(factors[0].codes), dtype=np.int64)
    labels = [""]
    valid = np.ones(len(codes), dtype=bool)
    for f in factors:
        valid &= f.codes >= 0
        codes = codes * len(f.labels) + np.maximum(f.codes, 0)
        labels = [f"{a}, {b}" if a else b for a in labels for b in f.labels]
    return Factor(" × ".join(f.name for f in factors), np.where(valid, codes, -1), labels)


def within(codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Codes kept only on the given rows (-1 elsewhere)."""
    return np.where(rows, codes, -1)


def is_number(value: Any) -> bool:
    """True for a released number (not a marker, not None)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def threshold_note(ctx: AnalysisContext, what: str) -> str:
    """The note on counts: noise bound, and that parts below T are left out."""
    pol = ctx.gate.policy
    return (
        f"Counts are perturbed (cell-key noise, |noise| <= {pol.noise_bound}); {what} with fewer than "
        f"{pol.threshold} persons are left out."
    )


def range_note() -> str:
    """The note on where a numeric axis ends."""
    return (
        "The axis spans the released 1st to 99th percentiles of the whole dataset (micro-aggregated; "
        "5th to 95th when it is small), not the smallest and largest values; values beyond them are "
        "counted at the ends."
    )


def merged_notes(*groups: Sequence[str]) -> list[str]:
    """The notes of several groups in order, each note once."""
    out: list[str] = []
    for group in groups:
        out.extend(n for n in group if n not in out)
    return out


def release_figure(
    ctx: AnalysisContext,
    title: str,
    spec: dict[str, Any],
    notes: list[str],
    cells: int,
    drawn_from: Sequence[str] = (),
) -> Result:
    """The figure as a released result (``files`` are filled in when the figure is written).

    ``drawn_from`` are the notes of the gate's releases the figure was drawn from (e.g.
    :attr:`MagnitudeRelease.notes`, the row-weighting note of D5); they follow the figure's own
    notes, each once, so a figure says what its numbers went through just as a table does.
    """
    return ctx.gate.release(
        ctx.command,
        ctx.line,
        "figure",
        {"title": title, "spec": spec, "files": []},
        merged_notes(notes, drawn_from),
        protections=("threshold", "cell-key noise", "figures from released aggregates"),
        cells=cells,
    )


def class_withheld(
    ctx: AnalysisContext, dims: list[Factor], rows: np.ndarray
) -> tuple[list[bool], bool]:
    """D13 for count figures: which cells (the product of ``dims`` in order, last fastest) are
    withheld because their group is broken down by a sensitive variable while its released
    count is below G; also whether the rule applied at all.

    A group is a combination of the categories of the non-sensitive dimensions (the whole
    selection when every dimension is sensitive), decided on released counts only.
    """
    pol = ctx.gate.policy
    sensitive = [
        bool(d.name and d.name in ctx.variables and ctx.variables[d.name].sensitive) for d in dims
    ]
    n_cells = int(np.prod([len(d.labels) for d in dims]))
    if not (pol.class_disclosure and any(sensitive)):
        return [False] * n_cells, False
    valid = rows.copy()
    for d in dims:
        valid &= d.codes >= 0
    group = np.zeros(len(rows), dtype=np.int64)
    n_groups = 1
    for d, sens in zip(dims, sensitive, strict=True):
        if not sens:
            group = group * len(d.labels) + np.maximum(d.codes, 0)
            n_groups *= len(d.labels)
    totals = ctx.gate.protect_counts(np.where(valid, group, -1), n_groups, ctx.contributors)
    small = [isinstance(t, str) or t < pol.class_group for t in totals]
    out = []
    for cell in range(n_cells):
        rest, g = cell, 0
        parts = []
        for d in reversed(dims):
            parts.append(rest % len(d.labels))
            rest //= len(d.labels)
        parts.reverse()
        for part, d, sens in zip(parts, dims, sensitive, strict=True):
            if not sens:
                g = g * len(d.labels) + part
        out.append(small[g])
    return out, True


def class_note(ctx: AnalysisContext) -> str:
    """The note of the class-disclosure rule (D13)."""
    return (
        f"x: withheld by the class-disclosure rule (groups of fewer than {ctx.gate.policy.class_group} "
        "persons are not broken down by a sensitive variable)."
    )
