"""The gate: the only way a computed aggregate becomes a released :class:`Result`.

Analysis commands compute raw aggregates and hand them to the gate's primitives, which apply
the owner's policy and return released values:

* :meth:`Gate.protect_counts` — distinct persons per cell → cell-key noise (D3) → ``<T`` when
  the noisy count is below the threshold (D4);
* :meth:`Gate.protect_magnitudes` — sums, means, sds, ginis on values winsorised at
  population-wide bounds, (n, k) dominance, keyed noise and the threshold (D5);
* :meth:`Gate.protect_quantiles` — micro-aggregated quantiles, extreme ones only for large
  groups (D6);
* :meth:`Gate.check_floor` — the dataset floor (D12);
* :meth:`Gate.release`, :meth:`Gate.message`, :meth:`Gate.refusal` — build the sealed result and
  append it to the audit log (D11).

Cells are given as one integer per dataset row, aligned with the dataset's contributors
(see :mod:`mdlang.disclosure.cells`).

Winsorisation bounds of register variables come from the whole datastore
(:mod:`mdlang.disclosure.bounds`); derived variables use the dataset's whole column. With a
:class:`~mdlang.disclosure.ledger.Ledger`, every cell that passes through the primitives is
noted and :meth:`Gate.release` audits and records them in one transaction (D10).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdlang.disclosure.audit import AuditLog, default_audit_path
from mdlang.disclosure.cells import CellAggregate, aggregate, first_in_cell, is_unique, limb_sums
from mdlang.disclosure.charges import Charge, Party, record_all
from mdlang.disclosure.keys import RecordKeys, cell_key, read_secret
from mdlang.disclosure.ledger import (
    GROUPED_STREAM,
    PERSON_STREAM,
    Entry,
    Fingerprint,
    Ledger,
    Origin,
    Sketch,
    default_ledger_path,
    fingerprints,
    key_parts,
    margin_fingerprints,
    masked_fingerprints,
    one_cell_sketch,
    sketch_fingerprint,
)
from mdlang.disclosure.magnitude import (
    CellExtremes,
    CellMoments,
    cell_extremes,
    gini,
    keyed_normal,
    layout_moments,
    moments,
    winsor_bounds,
)
from mdlang.disclosure.merged import (
    CellSketch,
    cell_sketch,
    merge_aggregate,
    merge_sketch,
    sketch_fingerprints,
)
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.ptable import ptable
from mdlang.disclosure.quantiles import (
    person_quantile,
    sorted_by_cell,
    sorted_with_persons,
    window,
    window_mean,
    window_values,
)
from mdlang.disclosure.refusals import Rule, audit_refusal, budget_warning, floor_rule
from mdlang.disclosure.rounding import round_sig
from mdlang.disclosure.rows import (
    WEIGHT_NOTE,
    row_cap,
    row_weights,
    sorted_weighted_by_cell,
    weighted_gini,
    weighted_moments,
)
from mdlang.disclosure.seal import SEAL
from mdlang.engine.context import Contributors
from mdlang.results import Result

MAGNITUDE_STATS = ("sum", "mean", "sd", "gini")
#: the most cells whose ledger sketches are computed all at once (:mod:`mdlang.disclosure.merged`;
#: BUCKETS counts and sums each, about 16 kB a cell); larger tables sketch only the cells they release
SKETCH_CELLS_MAX = 4096
DOMINANCE_MARK = "x"


@dataclass(frozen=True)
class MagnitudeRelease:
    """Released magnitudes per cell: ``values[i][stat]`` is a number or a suppression marker;
    ``n[i]`` the released person count. ``winsorised`` says whether a bound changed any value,
    ``dominated`` whether a cell was withheld by the dominance rule; ``notes`` are notes the
    result must carry (a person's rows weighted down, :mod:`mdlang.disclosure.rows`)."""

    values: list[dict[str, Any]]
    n: list[int | str]
    winsorised: bool
    dominated: bool
    protections: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())


class Gate:
    """Applies one policy with one owner secret; optionally logs every release and refusal."""

    def __init__(
        self,
        policy: Policy,
        secret: bytes,
        audit: AuditLog | None = None,
        *,
        data_version: str = "unknown",
        ledger: Ledger | None = None,
        bounds: Any = None,
    ) -> None:
        self.policy = policy
        self.audit = audit
        self.data_version = data_version
        self.ledger = ledger
        self.global_bounds = bounds
        self._registers: dict[str, str] = {}
        self._set_stream = "vars:*"
        self._var_streams: tuple[str, ...] = ()
        self._extra_streams: tuple[str, ...] = ()
        self._pending: list[Entry] = []
        self._charges: list[Charge] = []
        self._parts: tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None = None
        self.script_hash = "none"
        self.script_file: str | None = None
        self._keys = RecordKeys(secret)
        self._ptable = ptable(policy.noise_bound, policy.noise_variance)
        self._bounds: dict[tuple[str, str, str], tuple[float, float] | None] = {}
        self._policy_hash = policy.digest()
        self._unique: dict[int, tuple[np.ndarray, bool]] = {}
        self._fingerprints: dict[int, tuple[np.ndarray, str]] = {}
        self._last_valid: tuple[Any, Any, Any, int, CellAggregate] | None = None
        self._same_cells: tuple[Any, int, tuple[int, ...], np.ndarray, CellAggregate, Any] | None = None
        self._last_bounds: tuple[str, np.ndarray, tuple[float, float] | None] | None = None
        self._masked: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._nan: tuple[np.ndarray, np.ndarray] | None = None
        self._clip: tuple[np.ndarray, tuple[float, float], np.ndarray, np.ndarray] | None = None
        self._sketch: tuple[Contributors, Sketch] | None = None
        # the layout of a table being released by protect_magnitude_layouts ((merge,), merge
        # None for the interior), the interior's aggregate and sketch, and the last merged sketch
        self._layout: tuple[np.ndarray | None] | None = None
        self._interior: list[tuple[CellAggregate, CellSketch | None]] = []
        self._interior_merged: CellSketch | None = None
        self._cell_sketch: tuple[np.ndarray, int, np.ndarray, CellSketch] | None = None
        # work started ahead on a background thread (:meth:`prefetch`): pure functions of
        # arrays, keyed by the identity of those arrays; forgotten at the next command
        self._ahead_bounds: dict[int, tuple[np.ndarray, Any]] = {}
        # columns prefetch found within their register's range: (column, variable) by id
        self._covered: dict[int, tuple[np.ndarray, str]] = {}
        self._ahead_windows: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, Any]] = {}

    @classmethod
    def for_datastore(
        cls,
        ds: Any,
        audit: AuditLog | bool | None = None,
        *,
        project: str | None = None,
        ledger: Ledger | bool | None = None,
        policy: Policy | None = None,
    ) -> Gate:
        """The gate of an opened datastore: its policy, its secret, an audit log and a ledger.

        ``audit=None`` logs to :func:`default_audit_path` for ``project`` (else ``$MDLANG_PROJECT``,
        else ``local``); ``audit=False`` disables logging; an :class:`AuditLog` is used as given.
        ``ledger`` likewise: None opens :func:`default_ledger_path` of the project and datastore
        name, False disables it (tests), a :class:`Ledger` is used as given. ``policy`` replaces
        the datastore's own (callers check that it only tightens it). Winsorisation bounds come
        from the whole datastore (:mod:`mdlang.disclosure.bounds`).
        """
        from mdlang.disclosure.bounds import DatastoreBounds

        policy_path = getattr(ds, "policy_path", None) or Path(ds.path) / "policy.toml"
        policy = policy or Policy.load(policy_path)
        secret = read_secret(ds.path)
        version = str(getattr(ds, "stored_version", None) or ds.version)
        if audit is None:
            audit = AuditLog(default_audit_path(ds.name, version, project))
        elif audit is False:
            audit = None
        if ledger is None:
            ledger = Ledger(default_ledger_path(ds.name, project))
        bounds = DatastoreBounds(ds, policy)
        return cls(policy, secret, audit or None, data_version=f"{ds.name}:{version}", ledger=ledger or None, bounds=bounds)

    # -- session -------------------------------------------------------------------------------

    def begin_script(self, text: str, file: str | None = None) -> None:
        """Record the script being run (its SHA-256 goes into every audit entry; its file name
        into the ledger, so that a refusal can name earlier outputs by script and line)."""
        self.script_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.script_file = file

    def begin_command(self, command: str, variables: Sequence[str] = (), registers: dict[str, str] | None = None) -> None:
        """Start an analysis command: ``variables`` are the dataset variables it names outside its
        ``if``, ``registers`` maps dataset variables to the register variables they were imported
        from (for datastore-wide bounds and the ledger). Forgets unreleased work.

        The overlap audit (D10) keys its streams on the statistic's *variable set*, whatever the
        command: a variable imported from the register is known by its register name (so a second
        import under another name meets the first), a derived one by its dataset name. Margins
        and totals of tables are also audited in the stream of each of their variables, so a
        two-way margin meets a one-way table and a ``summarize()`` total meets ``summarize``.
        With the owner's ``ledger.audit_every_cell`` every cell shares one stream.
        """
        del command  # the command does not scope the audit
        self._registers = dict(registers or {})
        lineage = sorted({self._lineage(str(v)) for v in variables})
        self._set_stream = "vars:" + ("+".join(lineage) if lineage else "*")
        self._var_streams = tuple(f"vars:{name}" for name in lineage)
        self._pending = []
        for charge in self._charges:
            charge.pending = []
        self._same_cells = None
        # what the memos hold belongs to the last command's data
        self._last_bounds = self._masked = self._nan = self._clip = None
        self._sketch = self._cell_sketch = None
        self._ahead_bounds, self._ahead_windows, self._covered = {}, {}, {}

    def _lineage(self, variable: str) -> str:
        """How the ledger names a variable: its register variable if imported, else its name."""
        register = self._registers.get(variable)
        return f"{register}@register" if register is not None else variable

    def _streams_for(self, person_level: bool, extra: Sequence[str] = ()) -> tuple[str, ...]:
        """The ledger streams of a cell: its statistic's variable set (and ``extra``)."""
        if self.policy.audit_every_cell:
            names: tuple[str, ...] = (PERSON_STREAM,)
        else:
            names = tuple(dict.fromkeys((self._set_stream, *extra)))
        return names if person_level else tuple(f"{GROUPED_STREAM}:{n}" for n in names)

    def charge_also(self, other: Gate, *, same_keys: bool) -> None:
        """Charge every release of this gate to ``other``'s datastore too (its ledger, budget and
        audit log): for a dataset holding data of both (:mod:`mdlang.disclosure.charges`).
        ``same_keys`` says the two datastores share one record-key secret."""
        if other.ledger is None:
            return
        self._charges.append(Charge(
            ledger=other.ledger, data_version=other.data_version, budget=other.policy.budget_cells,
            warning=other.policy.budget_warning, keys=None if same_keys else other._keys,
            audit=other.audit if other.audit is not self.audit else None,
        ))

    def record_keys(self, person_ids: np.ndarray) -> np.ndarray:
        """The uint64 record key of each person id (cached per id array)."""
        return self._keys(person_ids)

    # -- counts (D3, D4) -------------------------------------------------------------------------

    def disjoint(self, contributors: Contributors) -> bool:
        """True when no person contributes to two rows (so margins are sums of their cells)."""
        ids = contributors.person_id
        if ids is None:
            return True
        hit = self._unique.get(id(ids))
        if hit is not None and hit[0] is ids:
            return hit[1]
        unique = is_unique(ids)
        if len(self._unique) > 8:
            self._unique.clear()
        self._unique[id(ids)] = (ids, unique)
        return unique

    def aggregate(self, cells: np.ndarray, n_cells: int, contributors: Contributors) -> CellAggregate:
        """True distinct persons and key sums per cell (not for release: feed :meth:`count_value`).

        The cells large enough to be released are noted for the privacy ledger, which audits
        them when the command's result is released (:meth:`release`).
        """
        # the copy: the remembered cells must not change under the memo (the caller's may)
        return self._noted_aggregate(np.array(cells, dtype=np.int64), n_cells, contributors)

    def _aggregate(self, cells: np.ndarray, n_cells: int, contributors: Contributors) -> CellAggregate:
        return aggregate(cells, n_cells, contributors, self._keys, self.disjoint(contributors))

    def _key_parts(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:func:`key_parts` of the record keys of an id array (remembered for the last array)."""
        memo = self._parts
        if memo is not None and memo[0] is ids:
            return memo[1]
        parts = key_parts(self._keys(ids))
        self._parts = (ids, parts)
        return parts

    def _note_fingerprints(
        self, cells: np.ndarray, n_cells: int, contributors: Contributors, agg: CellAggregate
    ) -> list[list[Fingerprint]] | None:
        """The fingerprints of the cells that may be released (D10), to queue: for this gate's ledger first, then one list per
        charged gate (in ``self._charges`` order); None without a ledger.

        Counts and magnitudes are noted alike (the statistic is not part of the stream): a mean's
        N is a noisy count of the same persons as a table cell, so counts and magnitudes on one
        variable set meet in the audit."""
        if self.ledger is None:
            return None
        floor = max(self.policy.threshold - self.policy.noise_bound, 1)
        wanted = [i for i in range(n_cells) if int(agg.persons[i]) >= floor]
        if not wanted:
            return [[] for _ in range(len(self._charges) + 1)]
        cells = np.asarray(cells, dtype=np.int64)
        if contributors.members is not None:  # a collapsed dataset: sketch its persons (D10)
            cells, contributors = contributors.members.member_cells(cells), Contributors(person_id=contributors.members.person_id)
        inside = cells >= 0
        ids = contributors.person_id
        if ids is not None and self.disjoint(contributors) and n_cells == 1:
            # one row per person, one cell (summarize): sketched from the last selection of the
            # command when only a few rows differ (another variable's missing values)
            take = inside
            last = self._sketch[1] if self._sketch is not None and self._sketch[0] is contributors else None
            sketch = one_cell_sketch(cells, self._key_parts(ids), last)
            self._sketch = (contributors, sketch)
            fps = [sketch_fingerprint(sketch, int(agg.persons[0]), int(agg.key_sums[0]))]
        elif ids is not None and self.disjoint(contributors):
            # one row per person: the rows of a cell are its persons, read in place
            take = inside
            if n_cells <= SKETCH_CELLS_MAX:
                fps = sketch_fingerprints(self._sketch_of(cells, n_cells, ids), agg, wanted)
            else:
                fps = masked_fingerprints(cells, n_cells, self._key_parts(ids), agg.persons, agg.key_sums, wanted)
        elif ids is not None:
            take = first_in_cell(cells, ids)
            bucket, check = self._key_parts(ids)
            fps = fingerprints(cells[take], n_cells, (bucket[take], check[take]), None, agg.persons, agg.key_sums, wanted)
        else:
            # Rows of a collapsed dataset hide who is in them: one bucket per cell, so the
            # bound falls back to the difference of the person counts (still a lower bound).
            take = inside
            keys, weights = np.zeros(int(take.sum()), dtype=np.uint64), contributors.count[take]
            fps = fingerprints(cells[take], n_cells, keys, weights, agg.persons, agg.key_sums, wanted)
        found = [fps]
        for charge in self._charges:
            if charge.keys is None or contributors.person_id is None:
                found.append(fps)
                continue
            # that datastore's own record keys, so its ledger compares like with like
            other = charge.keys(contributors.person_id)[take]
            sums = limb_sums(cells[take], other, n_cells)
            found.append(fingerprints(cells[take], n_cells, key_parts(other), None, agg.persons, sums, wanted))
        return found

    def _queue(self, contributors: Contributors, found: list[list[Fingerprint]]) -> None:
        """Queue fingerprints from :meth:`_note_fingerprints` in the streams of the moment."""
        streams = self._streams_for(contributors.person_id is not None, self._extra_streams)
        self._pending.extend(Entry(streams, fp) for fp in found[0])
        for charge, own in zip(self._charges, found[1:], strict=True):
            charge.pending.extend(Entry(streams, fp) for fp in own)

    def note_margins(self, cells: np.ndarray, n_rows: int, n_cols: int, contributors: Contributors, agg: CellAggregate) -> None:
        """Queue the fingerprints of a count table's margins and total for the ledger (D10).

        For a table whose margins are released from sums of its cells (one row per person, see
        :func:`mdlang.disclosure.tables.count_grid`): they are released counts of their own
        contributor sets, so they are audited like cells — a one-way ``tabulate`` total and a
        two-way margin can otherwise be differenced against another table's cells.
        """
        if self.ledger is None or (contributors.person_id is None and contributors.members is None):
            return
        streams = self._streams_for(contributors.person_id is not None, self._var_streams)
        cells = np.asarray(cells, dtype=np.int64)
        original = contributors
        if contributors.members is not None:  # a collapsed dataset: its margins' persons (D10)
            cells, contributors = contributors.members.member_cells(cells), Contributors(person_id=contributors.members.person_id)
        take = cells >= 0
        floor = max(self.policy.threshold - self.policy.noise_bound, 1)
        if contributors is original and self.disjoint(contributors) and n_rows * n_cols <= SKETCH_CELLS_MAX:
            # one row per person: merged from the interior's sketch (the one its cells were noted with)
            fps = self._merged_margin_fingerprints(cells, n_rows, n_cols, contributors, agg, floor)
        else:
            bucket, check = self._key_parts(contributors.person_id)
            fps = margin_fingerprints(cells[take], n_rows, n_cols, (bucket[take], check[take]), agg.persons, agg.key_sums, floor)
        self._pending.extend(Entry(streams, fp) for fp in fps)
        for charge in self._charges:
            if charge.keys is None:
                charge.pending.extend(Entry(streams, fp) for fp in fps)
                continue
            other = charge.keys(contributors.person_id)[take]
            sums = limb_sums(cells[take], other, n_rows * n_cols)
            own = margin_fingerprints(cells[take], n_rows, n_cols, key_parts(other), agg.persons, sums, floor)
            charge.pending.extend(Entry(streams, fp) for fp in own)

    def _merged_margin_fingerprints(
        self, cells: np.ndarray, n_rows: int, n_cols: int, contributors: Contributors, agg: CellAggregate, floor: int
    ) -> list[Fingerprint]:
        """:func:`margin_fingerprints` (row margins of a two-way table, column margins, total)
        merged from the interior's :class:`~mdlang.disclosure.merged.CellSketch`: the same
        fingerprints in the same order."""
        assert contributors.person_id is not None
        sketch = self._sketch_of(cells, n_rows * n_cols, contributors.person_id)
        interior = np.arange(n_rows * n_cols)
        merges = ([(interior // n_cols, n_rows)] if n_cols > 1 else []) + [(interior % n_cols, n_cols), (np.zeros_like(interior), 1)]
        out: list[Fingerprint] = []
        for merge, n in merges:
            merged = merge_aggregate(agg, merge, n)
            wanted = [j for j in range(n) if int(merged.persons[j]) >= floor]
            out.extend(sketch_fingerprints(merge_sketch(sketch, merge, n), merged, wanted))
        return out

    def _sketch_of(self, cells: np.ndarray, n_cells: int, ids: np.ndarray) -> CellSketch:
        """The :class:`~mdlang.disclosure.merged.CellSketch` of int64 ``cells`` of one row per
        person, remembered for the last cells (a table's interior serves its count, its margins
        and the interiors of its summarize() when the same rows have a value)."""
        memo = self._cell_sketch
        if (
            memo is not None and memo[1] == n_cells and memo[2] is ids
            and (memo[0] is cells or np.array_equal(memo[0], cells))
        ):
            return memo[3]
        sketch = cell_sketch(cells, n_cells, self._key_parts(ids))
        self._cell_sketch = (cells, n_cells, ids, sketch)
        return sketch

    def group_contributors(self, groups: np.ndarray, n_groups: int, contributors: Contributors) -> Contributors:
        """The contributors of the rows of a collapsed dataset: for each group (row number
        ``0..n_groups-1`` per source row, -1 = dropped) its distinct persons and their key sum.

        For ``collapse``: the new dataset's later statistics are still checked on persons.
        """
        agg = self._aggregate(np.asarray(groups, dtype=np.int64), n_groups, contributors)
        return Contributors(count=agg.persons.astype(np.int64), key_sum=np.array(agg.key_sums, dtype=np.uint64))

    def noisy_count(self, persons: int, key_sum: int) -> int:
        """The perturbed count of a cell: true persons plus p-table noise keyed on the contributors."""
        if persons <= 0:
            return 0
        return int(persons) + self._ptable.noise(cell_key(key_sum, "count"), int(persons))

    def count_value(self, persons: int, key_sum: int) -> int | str:
        """The released count of a cell: ``<T`` when the noisy count is below T, else the noisy count.

        An empty cell is ``<T`` too: showing 0 would tell an empty cell from one with a single
        person, and so reveal which category a person in a small selection has.
        """
        noisy = self.noisy_count(persons, key_sum)
        return self.suppressed_mark if noisy < self.policy.threshold else noisy

    @property
    def suppressed_mark(self) -> str:
        """The marker of a count below the threshold (``"<10"``)."""
        return f"<{self.policy.threshold}"

    def protect_counts(self, cells: np.ndarray, n_cells: int, contributors: Contributors) -> list[int | str]:
        """Released distinct-person counts of ``n_cells`` cells (cells as in :mod:`cells`)."""
        agg = self.aggregate(cells, n_cells, contributors)
        return [self.count_value(int(n), s) for n, s in zip(agg.persons, agg.key_sums, strict=True)]

    # -- magnitudes (D5) ------------------------------------------------------------------------

    def bounds(self, variable: str, population: np.ndarray) -> tuple[float, float] | None:
        """Winsorisation bounds of a variable (D5).

        A variable imported from the register gets the bounds of the register variable over the
        whole datastore population (:mod:`mdlang.disclosure.bounds`); a derived variable falls
        back to the whole dataset column ``population``, computed once per data version and column.
        """
        memo = self._last_bounds
        if memo is not None and memo[0] == variable and memo[1] is population:
            return memo[2]
        found = self._bounds_of(variable, population)
        # the same column is asked again for each layout of a table: remember it (until the
        # next command, whose registers may differ)
        self._last_bounds = (variable, population, found)
        return found

    def _bounds_of(self, variable: str, population: np.ndarray) -> tuple[float, float] | None:
        """:meth:`bounds`, computed."""
        register = self._registers.get(variable)
        if register is not None and self.global_bounds is not None:
            found = self.global_bounds.get(register)
            covered = self._covered.pop(id(population), None)
            if found is not None and ((covered is not None and covered[0] is population and covered[1] == variable)
                                      or found.covers(population)):
                return found.bounds
        ahead = self._ahead_bounds.pop(id(population), None)
        if ahead is not None and ahead[0] is population:
            fingerprint, computed = ahead[1].result()
        else:
            fingerprint, computed = self._fingerprint_of(population), None
        if len(self._fingerprints) > 8:
            self._fingerprints.clear()
        self._fingerprints[id(population)] = (population, fingerprint)
        key = (self.data_version, variable, fingerprint)
        if key not in self._bounds:
            if computed is None:
                arr = np.ascontiguousarray(population, dtype=np.float64)
                computed = winsor_bounds(arr, self.policy.winsor_lower, self.policy.winsor_upper)
            self._bounds[key] = computed
        return self._bounds[key]

    def _fingerprint_of(self, population: np.ndarray) -> str:
        """The content fingerprint of a column (remembered for the array while it lives)."""
        seen = self._fingerprints.get(id(population))
        if seen is not None and seen[0] is population:
            return seen[1]
        return _fingerprint(population)

    # -- work started ahead ---------------------------------------------------------------------

    #: below this many rows nothing is started ahead (a thread hand-off costs more than it saves)
    AHEAD_MIN_ROWS = 1 << 18

    def prefetch(
        self, columns: Sequence[tuple[str, np.ndarray]], contributors: Contributors,
        *, cells: np.ndarray | None = None, quantiles: Sequence[float] = (),
    ) -> None:
        """Start, on a background thread, the heavy pure parts of releasing statistics of
        ``columns`` (variable name, whole dataset column): the winsorisation bounds of each
        (content fingerprint and percentiles of the column) and, given the ``cells`` of a
        one-cell release (0 = in, -1 = out) of one row per person, the quantile windows of
        ``quantiles``. The releases themselves happen as always, in order, on the caller's
        thread, and take the results (the same numbers) when they get there; while they work on
        one variable the next one's parts are computed. Only for large data; the work is
        forgotten at the next command."""
        if not columns or len(columns[0][1]) < self.AHEAD_MIN_ROWS:
            return
        from mdlang.parallel import background

        pool = background()
        pol = self.policy
        windows = bool(quantiles) and cells is not None and contributors.person_id is not None and self.disjoint(contributors)
        for variable, values in columns:
            register = self._registers.get(variable)
            found = self.global_bounds.get(register) if register is not None and self.global_bounds is not None else None
            known = found is not None and found.covers(values)
            if known:
                self._covered[id(values)] = (values, variable)  # bounds() need not check again
            elif id(values) not in self._ahead_bounds:
                seen = self._fingerprints.get(id(values))
                fingerprint = seen[1] if seen is not None and seen[0] is values else None
                if fingerprint is None or (self.data_version, variable, fingerprint) not in self._bounds:
                    self._ahead_bounds[id(values)] = (
                        values, pool.submit(_bounds_ahead, values, fingerprint, pol.winsor_lower, pol.winsor_upper))
            if windows:
                self._ahead_windows[(id(cells), id(values))] = (
                    cells, values, pool.submit(_windows_ahead, cells, values, tuple(quantiles), pol.quantile_k))

    def protect_magnitudes(
        self,
        cells: np.ndarray,
        n_cells: int,
        values: np.ndarray,
        contributors: Contributors,
        *,
        variable: str,
        population: np.ndarray,
        stats: Sequence[str] = ("mean", "sd"),
    ) -> MagnitudeRelease:
        """Released ``stats`` (sum, mean, sd, gini) of ``values`` per cell.

        ``values`` (float, NaN = missing) is aligned with ``cells``; ``population`` is the whole
        column the winsorisation bounds come from (never the filtered subset).

        When a person may have several rows, each person counts as at most ``c`` rows of a cell
        (``c`` from the rows per person of the whole dataset, :mod:`mdlang.disclosure.rows`);
        with one row per person the numbers are the plain row statistics.
        """
        return self._magnitudes(cells, n_cells, values, contributors, variable, population, stats)

    def protect_magnitude_layouts(
        self,
        layouts: Sequence[tuple[np.ndarray, int, np.ndarray | None]],
        values: np.ndarray,
        contributors: Contributors,
        *,
        variable: str,
        population: np.ndarray,
        stats: Sequence[str] = ("mean", "sd"),
    ) -> list[MagnitudeRelease]:
        """:meth:`protect_magnitudes` of each layout of one table (its interior first, then
        layouts that merge interior cells: ``(cells, n_cells, merge)`` with ``merge[i]`` the
        layout cell of interior cell ``i``, None for the interior itself).

        The same releases, noted for the ledger in the same order, as calling
        :meth:`protect_magnitudes` once per layout; when every person is in at most one row the
        maxima and dominance shares of the merged layouts are combined from the interior's
        instead of recomputed over the rows.
        """
        shared: list[tuple[np.ndarray, CellExtremes]] = []
        dominance_n = self.policy.dominance_n
        ahead = self._layout_moments_ahead(layouts, values, contributors, variable, population)

        def merged(j: int, merge: np.ndarray | None) -> Any:
            def fast(cells: np.ndarray, n_cells: int, clipped: np.ndarray) -> CellMoments:
                if ahead is not None and ahead[0] is clipped and n_cells == layouts[j][1]:
                    job = ahead[1][j]
                    # a layout the background thread has not begun is computed here instead
                    mom, extra = ahead[2](j, cells) if job.cancel() else job.result()
                    if extra is not None:
                        shared.clear()
                        shared.append(extra)
                    return mom
                if n_cells == 1 or (merge is not None and not shared):
                    return moments(cells, n_cells, clipped, contributors.person_id, True, dominance_n, masked=True)
                if merge is None:
                    shared.clear()
                    shared.append((np.abs(clipped), cell_extremes(cells, n_cells, clipped, dominance_n)))
                    merge_of = np.arange(n_cells)
                else:
                    merge_of = merge
                abs_values, extremes = shared[0]
                return layout_moments(cells + 1, n_cells, clipped, abs_values, extremes, merge_of, dominance_n)

            return fast

        out = []
        self._interior = []
        try:
            for j, (cells, n, merge) in enumerate(layouts):
                self._layout = (merge,)
                out.append(self._magnitudes(cells, n, values, contributors, variable, population, stats, merged(j, merge)))
        finally:
            self._layout = None
            self._interior = []
            self._interior_merged = None
        return out

    def _layout_moments_ahead(
        self, layouts: Sequence[tuple[np.ndarray, int, np.ndarray | None]], values: np.ndarray,
        contributors: Contributors, variable: str, population: np.ndarray,
    ) -> tuple[np.ndarray, list[Any], Callable[..., Any]] | None:
        """For a large table of one row per person: the moments of every layout, started on the
        background thread while :meth:`_magnitudes` aggregates and notes the cells on this one.

        Returns the clipped values they are computed from, one future per layout (its moments
        and, for the interior, its absolute values and extremes) and the function computing
        layout ``j``'s, for a layout the caller reaches before the background thread has begun
        it: the interior is queued first and the others last-first, so the two threads meet
        halfway. It is the computation of the ``fast`` path of
        :meth:`protect_magnitude_layouts` on the same arrays (the cells of each layout with -1
        where the value is missing), so the numbers are the same. None when the table is small,
        has one cell, or persons may have several rows."""
        pid = contributors.person_id
        if (
            len(values) < self.AHEAD_MIN_ROWS or pid is None or not layouts or layouts[0][2] is not None
            or layouts[0][1] <= 1 or not self._mergeable(contributors)
        ):
            return None
        from mdlang.parallel import background

        floats, masked0 = self._with_values(layouts[0][0], values)
        bounds = self.bounds(variable, population)
        clipped = self._clipped(floats, bounds)[0] if bounds is not None else floats
        missing = np.isnan(floats)
        dominance_n = self.policy.dominance_n
        interior: list[tuple[np.ndarray, CellExtremes]] = []
        once = threading.Lock()

        def extremes() -> tuple[np.ndarray, CellExtremes]:
            # computed once, by whichever thread needs it first (the other waits for it)
            with once:
                if not interior:
                    interior.append((np.abs(clipped), cell_extremes(masked0, layouts[0][1], clipped, dominance_n)))
            return interior[0]

        def one(j: int, masked: np.ndarray | None = None) -> tuple[CellMoments, tuple[np.ndarray, CellExtremes] | None]:
            # ``masked``: the layout's cells with -1 where the value is missing, when the caller
            # has them already (as _with_values makes them)
            cells, n_cells, merge = layouts[j]
            if masked is None:
                masked = masked0 if j == 0 else np.where(missing, -1, np.asarray(cells, dtype=np.int64))
            if n_cells == 1:
                return moments(masked, n_cells, clipped, pid, True, dominance_n, masked=True), None
            abs_values, found = extremes()
            merge_of = np.arange(n_cells) if merge is None else merge
            mom = layout_moments(masked + 1, n_cells, clipped, abs_values, found, merge_of, dominance_n)
            return mom, ((abs_values, found) if merge is None else None)

        pool = background()
        jobs: dict[int, Any] = {0: pool.submit(one, 0)}
        for j in range(len(layouts) - 1, 0, -1):
            jobs[j] = pool.submit(one, j)
        return clipped, [jobs[j] for j in range(len(layouts))], one

    def _magnitudes(
        self, cells: np.ndarray, n_cells: int, values: np.ndarray, contributors: Contributors, variable: str,
        population: np.ndarray, stats: Sequence[str], fast_moments: Any = None,
    ) -> MagnitudeRelease:
        """:meth:`protect_magnitudes`, with ``fast_moments(cells, n_cells, values)`` standing in
        for :func:`moments` when every person is in at most one row."""
        pol = self.policy
        given = (cells, values)
        values, cells = self._with_values(cells, values)
        bounds = self.bounds(variable, population)
        winsorised = False
        if bounds is not None:
            values, outside = self._clipped(values, bounds)
            winsorised = bool((cells[outside] >= 0).any())
        # a statistic of ``variable`` over the whole selection (summarize, a table's total) is
        # also audited in the variable's own stream
        self._extra_streams = (f"vars:{self._lineage(variable)}",) if n_cells == 1 else ()
        try:
            agg = self._valid_aggregate(given, cells, n_cells, contributors)
        finally:
            self._extra_streams = ()
        pid = contributors.person_id
        unique = self.disjoint(contributors)
        weighted: list[tuple[np.ndarray, np.ndarray]] | None = None
        notes: tuple[str, ...] = ()
        if unique or pid is None:
            if fast_moments is not None:
                mom: Any = fast_moments(cells, n_cells, values)
            else:
                mom = moments(cells, n_cells, values, pid, unique, pol.dominance_n, masked=True)
            sorted_cells = sorted_by_cell(cells, values, n_cells) if "gini" in stats else None
        else:
            weights = row_weights(cells, pid, row_cap(pid))
            if bool((weights[cells >= 0] < 1.0).any()):
                notes = (WEIGHT_NOTE,)
            mom = weighted_moments(cells, n_cells, values, pid, weights, pol.dominance_n)
            sorted_cells = None
            if "gini" in stats:
                weighted = sorted_weighted_by_cell(cells, values, weights, n_cells)
                sorted_cells = [x for x, _ in weighted]
        out: list[dict[str, Any]] = []
        ns: list[int | str] = []
        dominated = False
        for i in range(n_cells):
            n_rel = self.count_value(int(agg.persons[i]), agg.key_sums[i])
            ns.append(n_rel)
            if isinstance(n_rel, str):
                out.append(dict.fromkeys(stats, self.suppressed_mark))
                continue
            if mom.top_share[i] * 100.0 > pol.dominance_k:
                dominated = True
                out.append(dict.fromkeys(stats, DOMINANCE_MARK))
                continue
            weights_i = weighted[i][1] if weighted is not None and bool((weighted[i][1] < 1.0).any()) else None
            out.append(self._cell_magnitudes(i, agg.key_sums[i], mom, stats, sorted_cells, weights_i))
        prot = ["threshold", "cell-key noise", "dominance"] + (["winsorisation"] if bounds else [])
        prot += ["row weights"] if notes else []
        return MagnitudeRelease(out, ns, winsorised, dominated, tuple(prot), notes)

    def _cell_magnitudes(
        self, i: int, key_sum: int, mom: Any, stats: Sequence[str], sorted_cells: list[np.ndarray] | None,
        gini_weights: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Released ``stats`` of cell ``i``; ``gini_weights`` (aligned with ``sorted_cells[i]``)
        when some row of the cell weighs less than 1 (:mod:`mdlang.disclosure.rows`)."""
        pol = self.policy
        f, digits = pol.magnitude_noise, pol.magnitude_digits
        n = float(mom.rows[i])  # the row count, or the weight sum of a weighted cell
        max_abs = float(mom.max_abs[i])
        released: dict[str, Any] = {}
        for stat in stats:
            if stat == "sum":
                true = float(mom.total[i])
                value = true + f * max_abs * self._z(key_sum, "sum", true)
            elif stat == "mean":
                true = float(mom.mean[i])
                value = true + f * max_abs / n * self._z(key_sum, "mean", true)
            elif stat == "sd":
                var = float(mom.variance[i])
                if math.isnan(var):
                    released[stat] = None
                    continue
                noisy_var = var + f * float(mom.max_dev2[i]) / n * self._z(key_sum, "variance", var)
                value = math.sqrt(max(noisy_var, 0.0))
            elif stat == "gini":
                xs = sorted_cells[i] if sorted_cells is not None else np.empty(0)
                true = gini(xs) if gini_weights is None else weighted_gini(xs, gini_weights)
                if math.isnan(true):
                    released[stat] = None
                    continue
                if gini_weights is None:
                    total_abs = float(np.abs(xs).sum())
                else:
                    total_abs = float((gini_weights * np.abs(xs)).sum())
                value = true + f * 2.0 * max_abs / total_abs * self._z(key_sum, "gini", true)
            else:
                raise ValueError(f"unknown magnitude statistic {stat!r}")
            released[stat] = round_sig(value, digits)
        return released

    @staticmethod
    def _z(key_sum: int, kind: str, true: float) -> float:
        # The key holds the true value to 3 digits instead of the variable's name, so a copied or
        # renamed variable gets the very same noise (attack A06) rather than a fresh draw.
        return keyed_normal(cell_key(key_sum, kind, (f"{true:.3g}",)))

    def _with_values(self, cells: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``values`` as float64 and ``cells`` with -1 where the value is missing.

        Remembered for the last (cells, values) arrays, so that the magnitudes and quantiles of
        one variable mask once, and the missing values of the last ``values`` for the layouts of
        a table. The arrays returned are shared: callers must not change them.
        """
        memo = self._masked
        if memo is not None and memo[0] is cells and memo[1] is values:
            return memo[2], memo[3]
        floats = np.asarray(values, dtype=np.float64)
        nan = self._nan
        if nan is None or nan[0] is not values:
            nan = (values, np.isnan(floats))
            self._nan = nan
        masked = np.where(nan[1], -1, np.asarray(cells, dtype=np.int64))
        self._masked = (cells, values, floats, masked)
        return floats, masked

    def _clipped(self, values: np.ndarray, bounds: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """``values`` winsorised to ``bounds`` and the rows whose value lies outside them,
        remembered for the last array (the layouts of a table clip the same column). Shared:
        callers must not change them."""
        memo = self._clip
        if memo is not None and memo[0] is values and memo[1] == bounds:
            return memo[2], memo[3]
        clipped = np.clip(values, bounds[0], bounds[1])
        outside = np.flatnonzero((values < bounds[0]) | (values > bounds[1]))  # NaN is not outside
        self._clip = (values, bounds, clipped, outside)
        return clipped, outside

    def _valid_aggregate(self, given: tuple[Any, Any], cells: np.ndarray, n_cells: int, contributors: Contributors) -> CellAggregate:
        """:meth:`aggregate` of the rows with a value, remembered for the same (cells, values)
        arrays so that magnitudes and quantiles of one cell set aggregate once."""
        memo = self._last_valid
        if memo is not None and memo[0] is given[0] and memo[1] is given[1] and memo[2] is contributors and memo[3] == n_cells:
            return memo[4]
        agg = self._noted_aggregate(cells, n_cells, contributors)
        self._last_valid = (given[0], given[1], contributors, n_cells, agg)
        return agg

    def _noted_aggregate(self, cells: np.ndarray, n_cells: int, contributors: Contributors) -> CellAggregate:
        """The aggregate of int64 ``cells`` (owned by the gate: never changed afterwards) with
        their fingerprints queued for the ledger, both remembered for the last cells of the
        command: a table's count and its summarize() interior, or variables with the same
        missing rows, have the same persons per cell, so the same aggregate and fingerprints."""
        same = self._same_cells
        if (
            same is not None
            and same[0] is contributors
            and same[1] == n_cells
            and same[2] == tuple(map(id, self._charges))
            and (same[3] is cells or np.array_equal(same[3], cells))
        ):
            agg, found = same[4], same[5]
            if self._layout is not None and self._layout[0] is None and self._mergeable(contributors):
                self._remember_interior(cells, n_cells, contributors, agg)
        elif self._layout is not None and self._mergeable(contributors) and (self._layout[0] is None or self._interior):
            agg, found = self._layout_aggregate(cells, n_cells, contributors)
            self._same_cells = (contributors, n_cells, tuple(map(id, self._charges)), cells, agg, found)
        else:
            agg = self._aggregate(cells, n_cells, contributors)
            found = self._note_fingerprints(cells, n_cells, contributors, agg)
            self._same_cells = (contributors, n_cells, tuple(map(id, self._charges)), cells, agg, found)
        if found is not None:
            self._queue(contributors, found)
        return agg

    def _mergeable(self, contributors: Contributors) -> bool:
        """Whether a table's margins may be merged from its interior (:mod:`mdlang.disclosure.merged`):
        one row per person, and no other datastore charged with its own keys."""
        return contributors.person_id is not None and not self._charges and self.disjoint(contributors)

    def _remember_interior(self, cells: np.ndarray, n_cells: int, contributors: Contributors, agg: CellAggregate) -> None:
        """Keep a table interior's aggregate and sketch for the margins merged from it."""
        self._interior = []
        if n_cells > SKETCH_CELLS_MAX:
            return  # too many cells to sketch them all: every layout takes the plain path
        sketch = None
        if self.ledger is not None:
            assert contributors.person_id is not None
            sketch = self._sketch_of(cells, n_cells, contributors.person_id)
        self._interior = [(agg, sketch)]

    def _layout_aggregate(self, cells: np.ndarray, n_cells: int, contributors: Contributors) -> tuple[CellAggregate, Any]:
        """:meth:`_aggregate` and :meth:`_note_fingerprints` of a layout of the table being
        released by :meth:`protect_magnitude_layouts`: the interior from its rows, every other
        layout merged from the interior's numbers (the same numbers)."""
        merge = self._layout[0] if self._layout is not None else None
        if merge is None:
            agg = self._aggregate(cells, n_cells, contributors)
            self._remember_interior(cells, n_cells, contributors, agg)
            if not self._interior:
                return agg, self._note_fingerprints(cells, n_cells, contributors, agg)
        else:
            interior, sketch0 = self._interior[0]
            agg = merge_aggregate(interior, merge, n_cells)
            self._interior_merged = (merge_sketch(sketch0, merge, n_cells) if sketch0 is not None else None)
        if self.ledger is None:
            return agg, None
        sketch = self._interior[0][1] if merge is None else self._interior_merged
        floor = max(self.policy.threshold - self.policy.noise_bound, 1)
        wanted = [i for i in range(n_cells) if int(agg.persons[i]) >= floor]
        return agg, [sketch_fingerprints(sketch, agg, wanted)]

    # -- quantiles (D6) -------------------------------------------------------------------------

    def min_n_for(self, p: float) -> int:
        """The released person count a quantile needs: extreme ones need large groups (D6).

        Any quantile needs at least 2k persons: below that the windows of the quartiles are
        clipped at the ends of the data and overlap, and the difference of two window means
        would come close to the difference of two single values (the maximum and minimum).
        """
        pol = self.policy
        base = max(pol.threshold, 2 * pol.quantile_k)
        if p < 0.05 or p > 0.95:
            return max(pol.extreme_1_min_n, base)
        if p < 0.25 or p > 0.75:
            return max(pol.extreme_5_min_n, base)
        return base

    def protect_quantiles(
        self,
        cells: np.ndarray,
        n_cells: int,
        values: np.ndarray,
        contributors: Contributors,
        probs: Sequence[float],
    ) -> tuple[list[dict[float, Any]], list[int | str]]:
        """Micro-aggregated quantiles per cell and the released person counts they were decided on.

        A quantile is None (omitted) when the cell's released count is below what it needs
        (:meth:`min_n_for`), and the threshold marker when the cell itself is suppressed. When a
        person may have several rows, the window is widened to k distinct persons and each
        person's values are averaged first (:func:`person_quantile`, attack A20).
        """
        pol = self.policy
        given = (cells, values)
        values, cells = self._with_values(cells, values)
        agg = self._valid_aggregate(given, cells, n_cells, contributors)
        if contributors.person_id is not None and not self.disjoint(contributors):
            return self._person_quantiles(cells, n_cells, values, contributors.person_id, probs, agg)
        ahead = self._ahead_windows.pop((id(given[0]), id(given[1])), None)
        if ahead is not None and ahead[0] is given[0] and ahead[1] is given[1] and n_cells == 1:
            found_probs, found = ahead[2].result()
            sizes_windows = [found] if found_probs == tuple(probs) else [window_values(values[cells == 0], probs, pol.quantile_k)]
        elif n_cells == 1:
            # one cell: only the windows are needed, found without sorting the column
            sizes_windows = [window_values(values[cells == 0], probs, pol.quantile_k)]
        else:
            sizes_windows = [
                (len(xs), {p: xs[slice(*window(len(xs), p, pol.quantile_k))] for p in probs} if len(xs) >= pol.quantile_k else {})
                for xs in sorted_by_cell(cells, values, n_cells)
            ]
        return self._quantile_rows(
            agg, n_cells, probs,
            lambda i: sizes_windows[i][0] >= pol.quantile_k,
            lambda i, p: window_mean(sizes_windows[i][1][p], pol.quantile_digits),
        )

    def _quantile_rows(
        self, agg: CellAggregate, n_cells: int, probs: Sequence[float],
        enough: Callable[[int], bool], value: Callable[[int, float], Any],
    ) -> tuple[list[dict[float, Any]], list[int | str]]:
        """Each cell's released quantiles and noisy person count: the suppression mark when the
        count is withheld, None when it is below a quantile's minimum or ``enough(cell)`` says
        the cell's window cannot be formed, else ``value(cell, p)``."""
        out: list[dict[float, Any]] = []
        ns: list[int | str] = []
        for i in range(n_cells):
            n_rel = self.count_value(int(agg.persons[i]), agg.key_sums[i])
            ns.append(n_rel)
            row: dict[float, Any] = {}
            for p in probs:
                if isinstance(n_rel, str):
                    row[p] = self.suppressed_mark
                elif n_rel < self.min_n_for(p) or not enough(i):
                    row[p] = None
                else:
                    row[p] = value(i, p)
            out.append(row)
        return out, ns

    def _person_quantiles(
        self, cells: np.ndarray, n_cells: int, values: np.ndarray, person_id: np.ndarray, probs: Sequence[float], agg: CellAggregate
    ) -> tuple[list[dict[float, Any]], list[int | str]]:
        """:meth:`protect_quantiles` when a person may have several rows: the same release
        rules, each quantile from a window of at least k distinct persons."""
        pol = self.policy
        groups = sorted_with_persons(cells, values, person_id, n_cells)
        return self._quantile_rows(
            agg, n_cells, probs,
            lambda i: int(agg.persons[i]) >= pol.quantile_k,
            lambda i, p: person_quantile(*groups[i], p, pol.quantile_k, pol.quantile_digits),
        )

    # -- floor (D12) ----------------------------------------------------------------------------

    def check_floor(self, contributors: Contributors, command: str, line: int) -> Result | None:
        """None when a dataset may shrink to these contributors, else a refusal (noisy count)."""
        agg = self._aggregate(np.zeros(len(contributors), dtype=np.int64), 1, contributors)
        noisy = self.noisy_count(int(agg.persons[0]), agg.key_sums[0])
        if noisy >= self.policy.dataset_floor:
            return None
        return self.refuse(command, line, floor_rule(self.policy))

    # -- results and the audit log (D9, D11) ----------------------------------------------------

    def release(
        self,
        command: str,
        line: int,
        kind: str,
        data: dict[str, Any],
        notes: Sequence[str] = (),
        *,
        protections: Sequence[str] = (),
        cells: int = 0,
    ) -> Result:
        """Seal a result built from released values, and log it.

        With a ledger, the release is first audited (D10): the cells noted since the command
        began must not differ from earlier releases by 1..T-1 persons, and the release budget
        must hold them; otherwise the result is a refusal.
        """
        notes = tuple(notes)
        if self.ledger is not None and self._charges:
            refused, warn = self._record_everywhere(command, cells, line=line)
            if refused is not None:
                return self._refusal(command, line, *audit_refusal(self.policy, refused, self.ledger, self._topics()))
            if warn:
                notes = (*notes, budget_warning(self.policy))
        elif self.ledger is not None:
            pending, self._pending = self._pending, []
            charge = int(cells) if cells else max(len(pending), 1)
            verdict = self.ledger.record(
                data_version=self.data_version, command=command, cells=charge, entries=pending,
                threshold=self.policy.threshold, budget=self.policy.budget_cells,
                audit_overlap=self.policy.overlap_audit, origin=Origin(self.script_file, line), topics=self._topics(),
            )
            if verdict.refused is not None:
                return self._refusal(command, line, *audit_refusal(self.policy, verdict.refused, self.ledger, self._topics()))
            if verdict.used >= self.policy.budget_warning * self.policy.budget_cells:
                notes = (*notes, budget_warning(self.policy))
        result = Result(command, line, kind, data, notes, _seal=SEAL)
        self._log("release", command, line, kind, protections=list(protections), cells=int(cells))
        return result

    def message(self, command: str, line: int, text: str, notes: Sequence[str] = ()) -> Result:
        """A message that carries no data (not logged: it releases nothing)."""
        return Result(command, line, "message", {"text": text}, tuple(notes), _seal=SEAL)

    def refusal(self, command: str, line: int, rule: str, remedy: str) -> Result:
        """A refusal naming the rule that blocked the output and a remedy (fixed texts, D9).

        Charged to the ledger's budget as one cell (D9, D10)."""
        self._pending = []
        if self.ledger is not None and self._charges:
            self._record_everywhere(command, 1, refusal=True, line=line)
        elif self.ledger is not None:
            self.ledger.record(
                data_version=self.data_version, command=command, cells=1, entries=(),
                threshold=self.policy.threshold, budget=self.policy.budget_cells,
                origin=Origin(self.script_file, line), topics=self._topics(), refusal=True,
            )
        return self._refusal(command, line, rule, remedy)

    def _topics(self) -> tuple[str, ...]:
        """The command's variable sets, under which the ledger lists it for later refusals."""
        return self._streams_for(True, (*self._var_streams, *self._extra_streams))

    def _record_everywhere(self, command: str, cells: int, *, refusal: bool = False, line: int = 0) -> tuple[str | None, bool]:
        """Record a release (or refusal) in this gate's ledger and every charged datastore's
        (:func:`mdlang.disclosure.charges.record_all`); returns the refusal reason and whether
        any of them is past its budget warning."""
        pending, self._pending = self._pending, []
        charge = int(cells) if cells else max(len(pending), 1)
        assert self.ledger is not None
        parties = [Party(self.ledger, self.data_version, self.policy.budget_cells, pending)]
        parties += [Party(c.ledger, c.data_version, c.budget, c.pending) for c in self._charges]
        for c in self._charges:
            c.pending = []
        refused, used = record_all(parties, command=command, cells=charge, threshold=self.policy.threshold,
                                   audit_overlap=self.policy.overlap_audit, refusal=refusal,
                                   origin=Origin(self.script_file, line), topics=self._topics())
        limits = [(self.policy.budget_cells, self.policy.budget_warning)] + [(c.budget, c.warning) for c in self._charges]
        warn = any(u >= w * b for u, (b, w) in zip(used, limits, strict=True))
        return refused, warn

    def _refusal(self, command: str, line: int, rule: str, remedy: str, detail: str = "") -> Result:
        text = f"{command}: output withheld by disclosure control ({rule})." + (f" {detail}" if detail else "")
        result = Result(command, line, "refusal", {"text": text, "rule": rule, "remedy": remedy}, (), _seal=SEAL)
        self._log("refusal", command, line, "refusal", rule=rule)
        return result

    def refuse(self, command: str, line: int, rule: Rule) -> Result:
        """A refusal for one of the fixed rules of :mod:`mdlang.disclosure.refusals`."""
        return self.refusal(command, line, f"{rule.id}: {rule.text}", rule.remedy)

    def _log(self, event: str, command: str, line: int, kind: str, **extra: Any) -> None:
        logs = [self.audit] + [c.audit for c in self._charges]
        done: set[int] = set()
        for log in logs:
            if log is None or id(log) in done:
                continue
            done.add(id(log))
            log.append(
                event=event,
                command=command,
                line=int(line),
                kind=kind,
                script=self.script_hash,
                data_version=self.data_version,
                policy=self._policy_hash,
                **extra,
            )


def _bounds_ahead(
    population: np.ndarray, fingerprint: str | None, lower: float, upper: float
) -> tuple[str, tuple[float, float] | None]:
    """:meth:`Gate.prefetch`'s bounds: the column's fingerprint and winsorisation bounds."""
    arr = np.ascontiguousarray(population, dtype=np.float64)
    return (fingerprint if fingerprint is not None else _fingerprint(arr)), winsor_bounds(arr, lower, upper)


def _fingerprint(population: np.ndarray) -> str:
    """The content fingerprint of a column, hashed in place (a copy of the column would cost as
    much as the hash)."""
    return hashlib.blake2b(np.ascontiguousarray(population, dtype=np.float64), digest_size=16).hexdigest()


def _windows_ahead(cells: np.ndarray, values: np.ndarray, probs: tuple[float, ...], k: int) -> tuple[tuple[float, ...], Any]:
    """:meth:`Gate.prefetch`'s quantile windows of one cell: those :meth:`Gate.protect_quantiles`
    finds (the values of cell 0 that are not missing)."""
    floats = np.asarray(values, dtype=np.float64)
    chosen = (np.asarray(cells) == 0) & ~np.isnan(floats)
    return probs, window_values(floats[chosen], probs, k)
