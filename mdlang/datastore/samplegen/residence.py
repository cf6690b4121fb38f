"""Where people live: municipality spells with moves, children living with their mother and
partners living together, Bergen held at realistic scale, plus Bergen's bydel.

Each person has an own process (a first municipality and moves at about 3 % a year, more for
young adults); a child takes its mother's municipality until 18 and a man his partner's while
their union lasts. Municipalities are indices into :func:`kommuner` (2024 numbering);
:func:`coded_spells` turns them into the numbers valid at each date (2019, 2020–2023, 2024).
"""

from __future__ import annotations

import numpy as np

from mdlang.datastore.samplegen.dates import HORIZON_YEAR, NEVER, add_years, year_of, ymd
from mdlang.datastore.samplegen.families import Unions
from mdlang.datastore.samplegen.kommuner import REFORM_2020, REFORM_2024, kommuner
from mdlang.datastore.samplegen.population import DAYS_PER_YEAR, FIRST_LINKED_YEAR, Population
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.spells import Spells, concat, follow, from_events, normalise

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


def _split_at(s: Spells, day: int) -> Spells:
    """The spells with every spell that runs across ``day`` cut in two there."""
    cross = (s.start < day) & (s.stop > day)
    a = s.take(np.flatnonzero(~cross))
    b = s.take(np.flatnonzero(cross))
    before = Spells(b.who, b.start, np.full(b.who.size, day), b.val)
    after = Spells(b.who, np.full(b.who.size, day), b.stop, b.val)
    return concat([a, before, after])


def coded_spells(pop: Population, spells: Spells) -> tuple[Spells, tuple[str, ...]]:
    """Give residence spells the municipality numbers valid at the time.

    Spells are cut at 1 January 2020 and 1 January 2024; from 2024 they carry the 2024 number,
    in 2020–2023 that municipality's number then, and before 2020 the number of one of the 2019
    municipalities within it (chosen once per person, so a person who stays keeps one number).
    Returns spells whose values index the returned tuple of distinct codes.
    """
    k = kommuner()
    codes = tuple(dict.fromkeys(k.codes + k.codes_2020 + k.old_codes))
    where = {c: i for i, c in enumerate(codes)}
    n_new = len(k.codes)
    as_2024 = np.array([where[c] for c in k.codes], np.int32)
    as_2020 = np.array([where[c] for c in k.codes_2020], np.int32)
    as_old = np.array([where[c] for c in k.old_codes], np.int32)
    u = stream(pop.seed, "old-kommune").random(pop.n)
    s = _split_at(_split_at(spells, REFORM_2020), REFORM_2024)
    v = s.val.astype(np.int64)
    out = as_2024[v]
    mid = (s.start >= REFORM_2020) & (s.start < REFORM_2024)
    out[mid] = as_2020[v[mid]]
    early = s.start < REFORM_2020
    choices = [k.old_choices(i) for i in range(n_new)]
    n_choice = np.array([c.size for c in choices])
    flat = np.concatenate(choices)
    offs = np.concatenate([[0], np.cumsum(n_choice)[:-1]])
    ve = v[early]
    pick = np.minimum((u[s.who[early]] * n_choice[ve]).astype(np.int64), n_choice[ve] - 1)
    out[early] = as_old[flat[offs[ve] + pick]]
    s.val = out
    return normalise(s), codes
