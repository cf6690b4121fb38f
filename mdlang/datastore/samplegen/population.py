"""The persons of the synthetic population: who they are, when they arrive and when they leave.

Three groups share one id space: persons born in Norway before 1955 (no parent links, alive in
1990), persons born in Norway from 1955 on (their parents are assigned in :mod:`.families`) and
immigrants arriving 1970–2025. Sex and birth date are drawn once and never change. Deaths follow a
Gompertz law; some immigrants and a few natives emigrate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mdlang.datastore.samplegen.codelists import country_code_list
from mdlang.datastore.samplegen.dates import HORIZON_YEAR, NEVER, add_years, day, ymd
from mdlang.datastore.samplegen.randomness import stream

FIRST_LINKED_YEAR = 1955
FOUNDER_SHARE = 0.25
IMMIGRANT_SHARE = 0.13
DAYS_PER_YEAR = 365.25

#: Countries of birth of immigrants (SSB's country codes) and their relative weights: Poland,
#: Lithuania, Sweden, Somalia, Syria, Eritrea, Iraq, the Philippines, Germany, Vietnam, …
IMMIGRANT_COUNTRIES = {
    "131": 16,  # Polen
    "136": 7,  # Litauen
    "106": 6,  # Sverige
    "346": 5,  # Somalia
    "564": 6,  # Syria
    "241": 4,  # Eritrea
    "452": 4,  # Irak
    "428": 4,  # Filippinene
    "144": 4,  # Tyskland
    "575": 3,  # Vietnam
    "404": 3,  # Afghanistan
    "456": 3,  # Iran
    "568": 3,  # Thailand
    "534": 3,  # Pakistan
    "139": 2,  # Storbritannia
    "101": 2,  # Danmark
    "148": 4,  # Ukraina
    "133": 3,  # Romania
    "124": 2,  # Latvia
    "115": 1,  # Estland
    "684": 1,  # USA
    "444": 2,  # India
    "484": 1,  # Kina
    "424": 2,  # Sri Lanka
    "155": 2,  # Bosnia-Hercegovina
    "143": 1,  # Tyrkia
    "246": 2,  # Etiopia
}


@dataclass
class Population:
    """Per-person arrays, one entry per person (row ``i`` is person ``pid[i]``)."""

    seed: int
    pid: np.ndarray
    female: np.ndarray
    birth: np.ndarray
    death: np.ndarray
    arrive: np.ndarray
    leave: np.ndarray
    emigrated: np.ndarray
    immigrant: np.ndarray
    country: np.ndarray  # country-of-birth code (str)
    linked: np.ndarray  # born in Norway 1955 or later: parents are assigned
    mother: np.ndarray = field(default=None)  # index or -1
    father: np.ndarray = field(default=None)
    z: np.ndarray = field(default=None)  # latent resources factor, N(0, 1)
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.pid.size

    def present(self, when: int | np.ndarray) -> np.ndarray:
        """Resident in Norway on day ``when``."""
        return (self.arrive <= when) & (self.leave > when)


def _gompertz_death_age(
    rng: np.random.Generator, female: np.ndarray, min_age: np.ndarray
) -> np.ndarray:
    """Age at death (years) given survival to ``min_age``."""
    beta = 0.1
    alpha = np.where(female, np.exp(-10.75), np.exp(-10.45))
    surv0 = np.exp(-alpha / beta * (np.exp(beta * min_age) - 1))
    u = rng.random(female.size) * surv0
    return np.log(1 - beta * np.log(np.maximum(u, 1e-300)) / alpha) / beta


def build_population(n: int, seed: int) -> Population:
    """Draw ``n`` persons."""
    rng = stream(seed, "population")
    n_found = int(round(n * FOUNDER_SHARE))
    n_imm = int(round(n * IMMIGRANT_SHARE))
    n_lnk = n - n_found - n_imm

    # Founders: born 1905–1954, cohorts thinned by mortality before 1990.
    years = np.arange(1905, FIRST_LINKED_YEAR)
    w = np.clip(1.0 - (1940 - years) / 40.0, 0.1, 1.0)
    f_year = rng.choice(years, size=n_found, p=w / w.sum())
    # Linked natives: births 1955–2025 with a baby-boom bump around 1968 and a dip after 2010.
    years_l = np.arange(FIRST_LINKED_YEAR, HORIZON_YEAR + 1)
    wl = 1.0 + 0.25 * np.exp(-(((years_l - 1968) / 6.0) ** 2)) - 0.1 * (years_l > 2012)
    l_year = np.sort(rng.choice(years_l, size=n_lnk, p=wl / wl.sum()))
    # Immigrants: arrival 1970–2025, rising after 2005.
    years_i = np.arange(1970, HORIZON_YEAR + 1)
    wi = 0.3 + (years_i >= 1990) * 0.7 + (years_i >= 2005) * 2.0
    arrive_year = rng.choice(years_i, size=n_imm, p=wi / wi.sum())
    arrive_imm = ymd(arrive_year) + rng.integers(0, 365, n_imm)
    adult = rng.random(n_imm) < 0.75
    arr_age = np.where(adult, np.clip(rng.normal(29, 7, n_imm), 18, 70), rng.uniform(0, 18, n_imm))
    birth_imm = arrive_imm - np.round(arr_age * DAYS_PER_YEAR).astype(np.int64)

    birth = np.concatenate(
        [
            ymd(f_year) + rng.integers(0, 365, n_found),
            ymd(l_year) + rng.integers(0, 365, n_lnk),
            birth_imm,
        ]
    )
    female = rng.random(n) < 0.495
    linked = np.zeros(n, bool)
    linked[n_found : n_found + n_lnk] = True
    immigrant = np.zeros(n, bool)
    immigrant[n_found + n_lnk :] = True
    arrive = birth.copy()
    arrive[immigrant] = arrive_imm

    min_age = np.zeros(n)
    min_age[:n_found] = (day("1990-01-01") - birth[:n_found]) / DAYS_PER_YEAR
    min_age[immigrant] = arr_age
    death_age = _gompertz_death_age(rng, female, min_age)
    death = birth + np.round(death_age * DAYS_PER_YEAR).astype(np.int64)
    horizon = ymd(HORIZON_YEAR + 1)
    death = np.where(death < horizon, death, NEVER)

    # Emigration: a quarter of immigrants return after some years, a few natives leave as adults.
    emig = np.full(n, NEVER)
    ret = immigrant & (rng.random(n) < 0.25)
    emig[ret] = (
        arrive[ret] + np.round(rng.exponential(6.0, n) * DAYS_PER_YEAR).astype(np.int64)[ret]
    )
    nat = ~immigrant & (rng.random(n) < 0.03)
    emig[nat] = add_years(birth[nat], rng.integers(20, 45, n)[nat])
    emig = np.where((emig < horizon) & (emig > arrive), emig, NEVER)
    leave = np.minimum(death, emig)
    emigrated = emig < death

    codes = np.array(list(IMMIGRANT_COUNTRIES))
    cw = np.array(list(IMMIGRANT_COUNTRIES.values()), float)
    country = np.full(n, "000", dtype=object)
    country[immigrant] = rng.choice(codes, size=n_imm, p=cw / cw.sum())
    assert set(codes) <= {c.code for c in country_code_list()}

    pid = 1_000_000 + rng.permutation(n).astype(np.int64) * 7 + rng.integers(0, 7, n)
    z = rng.standard_normal(n)
    return Population(
        seed=seed,
        pid=pid,
        female=female,
        birth=birth.astype(np.int64),
        death=death,
        arrive=arrive,
        leave=leave,
        emigrated=emigrated,
        immigrant=immigrant,
        country=country,
        linked=linked,
        mother=np.full(n, -1, np.int64),
        father=np.full(n, -1, np.int64),
        z=z,
    )
