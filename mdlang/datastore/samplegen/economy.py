"""The yearly economic life of every person: activity state and wage, 1990–2025.

Employment follows a persistent latent index (age, education, the latent factor, an AR(1) shock);
wages are log-normal with an age profile peaking in the fifties, an education premium, a sex gap,
a person effect and an AR(1) shock, so a person's wage is strongly correlated from year to year.
Transfers and taxes are derived per year by :mod:`.income` from these two panels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen.dates import ymd
from mdlang.datastore.samplegen.education import education, level_at_year
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.world import World, birth_year

FIRST_YEAR, LAST_YEAR = 1990, 2025
#: Full-time shares are kept from this year on only (the jobs of :mod:`.jobs` start then).
FTE_FIRST_YEAR = 2015
ABSENT, EMPLOYED, UNEMPLOYED, DISABLED, STUDENT, RETIRED, INACTIVE, CHILD = range(8)
EDU_PREMIUM = np.array([-0.3, -0.3, -0.25, -0.15, 0.0, 0.05, 0.2, 0.42, 0.55])


def average_wage(year) -> np.ndarray:
    """Average full-time annual wage (NOK), 200 000 in 1990 growing 3.8 % a year."""
    return 200_000.0 * 1.038 ** (np.asarray(year, dtype=np.float64) - 1990)


def grunnbelop(year) -> np.ndarray:
    """The National Insurance base amount G (NOK), approximately."""
    return 34_100.0 * 1.035 ** (np.asarray(year, dtype=np.float64) - 1990)


@dataclass
class Economy:
    """``state[t, i]`` and ``wage[t, i]`` for year ``FIRST_YEAR + t`` and person ``i``."""

    state: np.ndarray
    wage: np.ndarray
    fte: np.ndarray  # full-time equivalent share in year FTE_FIRST_YEAR + t, 0–1
    career: np.ndarray  # a person's typical full-time wage relative to the average

    def t(self, year: int) -> int:
        return year - FIRST_YEAR


def economy(world: World) -> Economy:
    """Build (once) the activity and wage panels."""

    def build(w: World) -> Economy:
        pop = w.pop
        n = pop.n
        rng = stream(w.seed, "economy")
        ed = education(w)
        by = birth_year(w)
        years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
        ny = years.size
        state = np.zeros((ny, n), np.int8)
        wage = np.zeros((ny, n), np.float32)
        fte = np.zeros((LAST_YEAR - FTE_FIRST_YEAR + 1, n), np.float32)
        person = rng.normal(0, 0.22, n) + 0.18 * pop.z
        parttimer = rng.random(n) < np.where(pop.female, 0.32, 0.12)
        disabled_from = np.where(
            rng.random(n) < 1 / (1 + np.exp(2.4 + 0.9 * pop.z)), by + rng.integers(25, 63, n), 9999
        )
        e = rng.standard_normal(n)
        u = rng.normal(0, 0.12, n)
        for t, year in enumerate(years):
            mid = ymd(year, 7, 1)
            present = pop.present(mid)
            age = year - by
            lvl = level_at_year(ed, year)
            e = 0.8 * e + 0.6 * rng.standard_normal(n)
            u = 0.75 * u + 0.08 * rng.standard_normal(n)
            base = np.select(
                [age < 16, age < 20, age < 25, age < 55, age < 62, age < 67, age < 72],
                [-9.0, -0.6, 0.5, 1.35, 1.0, 0.1, -1.6],
                -3.0,
            )
            h = base + 0.4 * pop.z + 0.12 * (lvl - 4) + 0.7 * e
            studying = (
                (age >= 19)
                & (age <= 29)
                & (ed.level >= 6)
                & (year < np.maximum(ed.done[6], ed.done[7]))
            )
            dis = (year >= disabled_from) & (age < 67)
            emp = (h > 0) & ~dis
            st = np.select(
                [~present, age < 16, dis, age >= 67, studying, emp, (age < 62) & (e < -0.8)],
                [ABSENT, CHILD, DISABLED, RETIRED, STUDENT, EMPLOYED, UNEMPLOYED],
                INACTIVE,
            ).astype(np.int8)
            st = np.where(studying & emp & present, STUDENT, st)
            working = present & (age >= 16) & (emp | (studying & (h > -0.5)))
            share = np.where(studying | (age < 20), 0.25, np.where(parttimer, 0.6, 1.0))
            share = share * np.clip(
                1 - 0.4 * np.maximum(-h, 0) + 0.05 * rng.standard_normal(n), 0.3, 1.0
            )
            arr_frac = np.clip((ymd(year + 1) - np.maximum(pop.arrive, ymd(year))) / 365.0, 0, 1)
            leave_frac = np.clip((np.minimum(pop.leave, ymd(year + 1)) - ymd(year)) / 365.0, 0, 1)
            share = share * np.minimum(arr_frac, leave_frac)
            age_prof = 0.32 - 0.0011 * (np.clip(age, 18, 75) - 52) ** 2
            logw = (
                np.log(average_wage(year))
                + EDU_PREMIUM[lvl]
                + age_prof
                - 0.12 * pop.female
                + person
                + u
            )
            annual = np.where(working, np.exp(logw) * share, 0.0)
            state[t] = st
            wage[t] = np.round(annual, -2)
            if year >= FTE_FIRST_YEAR:
                fte[year - FTE_FIRST_YEAR] = np.where(working, share, 0)
        career = np.exp(person + EDU_PREMIUM[ed.level] - 0.12 * pop.female)
        return Economy(state, wage, fte, career)

    return world.cached("economy", build)
