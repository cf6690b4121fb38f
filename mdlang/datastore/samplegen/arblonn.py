"""ARBLONN's monthly status variables (a-ordningen), as SSB publishes them: one row per job, or per
employed person, and month over each variable's validity period, in (unit, date) order.

A job is active from its start (or the person's arrival) to its end. A main job followed in the
next year by the person's next main job ends the day before that one starts (a job change, no
gap); a job in the last year (2025) stays open; any other main job ends on a random day of its
last year, a side job a year after its start; and every job ends when the person leaves.
Occupation, employment form and working-time arrangement are fixed per job; the position
percentage (and so hours and full/part time) changes once a year, in the job's anniversary month,
to the next year's value from the employment panel.

Rows are never sorted: each job's (or person's) months are a run, expanded block by block, and
handed to the writer in chunks of whole row groups, so even the national-scale sample never holds
a whole variable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.catalogue import metadata
from mdlang.datastore.samplegen.dates import NEVER, month_of, year_of, ymd
from mdlang.datastore.samplegen.frames import codes_of, concat_values, frame
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.world import World, pid_order

#: The 16th of every month from January 2015 to September 2025 (SSB's statistics months).
_MONTH_INDEX = np.arange(0, 129)
MONTHS = ymd(2015, 1 + _MONTH_INDEX, 16).astype(np.int32)
#: The last day of the same months (ARBLONN_PERS_KOMMNR's status dates).
MONTH_ENDS = (ymd(2015, 2 + _MONTH_INDEX, 1) - 1).astype(np.int32)
#: Calendar year and month (1–12) of each statistics month.
MONTH_YEAR = year_of(MONTHS)
MONTH_NUM = month_of(MONTHS)
#: Month index of February 2015 and January 2021 (the first dates of some variables).
FEB_2015, JAN_2021 = 1, 72
#: Rows per chunk handed to the writer: four of its row groups.
CHUNK_ROWS = 4 << 20
#: Persons per block of the person variables (a block holds a persons × months matrix).
PERSON_BLOCK = 1 << 15


@dataclass
class Timeline:
    """Per job: its job-year rows and the months in which it is active."""

    row0: np.ndarray  # first job-year row (rows of a job are consecutive years)
    year0: np.ndarray  # first year
    years: np.ndarray  # number of job-years
    first: np.ndarray  # index into MONTHS of the first active month
    last: np.ndarray  # index of the last active month (< first: never active on a 16th)
    anniversary: np.ndarray  # month (1–12) in which the yearly terms change


def timeline(world: World) -> Timeline:
    """When each job of :func:`.jobs.jobs` is active (cached)."""
    from mdlang.datastore.samplegen.jobs import jobs

    def build(w: World) -> Timeline:
        jb = jobs(w)
        n = jb.n_jobs
        row0 = np.searchsorted(jb.job, np.arange(n))  # job-years come in job order
        years = np.bincount(jb.job, minlength=n)
        year0 = jb.year[row0].astype(np.int64)
        last_year = year0 + years - 1
        main = jb.main[row0]
        person = jb.job_person
        start = jb.job_start.astype(np.int64)
        u = stream(w.seed, "job-ends").random(n)
        lo = np.maximum(start, ymd(last_year))
        hi = ymd(last_year + 1) - 1
        # a side job lasts a year from its start, so side jobs do not pile up towards December
        end = np.where(main, lo + (u * np.maximum(hi - lo + 1, 1)).astype(np.int64), start + 364)
        nxt = np.minimum(np.arange(n) + 1, n - 1)
        change = (
            main
            & main[nxt]
            & (person[nxt] == person)
            & (year0[nxt] == last_year + 1)
            & (np.arange(n) < n - 1)
        )
        end = np.where(change, start[nxt] - 1, end)
        end = np.where(last_year >= 2025, NEVER, end)
        end = np.minimum(end, w.pop.leave[person] - 1)
        active_from = np.maximum(start, w.pop.arrive[person])
        first = np.searchsorted(MONTHS, active_from, "left")
        last = np.searchsorted(MONTHS, end, "right") - 1
        # compact: at national scale there are tens of millions of jobs
        return Timeline(
            row0.astype(np.int32),
            year0.astype(np.int16),
            years.astype(np.int16),
            first.astype(np.int16),
            last.astype(np.int16),
            month_of(start).astype(np.int8),
        )

    return world.cached("job-timeline", build)


def _hours(pct: np.ndarray) -> np.ndarray:
    """Agreed weekly hours of a position percentage (37.5 hours a week at 100 %)."""
    return np.round(pct * 0.375, 1)


def job_year_row(tl: Timeline, job: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The job-year row whose terms hold for ``job`` in month ``k``: the terms of a year run from
    the job's anniversary month to the month before the next one."""
    year = MONTH_YEAR[k] - (MONTH_NUM[k] < tl.anniversary[job])
    step = np.minimum(np.maximum(year - tl.year0[job], 0), tl.years[job] - 1)
    return tl.row0[job] + step


def job_variables(world: World, job_ids: np.ndarray, form: np.ndarray, tid: np.ndarray) -> Iterator:
    """The monthly JOBB status variables ARBLONN_ARB_* (``form`` and ``tid``: employment form and
    working-time arrangement per job, as indices into their code lists)."""
    from mdlang.datastore.samplegen.jobs import jobs

    jb = jobs(world)
    tl = timeline(world)
    majors = [c.code for c in cl.STYRK_MAJOR]
    forms = [c.code for c in cl.ANSETTELSESFORM]
    tids = [c.code for c in cl.TIDSORDNING]

    def var(name, first_month, value, codes=None, unit=None):
        chunks = _job_chunks(tl, job_ids, first_month, value)
        return metadata(name, codes=codes, unit_of_measure=unit), chunks

    yield var("ARBLONN_ARB_ARBEIDSTID", FEB_2015, lambda j, k: _hours(jb.pct[job_year_row(tl, j, k)]), unit="timer")
    yield var(
        "ARBLONN_ARB_STILLINGSPST",
        FEB_2015,
        lambda j, k: jb.pct[job_year_row(tl, j, k)].astype(np.float64),
        unit="prosent",
    )
    yield var(
        "ARBLONN_ARB_YRKE_STYRK08", 0, lambda j, k: codes_of(majors, jb.job_major[j] - 1), cl.STYRK_MAJOR
    )
    yield var("ARBLONN_ARB_ANSETTELSESFORM", JAN_2021, lambda j, k: codes_of(forms, form[j]), cl.ANSETTELSESFORM)
    main = jb.main[tl.row0]
    yield var(
        "ARBLONN_ARB_HOVEDARBEID", 0, lambda j, k: codes_of(["H", "B"], (~main[j]).astype(np.int8)), cl.HOVEDARBEID
    )
    yield var(
        "ARBLONN_ARB_H3LDELTID",
        FEB_2015,
        lambda j, k: codes_of(["H", "D"], (jb.pct[job_year_row(tl, j, k)] < 100).astype(np.int8)),
        cl.HELDELTID,
    )
    yield var("ARBLONN_ARB_TID_ORDNING", 0, lambda j, k: codes_of(tids, tid[j]), cl.TIDSORDNING)
    yield var("ARBLONN_ARB_START", 0, lambda j, k: jb.job_start[j].astype(np.int64), unit="dager siden 1970-01-01")


def _job_chunks(tl: Timeline, job_ids: np.ndarray, first_month: int, value: Callable) -> Iterator:
    """Rows (job, month) from ``first_month`` on, in chunks of CHUNK_ROWS rows."""
    first = np.maximum(tl.first, first_month)
    count = np.maximum(tl.last - first + 1, 0)
    ends = np.cumsum(count)
    total = int(ends[-1]) if ends.size else 0
    if total == 0:
        yield frame(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.int32))
        return
    for a in range(0, total, CHUNK_ROWS):
        b = min(a + CHUNK_ROWS, total)
        ja, jb = np.searchsorted(ends, [a, b - 1], "right")
        c = count[ja : jb + 1].copy()
        f = first[ja : jb + 1].copy()
        cut = a - (int(ends[ja]) - int(count[ja]))  # rows of job ja already in the last chunk
        c[0] -= cut
        f[0] += cut
        c[-1] -= int(ends[jb]) - b
        j = np.repeat(np.arange(ja, jb + 1), c)
        k = np.repeat(f - (np.cumsum(c) - c), c) + np.arange(b - a)
        when = MONTHS[k]
        yield frame(job_ids[j], value(j, k), when, when)


def person_variables(world: World) -> Iterator:
    """The monthly PERSON status variables ARBLONN_PERS_* of persons with an active job."""
    from mdlang.datastore.samplegen.kommuner import code_list
    from mdlang.datastore.samplegen.persons import residence_codes

    pop = world.pop
    codes = residence_codes(world)[1]

    def var(name, value, codes_=None, unit=None, month_end=False):
        chunks = _person_chunks(world, value, month_end)
        return metadata(name, codes=codes_, unit_of_measure=unit), chunks

    yield var(
        "ARBLONN_PERS_KJOENN",
        lambda b: codes_of(["1", "2"], pop.female[b.persons].astype(np.int8)[b.local]),
        cl.SEX,
    )
    yield var("ARBLONN_PERS_ALDER", lambda b: _age(pop.birth[b.persons], b.local, b.k), unit="år")
    yield var("ARBLONN_PERS_SUM_ARBEIDSTID", lambda b: np.round(b.hours, 1), unit="timer")
    yield var(
        "ARBLONN_PERS_KOMMNR",
        lambda b: codes_of(codes, b.kommune),
        code_list(),
        month_end=True,
    )


def _age(birth: np.ndarray, local: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Whole years of age on the 16th of month ``k`` of persons born on ``birth[local]`` (as
    :func:`.dates.age_at` gives it, with the calendar arithmetic done once per person)."""
    by, bm = year_of(birth), month_of(birth)
    bd = birth - ymd(by, bm, 1) + 1
    later = bm * 32 + bd  # birthdays after the 16th of month m fall after m * 32 + 16
    return MONTH_YEAR[k] - by[local] - (MONTH_NUM[k] * 32 + 16 < later[local])


@dataclass
class _Block:
    """The employed person-months of one block of persons, in (person id, month) order."""

    persons: np.ndarray  # the block's persons (indices, in id order)
    local: np.ndarray  # per row: index into ``persons``
    k: np.ndarray  # month index per row
    hours: np.ndarray  # agreed weekly hours over all active jobs
    kommune: np.ndarray | None  # residence code index at the month's end (month_end blocks)

    @property
    def who(self) -> np.ndarray:
        """Person index per row."""
        return self.persons[self.local]


def _person_chunks(world: World, value: Callable, month_end: bool) -> Iterator:
    """A person variable's rows, block of persons by block, in chunks of about CHUNK_ROWS rows."""
    pop = world.pop
    ids, vals, dates, held = [], [], [], 0
    months = MONTH_ENDS if month_end else MONTHS
    for b in _person_blocks(world, month_end):
        ids.append(pop.pid[b.who])
        vals.append(value(b))
        dates.append(months[b.k])
        held += b.who.size
        if held >= CHUNK_ROWS:
            yield _joined(ids, vals, dates)
            ids, vals, dates, held = [], [], [], 0
    if held or not ids:
        yield _joined(ids, vals, dates)


def _joined(ids: list, vals: list, dates: list):
    if not ids:
        e = np.empty(0, np.int64)
        return frame(e, e, np.empty(0, np.int32), np.empty(0, np.int32))
    when = np.concatenate(dates)
    return frame(np.concatenate(ids), concat_values(vals), when, when)


def _person_blocks(world: World, month_end: bool) -> Iterator[_Block]:
    """Blocks of PERSON_BLOCK persons in id order with their employed months."""
    from mdlang.datastore.samplegen.jobs import jobs
    from mdlang.datastore.samplegen.persons import residence_codes

    pop = world.pop
    jb = jobs(world)
    tl = timeline(world)
    by_id = pid_order(world)
    rank = np.empty(pop.n, np.int64)
    rank[by_id] = np.arange(pop.n)
    count = np.maximum(tl.last - tl.first + 1, 0)
    live = np.flatnonzero(count > 0)
    job_rank = rank[jb.job_person[live]]
    order = np.argsort(job_rank, kind="stable")
    live, job_rank = live[order], job_rank[order]
    spells = residence_codes(world)[0] if month_end else None
    nm = MONTHS.size
    for lo in range(0, pop.n, PERSON_BLOCK):
        hi = min(lo + PERSON_BLOCK, pop.n)
        who = by_id[lo:hi]
        a, b = np.searchsorted(job_rank, [lo, hi])
        j = live[a:b]
        c = count[j]
        jr = np.repeat(j, c)
        k = np.repeat(tl.first[j] - (np.cumsum(c) - c), c) + np.arange(jr.size)
        cell = np.repeat(job_rank[a:b] - lo, c) * nm + k
        h = np.bincount(cell, weights=_hours(jb.pct[job_year_row(tl, jr, k)]), minlength=(hi - lo) * nm)
        h = h.reshape(hi - lo, nm)
        on = h > 0
        on &= pop.arrive[who][:, None] <= MONTHS[None, :]
        on &= pop.leave[who][:, None] > MONTHS[None, :]
        kommune = None
        if spells is not None:
            res = _residence(spells, who)
            on &= res >= 0
        li, k = np.nonzero(on)
        if spells is not None:
            kommune = res[li, k]
        yield _Block(who, li, k, h[li, k], kommune)


def _residence(spells, who: np.ndarray) -> np.ndarray:
    """Residence code index of each person in ``who`` at each month's end (-1: none)."""
    out = np.full((who.size, MONTH_ENDS.size), -1, np.int64)
    lo = np.searchsorted(spells.who, who, "left")
    hi = np.searchsorted(spells.who, who, "right")
    c = hi - lo
    s = np.repeat(lo - (np.cumsum(c) - c), c) + np.arange(int(c.sum()))  # spell rows
    row = np.repeat(np.arange(who.size), c)
    k0 = np.searchsorted(MONTH_ENDS, spells.start[s], "left")
    k1 = np.searchsorted(MONTH_ENDS, np.minimum(spells.stop[s], NEVER), "left")
    n = np.maximum(k1 - k0, 0)
    sr = np.repeat(np.arange(s.size), n)
    kk = np.repeat(k0 - (np.cumsum(n) - n), n) + np.arange(sr.size)
    out[row[sr], kk] = spells.val[s[sr]]
    return out
