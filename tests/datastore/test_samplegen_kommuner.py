"""Municipality numbers in three periods (2019, 2020–2023, 2024) and the residence coding."""

from __future__ import annotations

import numpy as np
import pytest
from sample_helpers import valid_codes

from mdlang.datastore.samplegen import kommuner as K
from mdlang.datastore.samplegen.dates import day
from mdlang.datastore.samplegen.population import build_population
from mdlang.datastore.samplegen.residence import coded_spells
from mdlang.datastore.samplegen.spells import Spells

_valid = valid_codes


def test_each_period_has_ssbs_number_of_municipalities_and_counties():
    kl = K.code_list()
    assert len(_valid(kl, day("2018-12-31"))) == 422
    assert len(_valid(kl, day("2021-06-30"))) == 356
    assert len(_valid(kl, day("2024-01-01"))) == 357
    fl = K.fylke_code_list()
    assert len(_valid(fl, day("2019-12-31"))) == 18
    assert len(_valid(fl, day("2020-01-01"))) == 11
    assert len(_valid(fl, day("2024-01-01"))) == 15


def test_numbers_at_2018_12_31_are_the_old_ones_for_every_county():
    old = _valid(K.code_list(), day("2018-12-31"))
    prefixes = {c[:2] for c in old}
    assert prefixes == set(K.FYLKER_BEFORE_2020)
    assert old["1201"] == "Bergen" and old["0231"] == "Skedsmo" and old["1902"] == "Tromsø"
    assert "4601" not in old and "3030" not in old and "3205" not in old
    mid = _valid(K.code_list(), day("2022-01-01"))
    assert mid["4601"] == "Bergen" and mid["3030"] == "Lillestrøm" and mid["1507"] == "Ålesund"
    assert "1580" not in mid and "3205" not in mid
    new = _valid(K.code_list(), day("2024-06-01"))
    assert new["3205"] == "Lillestrøm" and new["1580"] == "Haram" and new["5501"] == "Tromsø"
    assert "3030" not in new and "1507" not in new


def test_unchanged_numbers_are_one_entry_spanning_all_periods():
    codes = [c for c in K.code_list() if c.code in ("0301", "1103", "5001", "4601")]
    by_code = {c.code: c for c in codes}
    assert len(codes) == 4
    assert by_code["0301"].valid_from is None and by_code["0301"].valid_until is None
    assert by_code["4601"].valid_from == K.REFORM_2020 and by_code["4601"].valid_until is None


def test_every_2024_municipality_has_a_2019_predecessor_and_a_2020_number():
    k = K.kommuner()
    assert all(k.old_choices(i).size > 0 for i in range(len(k.codes)))
    assert len(set(k.codes_2020)) == 356
    bergen = k.bergen
    assert [k.old_codes[j] for j in k.old_choices(bergen)] == ["1201"]
    haram = k.codes.index("1580")
    assert k.codes_2020[haram] == "1507" and [k.old_codes[j] for j in k.old_choices(haram)] == [
        "1534"
    ]


def test_residence_spells_carry_the_number_valid_at_the_time():
    pop = build_population(2_000, 11)
    k = K.kommuner()
    lillestrom = k.codes.index("3205")
    # two persons living in Lillestrøm from 2010 on, one open spell each
    s = Spells(
        np.array([0, 1]),
        np.array([day("2010-01-01")] * 2),
        np.array([day("2030-01-01")] * 2),
        np.array([lillestrom] * 2, np.int32),
    )
    coded, codes = coded_spells(pop, s)
    assert coded.start.tolist() == [day("2010-01-01"), K.REFORM_2020, K.REFORM_2024] * 2
    values = [codes[v] for v in coded.val]
    assert values[1::3] == ["3030", "3030"] and values[2::3] == ["3205", "3205"]
    assert set(values[0::3]) <= {"0226", "0227", "0231"}
    oslo = k.codes.index("0301")
    coded, codes = coded_spells(
        pop, Spells(np.array([0]), np.array([0]), np.array([20_000]), np.array([oslo], np.int32))
    )
    assert coded.start.tolist() == [0] and [codes[v] for v in coded.val] == ["0301"]


def test_bergen_keeps_its_size_until_it_reaches_its_real_share():
    from mdlang.datastore.samplegen.residence import BERGEN_SHARE, bergen_share, kommune_weights

    k = K.kommuner()
    real = k.weight[k.bergen] / k.weight.sum()
    assert 0.05 < real < 0.056
    assert bergen_share(2_000) == bergen_share(200_000) == BERGEN_SHARE
    assert bergen_share(1_000_000) * 1_000_000 == pytest.approx(BERGEN_SHARE * 200_000)
    assert bergen_share(5_500_000) == pytest.approx(real)
    w = kommune_weights(5_500_000)
    assert w.sum() == pytest.approx(1.0) and w[k.bergen] == pytest.approx(real)
    others = np.delete(np.arange(w.size), k.bergen)
    # the other municipalities keep their relative weights
    assert np.allclose(w[others] / w[others].sum(), k.weight[others] / k.weight[others].sum())
