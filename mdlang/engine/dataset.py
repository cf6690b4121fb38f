"""A named dataset of the session: one unit type, one kind, a frame of variables.

The unit identifier is kept apart from the frame (``Dataset.ids``): it is visible by name
(``PERSONID_1``) only as a ``by()``/``on`` key, never in expressions or statistics (D1). Link
variables that hold other units' pseudonymised ids (``*_FNR``) sit in the frame but are listed in
``Dataset.links`` so that expressions and analyses refuse them.

Rows are always numbered 0..n-1 (a RangeIndex); filtering renumbers them. ``contributors`` says,
per row, which person contributes (disclosure.md principle 2).

Two fields describe where a dataset came from rather than what it holds, and travel with every
copy (``copy()``, ``clone-dataset``, the REPL's undo snapshot): ``gate_sources`` lists the
datastores (by alias) whose data the dataset has held, so that its releases pass the strictest of
their policies; ``key_column`` names the ordinary variable a ``collapse … by()`` keyed the dataset
by, so that a later ``merge … on`` matches against it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mdlang.datastore.metadata import UNIT_TYPES, VariableMetadata
from mdlang.engine.context import Contributors

KINDS = ("cross", "event", "panel")


@dataclass
class Dataset:
    """One dataset of a session (see the module docstring for the invariants)."""

    name: str
    unit_type: str | None = None
    kind: str = "cross"
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    contributors: Contributors = field(
        default_factory=lambda: Contributors(person_id=np.empty(0, dtype=np.int64))
    )
    register: dict[str, VariableMetadata] = field(default_factory=dict)
    code_labels: dict[str, dict[object, str]] = field(default_factory=dict)
    labelsets: dict[str, str] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)
    origin: str | None = None
    #: aliases of every datastore whose data the dataset has held, first datastore first;
    #: None until recorded (a dataset with data and no record is treated as holding all of them)
    gate_sources: tuple[str, ...] | None = None
    #: the ordinary variable a collapse keyed this dataset by (None: keyed by its unit ids)
    key_column: str | None = None

    # -- shape ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def is_empty(self) -> bool:
        """True before the first import defines a population."""
        return self.unit_type is None

    @property
    def id_name(self) -> str | None:
        """The name under which the unit identifier is visible (``PERSONID_1``, …)."""
        if self.unit_type is None:
            return None
        return UNIT_TYPES.get(self.unit_type, f"{self.unit_type}_ID")

    @property
    def variables(self) -> list[str]:
        """The dataset variables in creation order (the identifier not included)."""
        return [str(c) for c in self.frame.columns]

    def has(self, name: str) -> bool:
        """True when ``name`` is a variable of the frame."""
        return name in self.frame.columns

    def is_restricted(self, name: str) -> bool:
        """True for the unit identifier and link variables (usable only as by()/on keys, D1)."""
        return name == self.id_name or name in self.links

    # -- changes ----------------------------------------------------------------------------

    def add_source(self, alias: str) -> None:
        """Record that the dataset holds data of the datastore connected as ``alias``."""
        known = self.gate_sources or ()
        if alias not in known:
            self.gate_sources = known + (alias,)

    def set_population(self, unit_type: str, ids: np.ndarray, person_ids: np.ndarray | None = None) -> None:
        """Define the rows of an empty dataset: ``ids`` per row, ``person_ids`` if not the ids."""
        self.unit_type = unit_type
        self.ids = np.asarray(ids, dtype=np.int64)
        self.frame = pd.DataFrame(index=pd.RangeIndex(len(self.ids)))
        who = self.ids if person_ids is None else np.asarray(person_ids, dtype=np.int64)
        self.contributors = Contributors(person_id=who)

    def set_column(self, name: str, values: pd.Series | np.ndarray | pd.Categorical) -> None:
        """Add or overwrite a variable (values aligned with the rows)."""
        if isinstance(values, pd.Series) and not _default_index(values.index):
            values = values.reset_index(drop=True)
        frame = self.frame
        # Column-wise access never needs a consolidated frame; pandas' fragmentation warning
        # would only reach the researcher as noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            frame[name] = values
        self.frame = frame

    def drop_columns(self, names: list[str]) -> None:
        """Remove variables and everything attached to them."""
        self.frame = self.frame.drop(columns=names)
        for name in names:
            self.forget(name)

    def forget(self, name: str) -> None:
        """Drop the metadata, labels and link mark of a variable that no longer exists."""
        self.register.pop(name, None)
        self.code_labels.pop(name, None)
        self.labelsets.pop(name, None)
        self.links.discard(name)
        if self.key_column == name:
            self.key_column = None

    def rename_column(self, old: str, new: str) -> None:
        """Rename a variable, carrying its metadata along."""
        self.frame = self.frame.rename(columns={old: new})
        for table in (self.register, self.code_labels, self.labelsets):
            if old in table:
                table[new] = table.pop(old)
        if old in self.links:
            self.links.discard(old)
            self.links.add(new)
        if self.key_column == old:
            self.key_column = new

    def copy_meta(self, source: str, target: str) -> None:
        """Give ``target`` the register metadata, labels and link mark of ``source``."""
        for table in (self.register, self.code_labels, self.labelsets):
            if source in table:
                table[target] = table[source]
        if source in self.links:
            self.links.add(target)

    def keep_rows(self, mask: np.ndarray, contributors: Contributors | None = None) -> None:
        """Keep the rows where ``mask`` is True (renumbering them); ``contributors``: those of
        the kept rows when the caller has already taken them."""
        mask = np.asarray(mask, dtype=bool)
        if mask.all():
            return
        self.frame = self.frame.loc[mask].reset_index(drop=True)
        self.ids = self.ids[mask]
        self.contributors = self.contributors.take(mask) if contributors is None else contributors

    def copy(self, name: str) -> Dataset:
        """A full, independent copy under a new name."""
        return Dataset(
            name=name,
            unit_type=self.unit_type,
            kind=self.kind,
            frame=self.frame.copy(),
            ids=self.ids.copy(),
            contributors=self.contributors,
            register=dict(self.register),
            code_labels=dict(self.code_labels),
            labelsets=dict(self.labelsets),
            links=set(self.links),
            origin=self.origin,
            gate_sources=self.gate_sources,
            key_column=self.key_column,
        )

    def clone_units(self, name: str) -> Dataset:
        """A new dataset with the same population (one row per distinct unit) and no variables."""
        out = Dataset(name=name, origin=self.origin, gate_sources=self.gate_sources)
        if self.unit_type is None:
            return out
        if self.kind == "cross":
            out.set_population(self.unit_type, self.ids)
            out.contributors = self.contributors
            return out
        order = np.argsort(self.ids, kind="stable")
        ordered = self.ids[order]
        first_of_run = np.ones(len(ordered), dtype=bool)
        first_of_run[1:] = ordered[1:] != ordered[:-1]
        ids, first = ordered[first_of_run], order[first_of_run]
        if self.contributors.person_id is not None:
            out.set_population(self.unit_type, ids, self.contributors.person_id[first])
        else:
            out.set_population(self.unit_type, ids)
        return out


def _default_index(index: pd.Index) -> bool:
    """Whether ``index`` is already 0, 1, 2, … (a Series with it keeps its own array)."""
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
