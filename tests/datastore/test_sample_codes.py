"""The sample's code lists follow SSB's: family codes agree with the other family variables, and
vehicle groups, fuels and job-seeker groups use the codes official microdata.no scripts select on."""

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


# ----- vehicles, fuels, job seekers ----------------------------------------------------------

#: vehicle group codes shown on microdata.no's page of KJORETOY_KJT_GRUP
PUBLISHED_GROUPS = {"101", "106", "107", "201", "210", "719", "721", "722", "723", "729"}


def _catalogue_size(variable: str) -> int:
    from mdlang.datastore.samplegen.catalogue import catalogue

    return int(catalogue()[variable].code_list_size)


def test_vehicle_groups_are_the_registers_three_digit_codes():
    codes = [c.code for c in cl.vehicle_groups()]
    assert len(codes) == len(set(codes)) == _catalogue_size("KJORETOY_KJT_GRUP") == 57
    assert codes == sorted(codes)
    assert all(len(c) == 3 and c.isdigit() and c[0] != "0" for c in codes)
    assert PUBLISHED_GROUPS <= set(codes)
    labels = dict((c.code, c.label) for c in cl.vehicle_groups())
    assert labels["101"] == "Personbil unntatt ambulanse"
    assert labels["301"] == "Varebil"
    assert cl.PASSENGER_CAR == "101" and cl.VAN == "301"


def test_fuel_and_job_seeker_codes_are_ssbs():
    fuels = dict((c.code, c.label) for c in cl.DRIVSTOFF)
    assert list(fuels) == ["01", "02", "03", "04", "05"]
    assert len(fuels) == _catalogue_size("KJORETOY_DRIVSTOFF_OMK")
    assert (fuels["01"], fuels["02"], fuels["05"]) == ("Bensin", "Diesel", "Elektrisitet")
    groups = dict((c.code, c.label) for c in cl.ARBSOEK)
    assert list(groups) == [str(i) for i in range(1, 16)]
    assert len(groups) == _catalogue_size("ARBSOEK2001FDT_HOVED")
    assert groups["1"] == "Helt ledige" and groups["3"] == "Ordinære tiltaksdeltakere"
    assert all(groups[str(i)].startswith("Nedsatt arbeidsevne") for i in range(10, 16))


@pytest.fixture(scope="module")
def fleet(fdb) -> dict[int, pd.DataFrame]:
    """Group, fuel and owner of each vehicle on 31 December 2015 and 2023."""
    out = {}
    for year in (2015, 2023):
        d = day(f"{year}-12-31")
        cols = {
            name: fdb.read_at(var, d).set_index("unit_id")["value"]
            for name, var in (
                ("group", "KJORETOY_KJT_GRUP"),
                ("fuel", "KJORETOY_DRIVSTOFF_OMK"),
                ("owner", "KJORETOY_KJORETOYID_FNR"),
            )
        }
        frame = pd.DataFrame(cols)
        frame["group"] = frame["group"].astype(str)
        frame["fuel"] = frame["fuel"].astype(str)
        out[year] = frame
    return out


def test_vehicles_carry_only_listed_codes_mostly_passenger_cars(fleet):
    groups = {c.code for c in cl.vehicle_groups()}
    fuels = {c.code for c in cl.DRIVSTOFF}
    for frame in fleet.values():
        assert frame.notna().all().all()
        assert set(frame["group"]) <= groups and set(frame["fuel"]) <= fuels
        share = frame["group"].value_counts(normalize=True)
        assert 0.82 < share["101"] < 0.90  # 86 % passenger cars
        assert 0.04 < share["301"] < 0.12  # vans


def test_fleet_size_and_electric_share_are_norways(fdb, fleet):
    """About 0.5 passenger cars per resident; electric cars 3 % of them in 2015, a third by 2023."""
    for year, low, high in ((2015, 0.0, 0.08), (2023, 0.2, 0.45)):
        residents = len(fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day(f"{year + 1}-01-01")))
        cars = fleet[year][fleet[year]["group"] == "101"]
        assert 0.42 < len(cars) / residents < 0.62
        assert low < (cars["fuel"] == "05").mean() < high
        assert cars["fuel"].isin(["01", "02"]).mean() > 0.5


def test_vehicle_owners_are_adults(fdb, fleet):
    born = fdb.read_at("BEFOLKNING_FOEDSELS_AAR_MND", None).set_index("unit_id")["value"] // 100
    for year, frame in fleet.items():
        age = year - born.reindex(frame["owner"].to_numpy()).to_numpy()
        assert (age >= 19).all()
    per_owner = fleet[2023]["owner"].value_counts()
    assert per_owner.max() <= 2 and 0.1 < (per_owner == 2).mean() < 0.4


def test_job_seeker_spells_use_unpadded_codes(fdb):
    spells = fdb.read_spells("ARBSOEK2001FDT_HOVED", day("2010-01-01"), day("2019-12-15"))
    values = spells["value"].astype(str)
    assert len(values) > 200
    assert set(values) <= {str(i) for i in range(1, 16)}
    share = values.value_counts(normalize=True)
    assert share.index[0] == "1" and 0.45 < share["1"] < 0.65  # fully unemployed: 55 %
