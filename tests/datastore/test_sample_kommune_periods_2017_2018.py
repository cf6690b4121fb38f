"""Municipality and county numbers of 2016 and 2017: the Sandefjord merger of 2017, and the
Trøndelag county merger and the Vestfold and Fosen mergers of 2018, in the code lists and in the
residence spells of a built sample."""

from __future__ import annotations

import numpy as np
import pytest
from sample_helpers import built_fdb, valid_codes

from mdlang.datastore.samplegen import kommuner as K
from mdlang.datastore.samplegen.dates import day
from mdlang.datastore.samplegen.population import build_population
from mdlang.datastore.samplegen.residence import coded_spells
from mdlang.datastore.samplegen.spells import Spells

PERSONS = 3_000
SEED = 23


_valid = valid_codes


@pytest.fixture(scope="module")
def fdb(tmp_path_factory):
    return built_fdb(tmp_path_factory, "kommune-periods", PERSONS, SEED)


def test_each_year_has_ssbs_number_of_municipalities_and_counties():
    kl, fl = K.code_list(), K.fylke_code_list()
    counts = {y: len(_valid(kl, day(f"{y}-06-30"))) for y in (2015, 2016, 2017, 2018, 2019)}
    assert counts == {2015: 428, 2016: 428, 2017: 426, 2018: 422, 2019: 422}
    assert len(_valid(fl, day("2017-12-31"))) == 19 and len(_valid(fl, day("2018-01-01"))) == 18


def test_numbers_change_on_the_reform_days():
    kl = K.code_list()
    d16, d17, d18 = (_valid(kl, day(d)) for d in ("2016-12-31", "2017-12-31", "2018-01-01"))
    assert (d16["0706"], d16["0719"], d16["0720"]) == ("Sandefjord", "Andebu", "Stokke")
    assert "0710" not in d16 and d17["0710"] == "Sandefjord" and "0706" not in d17
    assert d17["0709"] == "Larvik" and d17["0728"] == "Lardal" and d18["0712"] == "Larvik"
    assert d17["0702"] == "Holmestrand" and d17["0714"] == "Hof" and d18["0715"] == "Holmestrand"
    assert d17["0722"] == "Nøtterøy" and d17["0723"] == "Tjøme" and d18["0729"] == "Færder"
    assert d17["1624"] == "Rissa" and d17["1718"] == "Leksvik" and d18["5054"] == "Indre Fosen"
    assert d17["1601"] == "Trondheim" and d18["5001"] == "Trondheim"
    assert not any(c[:2] in ("16", "17") for c in d18)
    assert not any(c[:2] == "50" for c in d17)
    for gone in ("0709", "0728", "0702", "0714", "0722", "0723", "1624", "1718", "1601"):
        assert gone not in d18
    fl16, fl18 = (_valid(K.fylke_code_list(), day(d)) for d in ("2017-12-31", "2018-01-01"))
    assert fl16["16"] == "Sør-Trøndelag" and fl16["17"] == "Nord-Trøndelag" and "50" not in fl16
    assert "16" not in fl18 and "17" not in fl18 and fl18["50"].startswith("Trøndelag")
    # numbers that did not change keep one entry across the reform days
    bergen = [c for c in kl if c.code == "1201"]
    assert len(bergen) == 1 and bergen[0].valid_from is None
    assert bergen[0].valid_until == K.REFORM_2020 - 1


def test_trondelag_renumbering_pairs_names_one_to_one():
    k = K.kommuner()
    e = k.of_2017
    pairs = [
        (e.codes[j], e.names[j], k.old_codes[e.successor[j]], k.old_names[e.successor[j]])
        for j in range(len(e.codes))
        if e.codes[j][:2] in ("16", "17")
    ]
    assert len(pairs) == 48
    assert all(new[:2] == "50" for _, _, new, _ in pairs)
    # every pair keeps its name except the two parts of Indre Fosen
    renamed = {(old, new) for old, name, new, new_name in pairs if name != new_name}
    assert renamed == {("1624", "5054"), ("1718", "5054")}
    assert ("1612", "Hemne", "5011", "Hemne") in pairs and ("1640", "Røros", "5025", "Røros") in pairs
    assert len({new for *_, new, _ in pairs}) == 47


def _one_spell(where: str, n: int) -> Spells:
    i = K.kommuner().codes.index(where)
    return Spells(
        np.arange(n),
        np.full(n, day("2010-01-01")),
        np.full(n, day("2030-01-01")),
        np.full(n, i, np.int32),
    )


def test_a_resident_of_sandefjord_carries_four_numbers_and_keeps_one_part():
    pop = build_population(3_000, 5)
    coded, codes = coded_spells(pop, _one_spell("3907", 3_000))
    starts = [day("2010-01-01"), K.REFORM_2017, K.REFORM_2020, K.REFORM_2024]
    assert np.bincount(coded.who).tolist() == [4] * 3_000
    assert coded.start.reshape(-1, 4).tolist() == [starts] * 3_000
    values = np.array([codes[v] for v in coded.val]).reshape(-1, 4)
    assert set(values[:, 1]) == {"0710"} and set(values[:, 2]) == {"3804"}
    assert set(values[:, 3]) == {"3907"}
    part, n = np.unique(values[:, 0], return_counts=True)
    assert part.tolist() == ["0706", "0719", "0720"]
    # weights 45 : 6 : 12 (rough populations of Sandefjord, Andebu and Stokke)
    assert np.allclose(n / n.sum(), np.array([45, 6, 12]) / 63, atol=0.03)


def test_trondheim_and_indre_fosen_change_number_in_2018():
    pop = build_population(2_000, 5)
    coded, codes = coded_spells(pop, _one_spell("5054", 2_000))
    values = np.array([codes[v] for v in coded.val]).reshape(-1, 2)
    assert coded.start.reshape(-1, 2)[:, 1].tolist() == [K.REFORM_2018] * 2_000
    assert set(values[:, 1]) == {"5054"} and set(values[:, 0]) == {"1624", "1718"}
    assert 0.55 < (values[:, 0] == "1624").mean() < 0.8
    coded, codes = coded_spells(pop, _one_spell("0301", 10))
    assert coded.start.tolist() == [day("2010-01-01")] * 10
    assert {codes[v] for v in coded.val} == {"0301"}


def test_stored_numbers_are_valid_on_every_date_and_spell(fdb):
    kl = K.code_list()
    for when in ("2015-01-01", "2016-01-01", "2017-01-01", "2018-01-01", "2019-01-01"):
        d = day(when)
        got = set(fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", d)["value"].astype(str))
        assert got <= set(_valid(kl, d)), when
    at17 = set(fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day("2017-01-01"))["value"].astype(str))
    at18 = set(fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day("2018-01-01"))["value"].astype(str))
    assert {c[:2] for c in at17} <= set(K.FYLKER_BEFORE_2018)
    assert {c[:2] for c in at18} <= set(K.FYLKER_BEFORE_2020)
    assert any(c[:2] in ("16", "17") for c in at17) and any(c[:2] == "50" for c in at18)
    assert "1201" in at17 and "1201" in at18
    spells = fdb.read_spells("BOSATTEFDT_BOSTED", day("1990-01-01"), day("2025-12-31"))
    by_code = {}
    for c in kl:
        by_code.setdefault(c.code, []).append(c)
    lo = spells["start"].to_numpy(np.int64)
    hi = spells["stop"].fillna(day("2100-01-01")).to_numpy(np.int64) - 1
    for code, a, b in zip(spells["value"].astype(str), lo, hi, strict=True):
        # the spell lies within one validity interval of its code
        assert any(
            (c.valid_from is None or c.valid_from <= a) and (c.valid_until is None or b <= c.valid_until)
            for c in by_code[code]
        ), (code, a, b)
