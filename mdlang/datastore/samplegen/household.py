"""Families and dwellings at each status date (BEFOLKNING_REGSTAT_*, BARN_I_*, BOFORHOLD_*).

A family is a couple or a single adult with the children under 18 who live with them; its number
is the woman's id in a couple, else the adult's own id, and children carry their mother's (or,
without her, their father's) family number. Dwellings are drawn per family number, so a family
keeps its dwelling from year to year; crowding follows Bergen's bydel gradient.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.catalogue import metadata
from mdlang.datastore.samplegen.dates import age_at
from mdlang.datastore.samplegen.frames import codes_of, status
from mdlang.datastore.samplegen.persons import (
    bergen_index,
    kommune_index_at,
    partner_at,
    yearly,
)
from mdlang.datastore.samplegen.residence import BYDEL_CROWDED
from mdlang.datastore.samplegen.world import World, pid_order

#: Above this many persons only KEEP_LARGE snapshots are cached.
LARGE = 1_000_000
KEEP_LARGE = 2


@dataclass
class Snapshot:
    """Family structure on one day; arrays over all persons, meaningful where ``present``."""

    present: np.ndarray
    age: np.ndarray
    partner: np.ndarray
    guardian: np.ndarray
    famnr: np.ndarray  # person index of the family's reference person (-1 if absent)
    size: np.ndarray  # persons in the person's family
    kids: np.ndarray  # children under 18 in the person's family
    youngest: np.ndarray  # age of the youngest child in the family (99 if none)


def snapshot(world: World, when: int) -> Snapshot:
    """The families on day ``when`` (cached per day)."""
    key = f"snapshot:{when}"
    if key in world.cache:
        return world.cache[key]
    pop = world.pop
    n = pop.n
    present = pop.present(when)
    age = age_at(pop.birth, when)
    partner = np.where(present, partner_at(world, when), -1)
    mom_ok = (pop.mother >= 0) & present[np.maximum(pop.mother, 0)]
    dad_ok = (pop.father >= 0) & present[np.maximum(pop.father, 0)]
    child = present & (age < 18)
    guardian = np.where(child & mom_ok, pop.mother, np.where(child & dad_ok, pop.father, -1))
    me = np.arange(n)
    head = np.where(partner >= 0, np.where(pop.female, me, partner), me)
    famnr = np.where(guardian >= 0, head[np.maximum(guardian, 0)], head)
    famnr = np.where(present, famnr, -1)
    cnt = np.bincount(famnr[present], minlength=n)
    is_kid = present & (guardian >= 0)
    kcnt = np.bincount(famnr[is_kid], minlength=n)
    youngest = np.full(n, 99, np.int64)
    np.minimum.at(youngest, famnr[is_kid], age[is_kid])
    f = np.maximum(famnr, 0)
    snap = Snapshot(present, age, partner, guardian, famnr, cnt[f], kcnt[f], youngest[f])
    if n > LARGE:
        # Large populations keep only the latest snapshots (each is several arrays of n).
        for old in [k for k in world.cache if k.startswith("snapshot:")][
            : -(KEEP_LARGE - 1) or None
        ]:
            del world.cache[old]
    world.cache[key] = snap
    return snap


def _age_group(age: np.ndarray) -> np.ndarray:
    """0–3 for under 30, 30–44, 45–66 and 67 years or over (SSB's family-statistics groups)."""
    return np.searchsorted(np.array([30, 45, 67]), age, side="right")


def _famtyp(world: World, s: Snapshot, when: int) -> np.ndarray:
    """Index into FAMTYP per person: the type of the person's family (SSB's 25 family types)."""
    pop = world.pop
    at = {c.code: i for i, c in enumerate(cl.FAMTYP)}
    head = np.maximum(s.famnr, 0)
    partner = s.partner[head]
    couple = partner >= 0
    married = partner_at(world, when, True)[head] >= 0
    small = s.youngest <= 5  # the youngest child under 18 is 0–5 years old
    with_kids = s.kids > 0
    eldest = np.where(couple, np.maximum(s.age[head], s.age[np.maximum(partner, 0)]), s.age[head])
    grp = _age_group(eldest)
    hf = pop.female[head]
    out = np.full(pop.n, at["3.4.1"], np.int64)
    kid_step = np.where(small, 0, 1)
    for mask, first in (
        (couple & married & with_kids, "2.1.1"),
        (couple & ~married & with_kids, "2.2.1"),
        (~couple & with_kids & hf, "2.3.1"),
        (~couple & with_kids & ~hf, "2.4.1"),
    ):
        out[mask] = at[first] + kid_step[mask]
    for mask, first in (
        (couple & married & ~with_kids, "3.1.1"),
        (couple & ~married & ~with_kids, "3.1.5"),
        (~couple & ~with_kids, "1.1.1"),
    ):
        out[mask] = at[first] + grp[mask]
    return out


def _union_start(world: World, when: int) -> np.ndarray:
    """Per person: the first day of the union they live in on ``when`` (-1 when none)."""
    u = world.unions
    act = (u.start <= when) & (u.end > when)
    out = np.full(world.pop.n, -1, np.int64)
    out[u.woman[act]] = u.start[act]
    out[u.man[act]] = u.start[act]
    return out


def _parstatus(world: World, s: Snapshot, when: int) -> np.ndarray:
    """Index into PARSTATUS per person (SSB's codes: couples by kind, children by their family)."""
    pop = world.pop
    at = {c.code: i for i, c in enumerate(cl.PARSTATUS)}
    kids = np.flatnonzero(s.guardian >= 0)
    common = np.zeros(pop.n, bool)
    mothers = pop.mother[kids]
    common[mothers[mothers >= 0]] |= (pop.father[kids] >= 0)[mothers >= 0] & (
        pop.father[kids] == s.partner[np.maximum(mothers, 0)]
    )[mothers >= 0]
    in_pair = s.partner >= 0
    married = partner_at(world, when, True) >= 0
    shared = common | common[np.maximum(s.partner, 0)]
    new = (when - _union_start(world, when)) < 365
    # a new cohabitation is registered with one moving date for both in most cases
    same_day = _hash_uniform(pop.pid, 7_919) < 0.7
    cohab = np.where(
        shared,
        at["3"],
        np.where(new, np.where(same_day, at["6"], at["7"]), at["5"]),
    )
    head = np.maximum(s.famnr, 0)
    child_code = np.where(s.partner[head] >= 0, at["8"], at["0"])
    return np.where(
        in_pair,
        np.where(married, at["1"], cohab),
        np.where(s.guardian >= 0, child_code, at["0"]),
    )


def _personkode(world: World, s: Snapshot) -> np.ndarray:
    """Index into PERSONKODE: reference person (the elder partner or the single adult), the
    younger partner, or a child."""
    pop = world.pop
    partner = np.maximum(s.partner, 0)
    older = (pop.birth < pop.birth[partner]) | (
        (pop.birth == pop.birth[partner]) & (pop.pid < pop.pid[partner])
    )
    return np.where(s.guardian >= 0, 2, np.where(s.partner >= 0, np.where(older, 0, 1), 0))


def _hash_uniform(key: np.ndarray, salt: int) -> np.ndarray:
    """A uniform number in [0, 1) per key, stable across dates."""
    x = (key.astype(np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(29)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(32)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def dwelling(world: World, when: int) -> dict[str, np.ndarray]:
    """Dwelling attributes per person on day ``when`` (values per family number)."""
    s = snapshot(world, when)
    pop = world.pop
    fam = np.maximum(s.famnr, 0)
    salt = world.seed % 100_003
    u1, u2, u3 = (_hash_uniform(pop.pid[fam], salt + k) for k in (1, 2, 3))
    kidx = kommune_index_at(world, when)
    bergen = kidx == bergen_index()
    z = pop.z[fam]
    p_crowd = np.where(bergen, BYDEL_CROWDED[world.bydel[fam]], 0.12)
    p_crowd = np.where(s.kids > 0, p_crowd * np.exp(-0.35 * z) / np.exp(0.06), p_crowd * 0.5)
    crowded = u1 < np.clip(p_crowd, 0, 0.95)
    persons = s.size
    rooms = np.where(crowded, np.maximum(1, persons - 1), persons + 1 + (u2 * 3).astype(np.int64))
    area = np.where(
        crowded, np.minimum(rooms * 18 + 10, 24 * persons), rooms * 24 + (u3 * 40).astype(np.int64)
    )
    btype = np.where(bergen & (u2 < 0.45), 3, (u2 * 6 * 0.999).astype(np.int64) % 4)
    btype = np.where((u3 > 0.97), 4 + (u2 > 0.5), btype)
    built = 1900 + (u3 * 123).astype(np.int64)
    return {"crowded": crowded, "rooms": rooms, "area": area, "btype": btype, "built": built}


def variables(world: World) -> Iterator:
    """Family and dwelling status variables."""
    pop = world.pop
    ids = pop.pid
    by_id = pid_order(world)
    dates = yearly("2005-01-01", "2025-01-01")
    out: dict[str, list] = {
        k: [] for k in ("famnr", "famtyp", "antpers", "kids", "hush", "parstatus", "personkode")
    }
    famtyp_codes = [c.code for c in cl.FAMTYP]
    parstatus_codes = [c.code for c in cl.PARSTATUS]
    personkode_codes = [c.code for c in cl.PERSONKODE]
    for d in dates:
        s = snapshot(world, d)
        p = by_id[s.present[by_id]]  # present persons in id order
        pid = ids[p]
        out["famnr"].append((pid, ids[s.famnr[p]], d))
        out["famtyp"].append((pid, codes_of(famtyp_codes, _famtyp(world, s, d)[p]), d))
        out["antpers"].append((pid, s.size[p].astype(np.int32), d))
        kids = s.kids[p].astype(np.int16)
        out["kids"].append((pid, kids, d))
        out["hush"].append((pid, kids, d))
        out["parstatus"].append((pid, codes_of(parstatus_codes, _parstatus(world, s, d)[p]), d))
        out["personkode"].append((pid, codes_of(personkode_codes, _personkode(world, s)[p]), d))
        del s, p, pid, kids
    yield metadata("BEFOLKNING_REGSTAT_FAMNR", link_unit_type="PERSON"), status(out.pop("famnr"))
    yield metadata("BEFOLKNING_REGSTAT_FAMTYP", codes=cl.FAMTYP), status(out.pop("famtyp"))
    yield metadata("BEFOLKNING_ANTPERS_I_REGSTAT_FAMNR"), status(out.pop("antpers"))
    yield metadata("BEFOLKNING_BARN_I_REGSTAT_FAMNR"), status(out.pop("kids"))
    yield metadata("BEFOLKNING_BARN_I_HUSH"), status(out.pop("hush"))
    yield metadata("BEFOLKNING_PARSTATUS", codes=cl.PARSTATUS), status(out.pop("parstatus"))
    yield (
        metadata("BEFOLKNING_REGSTAT_PERSONKODE", codes=cl.PERSONKODE),
        status(out.pop("personkode")),
    )
    yield from _boforhold(world)


def _boforhold(world: World) -> Iterator:
    pop = world.pop
    ids = pop.pid
    dates = yearly("2015-01-01", "2024-01-01")
    names = (
        "BRUKSAREAL",
        "BYGGEAAR",
        "BYGNINGSTYPE",
        "ANTALL_ROM",
        "BRUKSENHETSTYPE",
        "HUSHTYPE",
        "TRANGBODD",
    )
    out: dict[str, list] = {k: [] for k in names}
    btypes = [c.code for c in cl.BYGNINGSTYPE]
    by_id = pid_order(world)
    for d in dates:
        s = snapshot(world, d)
        dw = dwelling(world, d)
        p = by_id[s.present[by_id]]
        pid = ids[p]
        out["BRUKSAREAL"].append((pid, dw["area"][p].astype(np.int32), d))
        out["BYGGEAAR"].append((pid, dw["built"][p].astype(np.int16), d))
        out["BYGNINGSTYPE"].append((pid, codes_of(btypes, dw["btype"][p]), d))
        out["ANTALL_ROM"].append((pid, dw["rooms"][p].astype(np.int16), d))
        out["BRUKSENHETSTYPE"].append(
            (pid, codes_of(["B", "U", "A"], np.where(dw["btype"][p] == 4, 1, 0)), d)
        )
        head = np.maximum(s.famnr, 0)
        couple = s.partner[head] >= 0
        ht = np.where(
            s.size == 1,
            0,
            np.where(couple, np.where(s.kids > 0, 2, 1), np.where(s.kids > 0, 3, 4)),
        )
        out["HUSHTYPE"].append((pid, codes_of([c.code for c in cl.HUSHTYPE], ht[p]), d))
        out["TRANGBODD"].append(
            (pid, codes_of(["0", "1", "8", "9"], dw["crowded"][p].astype(np.int64)), d)
        )
    units = {"BRUKSAREAL": "m²", "BYGGEAAR": None, "ANTALL_ROM": None}
    code_lists = {
        "BYGNINGSTYPE": cl.BYGNINGSTYPE,
        "BRUKSENHETSTYPE": cl.BRUKSENHETSTYPE,
        "HUSHTYPE": cl.HUSHTYPE,
        "TRANGBODD": cl.TRANGBODD,
    }
    for k in names:
        yield (
            metadata(f"BOFORHOLD_{k}", codes=code_lists.get(k), unit_of_measure=units.get(k)),
            status(out.pop(k)),
        )
