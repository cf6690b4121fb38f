"""Education (NUDB_*): attained NUS2000 level over life, completion years, grades, test scores
and course enrolments (the KURS unit).

Final attainment comes from the latent factor (so it follows the parents'), the birth cohort
(later cohorts study longer) and sex (women overtake men from the 1960s cohorts on).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.catalogue import metadata
from mdlang.datastore.samplegen.dates import NEVER, day, ymd
from mdlang.datastore.samplegen.frames import codes_of, frame
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.spells import pair_order
from mdlang.datastore.samplegen.world import World, birth_year

#: Age at completing each NUS level (level → typical age).
COMPLETION_AGE = {1: 13, 2: 16, 3: 18, 4: 19, 5: 20, 6: 23, 7: 25, 8: 31}
LAST_YEAR = 2024


@dataclass
class Education:
    level: np.ndarray  # final NUS level 0–8
    field: np.ndarray  # field digit 0–9
    done: dict[int, np.ndarray]  # level → completion year (NEVER-like 0 if never)
    vgs_general: np.ndarray  # general studies (else vocational)


def education(world: World) -> Education:
    """Final level, field and completion year per level (cached)."""

    def build(w: World) -> Education:
        pop = w.pop
        rng = stream(w.seed, "education")
        by = birth_year(w)
        cohort = np.clip((by - 1950) / 40.0, -1.2, 1.0)
        female_gain = np.where(
            pop.female, 0.35 * np.clip((by - 1960) / 30, 0, 1) - 0.15 * (by < 1950), 0.0
        )
        score = 0.85 * pop.z + 0.9 * cohort + female_gain + 0.55 * rng.standard_normal(pop.n)
        cuts = np.array([-2.9, -1.6, -0.34, -0.04, 0.89, 1.0, 1.83, 2.99])
        level = np.searchsorted(cuts, score).astype(np.int64)
        level = np.maximum(level, np.where(by >= 1960, 2, 1))
        field = rng.choice(
            10, size=pop.n, p=[0.05, 0.08, 0.1, 0.08, 0.16, 0.22, 0.18, 0.04, 0.07, 0.02]
        )
        field = np.where(level <= 2, 0, field)
        delay = rng.integers(0, 3, pop.n)
        done = {}
        for lv, age in COMPLETION_AGE.items():
            yr = by + age + np.where(lv >= 4, delay, 0)
            reached = (level >= lv) & ~((lv == 3) & (level >= 4)) & ~((lv == 5) & (level != 5))
            done[lv] = np.where(reached & (yr <= LAST_YEAR) & (ymd(yr) < pop.leave), yr, 0)
        general = rng.random(pop.n) < np.where(level >= 6, 0.85, 0.35)
        return Education(level, field, done, general)

    return world.cached("education", build)


def level_at_year(ed: Education, year: int) -> np.ndarray:
    """Highest completed level by the end of ``year``."""
    out = np.zeros(ed.level.size, np.int64)
    for lv, yr in ed.done.items():
        out = np.where((yr > 0) & (yr <= year), np.maximum(out, lv), out)
    return out


def variables(world: World) -> Iterator:
    """Education variables for persons and courses."""
    pop = world.pop
    ids = pop.pid
    ed = education(world)
    rng = stream(world.seed, "education-vars")
    # NUDB_BU: spells of highest completed education, from each completion (1 July).
    who, when, val = [], [], []
    for lv, yr in sorted(ed.done.items()):
        has = yr > 0
        who.append(np.flatnonzero(has))
        when.append(ymd(yr[has], 7, 1))
        val.append(np.where(lv >= 3, lv * 10 + ed.field[has], lv * 10))
    w_, t_, v_ = np.concatenate(who), np.concatenate(when), np.concatenate(val)
    keep = (t_ >= day("1970-11-01")) & (t_ >= pop.arrive[w_] - 3650)
    w_, t_, v_ = w_[keep], np.maximum(t_[keep], pop.arrive[w_[keep]]), v_[keep]
    from mdlang.datastore.samplegen.spells import from_events

    sp = from_events(w_, t_, v_, np.where(pop.leave < NEVER, pop.leave, NEVER))
    code = np.array([cl.nus_code(v // 10, v % 10) for v in range(90)], dtype=object)
    yield (
        metadata("NUDB_BU", codes=cl.nus_code_list()),
        frame(ids[sp.who], code[sp.val], sp.start, sp.stop),
    )

    def year_var(name: str, yr: np.ndarray, cond: np.ndarray | None = None) -> tuple:
        has = yr > 0
        if cond is not None:
            has &= cond
        return metadata(name, unit_of_measure="år"), frame(ids[has], yr[has])

    vs = ed.done[4]
    lov = vs >= 1997
    yield year_var("NUDB_AAR_FORSTE_FULLF_GS", ed.done[2])
    yield year_var("NUDB_AAR_FORSTE_FULLF_VS", vs)
    yield year_var("NUDB_AAR_FORSTE_FULLF_VS_LOV", vs, lov)
    yield year_var("NUDB_AAR_FORSTE_FULLF_VSA_LOV", vs, lov & ed.vgs_general)
    yield year_var("NUDB_AAR_FORSTE_FULLF_VSY_LOV", vs, lov & ~ed.vgs_general)
    start_vgs = np.where((ed.done[3] > 0) | (vs > 0), birth_year(world) + 16, 0)
    start_vgs = np.where(start_vgs <= LAST_YEAR, start_vgs, 0)
    yield year_var("NUDB_AAR_NY_I_VID_UTD", start_vgs)
    yield year_var("NUDB_AAR_NY_I_VID_UTD_LOV", start_vgs, start_vgs >= 1994)
    bach = ed.done[6]
    yield year_var("NUDB_AAR_FORSTE_FULLF_HOY", bach, (bach < 2003) & (ed.field % 3 == 0))
    yield year_var("NUDB_AAR_FORSTE_FULLF_CMG", bach, (bach < 2003) & (ed.field % 3 != 0))
    yield year_var("NUDB_AAR_FORSTE_FULLF_BACH", bach, bach >= 2003)
    yield year_var("NUDB_AAR_FORSTE_FULLF_HOV", ed.done[7])
    yield year_var("NUDB_AAR_FORSTE_FULLF_DOK", ed.done[8])
    sem = np.clip(6 + rng.poisson(0.4, pop.n) * 2 - (rng.random(pop.n) < 0.05), 4, 14)
    for name, cond in (
        ("NUDB_SEMESTER_FFF_VS", vs > 0),
        ("NUDB_SEMESTER_FFF_VS_LOV", lov),
        ("NUDB_SEMESTER_FFF_VSA_LOV", lov & ed.vgs_general),
        ("NUDB_SEMESTER_FFF_VSY_LOV", lov & ~ed.vgs_general),
    ):
        yield metadata(name), frame(ids[cond], sem[cond])

    # Social background: the parents' highest level.
    def lvl(idx):
        return np.where(idx >= 0, ed.level[np.maximum(idx, 0)], -1)

    par = np.maximum(lvl(pop.mother), lvl(pop.father))
    sos = np.select([par < 0, par <= 2, par <= 5, par == 6], ["9", "1", "2", "3"], "4").astype(
        object
    )
    has_par = (pop.mother >= 0) | (pop.father >= 0)
    yield metadata("NUDB_SOSBAK", codes=cl.SOSBAK), frame(ids[has_par], sos[has_par])

    # Grades and points for those finishing lower secondary 2002 or later.
    gs = ed.done[2]
    rec = (gs >= 2002) & (gs <= LAST_YEAR)
    ability = 0.8 * pop.z + 0.25 * pop.female
    pts = np.clip(41 + 8.5 * (ability + 0.5 * rng.standard_normal(pop.n)), 10, 60).round(1)
    yield metadata("NUDB_KURS_GRPOENG", unit_of_measure="poeng"), frame(ids[rec], pts[rec])

    def grade(extra: float) -> np.ndarray:
        g = np.clip(
            np.round(3.9 + 0.95 * (ability + extra + 0.6 * rng.standard_normal(pop.n))), 1, 6
        )
        return g.astype(np.int64).astype(str).astype(object)

    for name, extra, cond in (
        ("NUDB_GS_STP_NOH", 0.1, rec),
        ("NUDB_GS_STP_NOM", 0.25, rec),
        ("NUDB_GS_STP_ENS", 0.1, rec & (gs <= 2021)),
        ("NUDB_GS_STP_MAT", -0.3, rec),
        ("NUDB_VGS_STP_NOR1231", 0.0, (vs >= 2002) & ed.vgs_general),
    ):
        yield metadata(name, codes=cl.GRADES), frame(ids[cond], grade(extra)[cond])
    by = birth_year(world)
    for name, grade_no, first in (
        ("NPENG05", 5, 2014),
        ("NPLES05", 5, 2014),
        ("NPREG05", 5, 2014),
        ("NPENG08", 8, 2014),
        ("NPLES08", 8, 2014),
        ("NPREG08", 8, 2014),
        ("NPLES09", 9, 2014),
        ("NPREG09", 9, 2014),
    ):
        yr = by + grade_no + 5
        ok = (
            (yr >= first)
            & (yr <= LAST_YEAR)
            & pop.present(ymd(yr, 9, 15))
            & (rng.random(pop.n) < 0.95)
        )
        score = np.clip(
            50 + 10 * (0.75 * ability + 0.65 * rng.standard_normal(pop.n)), 20, 80
        ).round(0)
        yield (
            metadata(f"NUDB_NP_SKALAPOENG_{name}", unit_of_measure="skalapoeng"),
            frame(ids[ok], score[ok]),
        )
    yield from _courses(world, ed)


def _courses(world: World, ed: Education) -> Iterator:
    """KURS units: one enrolment per upper-secondary or higher programme."""
    pop = world.pop
    rng = stream(world.seed, "courses")
    who, start, stop, nus = [], [], [], []
    for lv, years in ((4, 3), (3, 2), (5, 1), (6, 3), (7, 2), (8, 4)):
        yr = ed.done[lv]
        has = np.flatnonzero(yr > 0)
        s = ymd(yr[has] - years, 8, 15)
        who.append(has)
        start.append(s)
        stop.append(ymd(yr[has], 6, 20))
        nus.append(np.full(has.size, lv))
    # Some dropouts: enrolled in upper secondary without completing.
    drop = np.flatnonzero(
        (ed.level == 2) & (ed.done[2] > 0) & (rng.random(pop.n) < 0.6) & (ed.done[2] < LAST_YEAR)
    )
    who.append(drop)
    start.append(ymd(ed.done[2][drop], 8, 15))
    stop.append(ymd(ed.done[2][drop] + 1, 3, 1))
    nus.append(np.full(drop.size, 3))
    who_a, start_a, stop_a, nus_a = map(np.concatenate, (who, start, stop, nus))
    keep = (
        (start_a >= day("1974-09-01"))
        & (start_a < day("2024-09-01"))
        & (start_a >= pop.arrive[who_a])
    )
    who_a, start_a, stop_a, nus_a = who_a[keep], start_a[keep], stop_a[keep], nus_a[keep]
    stop_a = np.where(stop_a > day("2024-09-01"), NEVER, stop_a)
    order = pair_order(who_a, start_a)
    who_a, start_a, stop_a, nus_a = who_a[order], start_a[order], stop_a[order], nus_a[order]
    kid = 50_000_000 + np.arange(who_a.size, dtype=np.int64) * 3 + (world.seed % 3)
    yield metadata("NUDB_KURS_FNR", link_unit_type="PERSON"), frame(kid, pop.pid[who_a])
    nus_codes = np.array(["3", "3", "3", "3", "4", "5", "6", "7", "8"], dtype=object)
    yield (
        metadata("NUDB_KURS_NUS", codes=cl.KURS_NUS),
        frame(kid, nus_codes[nus_a], start_a, stop_a),
    )
    m = len(kid)
    eier = np.where(rng.random(m) < 0.88, "1", np.where(rng.random(m) < 0.95, "2", "9")).astype(
        object
    )
    yield metadata("NUDB_KURS_EIERF", codes=cl.KURS_EIERF), frame(kid, eier, start_a, stop_a)
    vgs = nus_a <= 5
    k = vgs & (start_a >= day("1996-08-01"))
    komp = np.where(ed.vgs_general[who_a], "1", np.where(nus_a >= 4, "2", "3")).astype(object)
    yield (
        metadata("NUDB_KURS_KOMP", codes=cl.KURS_KOMP),
        frame(kid[k], komp[k], start_a[k], stop_a[k]),
    )
    o = start_a >= day("2014-10-01")
    org = np.where(rng.random(m) < 0.85, "1", np.where(rng.random(m) < 0.7, "2", "3")).astype(
        object
    )
    yield (
        metadata("NUDB_KURS_ORGANISERING", codes=cl.KURS_ORG),
        frame(kid[o], org[o], np.maximum(start_a[o], day("2014-10-01")), stop_a[o]),
    )
    h = ~vgs
    uh = codes_of([c.code for c in cl.KURS_UH], rng.choice(4, size=m, p=[0.45, 0.1, 0.35, 0.1]))
    yield (
        metadata("NUDB_KURS_UHGRUPPE", codes=cl.KURS_UH),
        frame(kid[h], uh[h], start_a[h], stop_a[h]),
    )
