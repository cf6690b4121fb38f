"""The ``recode`` command (registered in :mod:`mdlang.commands.data`): rules applied in order, the first matching rule wins.

A rule's left side lists values, intervals ``a/b`` (numbers only; ``min``/``max`` as ends) or the
words ``missing``, ``nonmissing``, ``*``; the right side is the new value, optionally followed by
a label for the new code and the flag ``missing`` (the units get the missing value). Values no
rule matches stay as they were. ``prefix()`` or ``generate()`` write new variables instead of
overwriting; in new variables, units outside the ``if`` condition are missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mdlang.engine import bindings as b
from mdlang.engine.expr import as_numbers, as_text, column, condition_mask, is_text
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


def literal(node: ast.Expr | str) -> Any:
    """The value of a literal in a rule: a number, a text or None for ``.``."""
    if isinstance(node, ast.Number):
        return node.value
    if isinstance(node, ast.String):
        return node.value
    if isinstance(node, ast.Missing):
        return None
    if isinstance(node, ast.Unary) and node.op == "-" and isinstance(node.operand, ast.Number):
        return -node.operand.value
    raise MdlRuntimeError(
        "recode rules take plain values", getattr(node, "span", None), hint="write values such as 1 or '01'"
    )


def _check_type(value: Any, text: bool, var: str, node: Any) -> None:
    if value is None:
        return
    if isinstance(value, str) != text:
        if text:
            hint = f"{var} is alphanumeric: quote the value, '{b.values.format_number(value)}'"
        else:
            hint = f"{var} is numeric: write the value without quotes, {value}"
        raise MdlRuntimeError(
            f"the value {value!r} does not match the type of {var}", getattr(node, "span", None), hint=hint
        )


def rule_match(rule: ast.RecodeRule, values: pd.Series, text: bool, var: str) -> np.ndarray:
    """Rows whose value the left side of ``rule`` matches."""
    out = np.zeros(len(values), dtype=bool)
    isna = values.isna().to_numpy()
    for item in rule.lhs:
        if item == "missing":
            out |= isna
        elif item == "nonmissing":
            out |= ~isna
        elif item == "*":
            out |= True
        elif isinstance(item, ast.Interval):
            if text:
                raise MdlRuntimeError(
                    f"intervals need a numeric variable, but {var} is alphanumeric",
                    item.span,
                    hint="list the codes one by one, e.g. ('1' '2' '3' = '0')",
                )
            lo = -np.inf if item.low == "min" else literal(item.low)
            hi = np.inf if item.high == "max" else literal(item.high)
            for end in (lo, hi):
                _check_type(end, False, var, item)
            arr = values.to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                out |= (arr >= lo) & (arr <= hi)
        else:
            value = literal(item)
            _check_type(value, text, var, item)
            if value is None:
                out |= isna
            else:
                out |= (values == value).fillna(False).to_numpy(dtype=bool)
    return out


def recode_series(
    values: pd.Series, rules: tuple[ast.RecodeRule, ...], selected: np.ndarray, text: bool, var: str
) -> tuple[pd.Series, dict[Any, str]]:
    """Apply the rules to ``values`` on the selected rows; return the new values and new labels.

    A register column holds few distinct values on millions of rows, so the rules are matched on
    the distinct values (and missing) and the outcome is spread out by row; a column of mostly
    distinct values is matched row by row.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) * 4 > len(values):
        return _recode_rows(values, rules, selected, text, var)
    return _recode_distinct(values, codes, uniques, rules, selected, text, var)


def _recode_distinct(
    values: pd.Series,
    codes: np.ndarray,
    uniques: Any,
    rules: tuple[ast.RecodeRule, ...],
    selected: np.ndarray,
    text: bool,
    var: str,
) -> tuple[pd.Series, dict[Any, str]]:
    """:func:`recode_series` by distinct value: ``codes`` index ``uniques`` (-1 = missing)."""
    n_distinct = len(uniques)
    missing_value: Any = None if text else np.nan
    distinct = pd.Series([*list(uniques), missing_value], dtype="str" if text else "float64")
    slot = np.where(codes < 0, n_distinct, codes)
    # what each distinct value becomes on a selected row; the first matching rule wins
    new = distinct.to_numpy(dtype=object if text else "float64", copy=True)
    if text:
        new = np.where(distinct.isna().to_numpy(), None, new)
    done = np.zeros(n_distinct + 1, dtype=bool)
    labels: dict[Any, str] = {}
    for rule in rules:
        hit = rule_match(rule, distinct, text, var) & ~done
        rhs = literal(rule.rhs)
        _check_type(rhs, text, var, rule.rhs)
        new[hit] = (None if text else np.nan) if (rule.missing or rhs is None) else rhs
        if rule.label is not None and rhs is not None:
            labels[rhs] = rule.label
        done |= hit
    if not text:
        result = values.to_numpy(dtype="float64", copy=True)
        change = np.asarray(selected, dtype=bool) & done[slot]
        result[change] = new[slot[change]]
        return pd.Series(result, dtype="float64"), labels
    import pyarrow as pa

    from mdlang.engine.context import remember_codes
    from mdlang.engine.functions_args import TEXT_TYPE, text_out

    old = distinct.to_numpy(dtype=object)
    old = np.where(distinct.isna().to_numpy(), None, old)
    # one dictionary of the outcomes on selected rows, then the unchanged values for the others
    entries = [*new.tolist(), *old.tolist()]
    dictionary = pa.array(entries, type=TEXT_TYPE)
    pick = np.where(np.asarray(selected, dtype=bool), slot, slot + n_distinct + 1)
    out = text_out(dictionary.take(pa.array(pick)), pd.RangeIndex(len(values)))
    # the result's sorted factorisation, from the few dictionary entries that occur
    used = np.bincount(pick, minlength=len(entries)) > 0
    uniques = sorted({v for v, u in zip(entries, used, strict=True) if u and v is not None})
    rank = {v: i for i, v in enumerate(uniques)}
    entry_codes = np.array([rank.get(v, -1) if v is not None else -1 for v in entries], dtype=np.int64)
    remember_codes(out.array, entry_codes[pick], uniques)
    return out, labels


def _recode_rows(
    values: pd.Series, rules: tuple[ast.RecodeRule, ...], selected: np.ndarray, text: bool, var: str
) -> tuple[pd.Series, dict[Any, str]]:
    """:func:`recode_series` row by row (a column of mostly distinct values)."""
    result = values.to_numpy(dtype=object if text else "float64", copy=True)
    if text:
        result = np.where(values.isna().to_numpy(), None, result)
    done = ~selected
    labels: dict[Any, str] = {}
    for rule in rules:
        hit = rule_match(rule, values, text, var) & ~done
        rhs = literal(rule.rhs)
        _check_type(rhs, text, var, rule.rhs)
        if rule.missing or rhs is None:
            result[hit] = None if text else np.nan
        else:
            result[hit] = rhs
        if rule.label is not None and rhs is not None:
            labels[rhs] = rule.label
        done |= hit
    series = pd.Series(result, dtype="str" if text else "float64")
    return series, labels


def recode(session: Session, stmt: ast.Recode) -> list[Result]:
    """Recode variables in place, or into new ones with ``prefix()``/``generate()``."""
    from mdlang.commands.data import check_new, option, option_text, var_name

    ds = session.active_dataset(stmt.span)
    env = session.env(ds)
    prefix = option_text(stmt, "prefix")
    gen = option(stmt, "generate")
    names = [var_name(ds, n) for n in stmt.variables]
    if gen is not None:
        targets = [b.name_of(a, "a variable name") for a in (gen.args or ())]
        if len(targets) != len(names):
            raise MdlRuntimeError(
                f"generate() names {len(targets)} variables for {len(names)} recoded ones",
                gen.span,
                hint="give one new name per recoded variable",
            )
    elif prefix:
        targets = [f"{prefix}{n}" for n in names]
    else:
        targets = names
    new_vars = gen is not None or bool(prefix)
    if new_vars:
        for t, node in zip(targets, stmt.variables, strict=True):
            check_new(ds, t, node.span)
    selected = condition_mask(stmt.condition, env)
    for name, target, node in zip(names, targets, stmt.variables, strict=True):
        col = column(name, env, node)
        text = is_text(col)
        plain = as_text(col) if text else as_numbers(col)
        out, labels = recode_series(plain, stmt.rules, selected, text, name)
        if new_vars and stmt.condition is not None:
            out = out.where(selected)
        if isinstance(col.dtype, pd.CategoricalDtype) and text:
            out = out.astype("category")
        old_labels = session.labels_of(ds, name)
        ds.set_column(target, out)
        if new_vars:
            ds.copy_meta(name, target)
        if labels:
            merged = dict(old_labels or {})
            merged.update(labels)
            ds.code_labels[target] = merged
            ds.labelsets.pop(target, None)
    return []
