"""Engine handlers for label sets: ``define-labels``, ``assign-labels``, ``drop-labels`` and
``list-labels`` (user sets, or a register variable's code list at a date — metadata, not data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mdlang.commands.data import var_name
from mdlang.commands.registry import handler
from mdlang.engine import bindings as b
from mdlang.engine.expr import is_text
from mdlang.engine.recoding import literal
from mdlang.errors import MdlError, MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


def _set_name(session: Session, node: ast.Expr, *, must_exist: bool) -> str:
    name = b.name_of(node, "a label set name")
    if must_exist and name not in session.labelsets:
        known = ", ".join(sorted(session.labelsets)) or "none yet"
        raise MdlRuntimeError(
            f"there is no label set named {name}", node.span, hint=f"define it with define-labels (defined: {known})"
        )
    return name


@handler("define-labels")
def define_labels(session: Session, stmt: ast.DefineLabels) -> list[Result]:
    """Define a named label set: unique values, all numbers or all texts."""
    name = _set_name(session, stmt.labelset, must_exist=False)
    if name in session.labelsets:
        raise MdlRuntimeError(
            f"the label set {name} already exists", stmt.labelset.span, hint=f"drop-labels {name} first, or choose another name"
        )
    labels: dict[Any, str] = {}
    kinds = set()
    for pair in stmt.pairs:
        value = literal(pair.value)
        if value is None:
            raise MdlRuntimeError("a label needs a value, not '.'", pair.span, hint="write a code such as 1 or '01'")
        if value in labels:
            raise MdlRuntimeError(
                f"the value {value!r} is labelled twice in {name}", pair.span, hint="give each value one label"
            )
        if "," in pair.label:
            raise MdlRuntimeError("labels cannot contain commas", pair.span, hint="remove the comma from the label")
        kinds.add(isinstance(value, str))
        labels[value] = pair.label
    if len(kinds) > 1:
        raise MdlRuntimeError(
            f"the label set {name} mixes numbers and texts", stmt.span, hint="quote every value or none"
        )
    session.labelsets[name] = labels
    return []


@handler("assign-labels")
def assign_labels(session: Session, stmt: ast.Command) -> list[Result]:
    """Attach a label set to a variable (one set may serve many variables)."""
    ds = session.active_dataset(stmt.span)
    if len(stmt.args) != 2:
        raise MdlRuntimeError("assign-labels takes a variable and a label set", stmt.span, hint="write: assign-labels VARIABLE SET")
    var = var_name(ds, stmt.args[0])
    name = _set_name(session, stmt.args[1], must_exist=True)
    labels = session.labelsets[name]
    if labels:
        set_text = isinstance(next(iter(labels)), str)
        if set_text != is_text(ds.frame[var]):
            kind = "texts" if set_text else "numbers"
            raise MdlRuntimeError(
                f"the label set {name} labels {kind}, but {var} is {'alphanumeric' if not set_text else 'numeric'}",
                stmt.span,
                hint="define a label set whose values have the variable's type",
            )
    ds.labelsets[var] = name
    return []


@handler("drop-labels")
def drop_labels(session: Session, stmt: ast.Command) -> list[Result]:
    """Delete label sets (and their assignments)."""
    if not stmt.args:
        raise MdlRuntimeError("drop-labels needs a label set name", stmt.span, hint="write: drop-labels SET")
    for node in stmt.args:
        name = _set_name(session, node, must_exist=True)
        del session.labelsets[name]
        for ds in session.datasets.values():
            for var in [v for v, s in ds.labelsets.items() if s == name]:
                del ds.labelsets[var]
    return []


def format_labels(title: str, labels: dict[Any, str]) -> str:
    """A code list as text, one ``code  label`` line per entry, in code order."""
    keys = sorted(labels, key=lambda k: (isinstance(k, str), k if not isinstance(k, str) else 0, str(k)))
    shown = [(b.values.format_number(k) if not isinstance(k, str) else k, labels[k]) for k in keys]
    width = max((len(c) for c, _ in shown), default=0)
    lines = [title] + [f"  {c.ljust(width)}  {label}" for c, label in shown]
    return "\n".join(lines)


@handler("list-labels")
def list_labels(session: Session, stmt: ast.Command) -> list[Result]:
    """Show a user label set, or a register variable's code list (at a date if given)."""
    if not stmt.args:
        raise MdlRuntimeError("list-labels needs a label set or a register variable", stmt.span, hint="write: list-labels SET or list-labels db/VARIABLE")
    target = stmt.args[0]
    if isinstance(target, ast.RegVar):
        from mdlang.commands.datasets import _store_and_meta, date_of

        store, meta, _ = _store_and_meta(session, target)
        date = date_of(session, stmt.args[1]) if len(stmt.args) > 1 else None
        if not meta.is_coded:
            raise MdlRuntimeError(f"{meta.name} has no code list", target.span, hint="code lists belong to coded variables")
        try:
            codes = store.code_list(meta.name, date)
        except MdlError as err:
            err.located(span=target.span)
            raise
        text = format_labels(f"Code list of {meta.name}", codes)
    else:
        name = _set_name(session, target, must_exist=True)
        text = format_labels(f"Label set {name}", session.labelsets[name])
    return [session.message(stmt, text)]
