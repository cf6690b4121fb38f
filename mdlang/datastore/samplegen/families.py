"""Couples and parenthood: unions between women and men, and each child's real mother and father.

Unions are formed by pairing women and men of similar age (men about 2.5 years older); some end
in divorce, some divorced women form a second union. Children born in Norway from 1955 on get a
mother drawn, year by year, among the women present and aged 15–49 that year (weighted by an
age-specific fertility curve, a persistent fecundity and whether she lives in a union, with at
least two years between births); the father is her partner at the birth. Children inherit the
latent factor from their parents (so education follows parents' education).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdlang.datastore.samplegen.dates import add_years, year_of, ymd
from mdlang.datastore.samplegen.population import DAYS_PER_YEAR, FIRST_LINKED_YEAR, Population
from mdlang.datastore.samplegen.randomness import stream, top_k


@dataclass
class Unions:
    """Union spells: ``woman[k]`` and ``man[k]`` live together from ``start[k]`` to ``end[k]``."""

    woman: np.ndarray
    man: np.ndarray
    start: np.ndarray
    end: np.ndarray
    married: np.ndarray
    divorced: np.ndarray  # ended by divorce (else by death or emigration, or still open)
    order: np.ndarray  # 1 or 2: the woman's first or second union

    def active(self, when: np.ndarray, k: np.ndarray) -> np.ndarray:
        return (self.start[k] <= when) & (self.end[k] > when)


def _pair(rng, women, men, pop: Population, gap_years: float) -> tuple[np.ndarray, np.ndarray]:
    """Pair women with men by rank of (jittered) birth date; returns equal-length index arrays."""
    k = min(women.size, men.size)
    women = rng.permutation(women)[:k]
    men = rng.permutation(men)[:k]
    wkey = pop.birth[women] - gap_years * DAYS_PER_YEAR + rng.normal(0, 700, k)
    mkey = pop.birth[men] + rng.normal(0, 700, k)
    return women[np.argsort(wkey, kind="stable")], men[np.argsort(mkey, kind="stable")]


def build_unions(pop: Population) -> Unions:
    """First and second unions."""
    rng = stream(pop.seed, "unions")
    n = pop.n
    adult_ok = year_of(add_years(pop.birth, 18)) < 2026
    women = np.flatnonzero(pop.female & adult_ok & (rng.random(n) < 0.84))
    men = np.flatnonzero(~pop.female & adult_ok & (rng.random(n) < 0.86))
    w1, m1 = _pair(rng, women, men, pop, 2.5)
    start_age = np.clip(rng.normal(26.5, 4.5, w1.size), 18, 48)
    start = add_years(pop.birth[w1], 0) + np.round(start_age * DAYS_PER_YEAR).astype(np.int64)
    start = np.maximum.reduce([start, pop.arrive[w1], pop.arrive[m1], add_years(pop.birth[m1], 18)])
    end_nat = np.minimum(pop.leave[w1], pop.leave[m1])
    div_at = start + np.round(rng.exponential(11.0, w1.size) * DAYS_PER_YEAR).astype(np.int64)
    divorced = (rng.random(w1.size) < 0.42) & (div_at < end_nat) & (div_at < ymd(2026))
    end = np.where(divorced, div_at, end_nat)
    ok = start < end
    w1, m1, start, end, divorced = w1[ok], m1[ok], start[ok], end[ok], divorced[ok]
    married1 = rng.random(w1.size) < np.where(year_of(start) < 1990, 0.85, 0.55)

    # Second unions for half of the divorced women, with men who had no first union.
    cand = w1[divorced & (rng.random(w1.size) < 0.5)]
    cand_end = end[np.isin(w1, cand)]
    free = np.setdiff1d(np.flatnonzero(~pop.female & adult_ok), m1)
    free = free[np.argsort(pop.birth[free], kind="stable")]
    order = np.argsort(pop.birth[cand], kind="stable")
    cand, cand_end = cand[order], cand_end[order]
    k = min(cand.size, free.size)
    pos = np.floor((np.arange(k) + 0.5) / max(k, 1) * free.size).astype(np.int64)
    w2, m2, e2prev = cand[:k], free[pos], cand_end[:k]
    s2 = e2prev + np.round(rng.uniform(1, 5, k) * DAYS_PER_YEAR).astype(np.int64)
    s2 = np.maximum.reduce([s2, pop.arrive[m2], add_years(pop.birth[m2], 18)])
    e2 = np.minimum(pop.leave[w2], pop.leave[m2])
    ok2 = (s2 < e2) & (s2 < ymd(2026))
    w2, m2, s2, e2 = w2[ok2], m2[ok2], s2[ok2], e2[ok2]
    return Unions(
        woman=np.concatenate([w1, w2]),
        man=np.concatenate([m1, m2]),
        start=np.concatenate([start, s2]),
        end=np.concatenate([end, e2]),
        married=np.concatenate([married1, rng.random(w2.size) < 0.4]),
        divorced=np.concatenate([divorced, np.zeros(w2.size, bool)]),
        order=np.concatenate([np.ones(w1.size, np.int8), np.full(w2.size, 2, np.int8)]),
    )


def _union_lookup(pop: Population, unions: Unions) -> tuple[np.ndarray, np.ndarray]:
    """Per woman: index of her first and second union in ``unions`` (-1 if none)."""
    u1 = np.full(pop.n, -1, np.int64)
    u2 = np.full(pop.n, -1, np.int64)
    first = unions.order == 1
    u1[unions.woman[first]] = np.flatnonzero(first)
    u2[unions.woman[~first]] = np.flatnonzero(~first)
    return u1, u2


def assign_parents(pop: Population, unions: Unions) -> None:
    """Fill ``pop.mother``, ``pop.father`` and the children's latent factor ``pop.z``."""
    rng = stream(pop.seed, "parents")
    n = pop.n
    fecund = rng.gamma(2.2, 1 / 2.2, n) * (rng.random(n) > 0.1)
    u1, u2 = _union_lookup(pop, unions)
    women = np.flatnonzero(pop.female)
    wbirth = pop.birth[women]
    last_birth = np.full(women.size, -(10**6), np.int64)
    byear = year_of(pop.birth)
    children = np.flatnonzero(pop.linked)
    cyear = byear[children]
    bounds = np.searchsorted(cyear, np.arange(FIRST_LINKED_YEAR, 2027))
    for i, year in enumerate(range(FIRST_LINKED_YEAR, 2026)):
        kids = children[bounds[i] : bounds[i + 1]]
        if kids.size == 0:
            continue
        y0, y1 = ymd(year), ymd(year + 1)
        age = (y0 - wbirth) / DAYS_PER_YEAR
        ok = (age >= 15) & (age < 49) & (pop.arrive[women] <= y0) & (pop.leave[women] > y1)
        ok &= (y0 - last_birth) > 600
        wu1, wu2 = u1[women], u2[women]
        in_union = np.zeros(women.size, bool)
        for u in (wu1, wu2):
            has = u >= 0
            in_union[has] |= (unions.start[u[has]] <= y0 + 180) & (unions.end[u[has]] > y0 + 180)
        weight = (
            fecund[women] * np.exp(-0.5 * ((age - 30.0) / 5.5) ** 2) * np.where(in_union, 1.0, 0.12)
        )
        weight = np.where(ok, weight, 0.0)
        chosen = top_k(rng, weight, kids.size)
        kids = rng.permutation(kids)[: chosen.size]
        mothers = women[chosen]
        pop.mother[kids] = mothers
        last_birth[chosen] = pop.birth[kids]
    # Fathers: the mother's partner at the birth, else her first partner (or unknown).
    kids = np.flatnonzero(pop.mother >= 0)
    m = pop.mother[kids]
    when = pop.birth[kids]
    father = np.full(kids.size, -1, np.int64)
    for u in (u1[m], u2[m]):
        has = u >= 0
        act = np.zeros(kids.size, bool)
        act[has] = (unions.start[u[has]] <= when[has]) & (unions.end[u[has]] > when[has])
        father[act] = unions.man[u[act]]
    first = u1[m]
    fallback = (father < 0) & (first >= 0) & (rng.random(kids.size) < 0.7)
    father[fallback] = unions.man[first[fallback]]
    # A father must be alive and at least 16 at the birth.
    bad = (father >= 0) & (
        (pop.death[np.maximum(father, 0)] < when - 280)
        | (pop.birth[np.maximum(father, 0)] > when - 16 * 366)
    )
    father[bad] = -1
    pop.father[kids] = father
    _inherit_latent(pop, rng)


def _inherit_latent(pop: Population, rng: np.random.Generator) -> None:
    """z_child = 0.4 (z_mother + z_father) + noise, in birth order so parents are done first."""
    order = np.argsort(pop.birth, kind="stable")
    kids = order[pop.mother[order] >= 0]
    # Generations: a child's parents are born at least 15 years earlier, so 15-year slabs are safe.
    years = year_of(pop.birth[kids])
    for lo in range(FIRST_LINKED_YEAR, 2026, 15):
        sel = kids[(years >= lo) & (years < lo + 15)]
        zm = pop.z[pop.mother[sel]]
        f = pop.father[sel]
        zf = np.where(f >= 0, pop.z[np.maximum(f, 0)], rng.standard_normal(sel.size))
        pop.z[sel] = 0.4 * (zm + zf) + np.sqrt(1 - 2 * 0.16 - 2 * 0.16 * 0.3) * rng.standard_normal(
            sel.size
        )


def parity(pop: Population) -> np.ndarray:
    """Number of children each person has (as mother or father) in the population."""
    out = np.bincount(pop.mother[pop.mother >= 0], minlength=pop.n)
    out += np.bincount(pop.father[pop.father >= 0], minlength=pop.n)
    return out
