"""Engine handlers for datastores and datasets: ``require``, ``create-dataset``, ``use``,
``clone-dataset``, ``clone-units``, ``rename-dataset``, ``delete-dataset``, ``clear`` and the
three import commands (language.md §2.3–2.5, §3.1–3.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mdlang.commands.registry import handler
from mdlang.datastore.dates import format_date, parse_date
from mdlang.datastore.metadata import Temporality
from mdlang.engine import bindings as b
from mdlang.engine import imports
from mdlang.engine.dataset import Dataset
from mdlang.engine.values import Symbol
from mdlang.errors import DatastoreError, MdlError, MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


# -- require ---------------------------------------------------------------------------------


@handler("require")
def require(session: Session, stmt: ast.Require) -> list[Result]:
    """Connect a datastore version under an alias; the message carries the datastore's note."""
    from mdlang.datastore.store import open_datastore

    version = b.evaluate(stmt.version, session.bindings)
    if isinstance(version, str) and not isinstance(version, Symbol) and version.isdigit():
        version = int(version)
    elif isinstance(version, float) and version.is_integer():
        version = int(version)
    if not isinstance(version, int):
        raise MdlRuntimeError(
            "the datastore version must be a whole number", stmt.span, hint="write e.g. require no.ssb.fdb:38 as db"
        )
    alias = b.name_of(stmt.alias, "an alias")
    store = open_datastore(stmt.datastore, version, session.datastore_dirs)
    session.datastores[alias] = store
    session.notes[alias] = store.note
    session.gates.pop(alias, None)
    session.gates[alias] = make_gate(session, store)
    text = f"Connected {stmt.datastore}:{version} as {alias}."
    notes = (store.note,) if store.note else ()
    return [session.gate.message("require", stmt.span.line, text, notes)]


def make_gate(session: Session, store: Any) -> Any:
    """The gate of a datastore: its owner's policy (or the run's stricter override), its audit
    log, its privacy ledger and its datastore-wide winsorisation bounds.

    Under a policy override the audit log and ledger are those of the project plus the policy's
    fingerprint (:func:`mdlang.disclosure.audit.experiment_project`): the experiment's releases
    are audited and budgeted among themselves, never mixed with the project's real ones."""
    from mdlang.disclosure.audit import experiment_project
    from mdlang.disclosure.gate import Gate

    policy = None
    project = session.project
    if session.policy_override is not None:
        from mdlang.disclosure.policy import Policy

        looser = session.policy_override.looser_than(Policy.load(store.policy_path))
        if looser:
            raise DatastoreError(
                f"a policy override may only tighten the data owner's policy of {store.name}; "
                f"it loosens {', '.join(looser)}",
                hint="change the datastore's policy.toml (the data owner's decision) instead",
            )
        policy = session.policy_override
        project = experiment_project(policy.digest(), session.project)
    gate = Gate.for_datastore(store, audit=session.audit, project=project, policy=policy)
    if session.source is not None:
        gate.begin_script(session.source, session.file)
    return gate


# -- the gate of a dataset that mixes datastores --------------------------------------------

#: the Dataset field listing the aliases of every datastore whose data the dataset has held
SOURCES = "gate_sources"


def note_source(ds: Dataset, alias: str | None) -> None:
    """Remember that a dataset holds data of the datastore connected as ``alias`` (kept even
    when the variables are later dropped or collapsed: what was derived from them stays).
    The record is the dataset's ``gate_sources`` field, carried by every copy of it."""
    if alias is not None:
        ds.add_source(alias)


def recorded_sources(ds: Dataset) -> tuple[str, ...] | None:
    """The datastore aliases recorded on a dataset (None when nothing was ever recorded)."""
    return ds.gate_sources


def dataset_sources(session: Session, ds: Dataset) -> tuple[str, ...]:
    """The connected datastores (aliases) a dataset holds data of: its first datastore first,
    then the others in connection order.

    Besides what the imports recorded, a register variable that came in another way (merge) is
    traced to every connected datastore holding the same variable with the same metadata. A
    dataset with data but no record (one built outside the import commands) is taken to hold
    data of every connected datastore: unknown means strict.
    """
    recorded = recorded_sources(ds)
    if recorded is None and not ds.is_empty:
        recorded = tuple(session.gates)
    found = {a for a in recorded or () if a in session.gates}
    if ds.origin in session.gates:
        found.add(ds.origin)
    for meta in ds.register.values():
        for alias, store in session.datastores.items():
            if alias not in found and alias in session.gates and store.has(meta.name) and store.metadata(meta.name) == meta:
                found.add(alias)
    ordered = tuple(a for a in session.gates if a in found and a != ds.origin)
    ordered = ((ds.origin,) if ds.origin in found else ()) + ordered
    for alias in ordered:
        note_source(ds, alias)
    return ordered


def strictest_policy(policies: list[Any]) -> Any:
    """Field by field the stricter value of several policies (the first one's where a field has
    no strict direction, such as the preset name); never looser than any of them."""
    from dataclasses import fields, replace

    first = policies[0]
    changes: dict[str, Any] = {}
    for f in fields(first):
        values = [getattr(p, f.name) for p in policies]
        direction = f.metadata.get("stricter")
        if direction == "higher":
            changes[f.name] = max(values)
        elif direction == "lower":
            changes[f.name] = min(values)
        elif direction == "true":
            changes[f.name] = any(values)
    return replace(first, **changes)


def combined_gate(session: Session, aliases: tuple[str, ...]) -> Any:
    """The gate of a dataset holding data of several datastores (cached per set of gates).

    Its policy is :func:`strictest_policy` of their gates' policies. Record keys use the secret
    of the first datastore (the sample stores share one secret, so a person's key is the same
    under each; where secrets differ, the first datastore's applies to every person of the
    dataset). Every release is charged to each datastore's own ledger, budget and audit log
    (:meth:`~mdlang.disclosure.gate.Gate.charge_also`): a refusal or an exhausted budget in any
    of them applies; the data version named in results is the first gate's. Winsorisation bounds
    come from the datastore holding the register variable, tried in the order of ``aliases``.
    """
    from mdlang.disclosure.bounds import DatastoreBounds
    from mdlang.disclosure.gate import Gate
    from mdlang.disclosure.keys import read_secret

    gates = [session.gates[a] for a in aliases]
    cache: dict[tuple[Any, ...], Any] = session.__dict__.setdefault("_combined_gates", {})
    key = tuple((a, id(g)) for a, g in zip(aliases, gates, strict=True))
    if key in cache:
        return cache[key]
    first = gates[0]
    policy = strictest_policy([g.policy for g in gates])
    stores = [session.datastores[a] for a in aliases]
    bounds = _ChainedBounds([DatastoreBounds(s, policy) for s in stores])
    gate = Gate(
        policy, read_secret(stores[0].path), audit=first.audit, data_version=first.data_version,
        ledger=first.ledger, bounds=bounds,
    )
    gate.script_hash = first.script_hash
    secret = read_secret(stores[0].path)
    for store, other in zip(stores[1:], gates[1:], strict=True):
        gate.charge_also(other, same_keys=read_secret(store.path) == secret)
    cache[key] = gate
    return gate


class _ChainedBounds:
    """Datastore-wide bounds looked up in several datastores, the first that has the variable."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def get(self, variable: str) -> Any:
        """The bounds of a register variable from the first datastore that stores it."""
        for part in self.parts:
            found = part.get(variable)
            if found is not None:
                return found
        return None


# -- datasets -------------------------------------------------------------------------------


def _new_name(session: Session, node: ast.Expr) -> str:
    name = b.name_of(node, "a dataset name")
    if name in session.datasets:
        raise MdlRuntimeError(
            f"a dataset named {name} already exists",
            getattr(node, "span", None),
            hint=f"choose another name, or delete-dataset {name} first",
        )
    return name


def _args(stmt: ast.Command, n: int, usage: str) -> tuple[ast.Expr, ...]:
    if len(stmt.args) != n:
        raise MdlRuntimeError(f"{stmt.name} takes {n} name{'s' if n > 1 else ''}", stmt.span, hint=f"write: {usage}")
    return stmt.args


@handler("create-dataset")
def create_dataset(session: Session, stmt: ast.Command) -> list[Result]:
    """Create an empty dataset and make it active."""
    (node,) = _args(stmt, 1, "create-dataset NAME")
    name = _new_name(session, node)
    session.datasets[name] = Dataset(name=name)
    session.active = name
    return []


@handler("use")
def use(session: Session, stmt: ast.Command) -> list[Result]:
    """Make an existing dataset the active one."""
    (node,) = _args(stmt, 1, "use NAME")
    name = b.name_of(node, "a dataset name")
    session.dataset(name, node.span)
    session.active = name
    return []


@handler("clone-dataset")
def clone_dataset(session: Session, stmt: ast.Command) -> list[Result]:
    """Copy a dataset under a new name; the active dataset does not change."""
    return _clone(session, stmt, "clone-dataset DATASET NEWNAME", Dataset.copy)


@handler("clone-units")
def clone_units(session: Session, stmt: ast.Command) -> list[Result]:
    """A new dataset with only the units of another; activate it with use."""
    return _clone(session, stmt, "clone-units DATASET NEWNAME", Dataset.clone_units)


def _clone(session: Session, stmt: ast.Command, usage: str, make: Any) -> list[Result]:
    """Add ``make(source, new_name)`` as a new dataset that remembers the source's datastores."""
    src, dst = _args(stmt, 2, usage)
    source = session.dataset(b.name_of(src, "a dataset name"), src.span)
    name = _new_name(session, dst)
    session.datasets[name] = make(source, name)
    for alias in dataset_sources(session, source):
        note_source(session.datasets[name], alias)
    return []


@handler("rename-dataset")
def rename_dataset(session: Session, stmt: ast.Command) -> list[Result]:
    """Rename a dataset, contents unchanged."""
    src, dst = _args(stmt, 2, "rename-dataset DATASET NEWNAME")
    old = b.name_of(src, "a dataset name")
    ds = session.dataset(old, src.span)
    name = _new_name(session, dst)
    del session.datasets[old]
    ds.name = name
    session.datasets[name] = ds
    if session.active == old:
        session.active = name
    return []


@handler("delete-dataset")
def delete_dataset(session: Session, stmt: ast.Command) -> list[Result]:
    """Delete a dataset and its variables."""
    if not stmt.args:
        raise MdlRuntimeError("delete-dataset needs a dataset name", stmt.span, hint="write: delete-dataset NAME")
    for node in stmt.args:
        name = b.name_of(node, "a dataset name")
        session.dataset(name, node.span)
        del session.datasets[name]
        if session.active == name:
            session.active = None
    return []


@handler("clear")
def clear(session: Session, stmt: ast.Command) -> list[Result]:
    """Forget every dataset, label set and binding (datastore connections stay)."""
    session.clear()
    return [session.message(stmt, "Cleared all datasets, label sets and bindings.")]


# -- imports ----------------------------------------------------------------------------------


def _store_and_meta(session: Session, var: ast.RegVar) -> tuple[Any, Any, str]:
    alias = var.alias
    if alias is None:
        if len(session.datastores) == 1:
            alias = next(iter(session.datastores))
        elif not session.datastores:
            raise MdlRuntimeError(
                f"no datastore is connected, so {var.name} cannot be imported",
                var.span,
                hint="connect one first, e.g. require no.ssb.fdb:38 as db",
            )
        else:
            raise MdlRuntimeError(
                f"{var.name} needs an alias: several datastores are connected",
                var.span,
                hint="write it as alias/" + var.name,
            )
    if alias not in session.datastores:
        raise MdlRuntimeError(
            f"no datastore is connected as {alias}",
            var.span,
            hint=f"connect one first: require NAME:VERSION as {alias}",
        )
    store = session.datastores[alias]
    try:
        meta = store.metadata(var.name)
    except MdlError as err:
        err.located(span=var.span)
        raise
    return store, meta, alias


def date_of(session: Session, node: ast.Expr) -> int:
    """An import date (bare date, string, binding or date_fmt()) as epoch days."""
    value = b.evaluate(node, session.bindings)
    try:
        return parse_date(str(value))
    except ValueError:
        raise MdlRuntimeError(
            "this is not a date in the form YYYY-MM-DD",
            getattr(node, "span", None),
            hint="write e.g. 2021-01-01, or date_fmt(2021, 1, 1)",
        ) from None


def _target_name(ds: Dataset, node: ast.Expr | None, default: str) -> str:
    name = default if node is None else b.name_of(node, "a variable name")
    if ds.has(name):
        raise MdlRuntimeError(
            f"the variable {name} already exists in dataset {ds.name}",
            getattr(node, "span", None),
            hint="choose another name with as NAME, or drop the existing variable first",
        )
    return name


def _option(stmt: Any, name: str) -> bool:
    return any(o.name == name for o in getattr(stmt, "options", ()))


def _labels(ds: Dataset, name: str, store: Any, meta: Any, date: int | None) -> None:
    if meta.is_coded:
        ds.code_labels[name] = imports.code_labels(store.code_list(meta.name, date), meta)


@handler("import")
def import_(session: Session, stmt: ast.Import) -> list[Result]:
    """Import one variable into the active dataset (left join; ``outer_join`` widens)."""
    ds = session.active_dataset(stmt.span)
    dataset_sources(session, ds)  # fix what the dataset already holds before adding to it
    store, meta, alias = _store_and_meta(session, stmt.variable)
    name = _target_name(ds, stmt.as_name, meta.name)
    notes: list[str] = []
    date: int | None = None
    if stmt.date is not None:
        date = date_of(session, stmt.date)
        if meta.temporality is Temporality.FIXED:
            notes.append(f"{meta.name} is a fixed variable; the date {format_date(date)} was ignored.")
            date = None
    elif meta.temporality is not Temporality.FIXED:
        raise MdlRuntimeError(
            f"{meta.name} is a {meta.temporality.value.lower()} variable and needs a date",
            stmt.span,
            hint=f"write e.g. import {alias}/{meta.name} 2021-01-01 as {name}",
        )
    if meta.temporality is Temporality.EVENT and ds.kind == "event":
        raise MdlRuntimeError(
            "an event dataset holds one event variable", stmt.span,
            hint="import it into another dataset and merge",
        )
    try:
        data = store.read_at(meta.name, date)
    except MdlError as err:
        err.located(span=stmt.date.span if stmt.date is not None else stmt.span)
        raise
    was_empty = ds.is_empty
    imports.import_cross(ds, name, meta, data, outer_join=_option(stmt, "outer_join"), span=stmt.span)
    if was_empty:
        ds.origin = alias
    note_source(ds, alias)
    if was_empty or _option(stmt, "outer_join"):
        imports.attach_persons(ds, store)
    _labels(ds, name, store, meta, date)
    return [session.message(stmt, " ".join(notes))] if notes else []


@handler("import-event")
def import_event(session: Session, stmt: ast.ImportEvent) -> list[Result]:
    """Import every spell of an event variable in [D1, D2] into an empty dataset."""
    ds = session.active_dataset(stmt.span)
    store, meta, alias = _store_and_meta(session, stmt.variable)
    name = _target_name(ds, stmt.as_name, meta.name)
    start, stop = date_of(session, stmt.start), date_of(session, stmt.stop)
    if stop < start:
        raise MdlRuntimeError("the end date is before the start date", stmt.span, hint="write the earlier date first")
    if ds.variables:
        imports.import_event(ds, name, meta, None, stmt.span)  # raises the "needs an empty dataset" error
    spells = store.read_spells(meta.name, start, stop)
    imports.import_event(ds, name, meta, spells, stmt.span)
    ds.origin = alias
    note_source(ds, alias)
    imports.attach_persons(ds, store)
    _labels(ds, name, store, meta, start)
    return []


@handler("import-panel")
def import_panel(session: Session, stmt: ast.ImportPanel) -> list[Result]:
    """Import several variables at several dates as a panel into an empty dataset."""
    ds = session.active_dataset(stmt.span)
    if ds.variables:
        imports.import_panel(ds, [], stmt.span)  # raises the "needs an empty dataset" error
    dates = [date_of(session, d) for d in stmt.dates]
    if not dates:
        raise MdlRuntimeError("import-panel needs at least one date", stmt.span, hint="list the dates after the variables")
    parts = []
    stores = []
    aliases: list[str] = []
    for var in stmt.variables:
        store, meta, alias = _store_and_meta(session, var)
        try:
            data = store.read_panel(meta.name, dates)
        except MdlError as err:
            err.located(span=var.span)
            raise
        parts.append((meta.name, meta, data))
        stores.append(store)
        aliases.append(alias)
    imports.import_panel(ds, parts, stmt.span)
    ds.origin = aliases[0]
    for alias in aliases:
        note_source(ds, alias)
    imports.attach_persons(ds, stores[0])
    for (name, meta, _), store in zip(parts, stores, strict=True):
        _labels(ds, name, store, meta, dates[-1])
    return []
