"""How the privacy unit travels through ``collapse``, ``merge`` and ``reshape`` (disclosure.md
principle 2, D4, D5; attacks A20 and A21).

Rules (mdlang's decisions):

* **collapse to persons** (``by(PERSONID_1)``, or a link variable to PERSON such as
  ``BEFOLKNING_MOR_FNR`` or a consultation's child id): each new row *is* one person, so the
  contributors take the ``person_id`` form with that person's id. Ten events of one person are
  one person (A20); a mother's row counts the mother once, however many children fed it.
* **collapse to any other unit** (family, household, municipality, a group of a code variable
  such as bydel): each row records ``count`` and ``key_sum`` of its contributing persons, and
  the dataset keeps the list of those persons (:class:`~mdlang.engine.context.Members`) so the
  overlap audit (D10) sketches its cells, margins and totals from persons as on person data. A
  person who occurs in several groups (events in two municipalities) is credited to the first
  group only, so that rows stay disjoint in persons and no count is ever inflated (it can only
  err on the safe side).
* **non-pseudonymised units** (municipalities, consultations, group units of an ordinary code
  variable) get winsorised inputs: values are clipped to the gate's bounds for the variable before
  the statistics are computed (D5), so a municipality's max or sum never shows one person's
  extreme value.
* **merge** copies values onto the target's rows; the target keeps its own contributors, so a
  person-level release of a merged family value is still counted on the target's persons.
* **reshape** repeats each row's person once per measurement (``person_id`` form), so a cell
  of one measurement time counts each person once and a margin over times counts distinct
  persons. Datasets whose rows are aggregates (``count`` form) are not reshaped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from mdlang.datastore.metadata import NON_PSEUDONYMISED_UNITS
from mdlang.disclosure.cells import first_in_cell
from mdlang.engine.context import Contributors, Members

#: the unit type of a collapse by an ordinary (code) variable, such as bydel or kommune
GROUP_UNIT = "GRUPPE"

#: link variables whose values identify families or households rather than persons
_LINK_UNITS = (("FAMNR", "FAMILIE"), ("HUSHNR", "HUSHOLDNING"), ("HUSHOLDNING", "HUSHOLDNING"))


def link_unit(register_name: str | None, link_unit_type: str | None) -> str | None:
    """The unit type a link variable's values identify (``BEFOLKNING_REGSTAT_FAMNR`` → FAMILIE)."""
    if link_unit_type is None:
        return None
    upper = (register_name or "").upper()
    for marker, unit in _LINK_UNITS:
        if marker in upper:
            return unit
    return link_unit_type


def winsorises(unit_type: str) -> bool:
    """True when a collapse to this unit clips its inputs to the global bounds (D5)."""
    return unit_type in NON_PSEUDONYMISED_UNITS or unit_type == GROUP_UNIT


def first_group_per_person(groups: np.ndarray, contributors: Contributors) -> np.ndarray:
    """``groups`` with every person kept in the first group they occur in (else -1), so that
    the collapsed rows are disjoint in persons."""
    pid = contributors.person_id
    if pid is None:
        return groups
    inside = groups >= 0
    frame = pd.DataFrame({"p": pid[inside], "g": groups[inside]})
    first = frame.groupby("p", sort=False)["g"].transform("min").to_numpy()
    out = np.full(len(groups), -1, dtype=np.int64)
    kept = np.flatnonzero(inside)[first == frame["g"].to_numpy()]
    out[kept] = groups[kept]
    return out


def collapsed_contributors(
    gate: Any, groups: np.ndarray, n_groups: int, contributors: Contributors, unit_type: str, group_ids: np.ndarray
) -> Contributors:
    """The contributors of the rows of a collapsed dataset (see the module docstring)."""
    if unit_type == "PERSON":
        return Contributors(person_id=np.asarray(group_ids, dtype=np.int64))
    groups = np.asarray(groups, dtype=np.int64)
    if not gate.disjoint(contributors):
        groups = first_group_per_person(groups, contributors)
    grouped = gate.group_contributors(groups, n_groups, contributors)
    return replace(grouped, members=collapsed_members(groups, n_groups, contributors))


def collapsed_members(groups: np.ndarray, n_groups: int, contributors: Contributors) -> Members | None:
    """Who is in each collapsed row, each person once (rows are disjoint in persons), so that the
    overlap audit sketches a collapsed dataset's cells and margins from their persons (D10).

    None when the source rows do not name their persons (a collapsed dataset without members)."""
    groups = np.asarray(groups, dtype=np.int64)
    if contributors.person_id is not None:
        ids = contributors.person_id
        take = first_in_cell(groups, ids)  # a person's several rows in one group count once
        return Members(ids[take], groups[take], n_groups)
    members = contributors.members
    if members is None:
        return None
    # a collapse of a collapsed dataset: each member follows its row into the new group
    row_group = members.member_cells(groups)
    keep = row_group >= 0
    return Members(members.person_id[keep], row_group[keep], n_groups)


def winsorised(gate: Any, name: str, values: np.ndarray) -> np.ndarray:
    """``values`` clipped to the gate's winsorisation bounds of the variable (D5)."""
    bounds = gate.bounds(name, values)
    if bounds is None:
        return values
    return np.clip(values, bounds[0], bounds[1])


def repeated(contributors: Contributors, times: int) -> Contributors:
    """The contributors of a dataset whose every row is repeated ``times`` times in a row."""
    if contributors.person_id is None:
        raise ValueError("rows that aggregate several persons cannot be repeated")
    return Contributors(person_id=np.repeat(contributors.person_id, times))
