"""Charging one release to the ledgers of several datastores (a dataset mixing datastores).

A dataset that holds variables of two datastores (Helseprofil children with register variables)
is released under the strictest combined policy, and every datastore whose data it holds is
charged: each one's ledger audits the release against that datastore's own history (with that
datastore's record keys, so its fingerprints match releases made on it alone) and counts it
against that datastore's budget. A refusal or an exhausted budget in any of them refuses the
release in all of them, where it is charged as one refused cell.

All ledgers are locked (in a fixed order, so two runs cannot deadlock), decided, written and then
committed. A crash between two commits leaves a release recorded in some ledgers that was never
shown to the researcher — more conservative than the truth, never less: the result is released
only after every commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mdlang.disclosure.audit import AuditLog
from mdlang.disclosure.keys import RecordKeys
from mdlang.disclosure.ledger import Entry, Ledger, Origin


@dataclass
class Charge:
    """One more datastore a gate's releases are charged to: its ledger and data version, its
    owner's budget, its record keys (None when they equal the gate's own) and audit log, and
    the fingerprints queued for the command being run."""

    ledger: Ledger
    data_version: str
    budget: int
    warning: float
    keys: RecordKeys | None = None
    audit: AuditLog | None = None
    pending: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Party:
    """One ledger's share of a release: where, which version, its budget and its entries."""

    ledger: Ledger
    data_version: str
    budget: int
    entries: list[Entry]


def record_all(parties: Sequence[Party], *, command: str, cells: int, threshold: int, audit_overlap: bool,
               refusal: bool = False, origin: Origin | None = None,
               topics: Sequence[str] = ()) -> tuple[str | None, list[int]]:
    """Audit and record one release (or, with ``refusal``, a refusal) in every party's ledger,
    each with the release's ``origin`` and ``topics`` (:meth:`Ledger.write`).

    Returns the reason of a refusal (``"overlap"``/``"budget"`` from the first ledger that
    refused, None when released) and the cells used afterwards in each party's ledger (in the
    order given). Parties sharing a ledger file are charged once, as the first of them.
    """
    seen: dict[str, int] = {}
    unique: list[Party] = []
    for p in parties:
        key = str(p.ledger.path.resolve())
        if key not in seen:
            seen[key] = len(unique)
            unique.append(p)
    order = sorted(range(len(unique)), key=lambda i: str(unique[i].ledger.path.resolve()))
    begun: list[int] = []
    try:
        for i in order:
            unique[i].ledger.begin()
            begun.append(i)
        refused: str | None = None
        if not refusal:
            for p in unique:
                reason = p.ledger.decide(data_version=p.data_version, cells=cells, entries=p.entries,
                                         threshold=threshold, budget=p.budget, audit_overlap=audit_overlap)
                refused = refused or reason
        verdicts = [
            p.ledger.write(data_version=p.data_version, command=command, cells=1 if refusal else cells,
                           entries=[] if refusal else p.entries, refused=refused or ("refusal" if refusal else None),
                           budget=p.budget, origin=origin, topics=topics)
            for p in unique
        ]
        for i in order:
            unique[i].ledger.commit()
            begun.remove(i)
    except BaseException:
        for i in begun:
            unique[i].ledger.rollback()
        raise
    used = [verdicts[seen[str(p.ledger.path.resolve())]].used for p in parties]
    return refused, used
