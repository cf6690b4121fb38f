"""The semantic checker: finds what is certainly wrong with a script before any data is read.

:func:`check_script` walks a parsed script once, statement by statement, keeping a
:class:`~mdlang.semantics.scope.Scope` of what exists (datasets, variables, bindings, aliases,
label sets) and reporting :class:`~mdlang.semantics.diagnostics.Diagnostic` s: unknown commands
and options, option arguments, arity, ``if`` where it is not allowed, variables used before they
exist or after they were dropped, creating a variable that exists, bindings used before ``let``,
session commands in a batch script, and two warnings (``!`` before a comparison, ``x == .``).
With a catalogue, register variables and import dates are checked too.

Loops whose values are constants are checked once per combination of values (up to
:data:`MAX_UNROLL`), so names built from the iterators are resolved; other loops are checked once
with unknown iterator values, and whatever depends on them is not reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mdlang.commands.registry import CommandSpec, all_commands, get
from mdlang.datastore.metadata import UNIT_TYPES
from mdlang.errors import MdlError
from mdlang.semantics import commands as shapes
from mdlang.semantics.checker import Catalogue, Checker
from mdlang.semantics.diagnostics import Diagnostic, from_error, sort_key
from mdlang.semantics.exprs import check_calls, check_expr
from mdlang.semantics.imports import (
    check_import,
    check_import_event,
    check_import_panel,
    check_require,
)
from mdlang.semantics.options import check_arity, check_options
from mdlang.semantics.scope import UNKNOWN, DatasetScope, Scope, UnknownBinding, static_value
from mdlang.semantics.suggest import did_you_mean
from mdlang.syntax import ast

#: loops with at most this many value combinations may be checked once per combination ...
MAX_UNROLL = 1000
#: ... as long as the whole script needs no more than this many statement checks for it
UNROLL_BUDGET = 20_000


def check_script(script: ast.Script, *, catalogue: Catalogue | None = None,
                 file: str | None = None, lenient_from: int | None = None,
                 on_statement: Callable[[ast.Statement, Scope], None] | None = None,
                 scope: Scope | None = None, functions: Mapping[str, Any] | None = None) -> list[Diagnostic]:
    """Check a parsed script; returns its diagnostics in order of place.

    ``catalogue(name, version)`` opens a datastore (see :func:`mdlang.semantics.cli.catalogue_for`);
    without one, register names and dates are not checked. ``on_statement(stmt, scope)`` is called
    after each top-level statement with the scope it leaves (the REPL completer uses this).
    ``scope`` starts the check from what already exists (e.g. a REPL session); it is updated.
    ``functions`` (``mdlang.engine.functions.FUNCTIONS``) turns on checks of function names and
    argument counts; ``mdlang check`` leaves it out so that it need not load pandas.
    """
    ck = _run(script, catalogue, file, lenient_from, on_statement, scope, functions)
    return sorted(ck.diagnostics, key=sort_key)


def check_text(text: str, file: str | None = None, **kw: Any) -> list[Diagnostic]:
    """Parse (recovering line by line) and check; syntax errors become ``"syntax"`` diagnostics."""
    from mdlang.syntax.parser import parse_all

    script, errors = parse_all(text, file=file)
    diags = [from_error(err, "syntax", file) for err in errors]
    first = min((d.line for d in diags if d.line), default=None)
    if errors and first is None:
        first = 1
    diags += check_script(script, file=file, lenient_from=first, **kw)
    return sorted(diags, key=sort_key)


def final_scope(script: ast.Script, *, catalogue: Catalogue | None = None) -> Scope:
    """The scope after the whole script (for completion in the REPL)."""
    return _run(script, catalogue, None, None, None).scope


def scopes(script: ast.Script, *, catalogue: Catalogue | None = None) -> list[tuple[ast.Statement, Scope]]:
    """Each top-level statement with a snapshot of the scope it leaves."""
    out: list[tuple[ast.Statement, Scope]] = []
    _run(script, catalogue, None, None, lambda s, sc: out.append((s, sc.snapshot())))
    return out


def _run(script: ast.Script, catalogue: Catalogue | None, file: str | None,
         lenient_from: int | None, on_statement: Callable[[ast.Statement, Scope], None] | None,
         scope: Scope | None = None, functions: Mapping[str, Any] | None = None) -> Checker:
    ck = Checker(file if file is not None else script.file, catalogue, on_statement)
    ck.functions = functions
    if scope is not None:
        ck.scope = scope
    if script.source is not None:
        ck.source_lines = script.source.splitlines()
    ck.lenient_from = lenient_from
    ck.unroll_budget = UNROLL_BUDGET
    for stmt in script.statements:
        statement(ck, stmt)
        if on_statement is not None:
            on_statement(stmt, ck.scope)
    return ck


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


def statement(ck: Checker, stmt: ast.Statement) -> None:
    """Check one statement and apply its effect to the scope."""
    outer = ck.stmt_span
    ck.stmt_span = getattr(stmt, "span", None)
    try:
        rule = _RULES.get(type(stmt))
        if rule is not None:
            rule(ck, stmt)
    except UnknownBinding as exc:
        ck.unknown_binding(exc.node)
    except MdlError as err:
        ck.report_error(stmt, err)
    except Exception as exc:  # noqa: BLE001 - a checker defect must not stop a script that may be fine
        ck.warn(stmt, f"this statement could not be checked (internal {type(exc).__name__})",
                "please report this; the script still runs, and errors show when it does")
        if ck.scope.dataset is not None:
            ck.scope.dataset.open = True
    finally:
        ck.stmt_span = outer


def _command(ck: Checker, stmt: ast.Command) -> None:
    spec = get(stmt.name)
    if spec is None:
        ck.report(stmt, f"unknown command {stmt.name}",
                  did_you_mean(stmt.name, all_commands()) or "help lists every command")
        return
    if spec.extra.get("repl_only"):
        ck.report(stmt, f"{spec.name} only works in the interactive command window",
                  "remove it from the script, or run it in mdlang repl")
    if "terminates" in spec.extra:
        opener = spec.extra["terminates"]
        ck.report(stmt, f"{spec.name} without a matching {opener}",
                  f"remove it, or open the block with {opener} first")
        return
    if stmt.condition is not None and not spec.condition:
        ck.report(stmt.condition, f"{spec.name} does not take an if condition",
                  "remove the if condition")
    elif stmt.condition is not None and spec.args != "varlist-or-if":
        check_expr(ck, stmt.condition)
    if stmt.stat is not None and not spec.extra.get("stats"):
        ck.report(stmt, f"{spec.name} does not take a statistic in parentheses",
                  f"write it as: {spec.syntax}")
    _dataset_kind(ck, spec, stmt)
    shape = shapes.SHAPES.get(spec.args)
    if shape is not None:
        shape(ck, spec, stmt)
    else:
        check_options(ck, spec, stmt.options, stmt)


def _dataset_kind(ck: Checker, spec: CommandSpec, stmt: ast.Statement) -> None:
    if spec.extra.get("dataset_kind") != "panel":
        return
    ds = ck.scope.dataset
    if ds is not None and ds.kind in ("cross", "event") and not ds.open:
        ck.report(stmt, f"{spec.name} needs a panel dataset; {ds.name} is {shapes.KIND_WORDS[ds.kind]} dataset",
                  "build a panel with import-panel or reshape-to-panel, or use one")


def _generate(ck: Checker, stmt: ast.Generate) -> None:
    check_expr(ck, stmt.expr)
    if stmt.condition is not None:
        check_expr(ck, stmt.condition)
    if stmt.name == "generate":
        ck.new_var(stmt.target)
    else:
        ck.use_var(stmt.target)


def _recode(ck: Checker, stmt: ast.Recode) -> None:
    spec = get("recode")
    check_arity(ck, spec, stmt, len(stmt.variables), "variable")
    for var in stmt.variables:
        check_expr(ck, var)
    if not stmt.rules:
        ck.report(stmt, "recode needs at least one rule in parentheses", "for example: recode x (1 2 = 0)")
    if stmt.condition is not None:
        check_expr(ck, stmt.condition)
    given = check_options(ck, spec, stmt.options, stmt, len(stmt.variables))
    shapes._prefixed(ck, given.get("prefix"), list(stmt.variables))
    gen = given.get("generate")
    if gen is not None and gen.args:
        if len(gen.args) != len(stmt.variables):
            ck.report(gen, f"generate() of recode needs one new name per variable: "
                           f"{len(stmt.variables)}, not {len(gen.args)}",
                      "give one new name per recoded variable")
        for arg in gen.args:
            ck.new_var(arg)


def _collapse(ck: Checker, stmt: ast.Collapse) -> None:
    spec = get(stmt.name)
    stats = spec.extra["stats"]
    if stmt.condition is not None:
        ck.report(stmt.condition, f"{stmt.name} does not take an if condition",
                  "drop the units first with keep if / drop if")
    results: list[tuple[Any, str | None]] = []
    for group in stmt.groups:
        if group.stat not in stats:
            ck.report(group, f"{stmt.name} has no statistic {group.stat}",
                      did_you_mean(group.stat, stats) or "see help " + stmt.name)
        for item in group.items:
            check_expr(ck, item.source)
            node = item.target or item.source
            results.append((node, ck.name(node)))
    given = check_options(ck, spec, stmt.options, stmt)
    ds = ck.scope.dataset
    if ds is None:
        return
    if stmt.name == "aggregate":
        for node, name in results:
            ck.new_var(node, name) if name is not None else ck.new_var(node)
        return
    by = given.get("by")
    by_name = ck.name(by.args[0]) if by is not None and by.args else None
    names: dict[str, None] = {}
    for node, name in results:
        if name is None:
            ds.open = True
            continue
        if name in names or name == by_name:
            ck.report(node, f"collapse would create {name} twice", "give each result its own name with ->")
        names[name] = None
    reason = f"was removed by collapse on line {ck.stmt_span.line if ck.stmt_span else 0}"
    for var in list(ds.variables):
        if var != by_name and var not in names:
            ds.remove(var, reason)
    ds.variables = {**({by_name: None} if by_name else {}), **names}
    for name in ds.variables:
        ds.dropped.pop(name, None)
    if by_name is None and by is not None:
        ds.open = True
    ds.kind = "cross"
    # the new unit is the by() variable's; known here only for identifier variables
    ds.unit = _UNIT_OF_ID.get(by_name) if by_name is not None else None


_UNIT_OF_ID = {ident: unit for unit, ident in UNIT_TYPES.items()}


def _clone_variables(ck: Checker, stmt: ast.CloneVariables) -> None:
    spec = get("clone-variables")
    check_arity(ck, spec, stmt, len(stmt.items), "variable")
    given = check_options(ck, spec, stmt.options, stmt)
    affix = {k: _text(ck, given[k]) for k in ("prefix", "suffix") if k in given}
    for item in stmt.items:
        check_expr(ck, item.source)
        if item.target is not None:
            ck.new_var(item.target)
            continue
        if not affix:
            ck.report(item, "clone-variables needs a new name (var -> new) or prefix()/suffix()",
                      "for example: clone-variables inntekt -> inntekt2")
            continue
        source = ck.name(item.source)
        if source is None or None in affix.values():
            ds = ck.scope.dataset
            if ds is not None:
                ds.open = True
            continue
        ck.new_var(item, (affix.get("prefix") or "") + source + (affix.get("suffix") or ""))


def _text(ck: Checker, option: ast.Option) -> str | None:
    if not option.args:
        return None
    arg = option.args[0]
    return arg.value if isinstance(arg, ast.String) else ck.name(arg)


def _merge(ck: Checker, stmt: ast.Merge) -> None:
    check_options(ck, get("merge"), stmt.options, stmt)
    for var in stmt.variables:
        check_expr(ck, var)
    target_name = ck.use_dataset(stmt.target)
    if target_name is None:
        return
    if target_name == ck.scope.active:
        ck.report(stmt.target, "merge copies variables into another dataset, not into the active one",
                  "name the dataset that should receive the variables")
        return
    target = ck.scope.datasets[target_name]
    if stmt.on is not None:
        on = ck.name(stmt.on)
        if on is not None and not target.open and on not in target.variables and on not in _ids():
            ck.report(stmt.on, f"dataset {target_name} has no variable {on}",
                      did_you_mean(on, target.variables) or f"on names a variable of {target_name}")
    for var in stmt.variables:
        name = ck.name(var)
        if name is None:
            target.open = True
            continue
        if name in target.variables:
            ck.report(var, f"dataset {target_name} already has a variable {name}",
                      "rename or drop one of them before merging")
        target.add(name)


def _ids() -> frozenset[str]:
    from mdlang.semantics.checker import ID_NAMES

    return ID_NAMES


def _define_labels(ck: Checker, stmt: ast.DefineLabels) -> None:
    name = ck.name(stmt.labelset)
    seen: set[Any] = set()
    for pair in stmt.pairs:
        try:
            value = static_value(pair.value, ck.scope)
        except UnknownBinding as exc:
            ck.unknown_binding(exc.node)
            continue
        if value is UNKNOWN:
            continue
        if value in seen:
            ck.report(pair, f"the value {value!r} is labelled twice in {name}", "give each value one label")
        seen.add(value)
        if "," in pair.label:
            ck.report(pair, "labels may not contain commas", "remove the comma from the label")
    if not stmt.pairs:
        ck.report(stmt, "define-labels needs value and label pairs",
                  "for example: define-labels kjønn '1' Mann '2' Kvinne")
    if name is not None:
        if name in ck.scope.labelsets:
            ck.report(stmt.labelset, f"the label set {name} already exists",
                      f"drop-labels {name} first, or choose another name")
        ck.scope.labelsets.add(name)


def _let(ck: Checker, stmt: ast.Let) -> None:
    check_calls(ck, stmt.expr)
    try:
        value = static_value(stmt.expr, ck.scope)
    except UnknownBinding as exc:
        ck.unknown_binding(exc.node)
        value = UNKNOWN
    except MdlError as err:
        ck.report_error(stmt.expr, err)
        value = UNKNOWN
    ck.scope.bind(stmt.target, value)


def _for(ck: Checker, stmt: ast.For) -> None:
    levels = [_level_values(ck, level) for level in stmt.levels]
    names = [it for level in stmt.levels for it in level.iterators]
    known = all(lv is not None for lv in levels)
    total = 1
    for lv in levels:
        total *= len(lv) if lv is not None else 1
    cost = total * _size(stmt.body)
    if known and 0 < total <= MAX_UNROLL and cost <= ck.unroll_budget:
        ck.unroll_budget -= cost
        combos: Iterable[tuple[Any, ...]] = (
            tuple(v for part in combo for v in part) for combo in itertools.product(*levels)
        )
    else:
        combos = [tuple(UNKNOWN for _ in names)]
    ck.loop_depth += 1
    try:
        for combo in combos:
            ck.scope.push()
            for name, value in zip(names, combo, strict=True):
                ck.scope.bind(name, value)
            for inner in stmt.body:
                statement(ck, inner)
            ck.scope.pop()
    finally:
        ck.loop_depth -= 1


def _size(body: tuple[ast.Statement, ...]) -> int:
    """Statements in a loop body, counting nested bodies once."""
    return sum(1 + (_size(s.body) if isinstance(s, ast.For) else 0) for s in body)


def _level_values(ck: Checker, level: ast.ForLevel) -> list[tuple[Any, ...]] | None:
    """The value tuples of one loop level, or None when some value is not static."""
    if len(level.iterators) != len(level.lists):
        ck.report(level, f"{len(level.iterators)} iterators but {len(level.lists)} value lists",
                  "give one value list per iterator, separated by commas")
        return None
    lists = []
    for vl in level.lists:
        if isinstance(vl.values, ast.Range):
            lo, hi = static_value(vl.values.start, ck.scope), static_value(vl.values.stop, ck.scope)
            if lo is UNKNOWN or hi is UNKNOWN:
                return None
            if not all(isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in (lo, hi)):
                ck.report(vl, "a range in a for loop needs whole numbers", "write for example 2000 : 2005")
                return None
            lo, hi = int(lo), int(hi)
            step = 1 if hi >= lo else -1
            if abs(hi - lo) + 1 > MAX_UNROLL:
                return None
            lists.append(list(range(lo, hi + step, step)))
        else:
            vals = [static_value(v, ck.scope) for v in vl.values]
            if any(v is UNKNOWN for v in vals):
                return None
            lists.append(vals)
    if len({len(v) for v in lists}) > 1:
        ck.report(level, "the value lists of a for loop have different lengths",
                  "iterators separated by commas run in lock-step; give their lists equal lengths")
        return None
    return list(zip(*lists, strict=True))


def _coefplot(ck: Checker, stmt: ast.Coefplot) -> None:
    shapes.coefplot_model(ck, stmt.model, get(stmt.model.name))


def _nothing(ck: Checker, stmt: ast.Statement) -> None:
    """textblock: free text, nothing to check."""


_RULES: dict[type, Callable[[Checker, Any], None]] = {
    ast.Command: _command,
    ast.Require: check_require,
    ast.Import: check_import,
    ast.ImportEvent: check_import_event,
    ast.ImportPanel: check_import_panel,
    ast.Generate: _generate,
    ast.Recode: _recode,
    ast.Collapse: _collapse,
    ast.CloneVariables: _clone_variables,
    ast.Merge: _merge,
    ast.DefineLabels: _define_labels,
    ast.Let: _let,
    ast.For: _for,
    ast.Coefplot: _coefplot,
    ast.TextBlock: _nothing,
}

__all__ = ["Diagnostic", "DatasetScope", "Scope", "check_script", "check_text", "final_scope", "scopes"]
