"""Rules for ``require``, ``import``, ``import-event`` and ``import-panel``: aliases, and, when a
catalogue is available, register variable names, validity periods and status dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mdlang.commands.registry import get
from mdlang.semantics.checker import Checker
from mdlang.semantics.options import check_options
from mdlang.semantics.scope import UNKNOWN, UnknownBinding, static_value
from mdlang.semantics.suggest import did_you_mean
from mdlang.syntax import ast

_EPOCH = dt.date(1970, 1, 1)


def iso(days: int) -> str:
    """Epoch days as ``YYYY-MM-DD``."""
    return (_EPOCH + dt.timedelta(days=days)).isoformat()


def check_require(ck: Checker, stmt: ast.Require) -> None:
    """``require NAME:VERSION as alias``: remember the alias and connect the catalogue."""
    alias = ck.name(stmt.alias)
    try:
        version = static_value(stmt.version, ck.scope)
    except UnknownBinding as exc:
        ck.unknown_binding(exc.node)
        version = UNKNOWN
    if alias is None:
        return
    ck.scope.aliases[alias] = (stmt.datastore, version)
    if version is not UNKNOWN:
        ck.connect(alias, stmt.datastore, version, stmt)


def check_regvar(ck: Checker, var: ast.RegVar) -> Any:
    """The metadata of ``alias/VAR`` when a catalogue knows it; reports unknown aliases/names."""
    if var.alias is None:
        if not ck.scope.aliases:
            ck.report(var, f"no datastore is connected, so {var.name} cannot be imported",
                      "connect one first, e.g. require no.ssb.fdb:38 as db")
        return None
    if var.alias not in ck.scope.aliases:
        hint = did_you_mean(var.alias, ck.scope.aliases)
        ck.report(var, f"unknown datastore alias {var.alias}",
                  hint or f"connect a datastore first: require no.ssb.fdb:VERSION as {var.alias}")
        return None
    store = ck.store(var.alias)
    if store is None:
        return None
    if not store.has(var.name):
        hint = did_you_mean(var.name, ck.store_names(var.alias))
        ck.report(var, f"{var.alias} has no variable {var.name}",
                  hint or f"variables {var.alias}/… lists what the datastore holds")
        return None
    return store.metadata(var.name)


def _date(ck: Checker, node: Any) -> int | None:
    """The epoch day a date position holds; None when unknown (or reported as not a date)."""
    try:
        value = static_value(node, ck.scope)
    except UnknownBinding as exc:
        ck.unknown_binding(exc.node)
        return None
    if value is UNKNOWN:
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return (dt.date.fromisoformat(value) - _EPOCH).days
    except ValueError:
        pass
    shown = value if isinstance(value, str) else f"{value!r}"
    ck.report(node, f"{shown} is not a date", "write dates as YYYY-MM-DD, e.g. 2020-12-31")
    return None


def check_date(ck: Checker, meta: Any, node: Any, *, status: bool = True) -> None:
    """A date must lie in the variable's validity period and, for STATUS, be a status date."""
    days = _date(ck, node)
    if days is None or meta is None or meta.temporality == "FIXED":
        return
    lo, hi = meta.valid_from, meta.valid_until
    if (lo is not None and days < lo) or (hi is not None and days > hi):
        period = f"from {iso(lo) if lo is not None else 'the start'} to {iso(hi) if hi is not None else 'today'}"
        # the import itself would run, but every unit would get missing: a warning, not an error
        ck.warn(node, f"{meta.name} has data {period}; {iso(days)} is outside that period",
                "choose a date inside the period, or every value will be missing")
        return
    if status and meta.temporality == "STATUS" and meta.status_dates and days not in meta.status_dates:
        nearest = sorted(meta.status_dates, key=lambda d: (abs(d - days), d))[:2]
        ck.report(node, f"{iso(days)} is not a status date of {meta.name}",
                  "nearest status dates: " + ", ".join(iso(d) for d in sorted(nearest)))


def _kind(meta: Any) -> str:
    """``a status``, ``an accumulated``, … for messages."""
    word = str(meta.temporality).lower()
    return ("an " if word[0] in "aeiou" else "a ") + word


def _unit(ck: Checker, ds: Any, metas: list[Any], node: Any) -> None:
    """All variables of a dataset describe one unit type (known only with a catalogue)."""
    units = sorted({m.unit_type for m in metas if m is not None})
    if len(units) > 1:
        ck.report(node, "import-panel needs variables of one unit type",
                  "import variables of different unit types into different datasets")
        return
    if not units:
        return
    if ds.unit is not None and ds.unit != units[0]:
        name = next(m.name for m in metas if m is not None)
        ck.report(node, f"{name} describes {units[0]} units, but the active dataset holds {ds.unit} units",
                  "import it into a dataset of its own unit type, then collapse … by() and merge")
        return
    ds.unit = units[0]


def _into(ck: Checker, stmt: Any, command: str) -> Any:
    ds = ck.active(stmt)
    if ds is None:
        return None
    if command in ("import-event", "import-panel") and ds.variables and not ds.open:
        hint = ("create a new dataset with create-dataset first (one event variable per dataset)"
                if command == "import-event" else
                "clone-units the population into a new dataset, use it, then import-panel")
        ck.report(stmt, f"{command} needs an empty dataset, but {ds.name} already has variables", hint)
    if command == "import" and ds.kind in ("event", "panel") and not ds.open:
        ck.report(stmt, f"cannot import a cross-section variable into the {ds.kind} dataset {ds.name}",
                  "import it into a cross-section dataset and merge it into this one")
    return ds


def check_import(ck: Checker, stmt: ast.Import) -> None:
    """``import``: register variable, date, target dataset and the new variable."""
    meta = check_regvar(ck, stmt.variable)
    check_options(ck, get("import"), stmt.options, stmt)
    if stmt.date is not None:
        check_date(ck, meta, stmt.date)
    elif meta is not None and meta.temporality != "FIXED":
        ck.report(stmt.variable, f"{meta.name} is {_kind(meta)} variable; import needs a date",
                  f"write: import {stmt.variable.alias}/{meta.name} YYYY-MM-DD as NAME")
    ds = _into(ck, stmt, "import")
    if ds is None:
        return
    _unit(ck, ds, [meta], stmt.variable)
    name = ck.name(stmt.as_name) if stmt.as_name is not None else stmt.variable.name
    ck.new_var(stmt.as_name or stmt.variable, name)
    if ds.kind == "empty":
        ds.kind = "cross"


def check_import_event(ck: Checker, stmt: ast.ImportEvent) -> None:
    """``import-event``: an event variable into an empty dataset; adds START@/STOP@."""
    meta = check_regvar(ck, stmt.variable)
    check_options(ck, get("import-event"), stmt.options, stmt)
    if meta is not None and meta.temporality != "EVENT":
        ck.report(stmt.variable,
                  f"{meta.name} is {_kind(meta)} variable; import-event needs an event variable",
                  "use import with a date instead")
    check_date(ck, meta, stmt.start, status=False)
    check_date(ck, meta, stmt.stop, status=False)
    start, stop = _date_quiet(ck, stmt.start), _date_quiet(ck, stmt.stop)
    if start is not None and stop is not None and stop < start:
        ck.report(stmt.stop, "the period of import-event ends before it starts",
                  "write the earlier date first: DATE1 to DATE2")
    ds = _into(ck, stmt, "import-event")
    if ds is None:
        return
    _unit(ck, ds, [meta], stmt.variable)
    name = ck.name(stmt.as_name) if stmt.as_name is not None else stmt.variable.name
    node = stmt.as_name or stmt.variable
    ck.new_var(node, name)
    if name is not None:
        ck.new_var(node, f"START@{name}")
        ck.new_var(node, f"STOP@{name}")
    ds.kind = "event"


def _date_quiet(ck: Checker, node: Any) -> int | None:
    try:
        value = static_value(node, ck.scope)
        return (dt.date.fromisoformat(value) - _EPOCH).days if isinstance(value, str) else None
    except (UnknownBinding, ValueError):
        return None


def check_import_panel(ck: Checker, stmt: ast.ImportPanel) -> None:
    """``import-panel``: variables and dates into an empty dataset; adds date@panel."""
    metas = [check_regvar(ck, v) for v in stmt.variables]
    check_options(ck, get("import-panel"), stmt.options, stmt)
    if not stmt.dates:
        ck.report(stmt, "import-panel needs at least one date after the variables",
                  "write: import-panel alias/VAR1 alias/VAR2 DATE1 DATE2 …")
    for date in stmt.dates:
        for meta in metas:
            check_date(ck, meta, date)
    ds = _into(ck, stmt, "import-panel")
    if ds is None:
        return
    _unit(ck, ds, metas, stmt)
    seen: set[str] = set()
    for var in stmt.variables:
        if var.name in seen:
            ck.report(var, f"{var.name} is listed twice in import-panel", "list each variable once")
            continue
        seen.add(var.name)
        ck.new_var(var, var.name)
    ck.new_var(stmt, "date@panel", check=False)
    ds.kind = "panel"
