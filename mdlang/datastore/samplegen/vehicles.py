"""Vehicles (the KJORETOY unit) and electricity metering points (the MALEPUNKT unit).

Seven adults in ten own a vehicle, and three in ten of those a second one; each is replaced after
3–15 years, and new ones are electric as often as Norway's new registrations of their year. Each
family head has a metering point at home from 2020 with a yearly consumption that grows with
dwelling size; a few produce solar power.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.catalogue import metadata
from mdlang.datastore.samplegen.dates import add_years, day, year_of, ymd
from mdlang.datastore.samplegen.frames import codes_of, frame, status
from mdlang.datastore.samplegen.household import dwelling, snapshot
from mdlang.datastore.samplegen.kommuner import kommuner
from mdlang.datastore.samplegen.persons import residence_codes, yearly
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.world import World

#: Price area of each county (2024 numbers).
PRICE_AREA = {
    "03": "NO1",
    "31": "NO1",
    "32": "NO1",
    "33": "NO1",
    "34": "NO1",
    "39": "NO1",
    "11": "NO2",
    "40": "NO2",
    "42": "NO2",
    "46": "NO5",
    "15": "NO3",
    "50": "NO3",
    "18": "NO4",
    "55": "NO4",
    "56": "NO4",
}


#: Electric share of new passenger cars in Norway, 2012–2024.
EV_SHARE_YEARS = np.arange(2012, 2025)
EV_SHARE = np.array([0.03, 0.06, 0.13, 0.17, 0.16, 0.21, 0.31, 0.42, 0.54, 0.65, 0.79, 0.82, 0.89])


def vehicle_variables(world: World) -> Iterator:
    """KJORETOY variables at each 31 December 1998–2024."""
    pop = world.pop
    rng = stream(world.seed, "vehicles")
    owner, start, stop = _ownership(world, rng)
    m = owner.size
    vid = 90_000_000 + np.arange(m, dtype=np.int64) * 3 + world.seed % 3
    model_year = year_of(start) - np.where(rng.random(m) < 0.4, rng.integers(0, 12, m), 0)
    used_import = rng.random(m) < 0.12
    # share of electric cars among new registrations by year (OFV's yearly figures, rounded)
    ev_p = np.interp(model_year, EV_SHARE_YEARS, EV_SHARE, left=0.0)
    fuels = [c.code for c in cl.DRIVSTOFF]
    petrol, diesel, gas, hybrid, electric = (fuels.index(c) for c in ("01", "02", "03", "04", "05"))
    fuel = np.where(rng.random(m) < ev_p, electric, np.where(rng.random(m) < 0.45, diesel, petrol))
    fuel = np.where(
        (fuel != electric) & (model_year >= 2015) & (rng.random(m) < 0.15), hybrid, fuel
    )
    fuel = np.where(rng.random(m) < 0.01, gas, fuel)
    groups = [c.code for c in cl.vehicle_groups()]
    car, van = groups.index(cl.PASSENGER_CAR), groups.index(cl.VAN)
    grp = np.where(
        rng.random(m) < 0.86,
        car,
        np.where(rng.random(m) < 0.6, van, rng.integers(0, len(groups), m)),
    )
    weight = np.round(
        np.clip(rng.normal(1450, 280, m) + (fuel == electric) * 350, 600, 3500), -1
    ).astype(np.int64)
    co2 = np.where(
        fuel == electric,
        0.0,
        np.round(np.clip(rng.normal(165, 30, m) - (model_year - 2005) * 3.5, 60, 300), 0),
    )
    cons = np.where(fuel == electric, 0.0, np.round(co2 / 24.0, 2))
    dates = yearly("1998-12-31", "2024-12-31")

    def stat(name, values, first="1998-12-31", codes=None, unit=None):
        parts = []
        f = day(first)
        for d in dates:
            if d < f:
                continue
            on = np.flatnonzero((start <= d) & (stop > d))
            parts.append((vid[on], values[on], d))
        return metadata(name, codes=codes, unit_of_measure=unit), status(parts)

    yield _link(stat("KJORETOY_KJORETOYID_FNR", pop.pid[owner]))
    yield stat("KJORETOY_KJT_GRUP", codes_of(groups, grp), codes=cl.vehicle_groups())
    yield stat("KJORETOY_DRIVSTOFF_OMK", codes_of(fuels, fuel), codes=cl.DRIVSTOFF)
    yield stat(
        "KJORETOY_BRUKTIMP",
        np.where(used_import, "J", "N").astype(object),
        "2008-12-31",
        cl.BRUKTIMP,
    )
    yield stat("KJORETOY_EG_VEKT", weight, unit="kg")
    yield stat("KJORETOY_FREG_AR", model_year.astype(np.int64), unit="år")
    art = codes_of([c.code for c in cl.KJ_ART], rng.choice(4, size=m, p=[0.86, 0.1, 0.02, 0.02]))
    yield stat("KJORETOY_KJ_ART", art, "1999-12-31", cl.KJ_ART)
    yield stat("KJORETOY_TEKN_CO2_UTSLIPP", co2, "2005-12-31", unit="g/km")
    yield stat("KJORETOY_TEKN_DRIVSTOFF_FORBRUK", cons, "2008-12-31", unit="l/10 km")


def _ownership(world: World, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Owner, start and stop of every vehicle registered at some point in 1999–2024.

    Seven adults in ten own a vehicle from some years after their 19th birthday (or arrival) until
    they leave, replacing it after 3–15 years; three in ten of them keep a second one too. That
    gives Norway's fleet of about 0.55 passenger cars per resident.
    """
    pop = world.pop
    owners = np.flatnonzero(rng.random(pop.n) < 0.70)
    second = owners[rng.random(owners.size) < 0.30]
    owner = np.concatenate([owners, second])
    adult = np.maximum(add_years(pop.birth[owner], 19), pop.arrive[owner])
    delay = np.r_[rng.integers(0, 3000, owners.size), rng.integers(700, 6000, second.size)]
    begin = adult + delay
    # only the car held in 1990 matters for a chain begun earlier: it was bought 0–15 years before
    early = day("1990-01-01")
    held = np.maximum(begin, early - rng.integers(0, 15 * 365, owner.size))
    begin = np.where(begin < early, held, begin)
    window_start, window_end = day("1998-12-31"), day("2024-12-31")
    leave = pop.leave[owner]
    who, starts, stops = [], [], []
    t = begin
    while True:
        live = (t < window_end) & (t < leave)
        if not live.any():
            break
        owner, t, leave = owner[live], t[live], leave[live]
        end = np.minimum(t + (rng.uniform(3, 15, t.size) * 365).astype(np.int64), leave)
        ok = end > window_start
        who.append(owner[ok])
        starts.append(t[ok])
        stops.append(end[ok])
        t = end + rng.integers(0, 180, t.size)
    return tuple(map(np.concatenate, (who, starts, stops)))


def _link(pair):
    meta, df = pair
    import dataclasses

    return dataclasses.replace(meta, link_unit_type="PERSON"), df


def metering_variables(world: World) -> Iterator:
    """MALEPUNKT variables: status on 1 January 2020–2025 and 1 November 2025, yearly consumption."""
    pop = world.pop
    rng = stream(world.seed, "metering")
    spells, codes = residence_codes(world)
    snap = snapshot(world, int(ymd(2020)))
    heads = np.flatnonzero(snap.present & (snap.famnr == np.arange(pop.n)))
    heads = heads[rng.random(heads.size) < 0.97]
    m = heads.size
    mid = 95_000_000 + np.arange(m, dtype=np.int64) * 3 + world.seed % 3
    area = dwelling(world, int(ymd(2020)))["area"][heads]
    solar = rng.random(m) < 0.04
    dates = [*yearly("2020-01-01", "2025-01-01"), day("2025-11-01")]
    # price areas by the 2024 county of the (2024-numbered) home municipality
    area_of = np.array([PRICE_AREA[c[:2]] for c in kommuner().codes], dtype=object)
    own, kom, pris = [], [], []
    for d in dates:
        on = np.flatnonzero(pop.present(d)[heads])
        k = np.maximum(spells.at(d, pop.n)[heads[on]], 0)
        k24 = np.maximum(world.residence.at(d, pop.n)[heads[on]], 0)
        own.append((mid[on], pop.pid[heads[on]], d))
        kom.append((mid[on], codes_of(codes, k), d))
        pris.append((mid[on], area_of[k24], d))
    from mdlang.datastore.samplegen.kommuner import code_list

    yield metadata("ELHUB_PERS_MALEPUNKTID_FNR", link_unit_type="PERSON"), status(own)
    yield metadata("ELHUB_PERS_MALEPUNKT_ADR_KOMMUNE", codes=code_list()), status(kom)
    yield metadata("ELHUB_PERS_PRISOMRADE", codes=cl.PRISOMRADE), status(pris)
    ids, use, prod, st, sp = [], [], [], [], []
    base = 4000 + 110 * area * np.exp(rng.normal(0, 0.25, m))
    for y in range(2020, 2026):
        on = pop.present(ymd(y, 6, 1))[heads]
        frac = 11 / 12 if y == 2025 else 1.0
        ids.append(mid[on])
        use.append(np.round(base[on] * frac * (1 + 0.05 * rng.standard_normal(on.sum())), 1))
        prod.append(np.where(solar[on], np.round(rng.uniform(2000, 8000, on.sum()) * frac, 1), 0.0))
        st.append(np.full(on.sum(), ymd(y)))
        sp.append(np.full(on.sum(), day("2025-11-30") if y == 2025 else ymd(y + 1) - 1))
    ids_a, use_a, prod_a, st_a, sp_a = map(np.concatenate, (ids, use, prod, st, sp))
    yield (
        metadata("ELHUB_PERS_STROMFORBRUK", unit_of_measure="kWh"),
        frame(ids_a, use_a, st_a, sp_a),
    )
    p = prod_a > 0
    yield (
        metadata("ELHUB_PERS_KRAFTPRODUKSJON", unit_of_measure="kWh"),
        frame(ids_a[p], prod_a[p], st_a[p], sp_a[p]),
    )
