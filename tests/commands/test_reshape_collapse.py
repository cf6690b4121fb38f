"""collapse and aggregate: every statistic against pandas, the unit type and contributors of the
result, winsorisation on non-pseudonymised units, and the errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_multilevel_store import FAMILY, INCOME, KOMMUNE, N, build, session_after

from mdlang.commands.reshape_stats import group_stat, is_stat
from mdlang.errors import MdlError


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made multi-level store, built once per module."""
    return build(tmp_path_factory.mktemp("multi-store"))

STATS = ["mean", "min", "max", "median", "count", "sum", "semean", "sebinomial", "sd", "percent", "iqr", "gini", "p10", "p90"]


def _pandas_stat(stat: str, frame: pd.DataFrame) -> pd.Series:
    """The statistic per group computed independently with pandas/numpy."""
    g = frame.groupby("g")["x"]
    if stat == "count":
        return g.count().astype(float)
    if stat == "sum":
        return g.sum()
    if stat == "mean":
        return g.mean()
    if stat in ("min", "max"):
        return getattr(g, stat)()
    if stat == "median":
        return g.median()
    if stat == "sd":
        return g.std(ddof=1)
    if stat == "semean":
        return g.std(ddof=1) / np.sqrt(g.count())
    if stat == "sebinomial":
        p = g.mean()
        return np.sqrt(p * (1 - p) / g.count())
    if stat == "percent":
        return g.count() * 100.0 / frame["x"].notna().sum()
    if stat == "iqr":
        return g.quantile(0.75) - g.quantile(0.25)
    if stat == "gini":
        def gini(x: pd.Series) -> float:
            v = np.sort(x.dropna().to_numpy())
            n = len(v)
            return float(np.abs(v[:, None] - v[None, :]).sum() / (2 * n * n * v.mean()))
        return g.apply(gini)
    return g.quantile(int(stat[1:]) / 100)


@pytest.mark.parametrize("stat", STATS)
def test_group_stat_matches_pandas(stat: str) -> None:
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 5, 400)
    x = rng.gamma(2.0, 10.0, 400)
    if stat == "sebinomial":
        x = (x > 20).astype(float)
    x[rng.random(400) < 0.1] = np.nan
    groups[:7] = -1  # rows in no group are ignored
    frame = pd.DataFrame({"g": groups, "x": x})
    expected = _pandas_stat(stat, frame[frame["g"] >= 0]).sort_index()
    got = group_stat(stat, groups, 5, x)
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-9)


def test_group_without_values_sum_zero_others_missing() -> None:
    groups = np.array([0, 0, 1])
    x = np.array([1.0, 3.0, np.nan])
    assert group_stat("sum", groups, 2, x).tolist() == [4.0, 0.0]
    assert group_stat("count", groups, 2, x).tolist() == [2.0, 0.0]
    assert np.isnan(group_stat("mean", groups, 2, x)[1]) and np.isnan(group_stat("p50", groups, 2, x)[1])


def test_statistic_names() -> None:
    assert all(is_stat(s) for s in STATS + ["p1", "p99"])
    assert not any(is_stat(s) for s in ("p0", "p100", "average", "p05"))


SCRIPT_FAMILY = """create-dataset p
import db/INNTEKT as inn
import db/BEFOLKNING_REGSTAT_FAMNR as famnr

collapse (sum) inn -> fsum (mean) inn -> fmean (count) inn -> n (max) inn -> fmax (gini) inn -> fg, by(famnr)
"""


def test_collapse_by_family_link(store: Path) -> None:
    ds = session_after(store, SCRIPT_FAMILY).datasets["p"]
    frame = pd.DataFrame({"fam": FAMILY, "inn": INCOME}).groupby("fam")["inn"]
    assert ds.unit_type == "FAMILIE" and ds.kind == "cross"
    assert ds.variables == ["famnr", "fsum", "fmean", "n", "fmax", "fg"]
    assert ds.ids.tolist() == sorted(set(FAMILY.tolist()))
    np.testing.assert_allclose(ds.frame["fsum"], frame.sum().to_numpy())
    np.testing.assert_allclose(ds.frame["fmean"], frame.mean().to_numpy())
    np.testing.assert_allclose(ds.frame["fmax"], frame.max().to_numpy())  # pseudonymised unit: not winsorised
    assert ds.frame["n"].tolist() == frame.count().astype(float).tolist()
    assert "famnr" in ds.links  # the key stays a pseudonymised link (D1)
    assert ds.contributors.person_id is None
    assert ds.contributors.count.tolist() == frame.count().tolist()


def test_collapse_by_code_variable_winsorises(store: Path) -> None:
    ses = session_after(store, "create-dataset p\nimport db/INNTEKT as inn\nimport db/BOSTED as kom\n"
                               "collapse (max) inn -> mx (mean) inn (count) inn -> n, by(kom)\n")
    ds = ses.datasets["p"]
    lo, hi = np.percentile(INCOME, [1, 99])
    clipped = pd.DataFrame({"k": KOMMUNE, "inn": np.clip(INCOME, lo, hi)}).groupby("k")["inn"]
    assert ds.unit_type == "GRUPPE"
    assert ds.variables == ["kom", "mx", "inn", "n"]
    assert ds.frame["kom"].astype(str).tolist() == ["0301", "4601", "5001", "9999"]
    np.testing.assert_allclose(ds.frame["mx"], clipped.max().to_numpy())
    np.testing.assert_allclose(ds.frame["inn"], clipped.mean().to_numpy())
    assert ds.frame["mx"].max() < INCOME.max()
    assert ds.contributors.count.tolist() == [665, 665, 665, 5]
    # the code variable keeps its labels and is usable in expressions (it is not pseudonymised)
    assert ses.labels_of(ds, "kom")["4601"] == "Bergen"


def test_collapse_events_to_persons_keeps_person_form(store: Path) -> None:
    ses = session_after(store, "create-dataset e\nimport-event db/SIVSTAND 2010-01-01 to 2020-12-31 as siv\n"
                               "generate one = 1\ncollapse (count) siv -> nspells (min) START@siv -> first, by(PERSONID_1)\n")
    ds = ses.datasets["e"]
    assert ds.unit_type == "PERSON" and len(ds) == N
    assert ds.contributors.person_id.tolist() == list(range(1, N + 1))
    assert set(ds.frame["nspells"]) == {2.0}
    assert ds.variables == ["nspells", "first"]


def test_collapse_by_mother_gives_mothers_as_persons(store: Path) -> None:
    ds = session_after(store, "create-dataset p\nimport db/BEFOLKNING_MOR_FNR as mor\nimport db/INNTEKT as inn\n"
                              "collapse (count) inn -> barn, by(mor)\n").datasets["p"]
    assert ds.unit_type == "PERSON"
    assert ds.ids.tolist() == list(range(1, 501))
    assert ds.contributors.person_id.tolist() == list(range(1, 501))
    assert set(ds.frame["barn"]) == {2.0}


def test_collapse_consultations_to_children(store: Path) -> None:
    ses = session_after(store, "create-dataset k\nimport db/HELSEPROFIL_PERSON_FNR as barn\nimport db/HELSEPROFIL_VEKT as vekt\n"
                               "collapse (max) vekt -> maxvekt (count) vekt -> besok, by(barn)\n")
    ds = ses.datasets["k"]
    assert ds.unit_type == "PERSON" and len(ds) == 1000
    assert ds.contributors.person_id.tolist() == list(range(1001, 2001))
    assert set(ds.frame["besok"]) == {3.0}


def test_person_in_two_groups_is_credited_once(store: Path) -> None:
    """A20: events of one person in two groups must not count the person twice."""
    ses = session_after(store, "create-dataset e\nimport-event db/SIVSTAND 2010-01-01 to 2020-12-31 as siv\n"
                               "collapse (count) START@siv -> n, by(siv)\n")
    ds = ses.datasets["e"]
    # even persons have spells '1' and '2', odd persons '1' and '3': all 2000 are credited to '1'
    assert ds.frame["siv"].astype(str).tolist() == ["1", "2", "3"]
    assert ds.frame["n"].tolist() == [2000.0, 1000.0, 1000.0]
    assert ds.contributors.count.tolist() == [2000, 0, 0]
    assert int(ds.contributors.count.sum()) == N


def test_aggregate_keeps_rows(store: Path) -> None:
    ds = session_after(store, "create-dataset p\nimport db/INNTEKT as inn\nimport db/BOSTED as kom\n"
                              "aggregate (mean) inn -> snitt (count) inn -> n, by(kom)\naggregate (sum) inn -> total\n").datasets["p"]
    expected = pd.DataFrame({"k": KOMMUNE, "inn": INCOME}).groupby("k")["inn"].transform("mean")
    assert len(ds) == N and ds.variables == ["inn", "kom", "snitt", "n", "total"]
    np.testing.assert_allclose(ds.frame["snitt"], expected.to_numpy())
    np.testing.assert_allclose(ds.frame["total"], np.full(N, INCOME.sum()))
    assert ds.contributors.person_id is not None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("collapse (mean) inn, by(nope)", "the active dataset has no variable nope"),
        ("collapse (mean) kom, by(famnr)", "(mean) needs a numeric variable, but kom is alphanumeric"),
        ("collapse (mean) inn (sum) inn, by(famnr)", "collapse would create inn twice"),
        ("collapse (mean) famnr, by(kom)", "famnr holds pseudonymised identifiers and cannot be used as a value in collapse"),
        ("aggregate (mean) inn -> inn, by(kom)", "the variable inn already exists"),
        ("aggregate (mean) inn, by(kom)", "aggregate needs a new name for each statistic"),
    ],
)
def test_collapse_errors(store: Path, body: str, message: str) -> None:
    script = "create-dataset p\nimport db/INNTEKT as inn\nimport db/BOSTED as kom\nimport db/BEFOLKNING_REGSTAT_FAMNR as famnr\n" + body + "\n"
    with pytest.raises(MdlError) as info:
        session_after(store, script)
    assert info.value.message == message
    assert info.value.span is not None and info.value.span.line == 6


def test_aggregate_by_person_in_event_dataset(store: Path) -> None:
    ds = session_after(store, "create-dataset e\nimport-event db/SIVSTAND 2010-01-01 to 2020-12-31 as siv\n"
                              "aggregate (count) siv -> spells (max) START@siv -> last_start, by(PERSONID_1)\n").datasets["e"]
    assert len(ds) == 2 * N and ds.kind == "event"
    assert set(ds.frame["spells"]) == {2.0}
    expected = pd.Series(ds.frame["START@siv"].to_numpy()).groupby(ds.ids).transform("max")
    np.testing.assert_allclose(ds.frame["last_start"], expected.to_numpy())
