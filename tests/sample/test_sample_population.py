"""The register population holds together: parents, moves, stable traits, families, incomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.datastore.samplegen.dates import day

FDB = "no.ssb.fdb"


def _births(raw) -> pd.Series:
    b = raw(FDB, "BEFOLKNING_FOEDSELS_AAR_MND").set_index("unit_id")["value"]
    return (b // 100) + (b % 100 - 1) / 12


def test_mothers_are_women_15_to_50_years_older(raw):
    sex = raw(FDB, "BEFOLKNING_KJOENN").set_index("unit_id")["value"].astype(str)
    born = _births(raw)
    mor = raw(FDB, "BEFOLKNING_MOR_FNR")
    assert len(mor) > 5000
    gap = born.loc[mor["unit_id"]].to_numpy() - born.loc[mor["value"]].to_numpy()
    assert (sex.loc[mor["value"]] == "2").all()
    # Year-month precision: allow the month of rounding on both sides.
    assert gap.min() >= 15 - 1 / 12 and gap.max() <= 50 + 1 / 12
    assert 28 < gap.mean() < 33
    far = raw(FDB, "BEFOLKNING_FAR_FNR")
    fgap = born.loc[far["unit_id"]].to_numpy() - born.loc[far["value"]].to_numpy()
    assert (sex.loc[far["value"]] == "1").all() and fgap.min() >= 16 - 1 / 12 and fgap.max() < 75


def test_fewer_than_15_percent_change_municipality_between_years(fdb):
    for year in (2005, 2012, 2016, 2022):
        a = (
            fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day(f"{year}-01-01"))
            .set_index("unit_id")["value"]
            .astype(str)
        )
        b = (
            fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day(f"{year + 1}-01-01"))
            .set_index("unit_id")["value"]
            .astype(str)
        )
        both = a.index.intersection(b.index)
        changed = (a.loc[both] != b.loc[both]).mean()
        assert 0.005 < changed < 0.15, year


def test_bergen_changes_number_in_2020(fdb):
    before = fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day("2019-01-01"))["value"].astype(str)
    after = fdb.read_at("BEFOLKNING_KOMMNR_FORMELL", day("2020-01-01"))["value"].astype(str)
    assert (before == "1201").sum() > 10_000 and (before == "4601").sum() == 0
    assert (after == "4601").sum() > 10_000 and (after == "1201").sum() == 0
    assert set(after.unique()) - {"1201"} and not any(
        v.startswith("12") or v.startswith("14") for v in after.unique()
    )


def test_year_to_year_wage_correlation_above_0_8(fdb):
    for year in (1998, 2010, 2019):
        a = fdb.read_at("INNTEKT_WLONN", day(f"{year}-06-30")).set_index("unit_id")["value"]
        b = fdb.read_at("INNTEKT_WLONN", day(f"{year + 1}-06-30")).set_index("unit_id")["value"]
        both = a.index.intersection(b.index)
        assert len(both) > 5000
        assert np.corrcoef(a.loc[both].astype(float), b.loc[both].astype(float))[0, 1] > 0.8


def test_income_leaves_out_zeros_and_rises_with_education(fdb, raw):
    for name in ("INNTEKT_WLONN", "INNTEKT_SOSIAL", "INNTEKT_BARNETRYGD", "INNTEKT_LONN"):
        assert (raw(FDB, name)["value"] != 0).all(), name
    w = fdb.read_at("INNTEKT_WLONN", day("2019-06-30")).set_index("unit_id")["value"].astype(float)
    bu = (
        fdb.read_at("NUDB_BU", day("2019-12-31"))
        .set_index("unit_id")["value"]
        .astype(str)
        .str[0]
        .astype(int)
    )
    both = w.index.intersection(bu.index)
    df = pd.DataFrame({"w": w.loc[both], "lvl": bu.loc[both]})
    means = df.groupby(pd.cut(df["lvl"], [-1, 2, 4, 6, 8]), observed=True)["w"].mean()
    assert means.is_monotonic_increasing


def test_sex_and_birth_date_never_change(raw):
    sex = raw(FDB, "BEFOLKNING_KJOENN")
    born = raw(FDB, "BEFOLKNING_FOEDSELS_AAR_MND")
    assert sex["unit_id"].is_unique and born["unit_id"].is_unique
    assert sex["start_epoch_days"].isna().all() and born["start_epoch_days"].isna().all()
    by_id = sex.set_index("unit_id")["value"].astype(str)
    monthly = raw(FDB, "ARBLONN_PERS_KJOENN")
    assert (
        monthly["value"].astype(str).to_numpy() == by_id.loc[monthly["unit_id"]].to_numpy()
    ).all()
    # Age at every ARBLONN status date agrees with one fixed birth month.
    alder = raw(FDB, "ARBLONN_PERS_ALDER")
    ym = born.set_index("unit_id")["value"].loc[alder["unit_id"]].to_numpy()
    when = pd.to_datetime(alder["start_epoch_days"].to_numpy(), unit="D")
    months = (when.year.to_numpy() * 12 + when.month.to_numpy()) - ((ym // 100) * 12 + ym % 100)
    assert (
        (alder["value"].to_numpy() * 12 <= months) & (months <= alder["value"].to_numpy() * 12 + 12)
    ).all()


def test_children_share_their_mothers_family_number(fdb, raw):
    d = day("2020-01-01")
    fam = fdb.read_at("BEFOLKNING_REGSTAT_FAMNR", d).set_index("unit_id")["value"]
    mor = raw(FDB, "BEFOLKNING_MOR_FNR").set_index("unit_id")["value"]
    born = _births(raw)
    kids = mor.index[
        (born.loc[mor.index] > 2003) & mor.index.isin(fam.index) & mor.isin(fam.index).to_numpy()
    ]
    assert len(kids) > 1000
    same = fam.loc[kids].to_numpy() == fam.loc[mor.loc[kids]].to_numpy()
    assert same.mean() > 0.97
    size = fdb.read_at("BEFOLKNING_ANTPERS_I_REGSTAT_FAMNR", d).set_index("unit_id")["value"]
    counted = fam.value_counts()
    assert (size.loc[fam.index].to_numpy() == counted.loc[fam.to_numpy()].to_numpy()).all()


def test_marriage_spells_do_not_overlap_and_spouses_agree(fdb, raw):
    s = raw(FDB, "SIVSTANDFDT_SIVSTAND").sort_values(["unit_id", "start_epoch_days"])
    same = s["unit_id"].to_numpy()[1:] == s["unit_id"].to_numpy()[:-1]
    stops = s["stop_epoch_days"].to_numpy()[:-1][same]
    starts = s["start_epoch_days"].to_numpy()[1:][same]
    assert (stops <= starts).all()
    ekt = fdb.read_at("BEFOLKNING_EKT_FNR", day("2015-01-01")).set_index("unit_id")["value"]
    assert (ekt.loc[ekt.to_numpy()].to_numpy() == ekt.index.to_numpy()).all()


def test_residence_is_one_spell_at_a_time(raw):
    s = raw(FDB, "BOSATTEFDT_BOSTED").sort_values(["unit_id", "start_epoch_days"])
    same = s["unit_id"].to_numpy()[1:] == s["unit_id"].to_numpy()[:-1]
    stop = s["stop_epoch_days"].to_numpy()[:-1][same]
    assert not np.isnan(stop.astype(float)).any()
    assert (stop <= s["start_epoch_days"].to_numpy()[1:][same]).all()
