"""Helseprofil 0-20: the children of the register, realistic marginals, sensitive metadata."""

from __future__ import annotations

import numpy as np

from mdlang.datastore.metadata import Temporality
from mdlang.datastore.samplegen.residence import BYDELER

HP = "no.bergen.helseprofil"


def _share_yes(raw, var: str) -> tuple[float, int]:
    v = raw(HP, var)["value"].astype(str)
    return float((v == "1").mean()), len(v)


def test_exclusive_breastfeeding_marginals(raw):
    six_weeks, n1 = _share_yes(raw, "HELSEPROFIL_FULLAMMING_6UKER")
    six_months, n2 = _share_yes(raw, "HELSEPROFIL_FULLAMMING_6MND")
    assert n1 > 1000 and n2 > 1000
    assert abs(six_weeks - 0.736) <= 0.02
    assert abs(six_months - 0.189) <= 0.02


def test_language_follow_up_at_school_start(raw):
    v = raw(HP, "HELSEPROFIL_SPRAK_SKOLESTART")["value"].astype(str)
    assert len(v) > 1000
    assert abs((v == "2").mean() - 0.10) <= 0.02


def test_early_stopping_goes_with_smoking_and_low_birth_weight(raw):
    bf = raw(HP, "HELSEPROFIL_FULLAMMING_6UKER").set_index("unit_id")["value"].astype(str) == "1"
    smoke = (
        raw(HP, "HELSEPROFIL_ROYK_FORSTE_LEVEAAR").set_index("unit_id")["value"].astype(str) == "1"
    )
    bw = raw(HP, "HELSEPROFIL_FODSELSVEKT").set_index("unit_id")["value"]
    ids = bf.index
    assert (
        bf.loc[ids[smoke.loc[ids].to_numpy()]].mean()
        < bf.loc[ids[~smoke.loc[ids].to_numpy()]].mean() - 0.1
    )
    low = (bw.loc[ids] < 2500).to_numpy()
    assert bf.loc[ids[low]].mean() < bf.loc[ids[~low]].mean()


def test_children_are_bergen_children_of_the_register(raw):
    persons = raw("no.ssb.fdb", "BEFOLKNING_KJOENN").set_index("unit_id")
    kids = raw(HP, "HELSEPROFIL_PERSON_FNR")["value"]
    assert set(kids) <= set(persons.index)
    born = raw("no.ssb.fdb", "BEFOLKNING_FOEDSELS_AAR_MND").set_index("unit_id")["value"]
    assert (born.loc[kids.unique()] >= 199401).all()


def test_visits_lie_in_2010_to_2024_and_follow_the_schedule(raw):
    date = raw(HP, "HELSEPROFIL_KONS_DATO")["value"]
    assert date.min() >= np.datetime64("2010-01-01", "D").astype(int)
    assert date.max() <= np.datetime64("2024-12-31", "D").astype(int)
    kinds = raw(HP, "HELSEPROFIL_KONS_TYPE")["value"].astype(str)
    assert set(kinds.unique()) == {f"{i:02d}" for i in range(1, 15)}
    head = raw(HP, "HELSEPROFIL_HODEOMKRETS")["unit_id"]
    infant = raw(HP, "HELSEPROFIL_KONS_TYPE").set_index("unit_id")["value"].astype(str).loc[head]
    assert set(infant.unique()) <= {f"{i:02d}" for i in range(1, 8)}


def test_metadata_marks_health_variables_sensitive(helse):
    metas = {m.name: m for m in helse.variables()}
    assert metas["HELSEPROFIL_AMMING"].sensitive and metas["HELSEPROFIL_VEKT"].sensitive
    assert not metas["HELSEPROFIL_BYDEL"].sensitive and not metas["HELSEPROFIL_KONS_DATO"].sensitive
    assert metas["HELSEPROFIL_PERSON_FNR"].link_unit_type == "PERSON"
    assert metas["HELSEPROFIL_AMMING"].unit_type == "BK_HELSESTASJONSKONSULTASJON"
    assert metas["HELSEPROFIL_FULLAMMING_6UKER"].unit_type == "PERSON"
    assert metas["HELSEPROFIL_TRANGBODD"].temporality is Temporality.STATUS
    assert [c.label for c in metas["HELSEPROFIL_BYDEL"].code_list] == list(BYDELER)
    assert all(name.startswith("HELSEPROFIL_") for name in metas)


def test_crowding_follows_the_bydel_gradient(raw):
    crowd = raw(HP, "HELSEPROFIL_TRANGBODD")
    bydel = raw(HP, "HELSEPROFIL_BOSTED_BYDEL").set_index("unit_id")["value"].astype(str)
    crowd = crowd[crowd["unit_id"].isin(bydel.index)]
    share = (
        (crowd["value"].astype(str) == "1").groupby(bydel.loc[crowd["unit_id"]].to_numpy()).mean()
    )
    assert share["02"] > share["06"] + 0.1  # Bergenhus above Ytrebygda


def test_low_income_and_crowding_shares(raw):
    low = (raw(HP, "HELSEPROFIL_LAVINNTEKT")["value"].astype(str) == "1").mean()
    crowd = (raw(HP, "HELSEPROFIL_TRANGBODD")["value"].astype(str) == "1").mean()
    assert 0.07 <= low <= 0.15
    assert 0.14 <= crowd <= 0.39
