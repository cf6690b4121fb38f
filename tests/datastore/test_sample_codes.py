"""The sample's family codes follow SSB and agree with the other family variables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.samplegen import codelists as cl
from mdlang.datastore.samplegen.dates import day

PERSONS = 4_000
SEED = 99
DATE = day("2015-01-01")


@pytest.fixture(scope="module")
def fdb(tmp_path_factory):
    from mdlang.datastore.sample import build_sample
    from mdlang.datastore.store import open_datastore

    root = tmp_path_factory.mktemp("codes")
    build_sample(root, persons=PERSONS, seed=SEED)
    return open_datastore("no.ssb.fdb", 1, [root])


@pytest.fixture(scope="module")
def families(fdb) -> pd.DataFrame:
    cols = {}
    for name, var in (
        ("famtyp", "BEFOLKNING_REGSTAT_FAMTYP"),
        ("parstatus", "BEFOLKNING_PARSTATUS"),
        ("personkode", "BEFOLKNING_REGSTAT_PERSONKODE"),
        ("famnr", "BEFOLKNING_REGSTAT_FAMNR"),
        ("size", "BEFOLKNING_ANTPERS_I_REGSTAT_FAMNR"),
        ("kids", "BEFOLKNING_BARN_I_REGSTAT_FAMNR"),
    ):
        cols[name] = fdb.read_at(var, DATE).set_index("unit_id")["value"]
    out = pd.DataFrame(cols)
    born = fdb.read_at("BEFOLKNING_FOEDSELS_AAR_MND", None).set_index("unit_id")["value"]
    out["age"] = 2015 - born.reindex(out.index) // 100  # age at the end of 2014, ±1
    for c in ("famtyp", "parstatus", "personkode"):
        out[c] = out[c].astype(str)
    return out


def test_code_lists_are_ssbs():
    famtyp = [c.code for c in cl.FAMTYP]
    assert famtyp[:4] == ["1.1.1", "1.1.2", "1.1.3", "1.1.4"]
    assert famtyp[4:12] == ["2.1.1", "2.1.2", "2.2.1", "2.2.2", "2.3.1", "2.3.2", "2.4.1", "2.4.2"]
    assert famtyp[12:] == [f"3.1.{i}" for i in range(1, 9)] + [
        "3.2.1",
        "3.2.2",
        "3.3.1",
        "3.3.2",
        "3.4.1",
    ]
    assert [c.code for c in cl.PARSTATUS] == ["0", "1", "2", "3", "5", "6", "7", "8", "p", "u"]
    assert dict((c.code, c.label) for c in cl.PARSTATUS)["8"] == "Barn i familie med par"


def test_a_family_has_one_type_and_its_members_agree(families):
    per_family = families.groupby("famnr")["famtyp"].nunique()
    assert (per_family == 1).all()
    alone = families[families["size"] == 1]
    assert len(alone) > 300
    assert alone["famtyp"].str.startswith("1.1.").all()
    # one-person families by age: under 30, 30–44, 45–66, 67 and over (age known to ±1 year)
    group = alone["famtyp"].str[-1].astype(int)
    clear = ~alone["age"].isin([29, 30, 44, 45, 66, 67])
    expect = np.searchsorted([30, 45, 67], alone["age"][clear], side="right") + 1
    assert (group[clear].to_numpy() == expect).all()
    with_kids = families[families["kids"] > 0]
    assert with_kids["famtyp"].str.startswith("2.").all()
    couples_no_kids = families[(families["kids"] == 0) & (families["size"] == 2)]
    assert couples_no_kids["famtyp"].str.startswith("3.1.").all()


def test_pair_status_matches_the_family(families):
    children = families[families["personkode"] == "3"]
    assert len(children) > 300
    couple_family = children["famtyp"].str[:3].isin(["2.1", "2.2"])
    assert (children.loc[couple_family, "parstatus"] == "8").all()
    assert (children.loc[~couple_family, "parstatus"] == "0").all()
    adults_alone = families[families["size"] == 1]
    assert (adults_alone["parstatus"] == "0").all()
    married = families["famtyp"].isin(["2.1.1", "2.1.2", "3.1.1", "3.1.2", "3.1.3", "3.1.4"])
    partners = families[married & (families["personkode"] != "3")]
    assert (partners["parstatus"] == "1").all()
    cohab = families[families["parstatus"].isin(["3", "5", "6", "7"])]
    assert len(cohab) > 100 and cohab["famtyp"].str[:3].isin(["2.2", "3.1"]).all()
    assert set(families["parstatus"]) <= {"0", "1", "3", "5", "6", "7", "8"}


def test_reference_person_is_the_elder_partner(families):
    pairs = families[families["personkode"].isin(["1", "2"]) & (families["size"] >= 2)]
    pairs = pairs[pairs["famtyp"].str[:3].isin(["2.1", "2.2", "3.1"])]
    per = pairs.groupby("famnr")["personkode"].agg(lambda s: "".join(sorted(s)))
    assert len(per) > 100 and (per == "12").all()
    older = pairs.sort_values("age").groupby("famnr").tail(1)
    # birth years can tie; where they differ the older one is the reference person
    distinct = pairs.groupby("famnr")["age"].nunique() == 2
    assert (older.set_index("famnr").loc[distinct[distinct].index, "personkode"] == "1").all()
