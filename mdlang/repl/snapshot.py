"""A cheap copy of a session's state, taken before each command so that a cancelled or failed
command leaves the datasets as they were.

The engine's :class:`~mdlang.engine.session.Session` has no snapshot of its own, so it is done
here. Dataset frames are copied shallowly: in pandas 3 every DataFrame is copy-on-write, so a
change the command makes to a column afterwards copies that column and never reaches the
snapshot. Arrays the engine replaces rather than changes in place (unit ids, contributors) are
shared.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mdlang.engine.dataset import Dataset


@dataclass(frozen=True)
class Snapshot:
    """What :func:`restore` puts back."""

    datasets: dict[str, Dataset]
    active: str | None
    labelsets: dict[str, dict[Any, str]]
    bindings: list[dict[str, Any]]
    loop_stack: list[dict[str, Any]]
    datastores: dict[str, Any]
    notes: dict[str, str | None]
    gates: dict[str, Any]


def _copy_dataset(ds: Dataset) -> Dataset:
    return dataclasses.replace(
        ds,
        frame=ds.frame.copy(deep=False),
        register=dict(ds.register),
        code_labels=dict(ds.code_labels),
        labelsets=dict(ds.labelsets),
        links=set(ds.links),
    )


def take(session: Any) -> Snapshot:
    """Copy the state of ``session`` (cost grows with the number of variables, not of rows)."""
    return Snapshot(
        datasets={name: _copy_dataset(ds) for name, ds in session.datasets.items()},
        active=session.active,
        labelsets={name: dict(labels) for name, labels in session.labelsets.items()},
        bindings=[dict(scope) for scope in session.bindings._scopes],
        loop_stack=list(session.loop_stack),
        datastores=dict(session.datastores),
        notes=dict(session.notes),
        gates=dict(session.gates),
    )


def restore(session: Any, snap: Snapshot) -> None:
    """Put ``session`` back into the state of ``snap`` (the snapshot stays usable)."""
    session.datasets = {name: _copy_dataset(ds) for name, ds in snap.datasets.items()}
    session.active = snap.active
    session.labelsets = {name: dict(labels) for name, labels in snap.labelsets.items()}
    session.bindings._scopes = [dict(scope) for scope in snap.bindings]
    session.loop_stack = list(snap.loop_stack)
    session.datastores = dict(snap.datastores)
    session.notes = dict(snap.notes)
    session.gates = dict(snap.gates)
