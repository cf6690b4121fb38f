"""Where people live: municipality spells with moves, children living with their mother and
partners living together, Bergen held at realistic scale, plus Bergen's bydel.

Each person has an own process (a first municipality and moves at about 3 % a year, more for
young adults); a child takes its mother's municipality until 18 and a man his partner's while
their union lasts. Municipalities are indices into :func:`kommuner` (2024 numbering);
:func:`coded_spells` turns them into the numbers valid at each date (2016, 2017, 2018–2019,
2020–2023, 2024).
"""

from __future__ import annotations

import numpy as np

from mdlang.datastore.samplegen.dates import HORIZON_YEAR, NEVER, add_years, year_of, ymd
from mdlang.datastore.samplegen.families import Unions
from mdlang.datastore.samplegen.kommuner import (
    REFORM_2017,
    REFORM_2018,
    REFORM_2020,
    REFORM_2024,
    Earlier,
    kommuner,
)
from mdlang.datastore.samplegen.population import DAYS_PER_YEAR, FIRST_LINKED_YEAR, Population
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.spells import Spells, follow, from_events, normalise

#: Share of the population placed in Bergen at the default size (about 100 000 residents).
BERGEN_SHARE = 0.66
#: Up to this many persons Bergen keeps its default absolute size; beyond, its share shrinks
#: towards its real share of Norway (about 5 %), reached at national scale.
BERGEN_SCALE_PERSONS = 200_000
MOVE_RATE = 0.022
YOUNG_ADULT_EXTRA = 0.035

#: Bergen's eight bydeler, their rough population shares and crowded-housing rate for children.
BYDELER = ("Arna", "Bergenhus", "Fana", "Fyllingsdalen", "Laksevåg", "Ytrebygda", "Årstad", "Åsane")
BYDEL_SHARE = np.array([13, 42, 41, 31, 41, 30, 40, 46], float)
BYDEL_CROWDED = np.array([0.17, 0.39, 0.16, 0.24, 0.25, 0.14, 0.33, 0.20])


def bergen_share(n: int) -> float:
    """Bergen's share of a population of ``n`` persons.

    Small samples over-represent Bergen so that Helseprofil has realistic cohorts; larger ones
    keep about the default number of Bergen residents, and a national-scale sample (5.5 M)
    gives Bergen its real share of the municipality weights.
    """
    k = kommuner()
    real = float(k.weight[k.bergen] / k.weight.sum())
    if n <= BERGEN_SCALE_PERSONS:
        return BERGEN_SHARE
    return max(real, BERGEN_SHARE * BERGEN_SCALE_PERSONS / n)


def kommune_weights(n: int = BERGEN_SCALE_PERSONS) -> np.ndarray:
    """Probability of each municipality as a home, Bergen's fixed by :func:`bergen_share`."""
    k = kommuner()
    share = bergen_share(n)
    w = k.weight.copy()
    w[k.bergen] = 0
    w = w / w.sum() * (1 - share)
    w[k.bergen] = share
    return w


def _own_process(pop: Population, rng: np.random.Generator) -> Spells:
    n = pop.n
    end = np.minimum(pop.leave, ymd(HORIZON_YEAR + 1))
    years = np.maximum(end - pop.arrive, 0) / DAYS_PER_YEAR
    # Young-adult years (18–30) inside the presence interval get extra moves.
    ya_lo = np.maximum(add_years(pop.birth, 18), pop.arrive)
    ya_hi = np.minimum(add_years(pop.birth, 30), end)
    ya_years = np.maximum(ya_hi - ya_lo, 0) / DAYS_PER_YEAR
    k1 = rng.poisson(MOVE_RATE * years)
    k2 = rng.poisson(YOUNG_ADULT_EXTRA * ya_years)
    who1 = np.repeat(np.arange(n), k1)
    who2 = np.repeat(np.arange(n), k2)
    t1 = pop.arrive[who1] + (rng.random(who1.size) * (end - pop.arrive)[who1]).astype(np.int64)
    t2 = ya_lo[who2] + (rng.random(who2.size) * (ya_hi - ya_lo)[who2]).astype(np.int64)
    w = kommune_weights(n)
    who = np.concatenate([np.arange(n), who1, who2])
    when = np.concatenate([pop.arrive, t1, t2])
    val = rng.choice(w.size, size=who.size, p=w).astype(np.int32)
    stop_at = np.where(pop.leave < NEVER, pop.leave, NEVER)
    return from_events(who, when, val, stop_at)


def build_residence(pop: Population, unions: Unions) -> Spells:
    """Municipality spells (values: indices into the 2024 municipality table)."""
    rng = stream(pop.seed, "residence")
    spells = _own_process(pop, rng)
    n = pop.n
    years = year_of(pop.birth)
    kids = np.flatnonzero(pop.mother >= 0)
    for lo in range(FIRST_LINKED_YEAR, HORIZON_YEAR + 1, 15):
        sel = kids[(years[kids] >= lo) & (years[kids] < lo + 15)]
        m = pop.mother[sel]
        fe = np.minimum.reduce([add_years(pop.birth[sel], 18), pop.leave[m], pop.leave[sel]])
        spells = follow(spells, spells, sel, m, pop.birth[sel], fe, n)
    spells = follow(
        spells,
        spells,
        unions.man,
        unions.woman,
        unions.start,
        np.minimum(unions.end, pop.leave[unions.man]),
        n,
    )
    return spells


def bydel_of(pop: Population) -> np.ndarray:
    """Bydel index (0–7) per person for when they live in Bergen; children take their mother's."""
    rng = stream(pop.seed, "bydel")
    # Lower latent resources lean towards the denser central bydeler (Bergenhus, Årstad, Laksevåg).
    base = np.log(BYDEL_SHARE / BYDEL_SHARE.sum())
    tilt = np.array([0.1, -0.45, 0.35, 0.0, -0.1, 0.3, -0.25, 0.05])
    logits = base[None, :] + np.outer(pop.z, tilt)
    g = rng.gumbel(size=logits.shape)
    out = np.argmax(logits + g, axis=1).astype(np.int8)
    order = np.argsort(pop.birth, kind="stable")
    kids = order[pop.mother[order] >= 0]
    for lo in range(FIRST_LINKED_YEAR, HORIZON_YEAR + 1, 15):
        sel = kids[(year_of(pop.birth[kids]) >= lo) & (year_of(pop.birth[kids]) < lo + 15)]
        out[sel] = out[pop.mother[sel]]
    return out


def _split_at(s: Spells, days: tuple[int, ...]) -> Spells:
    """The spells with every spell that runs across one of ``days`` (ascending) cut there.

    All cuts are made in one pass so that the arrays are copied once, not once per day.
    """
    cuts = np.asarray(days, np.int64)
    first = np.searchsorted(cuts, s.start, side="right")  # first cut after the start
    n_cut = np.maximum(np.searchsorted(cuts, s.stop, side="left") - first, 0)
    rep = np.repeat(np.arange(s.who.size), n_cut + 1)
    piece = np.arange(rep.size) - np.repeat(np.cumsum(n_cut + 1) - (n_cut + 1), n_cut + 1)
    start = s.start[rep].copy()
    stop = s.stop[rep].copy()
    later = piece > 0
    start[later] = cuts[first[rep[later]] + piece[later] - 1]
    inner = piece < n_cut[rep]
    stop[inner] = cuts[first[rep[inner]] + piece[inner]]
    return Spells(s.who[rep], start, stop, s.val[rep])


def _trace_back(earlier: Earlier, index: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Indices into ``earlier`` of the parts of next-period municipalities ``index``.

    A municipality formed from several is traced back to one of them with chance proportional to
    its weight, by the person's own uniform ``u`` (so a person who stays keeps one number).
    """
    out = np.empty(index.size, np.int64)
    n_next = int(earlier.successor.max()) + 1
    single = np.zeros(n_next, np.int64)
    single[earlier.successor] = np.arange(earlier.successor.size)
    out[:] = single[index]
    counts = np.bincount(earlier.successor, minlength=n_next)
    for merged in np.flatnonzero(counts > 1):
        hit = index == merged
        parts = earlier.parts(int(merged))
        cum = np.cumsum(earlier.weight[parts]) / earlier.weight[parts].sum()
        pick = np.minimum(np.searchsorted(cum, u[hit], side="right"), parts.size - 1)
        out[hit] = parts[pick]
    return out


def coded_spells(pop: Population, spells: Spells) -> tuple[Spells, tuple[str, ...]]:
    """Give residence spells the municipality numbers valid at the time.

    Spells are cut at 1 January 2017, 2018, 2020 and 2024; from 2024 they carry the 2024 number,
    in 2020–2023 that municipality's number then, in 2018–2019 the number of one of the 2019
    municipalities within it (chosen once per person, so a person who stays keeps one number),
    and in 2017 and before 2017 the number of the part of that municipality the person lived in
    (Trondheim 5001 was 1601, Sandefjord 0710 was Sandefjord, Andebu or Stokke before 2017).
    Returns spells whose values index the returned tuple of distinct codes.
    """
    k = kommuner()
    codes = tuple(
        dict.fromkeys(k.codes + k.codes_2020 + k.old_codes + k.of_2017.codes + k.of_2016.codes)
    )
    s = _split_at(spells, (REFORM_2017, REFORM_2018, REFORM_2020, REFORM_2024))
    s.val = _numbers(pop, s, {c: i for i, c in enumerate(codes)})
    return normalise(s), codes


def _numbers(pop: Population, s: Spells, where: dict[str, int]) -> np.ndarray:
    """Index into the code tuple ``where`` of each (cut) spell's number at its start."""
    k = kommuner()
    e17, e16 = k.of_2017, k.of_2016

    def index_of(table: tuple[str, ...]) -> np.ndarray:
        return np.array([where[c] for c in table], np.int32)

    v = s.val
    out = index_of(k.codes)[v]
    mid = np.flatnonzero((s.start >= REFORM_2020) & (s.start < REFORM_2024))
    out[mid] = index_of(k.codes_2020)[v[mid]]
    del mid
    early = np.flatnonzero(s.start < REFORM_2020)
    choices = [k.old_choices(i) for i in range(len(k.codes))]
    n_choice = np.array([c.size for c in choices])
    flat = np.concatenate(choices)
    offs = np.concatenate([[0], np.cumsum(n_choice)[:-1]])
    ve = v[early]
    u = stream(pop.seed, "old-kommune").random(pop.n)
    pick = np.minimum((u[s.who[early]] * n_choice[ve]).astype(np.int64), n_choice[ve] - 1)
    old = flat[offs[ve] + pick]
    del ve, pick, u
    out[early] = index_of(k.old_codes)[old]
    # Before 2018: trace the 2019 municipality back to its 2017 part, before 2017 to its 2016 part.
    b18 = s.start[early] < REFORM_2018
    at18, old18 = early[b18], old[b18]
    del early, old, b18
    u17 = stream(pop.seed, "kommune-2017").random(pop.n)
    i17 = _trace_back(e17, old18, u17[s.who[at18]])
    out[at18] = index_of(e17.codes)[i17]
    b17 = s.start[at18] < REFORM_2017
    u16 = stream(pop.seed, "kommune-2016").random(pop.n)
    out[at18[b17]] = index_of(e16.codes)[_trace_back(e16, i17[b17], u16[s.who[at18[b17]]])]
    return out
