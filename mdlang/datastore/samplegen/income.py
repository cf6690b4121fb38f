"""Income, transfers, taxes and wealth per person and year (INNTEKT_*, SKATT_*).

Every amount is derived from the activity and wage panels of :mod:`.economy` and the families of
:mod:`.household`; like SSB's income variables, persons with a zero amount have no row.

The amounts are computed one year at a time, every component of a year once (wages, transfers,
taxes and the household sums derived from them), and each variable's rows of that year are held
compactly by :class:`.amounts.YearlyAmounts` until the variable is written. This keeps the cost
of the 28 variables close to that of one pass over the years, at any population size.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from mdlang.datastore.samplegen import amounts
from mdlang.datastore.samplegen.catalogue import catalogue, metadata
from mdlang.datastore.samplegen.dates import year_of, ymd
from mdlang.datastore.samplegen.economy import (
    DISABLED,
    EMPLOYED,
    FIRST_YEAR,
    RETIRED,
    STUDENT,
    UNEMPLOYED,
    average_wage,
    economy,
    grunnbelop,
)
from mdlang.datastore.samplegen.frames import frame
from mdlang.datastore.samplegen.household import snapshot
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.world import World, birth_year, pid_order

#: variable → component it reports (see :func:`components`).
SOURCES = {
    "INNTEKT_WLONN": "wage",
    "INNTEKT_LONN": "wage",
    "INNTEKT_WYRKINNT": "yrk",
    "INNTEKT_YRKINNT": "yrk",
    "INNTEKT_PGIVINNT": "pgi",
    "INNTEKT_ARBLED": "arbled",
    "INNTEKT_KODE218": "ufore",
    "INNTEKT_SOSIAL": "sosial",
    "INNTEKT_BARNETRYGD": "barnetrygd",
    "INNTEKT_KONTANTSTOTTE": "kontant",
    "INNTEKT_FORELDREPENGER": "foreldre",
    "INNTEKT_SYKEPENGER": "syke",
    "INNTEKT_BOSTOTTE": "bostotte",
    "INNTEKT_STUDIESTIPEND": "stipend",
    "INNTEKT_SUM_ARBAVKL": "aap",
    "INNTEKT_GRUNN_HJELP": "grunnhjelp",
    "INNTEKT_OVERFOR": "overfor",
    "INNTEKT_WOVERFOR": "overfor",
    "INNTEKT_WSAMINNT": "samlet",
    "INNTEKT_UTSKATT": "skatt",
    "INNTEKT_WSKATOVF": "skattovf",
    "INNTEKT_WIES": "ies",
    "SKATT_ALMINNELIG_INNTEKT": "alminnelig",
    "SKATT_BRUTTOINNTEKT": "brutto",
    "INNTEKT_BRUTTOFORM": "formue",
    "INNTEKT_BER_BRFORM": "ber_formue",
    "INNTEKT_HUSH_IES": "hush_ies",
    "INNTEKT_HUSH_IES_EU": "hush_ies_eu",
}
LAST_INCOME_YEAR = 2023
#: A variable with more rows than this goes to the writer in chunks rather than as one frame.
EAGER_LIMIT = 20_000_000
#: Helseprofil's low-income flag: under this share of the median, in these years.
LOW_INCOME_SHARE = 0.5
LOW_INCOME_YEARS = (2010, 2023)


class Components:
    """Every amount of one year, each computed once, and kept until a later year is asked for.

    Entries of earlier years are dropped as soon as a later year is started (only the births of
    the year before, which the next year's cash-for-care needs, are carried over), so at most
    about one year of amounts is held whatever the population size.
    """

    #: Components of the previous year that later years read.
    CARRY = frozenset({"births"})

    def __init__(self, world: World) -> None:
        self.world = world
        self.memo: dict[tuple[int, str], np.ndarray] = {}

    def get(self, year: int, name: str) -> np.ndarray:
        """Component ``name`` of ``year`` (one array over all persons)."""
        key = (year, name)
        if key not in self.memo:
            self._forget_before(year)
            self.memo[key] = getattr(self, f"_{name}")(year)
        return self.memo[key]

    def _forget_before(self, year: int) -> None:
        for y, name in list(self.memo):
            if y < year - 1 or (y == year - 1 and name not in self.CARRY):
                del self.memo[(y, name)]

    # --- helpers --------------------------------------------------------------------------
    def _u(self, year: int, purpose: str) -> np.ndarray:
        return stream(self.world.seed, f"income:{purpose}:{year}").random(self.world.pop.n)

    def _col(self, year: int, arr: np.ndarray) -> np.ndarray:
        t = min(max(year - FIRST_YEAR, 0), arr.shape[0] - 1)
        return arr[t].astype(np.float64)

    def _state(self, year: int) -> np.ndarray:
        ec = economy(self.world)
        return ec.state[min(max(year - FIRST_YEAR, 0), ec.state.shape[0] - 1)]

    def _age(self, year: int) -> np.ndarray:
        return year - birth_year(self.world)

    def _kids(self, year: int) -> np.ndarray:
        """Children under 18 in the person's family at the end of the year (0 before 2005)."""
        s = snapshot(self.world, int(ymd(min(max(year + 1, 2005), 2025))))
        return np.where(s.present, s.kids, 0)

    # --- components -----------------------------------------------------------------------
    def _wage(self, year):
        return self._col(year, economy(self.world).wage)

    def _selfemp(self, year):
        pop = self.world.pop
        has = (stream(self.world.seed, "selfemp").random(pop.n) < 0.06) & (
            self._state(year) == EMPLOYED
        )
        return np.where(
            has,
            np.round(
                average_wage(year) * 0.5 * np.exp(0.4 * pop.z) * (0.5 + self._u(year, "se")), -2
            ),
            0.0,
        )

    def _yrk(self, year):
        return self.get(year, "wage") + self.get(year, "selfemp")

    def _arbled(self, year):
        st = self._state(year)
        prev = self._col(year - 1, economy(self.world).wage)
        has = (st == UNEMPLOYED) & (prev > 0) & (self._u(year, "arbled") < 0.7)
        return np.where(
            has, np.round(0.62 * prev * (0.2 + 0.6 * self._u(year, "arbled-m")), -2), 0.0
        )

    def _benefit(self, year, state, share, career_cap, minimum_g):
        """A benefit paid in ``state``: ``share`` of the average wage scaled by the career
        (capped at ``career_cap``), at least ``minimum_g`` times the basic amount, in hundreds."""
        ec = economy(self.world)
        amount = np.maximum(
            share * average_wage(year) * np.minimum(ec.career, career_cap), minimum_g * grunnbelop(year)
        )
        return np.where(self._state(year) == state, np.round(amount, -2), 0.0)

    def _ufore(self, year):
        return self._benefit(year, DISABLED, 0.66, 1.6, 2.28)

    def _pension(self, year):
        return self._benefit(year, RETIRED, 0.45, 2.0, 2.0)

    def _sosial(self, year):
        pop = self.world.pop
        st = self._state(year)
        p = 1 / (1 + np.exp(3.4 + 1.1 * pop.z)) * np.isin(st, [UNEMPLOYED, 6, STUDENT]) * 1.6
        has = (self._u(year, "sos") < p) & (self._age(year) >= 18)
        return np.where(
            has, np.round(grunnbelop(year) * (0.3 + 1.5 * self._u(year, "sos-a")), -2), 0.0
        )

    def _barnetrygd(self, year):
        pop = self.world.pop
        kids = self._kids(year)
        s = snapshot(self.world, int(ymd(min(max(year + 1, 2005), 2025))))
        me = np.arange(pop.n)
        receiver = (kids > 0) & (
            (s.famnr == me) & pop.female
            | (s.famnr == me) & (s.partner < 0)
            | pop.female & (s.partner >= 0)
        )
        receiver &= s.guardian < 0
        return np.where(receiver, 11_640.0 * kids, 0.0) if year >= 1993 else np.zeros(pop.n)

    def _births(self, year):
        """Children born to the person this year (as mother or father)."""
        pop = self.world.pop
        born = birth_year(self.world) == year
        out = np.zeros(pop.n)
        kids = np.flatnonzero(born & (pop.mother >= 0))
        np.add.at(out, pop.mother[kids], 1)
        kf = kids[pop.father[kids] >= 0]
        np.add.at(out, pop.father[kf], 1)
        return out

    def _kontant(self, year):
        pop = self.world.pop
        b = self.get(year - 1, "births") if year > 1998 else np.zeros(pop.n)
        self.get(year, "wage")
        has = (b > 0) & pop.female & (self._u(year, "kontant") < 0.3) & (year >= 1998)
        return np.where(has, np.round(3000.0 * (6 + 6 * self._u(year, "kontant-m")), -2), 0.0)

    def _foreldre(self, year):
        pop = self.world.pop
        b = self._births(year)
        prev = self._col(year - 1, economy(self.world).wage)
        has = (b > 0) & (prev > 0) & (year >= 2006)
        share = np.where(pop.female, 0.45, 0.1)
        return np.where(has, np.round(np.minimum(prev, 6 * grunnbelop(year)) * share, -2), 0.0)

    def _syke(self, year):
        w = self.get(year, "wage")
        has = (w > 0) & (self._u(year, "syke") < 0.22) & (year >= 2006)
        return np.where(has, np.round(w * 0.25 * self._u(year, "syke-a") ** 2, -2), 0.0)

    def _bostotte(self, year):
        pop = self.world.pop
        low = self.get(year, "yrk") < 0.3 * average_wage(year)
        has = low & (self._age(year) >= 18) & (self._u(year, "bost") < 0.06 * np.exp(-0.5 * pop.z))
        return np.where(has, np.round(25_000 + 25_000 * self._u(year, "bost-a"), -2), 0.0)

    def _stipend(self, year):
        has = (self._state(year) == STUDENT) & (self._u(year, "stip") < 0.8)
        return np.where(
            has, np.round(0.12 * average_wage(year) * (0.5 + self._u(year, "stip-a")), -2), 0.0
        )

    def _aap(self, year):
        pop = self.world.pop
        st = self._state(year)
        p = (st == 6) * 0.35 + (st == UNEMPLOYED) * 0.1
        has = (
            (self._u(year, "aap") < p * np.exp(-0.3 * pop.z))
            & (year >= 2010)
            & (self._age(year) < 67)
        )
        return np.where(
            has, np.round(2.0 * grunnbelop(year) * (0.6 + 0.8 * self._u(year, "aap-a")), -2), 0.0
        )

    def _grunnhjelp(self, year):
        has = self._u(year, "gh") < 0.015
        return np.where(
            has, np.round(grunnbelop(year) * (0.15 + 0.5 * self._u(year, "gh-a")), 0), 0.0
        )

    def _overfor(self, year):
        return sum(
            self.get(year, k)
            for k in (
                "arbled",
                "ufore",
                "pension",
                "sosial",
                "barnetrygd",
                "kontant",
                "foreldre",
                "syke",
                "bostotte",
                "stipend",
                "aap",
                "grunnhjelp",
            )
        )

    def _pgi(self, year):
        return sum(self.get(year, k) for k in ("yrk", "arbled", "foreldre", "syke", "aap"))

    def _formue(self, year):
        pop = self.world.pop
        age = self._age(year)
        has = (
            (age >= 18)
            & pop.present(ymd(year, 12, 31))
            & (stream(self.world.seed, "formue0").random(pop.n) < 0.93)
        )
        lvl = 10.6 + 0.035 * np.clip(age - 18, 0, 50) + 0.55 * pop.z + 0.03 * (year - 1993)
        noise = stream(self.world.seed, "formue-person").normal(0, 1.0, pop.n) + 0.15 * (
            self._u(year, "f") - 0.5
        )
        return np.where(has, np.round(np.exp(lvl + noise), -2), 0.0)

    def _ber_formue(self, year):
        f = self.get(year, "formue")
        house = np.where(
            f > 0,
            1.2
            * average_wage(year)
            * np.exp(stream(self.world.seed, "house").normal(0, 0.6, f.size))
            * (f > 2e5),
            0,
        )
        return np.round(f * 1.3 + house, -2)

    def _kapital(self, year):
        return np.round(self.get(year, "formue") * 0.015, -2)

    def _samlet(self, year):
        return self.get(year, "yrk") + self.get(year, "kapital") + self.get(year, "overfor")

    def _brutto(self, year):
        taxfree = sum(
            self.get(year, k)
            for k in ("barnetrygd", "kontant", "sosial", "bostotte", "stipend", "grunnhjelp")
        )
        return self.get(year, "samlet") - taxfree

    def _alminnelig(self, year):
        b = self.get(year, "brutto")
        ded = np.minimum(0.45 * self.get(year, "wage"), 0.2 * average_wage(year)) + 0.01 * self.get(
            year, "formue"
        )
        return np.round(np.maximum(b - ded, 0), -2)

    def _skatt(self, year):
        b = self.get(year, "brutto")
        rate = np.clip(0.27 + 0.06 * np.log2(np.maximum(b, 1) / average_wage(year)), 0.08, 0.45)
        return np.where(b > 0.12 * average_wage(year), np.round(b * rate, -2), 0.0)

    def _skattovf(self, year):
        return np.round(self.get(year, "skatt") * 1.01, -2)

    def _ies(self, year):
        return self.get(year, "samlet") - self.get(year, "skattovf")

    def _hush(self, year):
        s = snapshot(self.world, int(ymd(min(max(year + 1, 2005), 2025))))
        ies = self.get(year, "ies")
        fam = np.maximum(s.famnr, 0)
        tot = np.bincount(fam[s.present], weights=ies[s.present], minlength=ies.size)
        adults = np.bincount(fam[s.present & (s.guardian < 0)], minlength=ies.size)
        eu = 1 + 0.5 * np.maximum(adults[fam] - 1, 0) + 0.3 * s.kids
        return np.where(s.present, tot[fam], 0.0), np.where(s.present, tot[fam] / eu, 0.0)

    def _hush_ies(self, year):
        return self.get(year, "hush_pair")[0]

    def _hush_ies_eu(self, year):
        return np.round(self.get(year, "hush_pair")[1], 0)

    def _hush_pair(self, year):
        return self._hush(year)


def components(world: World) -> Components:
    """The world's shared income components (so other modules reuse computed years)."""
    return world.cached("components", Components)


def _years(name: str) -> range:
    e = catalogue()[name]
    first = (
        max(year_of(e.valid_from).item(), FIRST_YEAR) if e.valid_from is not None else FIRST_YEAR
    )
    last = min(year_of(e.valid_until).item(), LAST_INCOME_YEAR)
    return range(first, last + 1)


def _resident_in(world: World, year: int) -> np.ndarray:
    """Resident at some time during the year."""
    pop = world.pop
    return (pop.arrive < ymd(year + 1)) & (pop.leave > ymd(year))


def low_income(world: World, year: int) -> np.ndarray:
    """Per person: household income per consumption unit (EU scale) under half the median of
    those present at the end of ``year`` with a positive amount (Helseprofil's LAVINNTEKT)."""
    key = f"low-income:{year}"
    if key not in world.cache:
        _store_low_income(world, year, components(world).get(year, "hush_ies_eu"))
    return world.cache[key]


def _store_low_income(world: World, year: int, eu: np.ndarray) -> None:
    present = world.pop.present(ymd(year, 12, 31))
    ok = present & (eu > 0)
    median = float(np.median(eu[ok])) if ok.any() else 0.0
    world.cache[f"low-income:{year}"] = eu < LOW_INCOME_SHARE * median


def _compute_all(world: World, store: amounts.YearlyAmounts) -> None:
    """One pass over the years: every source of every income variable, each computed once."""
    comps = components(world)
    by_id = pid_order(world)
    years: dict[int, set[str]] = {}
    for name, source in SOURCES.items():
        for year in _years(name):
            years.setdefault(year, set()).add(source)
    for year in sorted(years):
        resident = _resident_in(world, year)[by_id]
        for source in sorted(years[year]):
            v = comps.get(year, source)[by_id]  # in id order
            mask = (v != 0) & resident
            store.put(source, year, mask, v[mask])
            del v, mask
        if LOW_INCOME_YEARS[0] <= year <= LOW_INCOME_YEARS[1]:
            _store_low_income(world, year, comps.get(year, "hush_ies_eu"))
    comps.memo.clear()


def variables(world: World) -> Iterator:
    """Every income variable, one at a time (persons with zero are left out)."""
    pop = world.pop
    store = amounts.YearlyAmounts()
    try:
        _compute_all(world, store)
        sorted_ids = np.sort(pop.pid)
        for name, source in SOURCES.items():
            e = catalogue()[name]
            dtype = np.int64 if e.data_type.value == "LONG" else np.float64
            parts = [
                (*store.get(source, year), int(ymd(year)), int(ymd(year + 1) - 1))
                for year in _years(name)
            ]
            meta = metadata(
                name, unit_of_measure="kroner", description="Personer med beløp 0 er utelatt."
            )
            rows = sum(p[1].size for p in parts)
            chunks = (
                frame(*c)
                for c in amounts.year_rows(parts, sorted_ids, dtype, amounts.CHUNK_PERSONS)
            )
            if rows > EAGER_LIMIT:
                yield meta, chunks
            else:
                yield meta, _joined(list(chunks))
            del parts, chunks
    finally:
        store.close()


def _joined(chunks: list) -> object:
    """One frame of the chunks (an empty frame when there are none)."""
    import pandas as pd

    if not chunks:
        e = np.empty(0, np.int64)
        return frame(e, e, e, e)
    if len(chunks) == 1:
        return chunks[0]
    return pd.concat(chunks, ignore_index=True)
