"""Rules for commands of the common shape (:class:`ast.Command`): the argument shape of each
command's spec, and what the command does to the scope (datasets, variables, label sets).

Each rule is a function ``rule(ck, spec, stmt)`` chosen by the spec's ``args`` shape; see
:mod:`mdlang.commands.specs_common` for the vocabulary.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from mdlang.commands.registry import CommandSpec
from mdlang.semantics.checker import Checker
from mdlang.semantics.exprs import check_expr
from mdlang.semantics.imports import check_regvar
from mdlang.semantics.options import check_arity, check_options
from mdlang.semantics.scope import UNKNOWN, DatasetScope, is_name_node, static_value
from mdlang.semantics.suggest import did_you_mean
from mdlang.syntax import ast

Rule = Callable[[Checker, CommandSpec, ast.Command], None]

KIND_WORDS = {"cross": "a cross-section", "event": "an event", "panel": "a panel", "empty": "an empty"}


def _line(ck: Checker) -> int:
    return ck.stmt_span.line if ck.stmt_span is not None else 0


def _positional(stmt: ast.Command) -> list[Any]:
    return [a for a in stmt.args if not isinstance(a, ast.Keyword)]


def _options(ck: Checker, spec: CommandSpec, stmt: ast.Command, nvars: int | None = None) -> dict[str, ast.Option]:
    if spec.extra.get("free_options"):
        return {o.name: o for o in stmt.options}
    return check_options(ck, spec, stmt.options, stmt, nvars)


def _names_only(ck: Checker, spec: CommandSpec, items: list[Any]) -> None:
    for item in items:
        if not is_name_node(item):
            ck.report(item, f"{spec.name} expects variable names here", f"write it as: {spec.syntax}")


# --- shapes --------------------------------------------------------------------------------------


def varlist(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """Existing variables (tabulate, summarize, histogram, destring, …)."""
    items = _positional(stmt)
    check_arity(ck, spec, stmt, len(items), "variable")
    _names_only(ck, spec, items)
    for item in items:
        if is_name_node(item):
            check_expr(ck, item)
    _stat(ck, spec, stmt)
    _options(ck, spec, stmt, len(items))
    if stmt.name == "destring":
        given = {o.name: o for o in stmt.options}
        _prefixed(ck, given.get("prefix"), items)


def _stat(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    allowed = spec.extra.get("stats")
    if not allowed:
        return
    if stmt.stat is None:
        ck.report(stmt, f"{spec.name} needs a statistic in parentheses",
                  f"for example: {spec.example}")
    elif stmt.stat not in allowed:
        ck.report(stmt, f"{spec.name} has no statistic {stmt.stat}",
                  did_you_mean(stmt.stat, allowed) or "choose one of " + " ".join(allowed))


def varlist_or_if(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``keep``/``drop``: variables or a condition; tracks what is removed."""
    items = _positional(stmt)
    _options(ck, spec, stmt)
    if items and stmt.condition is not None:
        ck.report(stmt.condition, f"{spec.name} takes either variables or an if condition, not both",
                  f"split it into two commands: {spec.name} VARIABLES and {spec.name} if CONDITION")
    if not items and stmt.condition is None:
        ck.report(stmt, f"{spec.name} needs variables or an if condition", f"write it as: {spec.syntax}")
        return
    if stmt.condition is not None:
        check_expr(ck, stmt.condition)
        return
    _names_only(ck, spec, items)
    names = []
    for item in items:
        if is_name_node(item):
            check_expr(ck, item)
            names.append(ck.name(item))
    ds = ck.scope.dataset
    if ds is None:
        return
    reason = f"was {'dropped' if spec.name == 'drop' else 'left out by keep'} on line {_line(ck)}"
    if spec.name == "drop":
        for name in names:
            if name is not None:
                ds.remove(name, reason)
    elif None in names:
        ds.open = True
    else:
        for var in [v for v in ds.variables if v not in names]:
            ds.remove(var, reason)


def model(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """A model command: terms, options and the variables a ``*-predict`` creates."""
    items = _positional(stmt)
    _model_terms(ck, spec, stmt, items)
    _options(ck, spec, stmt, len(items))
    _predict_outputs(ck, spec, stmt)


def _model_terms(ck: Checker, spec: CommandSpec, stmt: ast.Command, items: list[Any]) -> None:
    blocks = [i for i in items if isinstance(i, ast.IVBlock)]
    if spec.args == "model-iv" and len(blocks) != 1:
        ck.report(stmt, f"{spec.name} needs one (endogenous = instruments) block",
                  f"write it as: {spec.syntax}")
    elif spec.args != "model-iv" and blocks:
        ck.report(blocks[0], f"{spec.name} does not take an (endogenous = instruments) block",
                  "use ivregress for instrumental variables")
    if spec.args == "model-by":
        by = [i for i, a in enumerate(stmt.args) if isinstance(a, ast.Keyword) and a.word == "by"]
        if not by or by[0] == len(stmt.args) - 1:
            ck.report(stmt, f"{spec.name} needs by and a group variable at the end",
                      f"write it as: {spec.syntax}")
        elif spec.name == "oaxaca" and len(stmt.args) - by[0] - 1 > 1:
            ck.report(stmt.args[by[0] + 1], "oaxaca takes one group variable after by",
                      "give the variable that splits the units into two groups")
    count = sum(1 for i in items if not isinstance(i, ast.IVBlock))
    if blocks:
        count += 1
    check_arity(ck, spec, stmt, count, "variable")
    for item in items:
        if is_name_node(item) or isinstance(item, (ast.FactorTerm, ast.IVBlock)):
            check_expr(ck, item)
        else:
            ck.report(item, f"{spec.name} expects variables or factor terms here",
                      f"write it as: {spec.syntax}")


def _predict_outputs(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    creates = spec.extra.get("creates")
    if not creates:
        return
    ds = ck.scope.dataset
    if ds is None:
        return
    outputs = [o for o in stmt.options if o.name in creates]
    if spec.name == "mlogit-predict":
        ds.open = True  # one variable per outcome category, known only from the data
        return
    if not outputs:
        ck.new_var(stmt, creates[spec.extra["default_creates"]])
        return
    for option in outputs:
        if option.args:
            ck.new_var(option.args[0])
        else:
            ck.new_var(option, creates[option.name])


def coefplot_model(ck: Checker, inner: ast.Command, inner_spec: CommandSpec | None) -> None:
    """``coefplot regress …``: the inner command must be a model and is checked as one."""
    if inner_spec is None or inner_spec.group != "Regresjon" or inner_spec.kind != "analysis":
        ck.report(inner, f"coefplot needs a regression command, not {inner.name}",
                  "for example: coefplot regress y x1 x2")
        return
    _model_terms(ck, inner_spec, inner, _positional(inner))
    if inner.condition is not None:
        check_expr(ck, inner.condition)
    check_options(ck, inner_spec, inner.options, inner, len(_positional(inner)))


def _one_name(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> list[Any]:
    items = _positional(stmt)
    check_arity(ck, spec, stmt, len(items))
    _options(ck, spec, stmt)
    return items


def dataset(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``use``/``delete-dataset``: an existing dataset."""
    items = _one_name(ck, spec, stmt)
    if len(items) != 1:
        return
    name = ck.use_dataset(items[0])
    if name is None:
        if stmt.name == "use":  # carry on in a dataset of unknown contents: no cascade of errors
            placeholder = f"<unknown {_line(ck)}>"
            ck.scope.datasets[placeholder] = DatasetScope(placeholder, open=True)
            ck.scope.active = placeholder
        return
    if stmt.name == "use":
        ck.scope.active = name
    else:  # delete-dataset
        del ck.scope.datasets[name]
        if ck.scope.active == name:
            ck.scope.active = None


def newdataset(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``create-dataset``: a new dataset, made active."""
    items = _one_name(ck, spec, stmt)
    if len(items) != 1:
        return
    name = ck.new_dataset(items[0])
    if name is None:
        name = f"<unknown {_line(ck)}>"
        ck.scope.datasets[name] = DatasetScope(name, open=True)
    else:
        ck.scope.datasets[name] = DatasetScope(name)
    ck.scope.active = name


def dataset_newdataset(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``clone-dataset``, ``clone-units``, ``rename-dataset``."""
    items = _one_name(ck, spec, stmt)
    if len(items) != 2:
        return
    source = ck.use_dataset(items[0])
    target = ck.new_dataset(items[1])
    if target is None:
        return
    old = ck.scope.datasets.get(source) if source is not None else None
    if stmt.name == "clone-dataset":
        new = copy.deepcopy(old) if old is not None else DatasetScope(target, open=True)
        new.name = target
        ck.scope.datasets[target] = new
    elif stmt.name == "clone-units":
        ck.scope.datasets[target] = DatasetScope(target, open=old is None,
                                                 unit=old.unit if old is not None else None)
    else:  # rename-dataset
        if old is None:
            ck.scope.datasets[target] = DatasetScope(target, open=True)
            return
        del ck.scope.datasets[source]
        old.name = target
        ck.scope.datasets[target] = old
        if ck.scope.active == source:
            ck.scope.active = target


def var_newvar(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``rename``: an existing variable and a free new name."""
    items = _one_name(ck, spec, stmt)
    if len(items) != 2:
        return
    old, new = ck.name(items[0]), ck.name(items[1])
    if old is not None:
        ck.use_var(items[0], old)
    ds = ck.scope.dataset
    if ds is None:
        return
    if new is not None and new in ds.variables:
        ck.report(items[1], f"variable {new} already exists", "choose another name, or drop it first")
    if old is not None:
        ds.remove(old, f"was renamed to {new} on line {_line(ck)}" if new else "was renamed")
    if new is not None:
        ds.add(new)
    else:
        ds.open = True


def var_labelset(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``assign-labels``: a variable and a defined label set."""
    items = _one_name(ck, spec, stmt)
    if len(items) != 2:
        return
    check_expr(ck, items[0])
    _use_labelset(ck, items[1])


def _use_labelset(ck: Checker, node: Any) -> None:
    name = ck.name(node)
    if name is not None and name not in ck.scope.labelsets:
        hint = did_you_mean(name, ck.scope.labelsets)
        ck.report(node, f"unknown label set {name}", hint or "define it first with define-labels")


def labelsets(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``drop-labels``: defined label sets, forgotten afterwards."""
    items = _one_name(ck, spec, stmt)
    for item in items:
        _use_labelset(ck, item)
        name = ck.name(item)
        if name is not None:
            ck.scope.labelsets.discard(name)


def labelset_or_regvar(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``list-labels``: a label set, or a register variable with an optional date."""
    items = _one_name(ck, spec, stmt)
    if not items:
        return
    if isinstance(items[0], ast.RegVar):
        check_regvar(ck, items[0])
    else:
        _use_labelset(ck, items[0])
        if len(items) > 1:
            ck.report(items[1], "a date goes with a register variable only",
                      "write list-labels alias/VARIABLE DATE, or just the label set")


def regvars(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``variables``: register variables of connected datastores."""
    for item in _one_name(ck, spec, stmt):
        if isinstance(item, ast.RegVar):
            check_regvar(ck, item)
        else:
            ck.report(item, "variables lists register variables written alias/VARIABLE",
                      "for example: variables db/BEFOLKNING_KJOENN")


def prefixes(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``reshape-to-panel``: stems of wide variables; creates the long ones and date@panel."""
    items = _one_name(ck, spec, stmt)
    ds = ck.active(stmt)
    if ds is None:
        return
    for item in items:
        prefix = ck.name(item)
        if prefix is None:
            ds.open = True
            continue
        pattern = re.compile(re.escape(prefix) + r"[0-9][0-9_]*")
        matches = [v for v in ds.variables if pattern.fullmatch(v)]
        if not matches and not ds.open and not ck.lenient():
            ck.report(item, f"no variables are named {prefix} followed by digits",
                      f"reshape-to-panel needs wide variables such as {prefix}2019 {prefix}2020")
        for var in matches:
            ds.remove(var, f"was reshaped into {prefix} on line {_line(ck)}")
        ds.add(prefix)
    ds.add("date@panel")
    ds.kind = "panel"


def none(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """Commands without arguments (and the effects of reshape-from-panel and clear)."""
    _one_name(ck, spec, stmt)
    if stmt.name == "reshape-from-panel":
        ds = ck.active(stmt)
        if ds is None:
            return
        if ds.kind in ("cross", "event") and not ds.open:
            ck.report(stmt, f"reshape-from-panel needs a panel dataset; {ds.name} is {KIND_WORDS[ds.kind]} dataset",
                      "build a panel with import-panel or reshape-to-panel first")
        ds.remove("date@panel", f"was spread out by reshape-from-panel on line {_line(ck)}")
        ds.open = True
        ds.kind = "cross"
    elif stmt.name == "clear":
        scope = ck.scope
        scope.datasets.clear()
        scope.active = None
        scope.labelsets.clear()
        scope.bindings[:] = [{}]
        scope.aliases.clear()


def count_seed(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``sample``: a count or fraction, then a positive whole-number seed."""
    items = _one_name(ck, spec, stmt)
    if len(items) != 2:
        return
    size, seed = (static_value(i, ck.scope) if not isinstance(i, ast.Name) else None for i in items)
    if size is not UNKNOWN and (not isinstance(size, (int, float)) or size <= 0):
        ck.report(items[0], "sample needs a number of units or a fraction between 0 and 1",
                  "for example: sample 0.1 1234 or sample 5000 1234")
    elif isinstance(size, float) and not size.is_integer() and not 0 < size < 1:
        ck.report(items[0], "a sample fraction must lie between 0 and 1", "for example: sample 0.1 1234")
    if seed is not UNKNOWN and not (isinstance(seed, int) and seed >= 1):
        ck.report(items[1], "the seed of sample must be a whole number of 1 or more",
                  "for example: sample 0.1 1234")


def string(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``save``/``load``: a script name."""
    for item in _one_name(ck, spec, stmt):
        if not isinstance(item, (ast.String, ast.Name, ast.Binding, ast.Concat)):
            ck.report(item, f"{spec.name} needs a script name in quotes", f"write it as: {spec.syntax}")


def word(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """``configure``: one known setting."""
    settings = spec.extra.get("settings", ())
    for item in _one_name(ck, spec, stmt):
        name = ck.name(item)
        if name is not None and settings and name not in settings:
            ck.report(item, f"{spec.name} has no setting {name}",
                      did_you_mean(name, settings) or "settings: " + " ".join(settings))


def free(ck: Checker, spec: CommandSpec, stmt: ast.Command) -> None:
    """help, help-function: a name that is looked up when the command runs."""
    _one_name(ck, spec, stmt)


def _prefixed(ck: Checker, option: ast.Option | None, items: list[Any]) -> None:
    """``prefix(p)`` of destring/recode: creates p + name for every variable."""
    if option is None or not option.args:
        return
    ds = ck.scope.dataset
    value = option.args[0]
    prefix = value.value if isinstance(value, ast.String) else ck.name(value)
    for item in items:
        name = ck.name(item)
        if prefix is None or name is None:
            if ds is not None:
                ds.open = True
            continue
        ck.new_var(option, prefix + name)


SHAPES: dict[str, Rule] = {
    "varlist": varlist,
    "varlist-or-if": varlist_or_if,
    "model": model,
    "model-iv": model,
    "model-by": model,
    "dataset": dataset,
    "newdataset": newdataset,
    "dataset newdataset": dataset_newdataset,
    "var newvar": var_newvar,
    "var labelset": var_labelset,
    "labelsets": labelsets,
    "labelset-or-regvar": labelset_or_regvar,
    "regvars": regvars,
    "prefixes": prefixes,
    "none": none,
    "count-seed": count_seed,
    "string": string,
    "word": word,
    "topic": free,
    "function": free,
    "text": none,
}
