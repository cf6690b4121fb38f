"""Person variables of the population register (BEFOLKNING_*, SIVSTAND, BOSATTEFDT, NUDB_KOMM_16)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.catalogue import metadata
from mdlang.datastore.samplegen.dates import NEVER, add_years, age_at, day, year_of, ymd
from mdlang.datastore.samplegen.frames import codes_of, frame, status
from mdlang.datastore.samplegen.kommuner import code_list as kommune_codes
from mdlang.datastore.samplegen.kommuner import kommuner
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.residence import coded_spells
from mdlang.datastore.samplegen.spells import Spells, from_events, pair_order
from mdlang.datastore.samplegen.world import World, pid_order

LINK = "PERSON"


def yearly(first: str, last: str) -> list[int]:
    """Status dates on the same day and month each year from ``first`` to ``last``."""
    a, b = np.datetime64(first), np.datetime64(last)
    y0, y1 = int(str(a)[:4]), int(str(b)[:4])
    md = str(a)[5:]
    return [day(f"{y}-{md}") for y in range(y0, y1 + 1)]


def residence_codes(world: World) -> tuple[Spells, tuple[str, ...]]:
    """Municipality spells coded with the numbers valid at each date (cached)."""
    return world.cached("coded_residence", lambda w: coded_spells(w.pop, w.residence))


def marital_spells(world: World) -> Spells:
    """SIVSTAND spells (values are code strings' indices into SIVSTAND codes 0–9 as ints)."""

    def build(w: World) -> Spells:
        pop, u = w.pop, w.unions
        who = [np.arange(pop.n)]
        when = [pop.arrive]
        val = [np.ones(pop.n, np.int8)]
        m = u.married
        for person, partner in ((u.woman, u.man), (u.man, u.woman)):
            who.append(person[m])
            when.append(u.start[m])
            val.append(np.full(m.sum(), 2, np.int8))
            div = m & u.divorced
            who += [person[div], person[div]]
            when += [u.end[div], u.end[div] + 365]
            val += [np.full(div.sum(), 5, np.int8), np.full(div.sum(), 4, np.int8)]
            wid = m & ~u.divorced & (pop.death[partner] == u.end) & (pop.leave[person] > u.end)
            who.append(person[wid])
            when.append(u.end[wid])
            val.append(np.full(wid.sum(), 3, np.int8))
        who_a, when_a = np.concatenate(who), np.concatenate(when)
        keep = when_a < pop.leave[who_a]
        return from_events(
            who_a[keep],
            when_a[keep],
            np.concatenate(val)[keep],
            np.where(pop.leave < NEVER, pop.leave, NEVER),
        )

    return world.cached("marital", build)


def partner_at(world: World, when: int, married: bool | None = None) -> np.ndarray:
    """Partner index per person on day ``when`` (-1 if none); optionally only (un)married unions."""
    u = world.unions
    act = (u.start <= when) & (u.end > when)
    if married is not None:
        act &= u.married == married
    out = np.full(world.pop.n, -1, np.int64)
    out[u.woman[act]] = u.man[act]
    out[u.man[act]] = u.woman[act]
    return out


def variables(world: World) -> Iterator:
    """The person register variables."""
    pop = world.pop
    n = pop.n
    ids = pop.pid
    sex = codes_of(["1", "2"], pop.female.astype(np.int64))
    yield metadata("BEFOLKNING_KJOENN", codes=cl.SEX), frame(ids, sex)
    by = year_of(pop.birth)
    bm = np.asarray(pop.birth, "datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    yield metadata("BEFOLKNING_FOEDSELS_AAR_MND", description="ÅÅÅÅMM."), frame(ids, by * 100 + bm)

    # Status code at each 1 January: resident, emigrated or dead.
    parts = []
    by_id = pid_order(world)
    for d in yearly("1986-01-01", "2025-01-01"):
        seen = by_id[pop.arrive[by_id] <= d]
        code = np.where(pop.leave[seen] > d, 0, np.where(pop.emigrated[seen], 1, 2))
        parts.append((ids[seen], codes_of(["1", "3", "5"], code), d))
    yield metadata("BEFOLKNING_STATUSKODE", codes=cl.STATUSKODE), status(parts)

    spells, codes = residence_codes(world)
    kcodes = kommune_codes()
    for name, first, last in (
        ("BEFOLKNING_KOMMNR_FORMELL", "1989-01-01", "2025-01-01"),
        ("BEFOLKNING_KOMMNR_FAKTISK", "2014-01-01", "2025-01-01"),
    ):
        parts = []
        rng = stream(world.seed, name)
        for d in yearly(first, last):
            v = spells.at(d, n)
            has = by_id[v[by_id] >= 0]  # residents in id order
            vidx = v[has]
            if name.endswith("FAKTISK"):
                # Students registered at home but living in Bergen (drawn in person order).
                draw = np.zeros(n)
                draw[v >= 0] = rng.random(has.size)
                age = age_at(pop.birth[has], d)
                student = (age >= 19) & (age <= 25) & (draw[has] < 0.08) & (d >= ymd(2020))
                vidx = np.where(student, codes.index("4601"), vidx)
            parts.append((ids[has], codes_of(codes, vidx), d))
        yield metadata(name, codes=kcodes), status(parts)
    sv = codes_of(codes, spells.val)
    yield (
        metadata("BOSATTEFDT_BOSTED", codes=kcodes),
        frame(ids[spells.who], sv, spells.start, spells.stop),
    )

    # Municipality at 16 (people who lived in Norway then, from 1990 on).
    at16 = add_years(pop.birth, 16)
    k16 = np.full(n, -1, np.int64)
    hit = (spells.start <= at16[spells.who]) & (spells.stop > at16[spells.who])
    k16[spells.who[hit]] = spells.val[hit]
    ok = (k16 >= 0) & (at16 >= day("1990-01-01")) & (at16 < day("2025-01-01"))
    yield metadata("NUDB_KOMM_16", codes=kcodes), frame(ids[ok], codes_of(codes, k16[ok]))

    # Parents and grandparents.
    def link(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        has = idx >= 0
        return ids[has], ids[idx[has]]

    mother, father = pop.mother, pop.father
    yield metadata("BEFOLKNING_MOR_FNR", link_unit_type=LINK), frame(*link(mother))
    yield metadata("BEFOLKNING_FAR_FNR", link_unit_type=LINK), frame(*link(father))

    def up(idx: np.ndarray, parent: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, parent[np.maximum(idx, 0)], -1)

    for name, first, second in (
        ("BEFOLKNING_FARFAR_FNR", father, father),
        ("BEFOLKNING_FARMOR_FNR", father, mother),
        ("BEFOLKNING_MORFAR_FNR", mother, father),
        ("BEFOLKNING_MORMOR_FNR", mother, mother),
    ):
        yield metadata(name, link_unit_type=LINK), frame(*link(up(first, second)))

    # A sibling: the next older child of the same mother, else the next younger.
    kids = np.flatnonzero(mother >= 0)
    kids = kids[pair_order(mother[kids], pop.birth[kids])]
    sib = np.full(n, -1, np.int64)
    same_prev = np.zeros(kids.size, bool)
    same_prev[1:] = mother[kids[1:]] == mother[kids[:-1]]
    sib[kids[1:][same_prev[1:]]] = kids[:-1][same_prev[1:]]
    same_next = np.append(same_prev[1:], False)
    first_born = kids[same_next & ~same_prev]
    sib[first_born] = kids[np.flatnonzero(same_next & ~same_prev) + 1]
    yield metadata("BEFOLKNING_SOESKEN_FNR", link_unit_type=LINK), frame(*link(sib))

    from mdlang.datastore.samplegen.families import parity

    par = parity(world.pop)
    women = pop.female & (age_at(pop.birth, day("2025-01-01")) >= 15)
    yield (
        metadata("BEFOLKNING_PARITET", description="Antall levendefødte barn (kvinner)."),
        frame(ids[women], par[women]),
    )
    yield metadata("BEFOLKNING_FODELAND", codes=cl.country_code_list()), frame(ids, pop.country)
    dead = pop.death < NEVER
    yield (
        metadata("BEFOLKNING_DOEDS_DATO", description="Dager siden 1970-01-01."),
        frame(ids[dead], pop.death[dead]),
    )
    imm = pop.immigrant
    yield (
        metadata("BEFOLKNING_FORSTDATO", description="Dager siden 1970-01-01."),
        frame(ids[imm], pop.arrive[imm]),
    )
    yield (
        metadata("BEFOLKNING_INNALDER", unit_of_measure="år"),
        frame(ids[imm], age_at(pop.birth[imm], pop.arrive[imm])),
    )
    yield from _immigration(world)
    yield from _couples(world)


def _immigration(world: World) -> Iterator:
    pop = world.pop
    ids = pop.pid
    rng = stream(world.seed, "inngrunn")
    imm = np.flatnonzero(pop.immigrant)
    c = pop.country[imm]
    # Somalia, Syria, Eritrea, Iraq, Afghanistan, Iran, Ethiopia; the EU countries of the sample
    refugee_land = np.isin(c, ["346", "564", "241", "452", "404", "456", "246"])
    eu = np.isin(c, ["131", "136", "106", "144", "124", "115", "101", "139", "133"])
    p = np.where(
        refugee_land[:, None],
        [0.05, 0.35, 0.55, 0.02, 0.02, 0.01],
        np.where(
            eu[:, None], [0.65, 0.25, 0.0, 0.05, 0.04, 0.01], [0.30, 0.45, 0.05, 0.12, 0.06, 0.02]
        ),
    )
    pick = (rng.random(imm.size)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    yield (
        metadata("BEFOLKNING_INNGRUNN1", codes=cl.INNGRUNN),
        frame(ids[imm], codes_of([c.code for c in cl.INNGRUNN], np.minimum(pick, 5))),
    )

    def foreign(idx: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, pop.immigrant[np.maximum(idx, 0)], False)

    fm, ff = foreign(pop.mother), foreign(pop.father)
    cat = np.where(pop.immigrant, "B", np.where(fm & ff, "C", np.where(fm | ff, "E", "A"))).astype(
        object
    )
    yield metadata("BEFOLKNING_INVKAT", codes=cl.INVKAT), frame(ids, cat)
    western = np.isin(pop.country, sorted(cl.WESTERN_COUNTRIES))
    own = np.where(pop.country == "000", 1, np.where(western, 2, 3))
    mc = np.where(pop.mother >= 0, own[np.maximum(pop.mother, 0)], 1)
    bak = np.where(own > 1, own, mc)
    yield (
        metadata("BEFOLKNING_LANDBAK3GEN", codes=cl.LANDBAK),
        frame(ids, bak.astype(str).astype(object)),
    )


def _couples(world: World) -> Iterator:
    pop = world.pop
    ids = pop.pid
    ms = marital_spells(world)
    by_id = pid_order(world)
    yield (
        metadata("SIVSTANDFDT_SIVSTAND", codes=cl.SIVSTAND),
        frame(ids[ms.who], codes_of([str(i) for i in range(10)], ms.val), ms.start, ms.stop),
    )
    for name, first, last, married in (
        ("BEFOLKNING_EKT_FNR", "1975-01-01", "2024-01-01", True),
        ("BEFOLKNING_SAMB_FNR", "1987-01-01", "2024-01-01", False),
    ):
        parts = []
        for d in yearly(first, last):
            p = partner_at(world, d, married)
            has = by_id[((p >= 0) & pop.present(d))[by_id]]
            parts.append((ids[has], ids[p[has]], d))
        yield metadata(name, link_unit_type=LINK), status(parts)


def kommune_index_at(world: World, when: int) -> np.ndarray:
    """2024-municipality index per person on a day (-1 if not resident)."""
    return world.residence.at(when, world.pop.n)


def bergen_index() -> int:
    return kommuner().bergen
