"""Work: jobs (the JOBB unit, ARBLONN_*), the person's main job (REGSYS_*, ARBLONN_PERS_*),
unemployment, disability and social assistance spells.

Jobs come from the employment panel of :mod:`.economy`: a run of employed years is one job unless
the person changes job (12 % a year); a tenth of employed person-years also hold a side job. The
monthly ARBLONN status variables of jobs and employed persons are made by :mod:`.arblonn`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen import arblonn
from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.catalogue import metadata
from mdlang.datastore.samplegen.dates import NEVER, add_years, age_at, day, ymd
from mdlang.datastore.samplegen.economy import (
    DISABLED,
    FIRST_YEAR,
    FTE_FIRST_YEAR,
    UNEMPLOYED,
    economy,
)
from mdlang.datastore.samplegen.education import education
from mdlang.datastore.samplegen.frames import codes_of, frame, status
from mdlang.datastore.samplegen.income import components
from mdlang.datastore.samplegen.persons import residence_codes, yearly
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.spells import from_events, pair_order
from mdlang.datastore.samplegen.world import World, pid_order

JOB_YEARS = range(2015, 2026)
LAST_DAY_2025 = day("2025-09-30")
#: Rows per chunk of the pay variables: four of the writer's row groups.
PAY_CHUNK_ROWS = 4 << 20
#: Occupation major group → SN2007 section most often found with it.
NACE_OF_MAJOR = np.array(["", "M", "P", "Q", "N", "G", "A", "F", "C", "N"], dtype=object)


@dataclass
class Jobs:
    person: np.ndarray  # per job-year
    year: np.ndarray
    job: np.ndarray  # job index
    main: np.ndarray  # hovedarbeidsforhold
    wage: np.ndarray
    pct: np.ndarray  # stillingsprosent 0–100
    n_jobs: int
    job_person: np.ndarray
    job_start: np.ndarray  # start date per job
    job_major: np.ndarray  # STYRK08 major group per job


def jobs(world: World) -> Jobs:
    """Job-years 2015–2025 (cached)."""

    def build(w: World) -> Jobs:
        ec = economy(w)
        rng = stream(w.seed, "jobs")
        t0 = JOB_YEARS[0] - FIRST_YEAR
        wage = ec.wage[t0 : t0 + len(JOB_YEARS)]
        f0 = JOB_YEARS[0] - FTE_FIRST_YEAR
        fte = ec.fte[f0 : f0 + len(JOB_YEARS)]
        yi, pi = np.nonzero(wage.T.T > 0)
        order = pair_order(pi, yi)
        yi, pi = yi[order], pi[order]
        new = np.ones(pi.size, bool)
        new[1:] = (pi[1:] != pi[:-1]) | (yi[1:] != yi[:-1] + 1) | (rng.random(pi.size - 1) < 0.12)
        job = np.cumsum(new) - 1
        n_main = int(job[-1]) + 1 if job.size else 0
        side = rng.random(pi.size) < 0.1
        s_person, s_year = pi[side], yi[side]
        s_job = n_main + np.arange(side.sum())
        person = np.concatenate([pi, s_person])
        year = np.concatenate([yi, s_year]) + JOB_YEARS[0]
        jobi = np.concatenate([job, s_job])
        main = np.concatenate([np.ones(pi.size, bool), np.zeros(s_person.size, bool)])
        w_main = wage[yi, pi].astype(np.float64)
        pct_main = np.clip(np.round(fte[yi, pi] * 100 / 5) * 5, 5, 100)
        w_side = np.round(w_main[side] * rng.uniform(0.03, 0.15, side.sum()), -2)
        pct_side = np.clip(np.round(rng.uniform(5, 30, side.sum()) / 5) * 5, 5, 40)
        n_jobs = n_main + int(side.sum())
        job_person = np.zeros(n_jobs, np.int64)
        job_person[jobi] = person
        first_year = np.full(n_jobs, 9999)
        np.minimum.at(first_year, jobi, year)
        start = ymd(first_year, 1, 1) + rng.integers(0, 360, n_jobs)
        left = first_year == JOB_YEARS[0]
        start[left] -= (rng.exponential(6.0, n_jobs)[left] * 365).astype(np.int64)
        start = np.maximum(start, add_years(w.pop.birth[job_person], 15))
        lvl = education(w).level[job_person]
        probs = np.array(
            [
                [0.02, 0.0, 0.02, 0.1, 0.3, 0.03, 0.18, 0.15, 0.2],  # levels 0–2
                [0.04, 0.0, 0.05, 0.12, 0.3, 0.03, 0.2, 0.14, 0.12],  # 3–4
                [0.1, 0.3, 0.38, 0.1, 0.08, 0.0, 0.02, 0.01, 0.01],  # 6
                [0.14, 0.68, 0.12, 0.03, 0.02, 0.0, 0.01, 0.0, 0.0],  # 7–8
            ]
        )
        grp = np.select([lvl <= 2, lvl <= 5, lvl == 6], [0, 1, 2], 3)
        cum = np.cumsum(probs[grp], axis=1)
        major = (rng.random(n_jobs)[:, None] > cum).sum(axis=1) + 1
        return Jobs(
            person.astype(np.int32),  # compact: tens of millions of job-years at national scale
            year.astype(np.int16),
            jobi.astype(np.int32),
            main,
            np.concatenate([w_main, w_side]),
            np.concatenate([pct_main, pct_side]),
            n_jobs,
            job_person,
            start,
            np.minimum(major, 9),
        )

    return world.cached("jobs", build)


def variables(world: World) -> Iterator:
    """JOBB variables, main-job person variables and spells of unemployment, disability and assistance."""
    pop = world.pop
    jb = jobs(world)
    rng = stream(world.seed, "job-vars")
    job_ids = 70_000_000 + np.arange(jb.n_jobs, dtype=np.int64) * 5 + world.seed % 5
    yield (
        metadata("ARBEIDSFORHOLD_PERSON", link_unit_type="PERSON"),
        frame(job_ids, pop.pid[jb.job_person]),
    )
    # drawn here, before the pay noise, so that the pay variables keep their values
    form = rng.choice(6, size=jb.n_jobs, p=[0.84, 0.1, 0.02, 0.01, 0.02, 0.01])
    tid = rng.choice(8, size=jb.n_jobs, p=[0.8, 0.03, 0.02, 0.01, 0.04, 0.02, 0.07, 0.01])
    yield from arblonn.job_variables(world, job_ids, form, tid)

    # Pay per job and year (2025: January–September).
    frac = np.where(jb.year == 2025, 0.75, 1.0)
    noise = 1 + 0.01 * rng.standard_normal(jb.year.size)
    monthly_fte = jb.wage / np.maximum(jb.pct / 100, 0.05) / 12
    # each amount is computed when its variable is made (seven arrays at once would be large)
    pay = {
        "ARBLONN_LONN_EKV_IALT": (lambda: monthly_fte, 2016),
        "ARBLONN_LONN_EKV_FMLONN": (lambda: monthly_fte * 0.93, 2016),
        "ARBLONN_LONN_FAST": (lambda: jb.wage * 0.93 * frac, 2015),
        "ARBLONN_LONN_FAST_INNRAPP": (lambda: jb.wage * 0.93 * frac * noise, 2015),
        "ARBLONN_LONN_KONTANT_IMP": (lambda: jb.wage * frac, 2015),
        "ARBLONN_LONN_TIME": (lambda: monthly_fte * 12 / 1950, 2015),
        "ARBLONN_LONN_TIME_INNRAPP": (lambda: monthly_fte * 12 / 1950 * noise, 2015),
    }
    for name, (amount, first) in pay.items():
        rows = np.flatnonzero(jb.year >= first)  # job-years in (job, year) order
        yield metadata(name, unit_of_measure="kroner"), _pay_chunks(jb, job_ids, rows, amount)
    yield from _person_work(world, jb)
    yield from _spells(world)


def _pay_chunks(jb: Jobs, job_ids: np.ndarray, rows: np.ndarray, amount) -> Iterator:
    """A pay variable's rows in chunks of PAY_CHUNK_ROWS (a whole number of the writer's row
    groups, so the file is the same as from one frame), rows already in (job, year) order."""
    values = np.round(amount()[rows], 0)
    for a in range(0, max(rows.size, 1), PAY_CHUNK_ROWS):
        r = rows[a : a + PAY_CHUNK_ROWS]
        y = jb.year[r]
        stop = np.where(y == 2025, LAST_DAY_2025, ymd(y + 1) - 1)
        yield frame(job_ids[jb.job[r]], values[a : a + PAY_CHUNK_ROWS], ymd(y), stop)


def _person_work(world: World, jb: Jobs) -> Iterator:
    pop = world.pop
    main = np.flatnonzero(jb.main)
    by_id = pid_order(world)
    hours_by = {}
    for y in JOB_YEARS:
        r = np.flatnonzero(jb.year == y)
        h = np.bincount(jb.person[r], weights=jb.pct[r] * 0.375, minlength=pop.n)
        hours_by[y] = h

    yield from arblonn.person_variables(world)
    spells, codes = residence_codes(world)
    from mdlang.datastore.samplegen.kommuner import code_list

    # REGSYS: main job on 16 November each year.
    ec = economy(world)
    major_of = np.zeros(pop.n, np.int64)
    sub = {m: [c.code for c in cl.STYRK_SUBMAJOR if c.code[0] == str(m)] for m in range(1, 10)}
    sub_len = np.array([1] + [len(sub[m]) for m in range(1, 10)])
    sub_table = np.full((10, int(sub_len.max())), "", dtype=object)
    for m in range(1, 10):
        sub_table[m, : len(sub[m])] = sub[m]
    rng = stream(world.seed, "regsys")
    west_of = np.array([c[:2] in ("46", "12", "14") for c in codes], bool)
    dates = yearly("2015-11-16", "2024-11-16")
    parts: dict[str, list] = {k: [] for k in ("yrke", "status", "tid", "komm", "nace")}
    for d in dates:
        y = int(str(np.datetime64(d, "D"))[:4])
        r = main[jb.year[main] == y]
        major_of[:] = 0
        major_of[jb.person[r]] = jb.job_major[jb.job[r]]
        who = np.flatnonzero((major_of > 0) & pop.present(d))
        mj = major_of[who]
        pick = (rng.random(who.size) * sub_len[mj]).astype(np.int64)
        yrke = sub_table[mj, pick]
        parts["yrke"].append((pop.pid[who], yrke, d))
        parts["tid"].append((pop.pid[who], np.round(hours_by[y][who], 1), d))
        home_idx = np.maximum(spells.at(d, pop.n)[who], 0)
        home = codes_of(codes, home_idx)
        west = west_of[home_idx]
        hub = np.where(west, "4601" if d >= day("2020-01-01") else "1201", "0301")
        work = np.where(rng.random(who.size) < 0.12, hub, home).astype(object)
        parts["komm"].append((pop.pid[who], work, d))
        if y <= 2019:
            parts["nace"].append(
                (
                    pop.pid[who],
                    np.where(rng.random(who.size) < 0.6, NACE_OF_MAJOR[mj], "Q").astype(object),
                    d,
                )
            )
        st = ec.state[y - FIRST_YEAR]
        alive = by_id[
            (pop.present(d) & (age_at(pop.birth, d) >= 15) & (age_at(pop.birth, d) <= 74))[by_id]
        ]
        code = np.select(
            [major_of[alive] > 0, st[alive] == UNEMPLOYED, st[alive] == 4], [0, 3, 4], 5
        )
        se = stream(world.seed, "selfemp").random(pop.n)[alive] < 0.06
        code = np.where((code == 0) & se, 2, code)
        parts["status"].append((pop.pid[alive], codes_of([c.code for c in cl.ARBMARK], code), d))
    yield metadata("REGSYS_ARB_YRKE_STYRK08", codes=cl.STYRK_SUBMAJOR), status(parts["yrke"])
    yield metadata("REGSYS_ARB_ARBMARK_STATUS", codes=cl.ARBMARK), status(parts["status"])
    yield metadata("REGSYS_ARB_ARBEIDSTID", unit_of_measure="timer"), status(parts["tid"])
    yield metadata("REGSYS_ARB_ARBKOMM", codes=code_list()), status(parts["komm"])
    yield metadata("REGSYS_VIRK_NACE1_SN07", codes=cl.NACE_SECTIONS), status(parts["nace"])


def _spells(world: World) -> Iterator:
    pop = world.pop
    ec = economy(world)
    rng = stream(world.seed, "work-spells")
    # Registered unemployment: monthly status at month ends, and EVENT spells by main group.
    parts = []
    ev_who, ev_start, ev_stop, ev_val = [], [], [], []
    tiltak = [c.code for c in cl.TILTAK]
    for y in range(1990, 2026):
        unemp = np.flatnonzero(ec.state[y - FIRST_YEAR] == UNEMPLOYED)
        months = rng.integers(2, 11, unemp.size)
        first = rng.integers(1, 13 - months + 1)
        code = codes_of(tiltak, rng.choice(5, size=unemp.size, p=[0.6, 0.15, 0.17, 0.05, 0.03]))
        for m in range(1, 13):
            d = int(ymd(y, m + 1, 1) - 1) if m < 12 else int(ymd(y + 1, 1, 1) - 1)
            if d > day("2025-11-30"):
                break
            on = (first <= m) & (first + months > m) & pop.present(d)[unemp]
            parts.append((pop.pid[unemp[on]], code[on], d))
        s = ymd(y, first, 1)
        e = ymd(y, np.minimum(first + months, 12), 1) + np.where(first + months > 12, 30, 0)
        ok = (s >= day("2001-05-01")) & (e <= day("2024-12-15"))
        ev_who.append(unemp[ok])
        ev_start.append(s[ok])
        ev_stop.append(e[ok])
        ev_val.append(
            rng.choice(
                15, size=ok.sum(), p=np.r_[0.55, 0.12, 0.12, 0.05, 0.05, np.full(10, 0.011)] / 1.0
            )
        )
    yield metadata("ARBEIDSSOKER_TILTAK", codes=cl.TILTAK), status(parts)
    hoved = [c.code for c in cl.ARBSOEK]
    w_, s_, e_, v_ = map(np.concatenate, (ev_who, ev_start, ev_stop, ev_val))
    yield (
        metadata("ARBSOEK2001FDT_HOVED", codes=cl.ARBSOEK),
        frame(pop.pid[w_], codes_of(hoved, v_), s_, e_),
    )

    # Disability pension: from the first disabled year (not before 2011) to 67 or leaving.
    dis = ec.state == DISABLED
    ever = dis.any(axis=0)
    first_year = np.where(ever, dis.argmax(axis=0) + FIRST_YEAR, 9999)
    who = np.flatnonzero(ever)
    start = ymd(np.maximum(first_year[who], 2011), 1, 1) + rng.integers(0, 300, who.size)
    stop = np.minimum(add_years(pop.birth[who], 67), pop.leave[who])
    stop = np.where(stop > day("2024-12-31"), NEVER, stop)
    ok = (start < stop) & (start <= day("2024-12-31"))
    grade = rng.choice(
        [100, 50, 60, 40, 80, 70], size=who.size, p=[0.62, 0.16, 0.07, 0.05, 0.06, 0.04]
    )
    yield (
        metadata("UFOERP2011FDT_GRAD", unit_of_measure="prosent"),
        frame(pop.pid[who[ok]], grade[ok], start[ok], stop[ok]),
    )

    # Social assistance: a spell in each year with an amount.
    comps = components(world)
    sw, ss, se = [], [], []
    for y in range(1992, 2024):
        has = np.flatnonzero(comps.get(y, "sosial") > 0)
        m0 = rng.integers(1, 10, has.size)
        ln = rng.integers(1, 13 - m0 + 1)
        sw.append(has)
        ss.append(ymd(y, m0, 1))
        se.append(ymd(y, np.minimum(m0 + ln, 12), 28))
    w_, s_, e_ = map(np.concatenate, (sw, ss, se))
    sp = from_events(
        np.concatenate([w_, w_]),
        np.concatenate([s_, e_]),
        np.concatenate([np.ones(w_.size, np.int8), np.zeros(w_.size, np.int8)]),
        np.full(pop.n, NEVER),
    )
    keep = sp.val == 1
    yield (
        metadata("SOSHJLPFDT_MOTTAK", codes=cl.SOSHJELP),
        frame(
            pop.pid[sp.who[keep]],
            np.full(keep.sum(), "1", dtype=object),
            sp.start[keep],
            sp.stop[keep],
        ),
    )
