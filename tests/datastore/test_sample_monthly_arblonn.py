"""The sample's ARBLONN status variables are monthly, as SSB publishes them, and consistent from
month to month: a job is active for one run of months between its start and end, its fixed terms
never change and its position percentage changes only in its anniversary month; the person
variables agree with the jobs active that month. Checked on the generator's own output for a small
world, against independent computations (calendar dates, sums over the job rows)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.samplegen import arblonn, jobs
from mdlang.datastore.samplegen.catalogue import catalogue
from mdlang.datastore.samplegen.persons import residence_codes
from mdlang.datastore.samplegen.world import build_world

PERSONS, SEED = 4_000, 77
EPOCH = dt.date(1970, 1, 1)


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _months(first: dt.date, last: dt.date, end_of_month: bool = False) -> list[int]:
    """Every 16th (or last day) of a month from ``first``'s month to ``last``'s, by the calendar."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append(_day(nxt - dt.timedelta(days=1)) if end_of_month else _day(dt.date(y, m, 16)))
        y, m = nxt.year, nxt.month
    return out


def _frame(data) -> pd.DataFrame:
    chunks = [data] if isinstance(data, pd.DataFrame) else list(data)
    f = pd.concat(chunks, ignore_index=True)
    value = f["value"]
    if value.dtype.kind not in "if":
        value = value.astype(str)
    return pd.DataFrame(
        {
            "unit_id": f["unit_id"].to_numpy(np.int64),
            "value": value,
            "date": f["start"].to_numpy(np.int64, na_value=-1),
            "stop": f["stop"].to_numpy(np.int64, na_value=-1),
        }
    )


@pytest.fixture(scope="module")
def world():
    return build_world(PERSONS, SEED)


@pytest.fixture(scope="module")
def arb(world) -> dict[str, pd.DataFrame]:
    out = {}
    for meta, data in jobs.variables(world):
        if meta.name.startswith(("ARBLONN_ARB_", "ARBLONN_PERS_")) or meta.name == "ARBEIDSFORHOLD_PERSON":
            out[meta.name] = _frame(data)
    return out


STATUS = [
    n for n, e in catalogue().items()
    if n.startswith(("ARBLONN_ARB_", "ARBLONN_PERS_")) and e.temporality.value == "STATUS"
]


def test_all_twelve_status_variables_are_made(arb):
    assert len(STATUS) == 12
    assert set(STATUS) <= set(arb)


@pytest.mark.parametrize("name", STATUS)
def test_status_dates_are_every_month_of_the_validity_period(arb, name):
    e = catalogue()[name]
    first = EPOCH + dt.timedelta(days=e.valid_from)
    last = EPOCH + dt.timedelta(days=e.valid_until)
    expected = _months(first, last, end_of_month=name == "ARBLONN_PERS_KOMMNR")
    assert sorted(arb[name]["date"].unique()) == expected
    assert len(expected) == {"ARBLONN_ARB_ANSETTELSESFORM": 57, "ARBLONN_ARB_ARBEIDSTID": 128,
                             "ARBLONN_ARB_STILLINGSPST": 128, "ARBLONN_ARB_H3LDELTID": 128}.get(name, 129)
    assert (arb[name]["date"] == arb[name]["stop"]).all()


@pytest.mark.parametrize("name", STATUS)
def test_rows_come_in_unit_and_date_order(arb, name):
    f = arb[name]
    du = np.diff(f["unit_id"].to_numpy())
    dd = np.diff(f["date"].to_numpy())
    assert ((du > 0) | ((du == 0) & (dd > 0))).all()


def _month_index(days: np.ndarray) -> np.ndarray:
    d = pd.to_datetime(days, unit="D")
    return (d.year.to_numpy() - 2015) * 12 + d.month.to_numpy() - 1


def test_a_job_is_active_for_one_run_of_months_from_its_start(arb):
    f = arb["ARBLONN_ARB_START"]
    k = _month_index(f["date"].to_numpy())
    same = np.diff(f["unit_id"].to_numpy()) == 0
    assert (np.diff(k)[same] == 1).all()  # no gaps: a job does not pause and come back
    assert (f["date"] >= f["value"]).all()  # never before the job's start
    assert f.groupby("unit_id")["value"].nunique().max() == 1
    # jobs end: far fewer jobs are active in a month than have ever been active
    per_month = f.groupby("date").size()
    assert per_month.max() < 0.5 * f["unit_id"].nunique()
    # and the number of jobs is steady from month to month (no seasonal hole from the calendar)
    change = per_month.pct_change().abs().dropna()
    assert change.max() < 0.08


@pytest.mark.parametrize(
    "name", ["ARBLONN_ARB_YRKE_STYRK08", "ARBLONN_ARB_HOVEDARBEID", "ARBLONN_ARB_TID_ORDNING"]
)
def test_fixed_terms_of_a_job_never_change(arb, name):
    assert arb[name].groupby("unit_id")["value"].nunique().max() == 1
    assert arb[name][["unit_id", "date"]].equals(arb["ARBLONN_ARB_START"][["unit_id", "date"]])


def test_position_percentage_changes_only_in_the_jobs_anniversary_month(arb):
    pct = arb["ARBLONN_ARB_STILLINGSPST"]
    start = arb["ARBLONN_ARB_START"].drop_duplicates("unit_id").set_index("unit_id")["value"]
    same = np.r_[False, np.diff(pct["unit_id"].to_numpy()) == 0]
    changed = same & np.r_[False, np.diff(pct["value"].to_numpy()) != 0]
    assert changed.sum() > 100  # yearly terms do change
    month = pd.to_datetime(pct["date"].to_numpy()[changed], unit="D").month
    start_month = pd.to_datetime(start.loc[pct["unit_id"].to_numpy()[changed]].to_numpy(), unit="D").month
    assert (month == start_month).all()
    assert pct["value"].between(5, 100).all()


def test_hours_and_full_time_follow_the_percentage(arb):
    pct = arb["ARBLONN_ARB_STILLINGSPST"]
    hours = arb["ARBLONN_ARB_ARBEIDSTID"]
    full = arb["ARBLONN_ARB_H3LDELTID"]
    assert pct[["unit_id", "date"]].equals(hours[["unit_id", "date"]])
    assert np.allclose(hours["value"], np.round(pct["value"] * 0.375, 1))
    assert ((full["value"] == "H") == (pct["value"] >= 100)).all()


def test_person_hours_are_the_sum_over_the_jobs_active_that_month(arb, world):
    link = arb["ARBEIDSFORHOLD_PERSON"].set_index("unit_id")["value"]
    hours = arb["ARBLONN_ARB_ARBEIDSTID"]
    per_person = (
        hours.assign(person=link.loc[hours["unit_id"]].to_numpy())
        .groupby(["person", "date"])["value"].sum().round(1)
    )
    person = arb["ARBLONN_PERS_SUM_ARBEIDSTID"]
    person = person[person["date"] >= hours["date"].min()].set_index(["unit_id", "date"])["value"]
    # every employed person-month is a month with an active job of that person...
    assert person.index.isin(per_person.index).all()
    assert np.allclose(person.to_numpy(), per_person.loc[person.index].to_numpy(), atol=0.051)
    # ...and a person with an active job is left out only when not resident on the 16th
    missing = per_person.index[~per_person.index.isin(person.index)]
    pop = world.pop
    index_of = pd.Series(np.arange(pop.n), index=pop.pid)
    who = index_of.loc[missing.get_level_values(0)].to_numpy()
    when = missing.get_level_values(1).to_numpy()
    assert not ((pop.arrive[who] <= when) & (pop.leave[who] > when)).any()


def test_age_is_whole_years_on_the_16th_by_the_calendar(arb, world):
    pop = world.pop
    age = arb["ARBLONN_PERS_ALDER"].sample(2_000, random_state=1)
    index_of = pd.Series(np.arange(pop.n), index=pop.pid)
    births = pop.birth[index_of.loc[age["unit_id"]].to_numpy()]
    for b, d, a in zip(births, age["date"], age["value"], strict=True):
        born = EPOCH + dt.timedelta(days=int(b))
        on = EPOCH + dt.timedelta(days=int(d))
        assert a == on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    assert arb["ARBLONN_PERS_ALDER"]["value"].between(13, 80).all()


def test_kommune_is_the_residence_at_the_months_end(arb, world):
    spells, codes = residence_codes(world)
    pop = world.pop
    komm = arb["ARBLONN_PERS_KOMMNR"]
    index_of = pd.Series(np.arange(pop.n), index=pop.pid)
    for d in komm["date"].unique()[::16]:
        rows = komm[komm["date"] == d]
        at = spells.at(int(d), pop.n)[index_of.loc[rows["unit_id"]].to_numpy()]
        assert (at >= 0).all()
        assert (np.asarray(codes, dtype=object)[at] == rows["value"].to_numpy()).all()


def test_person_rows_match_the_sixteenth_rows(arb):
    sex = arb["ARBLONN_PERS_KJOENN"]
    komm = arb["ARBLONN_PERS_KOMMNR"]
    assert sex[["unit_id", "date"]].equals(arb["ARBLONN_PERS_ALDER"][["unit_id", "date"]])
    # the month-end rows are the 16th rows of persons still resident at the month's end
    k_sex = sex["unit_id"].astype(str) + ":" + pd.Series(_month_index(sex["date"].to_numpy())).astype(str)
    k_komm = komm["unit_id"].astype(str) + ":" + pd.Series(_month_index(komm["date"].to_numpy())).astype(str)
    assert k_komm.isin(set(k_sex)).all()
    assert len(komm) > 0.99 * len(sex)


def test_chunked_output_is_the_same_rows(world, arb, monkeypatch):
    """Small chunks and person blocks (the national-scale path) give exactly the same rows."""
    monkeypatch.setattr(arblonn, "CHUNK_ROWS", 1_000)
    monkeypatch.setattr(arblonn, "PERSON_BLOCK", 300)
    seen = 0
    for meta, data in jobs.variables(world):
        if meta.name in ("ARBLONN_ARB_STILLINGSPST", "ARBLONN_ARB_YRKE_STYRK08", "ARBLONN_PERS_KOMMNR", "ARBLONN_PERS_SUM_ARBEIDSTID"):
            chunks = list(data)
            assert len(chunks) > 10
            pd.testing.assert_frame_equal(_frame(chunks), arb[meta.name])
            seen += 1
    assert seen == 4
