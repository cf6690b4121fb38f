"""The sample ``no.bergen.helseprofil``: Helseprofil 0-20, Bergen's child health record.

One BK_HELSESTASJONSKONSULTASJON unit per visit of a Bergen child of the register (same person
ids) at a health station or the school health service, 2010–2024, and PERSON variables derived
from the visits. Marginals follow published Bergen figures: 73.6 % exclusively breastfed at six
weeks and 18.9 % at six months, stopping early being more common with smoking in the home, a
young or single mother, an unsatisfactory family situation or network and birth weight under
2 500 g; about 10 % need language follow-up at school start; crowding follows the bydel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.samplegen.catalogue import SYNTHETIC_NOTE, SYNTHETIC_NOTE_EN
from mdlang.datastore.samplegen.codelists import simple
from mdlang.datastore.samplegen.dates import age_at, day, ymd
from mdlang.datastore.samplegen.frames import codes_of, frame, status
from mdlang.datastore.samplegen.household import dwelling, snapshot
from mdlang.datastore.samplegen.income import LOW_INCOME_YEARS, low_income
from mdlang.datastore.samplegen.kommuner import kommuner
from mdlang.datastore.samplegen.persons import partner_at, yearly
from mdlang.datastore.samplegen.randomness import stream
from mdlang.datastore.samplegen.residence import BYDELER
from mdlang.datastore.samplegen.spells import pair_order
from mdlang.datastore.samplegen.world import World

NAME = "no.bergen.helseprofil"
UNIT = "BK_HELSESTASJONSKONSULTASJON"
FIRST, LAST = day("2010-01-01"), day("2024-12-31")
EXCL_6W, EXCL_6M, LANGUAGE_FOLLOW_UP = 0.736, 0.189, 0.10
DESCRIPTION = (
    "Syntetisk utgave av Helseprofil 0-20, Bergen kommunes journal for helsestasjon og "
    "skolehelsetjeneste, generert av mdlang for barna i Bergen i det syntetiske registeret "
    "(samme person-id som no.ssb.fdb). Inneholder ingen opplysninger om virkelige personer."
)

#: Consultation types: code, label, nominal age in days.
VISITS = (
    ("01", "Hjemmebesøk nyfødt", 10),
    ("02", "6 uker", 42),
    ("03", "3 måneder", 91),
    ("04", "5 måneder", 152),
    ("05", "6 måneder", 183),
    ("06", "10 måneder", 304),
    ("07", "12 måneder", 365),
    ("08", "15–18 måneder", 500),
    ("09", "2 år", 730),
    ("10", "4 år", 1461),
    ("11", "Skolestart", 2230),
    ("12", "3. trinn", 2960),
    ("13", "8. trinn", 4790),
    ("14", "Ungdom (1. vg)", 5880),
)
TYPE_CODES = tuple(Code(c, label) for c, label, _ in VISITS)
NOMINAL_AGE = np.array([a for _, _, a in VISITS])
SCHOOL_FROM = 10  # index of "Skolestart"

AMMING = simple("1=Fullamming|2=Delvis amming|3=Ikke amming")
SOVN = simple("1=Normalt søvnmønster|2=Usikkert|3=Avvikende")
SOVESTILLING = simple("1=Rygg|2=Side|3=Mage")
VURDERING = simple("1=Alderstilsvarende|2=Følges opp")
TILFREDS = simple("1=Tilfredsstillende|2=Ikke tilfredsstillende")
JA_NEI = simple("1=Ja|2=Nei")
PSYKISK = simple("1=Ingen bekymring|2=Bekymring")
TRIVSEL = simple("1=Trives godt|2=Trives middels|3=Trives dårlig")
VAKSINE = simple("1=Vaksinert etter programmet|2=Ikke fullvaksinert|3=Reservert")
BMI_KAT = simple("1=Undervekt|2=Normalvekt|3=Overvekt|4=Fedme")
BYDEL_CODES = tuple(Code(f"{i + 1:02d}", name) for i, name in enumerate(BYDELER))
STASJON = tuple(
    [Code(f"H{i + 1:02d}", f"{name} helsestasjon") for i, name in enumerate(BYDELER)]
    + [Code(f"S{i + 1:02d}", f"Skolehelsetjenesten {name}") for i, name in enumerate(BYDELER)]
)

#: Median weight (kg), length (cm) and head circumference (cm) by age in days.
_AGES = np.array([0, 42, 91, 152, 183, 304, 365, 500, 730, 1461, 2230, 2960, 4790, 5880])
_WEIGHT = np.array([3.45, 5.0, 6.2, 7.4, 7.8, 9.1, 9.6, 10.9, 12.3, 16.3, 21.5, 26.5, 47.0, 60.0])
_LENGTH = np.array(
    [50.5, 57.5, 61.5, 66.0, 67.5, 73.0, 75.5, 81.0, 87.5, 103.0, 118.0, 130.0, 158.0, 171.0]
)
_HEAD = np.array([35.0, 38.0, 40.5, 42.5, 43.3, 45.0, 46.0])


@dataclass
class Children:
    """The Bergen children with visits and their per-child traits."""

    idx: np.ndarray  # person index in the world
    birth_weight: np.ndarray
    smoke: np.ndarray
    young_mother: np.ndarray
    single: np.ndarray
    family_bad: np.ndarray
    network_bad: np.ndarray
    mental: np.ndarray
    excl_days: np.ndarray  # days of exclusive breastfeeding
    any_days: np.ndarray  # days of any breastfeeding
    language_risk: np.ndarray
    z_height: np.ndarray
    z_bmi: np.ndarray
    bydel: np.ndarray


def _quantile_threshold(x: np.ndarray, share: float) -> float:
    return float(np.quantile(x, share)) if x.size else 0.0


def children(world: World) -> Children:
    """Children born 1994 or later who lived in Bergen at some visit age in 2010–2024."""
    pop = world.pop
    rng = stream(world.seed, "helseprofil-children")
    born = (pop.birth >= day("1994-01-01")) & (pop.birth <= LAST)
    idx = np.flatnonzero(born)
    # Keep those resident in Bergen at one or more visits inside the period.
    bergen = kommuner().bergen
    any_visit = np.zeros(idx.size, bool)
    res = world.residence
    for a in NOMINAL_AGE:
        when = pop.birth[idx] + a
        inside = (when >= FIRST) & (when <= LAST)
        hit = np.zeros(pop.n, bool)
        # Residence on each child's own date: test spells of these children.
        sp_who = res.who
        on = (
            (res.start <= (pop.birth[sp_who] + a))
            & (res.stop > (pop.birth[sp_who] + a))
            & (res.val == bergen)
        )
        hit[sp_who[on]] = True
        any_visit |= inside & hit[idx]
    idx = idx[any_visit]
    m = idx.size
    z = pop.z[idx]
    mother = pop.mother[idx]
    has_m = mother >= 0
    mage = np.where(has_m, age_at(pop.birth[np.maximum(mother, 0)], pop.birth[idx]), 30)
    young = mage < 23
    partner = np.full(m, -1)
    for when in np.unique(pop.birth[idx] // 365):
        sel = (pop.birth[idx] // 365) == when
        p = partner_at(world, int(when * 365 + 180))
        partner[sel] = np.where(has_m[sel], p[np.maximum(mother[sel], 0)], -1)
    single = partner < 0
    imm = np.where(has_m, pop.immigrant[np.maximum(mother, 0)], False)

    def bern(base_logit: np.ndarray) -> np.ndarray:
        return rng.random(m) < 1 / (1 + np.exp(-base_logit))

    smoke = bern(-3.0 - 0.8 * z + 0.9 * young + 0.5 * single)
    family_bad = bern(-2.9 - 0.5 * z + 0.8 * single + 0.5 * young)
    network_bad = bern(-3.0 - 0.4 * z + 0.6 * single + 0.9 * imm)
    mental = bern(-2.7 - 0.3 * z + 0.5 * single + 0.6 * family_bad)
    female = pop.female[idx]
    bw = rng.normal(3520, 520, m) - 130 * female - 180 * smoke
    bw = np.round(np.clip(bw, 700, 5600), -1)
    low_bw = bw < 2500
    # Early stopping of breastfeeding: a latent index with the published risk factors.
    eta = (
        0.55 * smoke
        + 0.45 * young
        + 0.35 * single
        + 0.4 * family_bad
        + 0.3 * network_bad
        + 0.45 * low_bw
        - 0.3 * z
        + rng.logistic(0, 0.6, m)
    )
    u = np.argsort(np.argsort(eta, kind="stable"), kind="stable") / max(m - 1, 1)
    # Rank → days of exclusive breastfeeding, with 73.6 % past 6 weeks and 18.9 % past 6 months.
    excl = np.where(
        u < EXCL_6M,
        183 + (EXCL_6M - u) / EXCL_6M * 60,
        np.where(
            u < EXCL_6W,
            183 - (u - EXCL_6M) / (EXCL_6W - EXCL_6M) * 140,
            42 * (1 - u) / (1 - EXCL_6W),
        ),
    )
    excl = np.floor(excl).astype(np.int64)
    any_days = excl + (rng.exponential(150, m) * np.exp(-0.3 * eta)).astype(np.int64)
    lang = 0.7 * (~female) + 0.8 * imm - 0.6 * z + 0.4 * network_bad + rng.logistic(0, 0.7, m)
    return Children(
        idx=idx,
        birth_weight=bw,
        smoke=smoke,
        young_mother=young,
        single=single,
        family_bad=family_bad,
        network_bad=network_bad,
        mental=mental,
        excl_days=excl,
        any_days=any_days,
        language_risk=lang,
        z_height=rng.standard_normal(m),
        z_bmi=0.9 * rng.standard_normal(m) - 0.25 * z,
        bydel=world.bydel[idx],
    )


@dataclass
class Visits:
    child: np.ndarray  # index into Children
    kind: np.ndarray  # index into VISITS
    date: np.ndarray


def visits(world: World, ch: Children) -> Visits:
    """Every visit inside 2010–2024 while the child lived in Bergen (97 % attendance)."""
    pop = world.pop
    rng = stream(world.seed, "helseprofil-visits")
    m = ch.idx.size
    c = np.repeat(np.arange(m), len(VISITS))
    k = np.tile(np.arange(len(VISITS)), m)
    jitter = np.where(
        NOMINAL_AGE[k] < 100, rng.integers(-3, 6, c.size), rng.integers(-14, 30, c.size)
    )
    date = pop.birth[ch.idx[c]] + NOMINAL_AGE[k] + jitter
    ok = (
        (date >= FIRST)
        & (date <= LAST)
        & (rng.random(c.size) < np.where(k < SCHOOL_FROM, 0.97, 0.94))
    )
    c, k, date = c[ok], k[ok], date[ok]
    res = world.residence
    person = ch.idx[c]
    lo = np.searchsorted(res.who, person, "left")
    hi = np.searchsorted(res.who, person, "right")
    # Municipality on the visit date: scan each child's few spells.
    where = np.full(c.size, -1)
    for off in range(int((hi - lo).max(initial=0))):
        j = lo + off
        valid = j < hi
        jj = np.where(valid, j, 0)
        on = valid & (res.start[jj] <= date) & (res.stop[jj] > date)
        where[on] = res.val[jj[on]]
    keep = where == kommuner().bergen
    order = pair_order(c[keep], date[keep])
    return Visits(c[keep][order], k[keep][order], date[keep][order])


def _meta(
    name: str,
    unit: str,
    title: str,
    dtype: DataType,
    *,
    codes=None,
    sensitive=False,
    link=None,
    measure=None,
    temporality=Temporality.FIXED,
    status_dates=(),
) -> VariableMetadata:
    return VariableMetadata(
        name=name,
        unit_type=unit,
        temporality=temporality,
        data_type=dtype,
        title={"no": title},
        description={"no": SYNTHETIC_NOTE, "en": SYNTHETIC_NOTE_EN},
        code_list=codes,
        unit_of_measure=measure,
        sensitive=sensitive,
        link_unit_type=link,
        valid_from=FIRST,
        valid_until=LAST,
        sensitivity_level="NONPUBLIC",
        status_dates=tuple(status_dates),
    )


def variables(world: World) -> Iterator:
    """Every Helseprofil variable as ``(VariableMetadata, DataFrame)``."""
    pop = world.pop
    ch = children(world)
    v = visits(world, ch)
    rng = stream(world.seed, "helseprofil-values")
    n = v.child.size
    vid = np.arange(1, n + 1, dtype=np.int64) + 200_000_000
    age = v.date - pop.birth[ch.idx[v.child]]
    nominal = NOMINAL_AGE[v.kind]
    kind = v.kind
    infant = nominal <= 365
    school = kind >= SCHOOL_FROM
    small = kind <= 9  # up to 4 years

    def m(name, title, dtype=DataType.STRING, **kw):
        return _meta(f"HELSEPROFIL_{name}", UNIT, title, dtype, **kw)

    def cf(values, mask=None):
        if mask is None:
            return frame(vid, values)
        return frame(vid[mask], values[mask])

    yield (
        m("PERSON_FNR", "Barnets fødselsnummer", DataType.LONG, link="PERSON"),
        cf(pop.pid[ch.idx[v.child]]),
    )
    yield m("KONS_DATO", "Dato for konsultasjonen", DataType.DATE), cf(v.date)
    yield (
        m("KONS_TYPE", "Konsultasjonstype", codes=TYPE_CODES),
        cf(codes_of([c.code for c in TYPE_CODES], kind)),
    )
    # Growth.
    female = pop.female[ch.idx[v.child]]
    med_w = np.interp(age, _AGES, _WEIGHT) * np.where(female, 0.96, 1.0)
    med_h = np.interp(age, _AGES, _LENGTH) * np.where(female, 0.985, 1.0)
    bw_ratio = ch.birth_weight[v.child] / 3450.0
    catch_up = np.exp(-age / 400.0)
    zh = ch.z_height[v.child] + 0.2 * rng.standard_normal(n)
    height = med_h * np.exp(0.04 * zh) * (1 + 0.06 * (bw_ratio - 1) * catch_up)
    zb = (
        ch.z_bmi[v.child]
        + 0.35 * rng.standard_normal(n)
        + 0.3 * (age > 3000) * (ch.z_bmi[v.child] > 0.5)
    )
    weight = (
        med_w / (med_h / 100) ** 2 * np.exp(0.11 * zb) * (height / 100) ** 2 * (bw_ratio**catch_up)
    )
    yield m("VEKT", "Vekt", DataType.DOUBLE, measure="kg", sensitive=True), cf(np.round(weight, 2))
    yield (
        m("LENGDE", "Lengde/høyde", DataType.DOUBLE, measure="cm", sensitive=True),
        cf(np.round(height, 1)),
    )
    head = np.interp(age, _AGES[:7], _HEAD) * np.exp(0.03 * rng.standard_normal(n) + 0.02 * zh)
    yield (
        m(
            "HODEOMKRETS",
            "Hodeomkrets (til 12 måneder)",
            DataType.DOUBLE,
            measure="cm",
            sensitive=True,
        ),
        cf(np.round(head, 1), infant),
    )
    # Breastfeeding at the nominal age of the visit.
    bf = np.where(
        nominal <= ch.excl_days[v.child], "1", np.where(nominal <= ch.any_days[v.child], "2", "3")
    ).astype(object)
    yield m("AMMING", "Amming", codes=AMMING, sensitive=True), cf(bf, infant & (kind >= 1))
    sleep = codes_of(["1", "2", "3"], rng.choice(3, size=n, p=[0.85, 0.1, 0.05]))
    yield m("SOVN", "Søvnmønster", codes=SOVN, sensitive=True), cf(sleep, nominal <= 730)
    pos = codes_of(["1", "2", "3"], rng.choice(3, size=n, p=[0.92, 0.05, 0.03]))
    yield (
        m("SOVESTILLING", "Sovestilling", codes=SOVESTILLING, sensitive=True),
        cf(pos, nominal <= 183),
    )
    lang_cut = _quantile_threshold(ch.language_risk, 1 - LANGUAGE_FOLLOW_UP)
    lang_flag = ch.language_risk[v.child] > lang_cut
    early = ch.language_risk[v.child] + 0.5 * rng.standard_normal(n) > lang_cut + 0.3
    lang = np.where(
        kind == SCHOOL_FROM, np.where(lang_flag, "2", "1"), np.where(early, "2", "1")
    ).astype(object)
    yield (
        m("SPRAK", "Språkvurdering", codes=VURDERING, sensitive=True),
        cf(lang, (kind >= 8) & (kind <= SCHOOL_FROM)),
    )
    motor = np.where(
        rng.random(n) < 0.05 + 0.05 * (ch.birth_weight[v.child] < 2500), "2", "1"
    ).astype(object)
    yield m("MOTORIKK", "Motorisk utvikling", codes=VURDERING, sensitive=True), cf(motor, small)
    fam = np.where(ch.family_bad[v.child] & (rng.random(n) < 0.85), "2", "1").astype(object)
    yield m("FAMILIESITUASJON", "Familiesituasjon", codes=TILFREDS, sensitive=True), cf(fam, small)
    net = np.where(ch.network_bad[v.child] & (rng.random(n) < 0.85), "2", "1").astype(object)
    yield m("NETTVERK", "Sosialt nettverk", codes=TILFREDS, sensitive=True), cf(net, small)
    smoke = np.where(ch.smoke[v.child], "1", "2").astype(object)
    yield m("ROYK_I_HJEMMET", "Røyking i hjemmet", codes=JA_NEI, sensitive=True), cf(smoke, small)
    ment = np.where(ch.mental[v.child] & (rng.random(n) < 0.8), "2", "1").astype(object)
    yield (
        m("FORELDRE_PSYKISK", "Foreldrenes psykiske helse", codes=PSYKISK, sensitive=True),
        cf(ment, small),
    )
    thrive_idx = np.clip(
        np.floor(
            rng.random(n) * 1.0 + 0.25 * ch.family_bad[v.child] + 0.2 * (rng.random(n) < 0.12) * 3
        ),
        0,
        2,
    )
    thrive = codes_of(["1", "2", "3"], (rng.random(n) > 0.78).astype(int) + (thrive_idx >= 2))
    yield m("TRIVSEL_SKOLE", "Trivsel på skolen", codes=TRIVSEL, sensitive=True), cf(thrive, school)
    bully = np.where(rng.random(n) < 0.05 + 0.04 * ch.network_bad[v.child], "1", "2").astype(object)
    yield m("MOBBING", "Utsatt for mobbing", codes=JA_NEI, sensitive=True), cf(bully, school)
    vacc = codes_of(["1", "2", "3"], rng.choice(3, size=n, p=[0.94, 0.045, 0.015]))
    yield (
        m("VAKSINASJON", "Vaksinasjonsstatus etter programmet", codes=VAKSINE, sensitive=True),
        cf(vacc, kind != 0),
    )
    by = ch.bydel[v.child]
    station = np.where(school, by + 8, by)
    yield (
        m("HELSESTASJON", "Helsestasjon/skolehelsetjeneste", codes=STASJON),
        cf(codes_of([c.code for c in STASJON], station)),
    )
    yield m("BYDEL", "Bydel", codes=BYDEL_CODES), cf(codes_of([c.code for c in BYDEL_CODES], by))
    yield from _person_variables(world, ch, v, zb, weight, height)


def _person_variables(world: World, ch: Children, v: Visits, zb, weight, height) -> Iterator:
    pop = world.pop
    ids = pop.pid[ch.idx]

    def pm(name, title, dtype=DataType.STRING, **kw):
        return _meta(f"HELSEPROFIL_{name}", "PERSON", title, dtype, **kw)

    def at_kind(k: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sel = v.kind == k
        return ids[v.child[sel]], values[sel]

    def yes(flag):
        return np.where(flag, "1", "2").astype(object)

    excl = ch.excl_days[v.child]
    yield (
        pm("FULLAMMING_6UKER", "Fullamming ved 6 uker", codes=JA_NEI, sensitive=True),
        frame(*at_kind(1, yes(excl >= 42))),
    )
    yield (
        pm("FULLAMMING_6MND", "Fullamming ved 6 måneder", codes=JA_NEI, sensitive=True),
        frame(*at_kind(4, yes(excl >= 183))),
    )
    bmi_cat = np.select([zb < -1.45, zb > 1.85, zb > 1.0], ["1", "4", "3"], "2").astype(object)
    yield (
        pm("BMI_KAT_SKOLESTART", "KMI-kategori ved skolestart", codes=BMI_KAT, sensitive=True),
        frame(*at_kind(10, bmi_cat)),
    )
    yield (
        pm("BMI_KAT_8TRINN", "KMI-kategori i 8. trinn", codes=BMI_KAT, sensitive=True),
        frame(*at_kind(12, bmi_cat)),
    )
    lang_cut = _quantile_threshold(ch.language_risk, 1 - LANGUAGE_FOLLOW_UP)
    lang = np.where(ch.language_risk[v.child] > lang_cut, "2", "1").astype(object)
    yield (
        pm("SPRAK_SKOLESTART", "Språkvurdering ved skolestart", codes=VURDERING, sensitive=True),
        frame(*at_kind(10, lang)),
    )
    seen = np.unique(v.child)
    yield (
        pm("FODSELSVEKT", "Fødselsvekt", DataType.DOUBLE, measure="gram", sensitive=True),
        frame(ids[seen], ch.birth_weight[seen]),
    )
    last = np.append(v.child[1:] != v.child[:-1], True)
    yield (
        pm("BOSTED_BYDEL", "Bydel ved siste konsultasjon", codes=BYDEL_CODES),
        frame(ids[v.child[last]], codes_of([c.code for c in BYDEL_CODES], ch.bydel[v.child[last]])),
    )
    yield (
        pm(
            "ROYK_FORSTE_LEVEAAR", "Røyking i hjemmet (første leveår)", codes=JA_NEI, sensitive=True
        ),
        frame(ids[seen], yes(ch.smoke[seen])),
    )
    # Household conditions from the register: crowding and low income for children under 18 in Bergen.
    bergen = kommuner().bergen
    crowd, low = [], []
    for d in yearly("2015-01-01", "2024-01-01"):
        s = snapshot(world, d)
        kids = ch.idx[
            (s.present[ch.idx])
            & (s.age[ch.idx] < 18)
            & (world.residence.at(d, pop.n)[ch.idx] == bergen)
        ]
        crowd.append((pop.pid[kids], yes(dwelling(world, d)["crowded"][kids]), d))
    first, last = LOW_INCOME_YEARS
    for year in range(first, last + 1):
        d = int(ymd(year, 12, 31))
        kids = ch.idx[
            pop.present(d)[ch.idx]
            & (age_at(pop.birth[ch.idx], d) < 18)
            & (world.residence.at(d, pop.n)[ch.idx] == bergen)
        ]
        low.append((pop.pid[kids], yes(low_income(world, year)[kids]), d))
    dates_c = tuple(p[2] for p in crowd)
    dates_l = tuple(p[2] for p in low)
    yield (
        pm(
            "TRANGBODD",
            "Trangbodd husholdning (fra registeret)",
            codes=JA_NEI,
            temporality=Temporality.STATUS,
            status_dates=dates_c,
        ),
        status(crowd),
    )
    yield (
        pm(
            "LAVINNTEKT",
            "Husholdning med lavinntekt: under 50 % av medianinntekten, EU-skala (fra registeret)",
            codes=JA_NEI,
            temporality=Temporality.STATUS,
            status_dates=dates_l,
        ),
        status(low),
    )
