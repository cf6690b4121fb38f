"""BEFOLKNING_FODELAND uses SSB's three-digit country codes (not ISO numeric ones), with the
immigrant mix of before, and the variables derived from the country of birth agree with it."""

from __future__ import annotations

import numpy as np
import pytest
from sample_helpers import built_fdb

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.population import IMMIGRANT_COUNTRIES, build_population

PERSONS = 3_000
SEED = 17

#: SSB code → name for countries whose numbers official scripts and SSB's notes show; the
#: ISO numeric code the sample used before is given to check none of those survived.
SSB_NUMBERS = {
    "000": ("Norge", "578"),
    "101": ("Danmark", "208"),
    "103": ("Finland", "246"),
    "106": ("Sverige", "752"),
    "131": ("Polen", "616"),
    "136": ("Litauen", "440"),
    "139": ("Storbritannia", "826"),
    "144": ("Tyskland", "276"),
    "148": ("Ukraina", "804"),
    "241": ("Eritrea", "232"),
    "246": ("Etiopia", "231"),
    "346": ("Somalia", "706"),
    "404": ("Afghanistan", "004"),
    "428": ("Filippinene", "608"),
    "452": ("Irak", "368"),
    "456": ("Iran", "364"),
    "534": ("Pakistan", "586"),
    "564": ("Syria", "760"),
    "575": ("Vietnam", "704"),
    "684": ("USA", "840"),
    "980": ("Statsløs", None),
    "990": ("Uoppgitt", None),
}


@pytest.fixture(scope="module")
def fdb(tmp_path_factory):
    return built_fdb(tmp_path_factory, "countries", PERSONS, SEED)


def test_code_list_has_the_catalogue_size_and_ssbs_numbers():
    codes = cl.country_code_list()
    labels = {c.code: c.label for c in codes}
    assert len(codes) == 287 and len(labels) == 287
    for code, (name, _) in SSB_NUMBERS.items():
        assert labels[code] == name
    # Norway and the Nordic countries first, then Europe 1xx, Africa 2xx–3xx, Asia 4xx–5xx,
    # America 6xx–7xx, Oceania 8xx.
    assert labels["102"] == "Grønland" and labels["104"] == "Færøyene" and labels["105"] == "Island"
    assert labels["359"] == "Sør-Afrika" and labels["484"] == "Kina" and labels["612"] == "Canada"
    assert labels["715"] == "Brasil" and labels["805"] == "Australia"


def test_placeholders_are_only_9xx_codes_ssb_does_not_use():
    real = {c.code for c in cl.ssb_countries()}
    place = [c for c in cl.country_code_list() if c.code not in real]
    assert len(real) == 249 and len(place) == 287 - 249
    assert all(c.code.startswith("9") and "ikke SSB-kode" in c.label for c in place)
    assert not {"912", "980", "990"} & {c.code for c in place}
    assert set(IMMIGRANT_COUNTRIES) <= real


def test_immigrants_come_from_the_weighted_countries_and_natives_from_norway():
    pop = build_population(20_000, 3)
    assert set(pop.country[~pop.immigrant]) == {"000"}
    imm = pop.country[pop.immigrant]
    assert set(imm) <= set(IMMIGRANT_COUNTRIES)
    codes, counts = np.unique(imm, return_counts=True)
    share = dict(zip(codes.tolist(), (counts / counts.sum()).tolist(), strict=True))
    w = np.array(list(IMMIGRANT_COUNTRIES.values()), float)
    expected = dict(zip(IMMIGRANT_COUNTRIES, w / w.sum(), strict=True))
    assert max(share, key=share.get) == "131"  # Poland is the largest group
    for code, p in expected.items():
        # binomial 4-sigma band on ~2 600 immigrants
        assert abs(share.get(code, 0.0) - p) < 4 * np.sqrt(p * (1 - p) / imm.size), code


def test_no_iso_number_of_the_old_sample_is_used_for_another_country():
    labels = {c.code: c.label for c in cl.country_code_list()}
    for code, (name, iso) in SSB_NUMBERS.items():
        if iso is not None and iso != code and iso in labels:
            assert labels[iso] != name, (code, iso)


def test_stored_country_of_birth_landbak_and_inngrunn_agree(fdb):
    land = fdb.read_at("BEFOLKNING_FODELAND", None).set_index("unit_id")["value"].astype(str)
    assert set(land.unique()) <= set(IMMIGRANT_COUNTRIES) | {"000"}
    assert 0.08 < (land != "000").mean() < 0.2
    assert fdb.code_list("BEFOLKNING_FODELAND")["346"] == "Somalia"
    bak = fdb.read_at("BEFOLKNING_LANDBAK3GEN", None).set_index("unit_id")["value"].astype(str)
    born_abroad = land[land != "000"]
    want = np.where(born_abroad.isin(sorted(cl.WESTERN_COUNTRIES)), "2", "3")
    assert (bak.loc[born_abroad.index].to_numpy() == want).all()
    # Ukraine is neither EU/EØS nor one of the four overseas countries of group 2
    assert "148" not in cl.WESTERN_COUNTRIES and "131" in cl.WESTERN_COUNTRIES
    grunn = fdb.read_at("BEFOLKNING_INNGRUNN1", None).set_index("unit_id")["value"].astype(str)
    refugees = land[land.isin(["346", "564", "241"])].index.intersection(grunn.index)
    eu = land[land.isin(["131", "136", "106"])].index.intersection(grunn.index)
    assert len(refugees) > 20 and len(eu) > 20
    assert (grunn.loc[refugees] == "FLU").mean() > 0.35
    assert (grunn.loc[eu] == "FLU").mean() == 0.0
