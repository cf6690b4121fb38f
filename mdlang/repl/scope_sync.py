"""The semantic scope of a running session, read from the session itself.

The checker (:mod:`mdlang.semantics.check`) works out a :class:`~mdlang.semantics.scope.Scope`
from the text of a script; in the REPL the session is already there, so after every command the
scope is rebuilt from what really exists. The completer and the checker of the next command both
read it.
"""

from __future__ import annotations

from typing import Any

from mdlang.semantics.scope import DatasetScope, Scope


def scope_from_session(session: Any) -> Scope:
    """Datasets and their variables, the active dataset, bindings, aliases and label sets."""
    scope = Scope()
    for name, ds in session.datasets.items():
        scope.datasets[name] = DatasetScope(
            name=name,
            variables=dict.fromkeys(ds.variables),
            kind="empty" if ds.is_empty else ds.kind,
            unit=ds.unit_type,
        )
    scope.active = session.active
    scope.bindings = [dict(session.bindings.items())]
    scope.aliases = {
        alias: (store.name, store.version) for alias, store in session.datastores.items()
    }
    scope.labelsets = set(session.labelsets)
    return scope
