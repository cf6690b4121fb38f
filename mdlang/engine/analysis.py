"""Calling analysis commands: evaluate ``if``, build the :class:`AnalysisContext`, enforce D1.

Analysis handlers (tabulate, summarize, models, graphics) live in their own command modules and
release only through the gate. This module gives them the active dataset without its unit
identifier and link variables, and refuses a command that names one of those (D1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mdlang.commands import registry
from mdlang.engine.context import AnalysisContext, VariableInfo
from mdlang.engine.dataset import Dataset
from mdlang.engine.expr import condition_mask, is_text
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

if TYPE_CHECKING:  # pragma: no cover
    from mdlang.engine.session import Session


def names_in(node: Any) -> Iterator[ast.Name]:
    """Every :class:`ast.Name` inside a statement or expression (options included)."""
    if isinstance(node, ast.Name):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from names_in(item)
        return
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name != "span":
                yield from names_in(getattr(node, f.name))


def reject_restricted(ds: Dataset, stmt: ast.Statement, command: str) -> None:
    """D1: pseudonymised identifiers and link variables never enter an analysis."""
    for node in names_in(stmt):
        if ds.is_restricted(node.name):
            what = "the unit identifier" if node.name == ds.id_name else "a link variable holding pseudonymised identifiers"
            raise MdlRuntimeError(
                f"{node.name} is {what} and cannot be used in {command}",
                node.span if node.span.line else None,
                hint="pseudonymised identifiers may only be used as by() keys in collapse or on keys in merge",
            )


def variable_infos(session: Session, ds: Dataset) -> dict[str, VariableInfo]:
    """What an analysis may know about each usable variable of a dataset."""
    out: dict[str, VariableInfo] = {}
    for name in ds.variables:
        if ds.is_restricted(name):
            continue
        meta = ds.register.get(name)
        out[name] = VariableInfo(
            name=name,
            numeric=not is_text(ds.frame[name]),
            labels=session.labels_of(ds, name),
            register=meta,
            sensitive=bool(meta is not None and meta.sensitive),
        )
    return out


def build_context(session: Session, name: str, stmt: ast.Statement) -> AnalysisContext:
    """The context an analysis handler receives for ``stmt`` on the active dataset."""
    ds = session.active_dataset(getattr(stmt, "span", None))
    reject_restricted(ds, stmt, name)
    condition = getattr(stmt, "condition", None)
    if condition is None and isinstance(stmt, ast.Coefplot):
        condition = stmt.model.condition
    mask = None if condition is None else condition_mask(condition, session.env(ds))
    hidden = [c for c in ds.variables if ds.is_restricted(c)]
    frame = ds.frame.drop(columns=hidden) if hidden else ds.frame
    return AnalysisContext(
        frame=frame,
        contributors=ds.contributors,
        variables=variable_infos(session, ds),
        unit_type=ds.unit_type or "PERSON",
        kind=ds.kind,
        gate=session.gate_for(ds),
        command=name,
        line=getattr(getattr(stmt, "span", None), "line", 0),
        mask=mask,
    )


def run_analysis(session: Session, name: str, stmt: ast.Statement) -> Iterator[Result]:
    """Build the context and call the registered analysis handler."""
    ctx = build_context(session, name, stmt)
    yield from registry.ANALYSES[name](ctx, stmt)
