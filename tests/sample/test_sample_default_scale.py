"""Bergen at realistic scale: needs the default-size sample (marked slow, about a minute)."""

from __future__ import annotations

import numpy as np
import pytest

from mdlang.datastore.samplegen.dates import day

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_fdb(tmp_path_factory):
    from mdlang.datastore.sample import build_sample
    from mdlang.datastore.store import open_datastore

    root = tmp_path_factory.mktemp("default-sample")
    build_sample(root)
    return open_datastore("no.ssb.fdb", 1, [root]), open_datastore(
        "no.bergen.helseprofil", 1, [root]
    )


def test_bergen_scale(default_fdb):
    fdb, _ = default_fdb
    d = day("2024-01-01")
    k = fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", d).set_index("unit_id")["value"].astype(str)
    born = fdb.read_at("BEFOLKNING_FOEDSELS_AAR_MND", None).set_index("unit_id")["value"]
    bergen = k.index[(k == "4601").to_numpy()]
    assert 90_000 <= len(bergen) <= 110_000
    assert 40_000 <= (k != "4601").sum() <= 60_000
    age = 2023 - born.loc[bergen] // 100
    assert 22_000 <= ((age >= 0) & (age <= 20)).sum() <= 28_000
    cohorts = (born.loc[bergen] // 100).value_counts()
    assert 900 <= np.median(cohorts.loc[2004:2022]) <= 1_300
    assert len(k.unique()) > 300  # persons in (nearly) every municipality


def test_helseprofil_marginals_at_default_size(default_fdb):
    _, hp = default_fdb
    six_w = (hp.read_at("HELSEPROFIL_FULLAMMING_6UKER", None)["value"].astype(str) == "1").mean()
    six_m = (hp.read_at("HELSEPROFIL_FULLAMMING_6MND", None)["value"].astype(str) == "1").mean()
    lang = (hp.read_at("HELSEPROFIL_SPRAK_SKOLESTART", None)["value"].astype(str) == "2").mean()
    assert abs(six_w - 0.736) <= 0.015 and abs(six_m - 0.189) <= 0.015 and abs(lang - 0.10) <= 0.015
    bydel = hp.read_at("HELSEPROFIL_BOSTED_BYDEL", None)["value"].astype(str).value_counts()
    assert len(bydel) == 8 and bydel.min() > 1_500
