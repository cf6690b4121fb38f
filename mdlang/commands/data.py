"""Engine handlers that change variables and units: ``generate``, ``replace``, ``drop``,
``keep``, ``rename``, ``clone-variables``, ``recode``, ``destring`` and ``sample`` (recode's rules live in
:mod:`mdlang.engine.recoding`). ``keep if``, ``drop if`` and ``sample`` pass the dataset floor of
the gate (D12) before the dataset changes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mdlang.commands.registry import handler
from mdlang.engine import bindings as b
from mdlang.engine.dataset import Dataset
from mdlang.engine.expr import (
    as_text,
    column,
    condition_mask,
    evaluate_column,
    is_text,
    unknown_variable,
)
from mdlang.engine.imports import lookup, unique_sorted
from mdlang.errors import MdlRuntimeError, Span
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


def var_name(ds: Dataset, node: ast.Expr, *, must_exist: bool = True) -> str:
    """The variable a name position holds, checked against the dataset."""
    name = b.name_of(node, "a variable name")
    if must_exist and not ds.has(name):
        if name == ds.id_name:
            raise MdlRuntimeError(
                f"{name} is the unit identifier and cannot be changed", node.span,
                hint="the identifier is kept automatically",
            )
        raise unknown_variable(name, ds.variables, node.span)
    return name


def check_new(ds: Dataset, name: str, span: Span | None) -> None:
    """Creating a variable whose name exists is an error (language.md §7.4)."""
    if ds.has(name) or name == ds.id_name:
        raise MdlRuntimeError(
            f"the variable {name} already exists",
            span,
            hint=f"use replace {name} = … to change it, or drop {name} first",
        )
    if not b.values.is_valid_name(name.replace("@", "_")):
        raise MdlRuntimeError(
            f"{name} is not a valid variable name", span, hint="start with a letter; use letters, digits and _"
        )


def option(stmt: Any, name: str) -> ast.Option | None:
    """The option of that name written on a statement, if any."""
    for opt in getattr(stmt, "options", ()):
        if opt.name == name:
            return opt
    return None


def option_text(stmt: Any, name: str) -> str | None:
    """The single text or name argument of an option such as ``prefix(new_)``."""
    opt = option(stmt, name)
    if opt is None:
        return None
    if not opt.args or len(opt.args) != 1:
        raise MdlRuntimeError(f"{name}() takes one value", opt.span, hint=f"write {name}(text)")
    arg = opt.args[0]
    if isinstance(arg, ast.String):
        return arg.value
    if isinstance(arg, ast.Name):
        return arg.name
    if isinstance(arg, ast.Number):
        return b.values.format_number(arg.value)
    raise MdlRuntimeError(f"{name}() takes a text", opt.span, hint=f"write {name}('text')")


# -- generate / replace -----------------------------------------------------------------------


@handler("generate")
def generate(session: Session, stmt: ast.Generate) -> list[Result]:
    """Create a variable; rows where the ``if`` condition fails get missing."""
    if stmt.name == "replace":
        return replace(session, stmt)
    ds = session.active_dataset(stmt.span)
    name = b.name_of(stmt.target, "a variable name")
    check_new(ds, name, stmt.target.span)
    env = session.env(ds)
    mask = None if stmt.condition is None else condition_mask(stmt.condition, env)
    if isinstance(stmt.expr, ast.Name):
        values = column(stmt.expr.name, env, stmt.expr).copy()
        ds.copy_meta(stmt.expr.name, name)
    else:
        values = evaluate_column(stmt.expr, env)
    if mask is not None:
        values = values.where(mask)
    ds.set_column(name, values)
    return []


@handler("replace")
def replace(session: Session, stmt: ast.Generate) -> list[Result]:
    """Change a variable where the ``if`` condition holds (others unchanged)."""
    ds = session.active_dataset(stmt.span)
    name = var_name(ds, stmt.target)
    env = session.env(ds)
    column(name, env, stmt.target)  # D1: identifiers and links cannot be replaced
    old = ds.frame[name]
    if isinstance(stmt.expr, ast.Missing):
        # "." fits either type: the variable keeps its type and gets missing where selected
        mask = condition_mask(stmt.condition, env)
        ds.set_column(name, old.where(~mask))
        return []
    new = evaluate_column(stmt.expr, env)
    if stmt.condition is None:
        if isinstance(old.dtype, pd.CategoricalDtype) and is_text(new) and is_text(old):
            new = new.astype("category")
        ds.set_column(name, new)
        return []
    mask = condition_mask(stmt.condition, env)
    if is_text(new) != is_text(old):
        raise MdlRuntimeError(
            f"replace … if cannot change the type of {name} ({'text' if is_text(old) else 'numeric'})",
            stmt.span,
            hint="replace without if to change the type, or convert with string() or destring",
        )
    if isinstance(old.dtype, pd.CategoricalDtype):
        old = as_text(old) if is_text(old) else old.astype("float64")
    merged = old.where(~mask, new)
    if isinstance(ds.frame[name].dtype, pd.CategoricalDtype) and is_text(merged):
        merged = merged.astype("category")
    ds.set_column(name, merged)
    return []


@handler("recode")
def recode(session: Session, stmt: ast.Recode) -> list[Result]:
    """Recode variables by rules (see :mod:`mdlang.engine.recoding`)."""
    from mdlang.engine.recoding import recode as run

    return run(session, stmt)


# -- keep / drop ------------------------------------------------------------------------------


def _variables(ds: Dataset, nodes: tuple[ast.Expr, ...]) -> list[str]:
    names = [var_name(ds, n) for n in nodes]
    return list(dict.fromkeys(names))


def _filter(session: Session, stmt: ast.Command, keep: bool) -> list[Result]:
    ds = session.active_dataset(stmt.span)
    if stmt.args:
        raise MdlRuntimeError(
            f"{stmt.name} takes either variables or an if condition, not both",
            stmt.span,
            hint=f"split it into two commands: {stmt.name} VARIABLES, then {stmt.name} if CONDITION",
        )
    mask = condition_mask(stmt.condition, session.env(ds))
    rows = mask if keep else ~mask
    if rows.all():
        return []
    gate = session.gate_for(ds)
    kept = ds.contributors.take(rows)
    _stop_if_refused(gate.check_floor(kept, stmt.name, stmt.span.line), stmt)
    ds.keep_rows(rows, kept)
    return []


def _stop_if_refused(refusal: Result | None, stmt: ast.Statement) -> None:
    """A population change withheld by the dataset floor (D12) stops the script: every later
    result would otherwise silently describe the unfiltered population. The gate has already
    logged the refusal; its fixed text (no data-derived numbers) becomes the error."""
    if refusal is None:
        return
    raise MdlRuntimeError(
        str(refusal.data.get("text") or "the population change was withheld by disclosure control"),
        stmt.span,
        hint=str(refusal.data.get("remedy") or "") or None,
    )


@handler("keep")
def keep(session: Session, stmt: ast.Command) -> list[Result]:
    """Keep the listed variables, or the units where the condition holds."""
    if stmt.condition is not None:
        return _filter(session, stmt, keep=True)
    ds = session.active_dataset(stmt.span)
    if not stmt.args:
        raise MdlRuntimeError("keep needs variables or an if condition", stmt.span, hint="write keep x y, or keep if x > 0")
    wanted = set(_variables(ds, stmt.args))
    ds.drop_columns([c for c in ds.variables if c not in wanted])
    return []


@handler("drop")
def drop(session: Session, stmt: ast.Command) -> list[Result]:
    """Drop the listed variables, or the units where the condition holds."""
    if stmt.condition is not None:
        return _filter(session, stmt, keep=False)
    ds = session.active_dataset(stmt.span)
    if not stmt.args:
        raise MdlRuntimeError("drop needs variables or an if condition", stmt.span, hint="write drop x y, or drop if x > 0")
    ds.drop_columns(_variables(ds, stmt.args))
    return []


# -- rename / clone-variables -----------------------------------------------------------------


@handler("rename")
def rename(session: Session, stmt: ast.Command) -> list[Result]:
    """Rename a variable."""
    ds = session.active_dataset(stmt.span)
    if len(stmt.args) != 2:
        raise MdlRuntimeError("rename takes two names", stmt.span, hint="write: rename OLD NEW")
    old = var_name(ds, stmt.args[0])
    new = b.name_of(stmt.args[1], "a variable name")
    check_new(ds, new, stmt.args[1].span)
    ds.rename_column(old, new)
    return []


@handler("clone-variables")
def clone_variables(session: Session, stmt: ast.CloneVariables) -> list[Result]:
    """Copy variables under explicit names (``a -> b``) or with ``prefix()``/``suffix()``."""
    ds = session.active_dataset(stmt.span)
    prefix = option_text(stmt, "prefix") or ""
    suffix = option_text(stmt, "suffix") or ""
    env = session.env(ds)
    for item in stmt.items:
        source = var_name(ds, item.source)
        column(source, env, item.source)
        if item.target is not None:
            target = b.name_of(item.target, "a variable name")
        elif prefix or suffix:
            target = f"{prefix}{source}{suffix}"
        else:
            raise MdlRuntimeError(
                f"no new name for the copy of {source}",
                item.span,
                hint=f"write {source} -> newname, or give prefix() or suffix()",
            )
        check_new(ds, target, item.span)
        ds.set_column(target, ds.frame[source].copy())
        ds.copy_meta(source, target)
    return []


# -- destring ---------------------------------------------------------------------------------


@handler("destring")
def destring(session: Session, stmt: ast.Command) -> list[Result]:
    """Turn text variables into numbers (``prefix()``, ``ignore()``, ``force``, ``dpcomma``)."""
    ds = session.active_dataset(stmt.span)
    if not stmt.args:
        raise MdlRuntimeError("destring needs variables", stmt.span, hint="write: destring x y")
    prefix = option_text(stmt, "prefix")
    ignore = option_text(stmt, "ignore")
    force = option(stmt, "force") is not None
    dpcomma = option(stmt, "dpcomma") is not None
    env = session.env(ds)
    results: dict[str, pd.Series] = {}
    for node in stmt.args:
        name = var_name(ds, node)
        col = column(name, env, node)
        if not is_text(col):
            raise MdlRuntimeError(f"{name} is already numeric", node.span, hint="remove it from the destring list")
        text = as_text(col)
        if ignore:
            text = text.str.replace(f"[{re.escape(ignore)}]", "", regex=True)
        if dpcomma:
            text = text.str.replace(",", ".", regex=False)
        text = text.str.strip()
        numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
        bad = text.notna().to_numpy() & (text != "").to_numpy() & numbers.isna().to_numpy()
        if bad.any() and not force:
            raise MdlRuntimeError(
                f"{name} has values that are not numbers",
                node.span,
                hint="add force to turn them into missing, or ignore('…') to remove characters first",
            )
        target = f"{prefix}{name}" if prefix else name
        if prefix:
            check_new(ds, target, node.span)
        results[name] = numbers
        labels = ds.code_labels.get(name)
        if labels:
            converted = _numeric_labels(labels)
            ds.code_labels[target] = converted
    for name, numbers in results.items():
        target = f"{prefix}{name}" if prefix else name
        ds.set_column(target, numbers)
        if not prefix:
            ds.register.pop(name, None)
    return []


def _numeric_labels(labels: dict[Any, str]) -> dict[Any, str]:
    out: dict[Any, str] = {}
    for code, label in labels.items():
        try:
            number = float(code)
        except (TypeError, ValueError):
            continue
        out[int(number) if number.is_integer() else number] = label
    return out


# -- sample -----------------------------------------------------------------------------------

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _order_keys(keys: np.ndarray, seed: int) -> np.ndarray:
    """A seed-dependent scramble of record keys (splitmix64 finaliser)."""
    with np.errstate(over="ignore"):
        z = keys.astype(np.uint64) ^ (np.uint64(seed) * _MIX)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _number(node: ast.Expr) -> int | float:
    if isinstance(node, ast.Number):
        return node.value
    raise MdlRuntimeError("sample takes numbers", getattr(node, "span", None), hint="write: sample 5000 123 or sample 0.1 123")


@handler("sample")
def sample(session: Session, stmt: ast.Command) -> list[Result]:
    """Keep a random sample of units: a count above the floor or a fraction in (0, 1), and a
    seed. The same dataset, size and seed always give the same units."""
    ds = session.active_dataset(stmt.span)
    if len(stmt.args) != 2:
        raise MdlRuntimeError("sample takes a size and a seed", stmt.span, hint="write: sample 5000 123 or sample 0.1 123")
    size, seed = _number(stmt.args[0]), _number(stmt.args[1])
    if not (isinstance(seed, int) and seed >= 1):
        raise MdlRuntimeError("the seed of sample must be a whole number of at least 1", stmt.args[1].span, hint="write e.g. sample 0.1 123")
    gate = session.gate_for(ds)
    floor = int(getattr(getattr(gate, "policy", None), "dataset_floor", 1000))
    units = unique_sorted(ds.ids)
    if isinstance(size, int) or (isinstance(size, float) and size.is_integer() and size >= 1):
        count = int(size)
        if count <= floor:
            raise MdlRuntimeError(
                f"a sample size given as a count must be above the dataset floor of {floor} units",
                stmt.args[0].span,
                hint="ask for more units, or give a fraction between 0 and 1",
            )
    elif 0 < size < 1:
        count = int(round(size * len(units)))
    else:
        raise MdlRuntimeError(
            "a sample fraction must lie between 0 and 1", stmt.args[0].span, hint="write e.g. sample 0.25 123"
        )
    if count >= len(units):
        return []
    keys = _order_keys(gate.record_keys(units), seed)
    chosen = units[np.sort(np.argpartition(keys, count - 1)[:count])] if count > 0 else units[:0]
    rows = lookup(chosen, ds.ids) >= 0
    _stop_if_refused(gate.check_floor(ds.contributors.take(rows), "sample", stmt.span.line), stmt)
    ds.keep_rows(rows)
    return []
