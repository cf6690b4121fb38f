"""What an analysis command sees of the data: the contract between the engine and the
analysis command modules (describe, models, graphics), which release only through the gate.

A row of a dataset may stand for one person (person, event, panel, consultation datasets) or
for several (after ``collapse`` to a family, municipality, bydel, …). :class:`Contributors`
records, per row, who contributes, so that every release is checked on distinct persons.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mdlang.datastore.metadata import VariableMetadata


def taken(parent: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``parent[rows]``, remembered as taken from ``parent`` (see :func:`taken_from`)."""
    child = parent[rows]
    if len(child) >= _ORIGIN_MIN:
        if len(_ORIGINS) >= _ORIGIN_SLOTS:
            _ORIGINS.pop(next(iter(_ORIGINS)))
        # (a copy of the selector: the caller's mask may be changed in place later)
        _ORIGINS[id(child)] = (weakref.ref(child), weakref.ref(parent), np.array(rows, copy=True))
    return child


def taken_from(child: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(parent, rows)`` when ``child`` was made by :func:`taken` and both still exist.

    The gate uses it to take the record keys of a filtered population from those of the whole
    one (a gather) instead of hashing millions of ids again after every ``keep if``.
    """
    entry = _ORIGINS.get(id(child))
    if entry is None or entry[0]() is not child:
        return None
    parent = entry[1]()
    return None if parent is None else (parent, entry[2])


def remember_codes(array: Any, codes: np.ndarray, uniques: list[Any]) -> None:
    """Record ``pd.factorize(array, sort=True)`` of a text column as it was made (see
    :func:`known_codes`); the codes are made read-only."""
    codes.flags.writeable = False
    if len(_CODES) >= _ORIGIN_SLOTS:
        _CODES.pop(next(iter(_CODES)))
    _CODES[id(array)] = (weakref.ref(array), codes, list(uniques))


def known_codes(array: Any) -> tuple[np.ndarray, list[Any]] | None:
    """The sorted factorisation :func:`remember_codes` recorded for this very array (codes
    read-only, -1 = missing; ascending distinct values), None when there is none.

    ``recode`` knows the distinct values of its result and where each row's comes from, so
    ``tabulate`` of a recoded text variable need not factorise millions of strings again.
    """
    entry = _CODES.get(id(array))
    if entry is None or entry[0]() is not array:
        return None
    return entry[1], list(entry[2])


#: id(array) → (array, codes, uniques) of the last few recorded factorisations (weakly held)
_CODES: dict[int, tuple[weakref.ref, np.ndarray, list[Any]]] = {}

#: id(child) → (child, parent, rows) of the last few large :func:`taken` arrays (weak references
#: to the arrays, so the registry keeps no population alive; the row selector is kept)
_ORIGINS: dict[int, tuple[weakref.ref, weakref.ref, np.ndarray]] = {}
_ORIGIN_SLOTS = 4
_ORIGIN_MIN = 1 << 16  # smaller populations hash faster than they are worth tracking


@dataclass(frozen=True)
class Members:
    """The persons behind the rows of a collapsed dataset, kept for the overlap audit (D10).

    ``person_id`` lists each contributing person once and ``row`` the row it belongs to, numbered
    as when the dataset was collapsed (``0..n_origin-1``); ``rows`` maps the dataset's current rows
    to those numbers (None = unchanged). Filtering rows only replaces ``rows``, so the member
    arrays (and the record keys the gate caches for them) are shared by every subset.
    """

    person_id: np.ndarray
    row: np.ndarray
    n_origin: int
    rows: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> Members:
        """The members of a subset of the current rows (a boolean mask or integer positions)."""
        current = np.arange(self.n_origin, dtype=np.int64) if self.rows is None else self.rows
        return Members(self.person_id, self.row, self.n_origin, current[rows])

    def member_cells(self, cells: np.ndarray) -> np.ndarray:
        """The cell of each member (-1 = none) from the cell of each current row."""
        by_origin = np.full(self.n_origin, -1, dtype=np.int64)
        current = np.arange(self.n_origin, dtype=np.int64) if self.rows is None else self.rows
        by_origin[current] = np.asarray(cells, dtype=np.int64)
        return by_origin[self.row]


@dataclass(frozen=True)
class Contributors:
    """Who contributes to each row of a dataset, aligned with its rows.

    Exactly one of two forms:

    * ``person_id`` (int64): each row belongs to one person; several rows may share a person
      (event and panel datasets, consultations). Distinct persons are counted by id.
    * ``count`` (int64) and ``key_sum`` (uint64): each row aggregates ``count`` distinct persons
      whose record keys sum (mod 2**64) to ``key_sum``; rows are disjoint in persons (a person
      contributes to one row of a collapsed dataset). ``members`` (optional, count form only)
      names those persons for the overlap audit (:class:`Members`).
    """

    person_id: np.ndarray | None = None
    count: np.ndarray | None = None
    key_sum: np.ndarray | None = None
    members: Members | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.count is None):
            raise ValueError("Contributors needs either person_id or count/key_sum")

    def __len__(self) -> int:
        arr = self.person_id if self.person_id is not None else self.count
        return len(arr)

    def take(self, rows: np.ndarray) -> Contributors:
        """The contributors of a subset of rows (a boolean mask or integer positions)."""
        if self.person_id is not None:
            return Contributors(person_id=taken(self.person_id, rows))
        members = None if self.members is None else self.members.take(rows)
        return Contributors(count=self.count[rows], key_sum=self.key_sum[rows], members=members)


@dataclass(frozen=True)
class VariableInfo:
    """What an analysis needs to know about one dataset variable."""

    name: str
    numeric: bool
    labels: Mapping[Any, str] | None = None
    register: VariableMetadata | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class AnalysisContext:
    """The input of an analysis handler.

    ``frame`` is the whole active dataset (unit-level: it must never reach a renderer) and
    ``mask`` the rows selected by the command's ``if`` condition (None = all rows; a missing
    condition counts as false). ``contributors`` is aligned with ``frame``. ``gate`` is the
    session's :class:`mdlang.disclosure.gate.Gate`. Use :meth:`select` and
    :meth:`selected_contributors` rather than filtering the whole frame: it copies only the
    columns a command needs.
    """

    frame: pd.DataFrame
    contributors: Contributors
    variables: Mapping[str, VariableInfo]
    unit_type: str
    kind: str  # "cross", "event" or "panel"
    gate: Any
    command: str
    line: int
    mask: np.ndarray | None = None

    def select(self, columns: list[str]) -> pd.DataFrame:
        """The selected rows of the named columns (a new frame; the dataset is not changed)."""
        sub = self.frame[columns]
        return sub if self.mask is None else sub.loc[self.mask]

    def selected_contributors(self) -> Contributors:
        """The contributors of the selected rows."""
        return self.contributors if self.mask is None else self.contributors.take(self.mask)
