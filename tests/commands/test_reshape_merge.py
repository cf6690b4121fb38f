"""merge between unit levels: family → person, municipality → person, event → person,
consultation → child, person → event; missing matches, duplicate keys and name clashes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_multilevel_store import (
    CHILDREN,
    FAMILY,
    INCOME,
    KOMMUNE,
    MOTHER_OF_CHILD,
    N,
    build,
    session_after,
)

from mdlang.errors import MdlError


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made multi-level store, built once per module."""
    return build(tmp_path_factory.mktemp("multi-store"))

PERSONS = "create-dataset p\nimport db/INNTEKT as inn\nimport db/BEFOLKNING_REGSTAT_FAMNR as famnr\nimport db/BOSTED as kom\n"


def test_family_sum_back_onto_persons(store: Path) -> None:
    ses = session_after(store, PERSONS + "clone-dataset p fam\nuse fam\n"
                        "collapse (sum) inn -> famsum, by(famnr)\nmerge famsum into p on famnr\n")
    persons = ses.datasets["p"]
    expected = pd.Series(INCOME).groupby(FAMILY).transform("sum")
    np.testing.assert_allclose(persons.frame["famsum"], expected.to_numpy())
    assert persons.contributors.person_id.tolist() == list(range(1, N + 1))  # target keeps its persons


def test_family_without_on_matches_person_numbers(store: Path) -> None:
    """Family ids are person numbers: without on, the family's reference person gets the value."""
    ses = session_after(store, PERSONS + "clone-dataset p fam\nuse fam\n"
                        "collapse (count) inn -> size, by(famnr)\nmerge size into p\n")
    size = ses.datasets["p"].frame["size"].to_numpy()
    reference = np.isin(np.arange(1, N + 1), FAMILY)
    assert (size[reference] == np.bincount(FAMILY)[np.arange(1, N + 1)[reference]]).all()
    assert np.isnan(size[~reference]).all()


def test_municipality_means_onto_persons_by_code(store: Path) -> None:
    ses = session_after(store, PERSONS + "clone-dataset p k\nuse k\n"
                        "collapse (count) inn -> folk, by(kom)\nmerge folk into p on kom\n")
    got = ses.datasets["p"].frame["folk"].to_numpy()
    expected = pd.Series(KOMMUNE).map(pd.Series(KOMMUNE).value_counts()).to_numpy(dtype=float)
    np.testing.assert_array_equal(got, expected)


def test_events_to_persons_and_persons_to_events(store: Path) -> None:
    ses = session_after(store, "create-dataset e\nimport-event db/SIVSTAND 2014-01-01 to 2016-12-31 as siv\n"
                        "clone-dataset e e2\ncollapse (count) siv -> spells, by(PERSONID_1)\n"
                        "create-dataset p\nimport db/INNTEKT as inn\nuse e\nmerge spells into p\n"
                        "use p\nmerge inn into e2\n")
    spells = ses.datasets["p"].frame["spells"].to_numpy()
    ids = np.arange(1, N + 1)
    # even persons have two spells in the interval; odd persons none, so they get missing
    assert (spells[ids % 2 == 0] == 2).all() and np.isnan(spells[ids % 2 == 1]).all()
    events = ses.datasets["e2"]
    assert len(events) == N  # 1000 even persons × 2 spells
    np.testing.assert_allclose(events.frame["inn"], INCOME[events.ids - 1])


def test_consultations_to_children_to_mothers(store: Path) -> None:
    ses = session_after(store, "create-dataset k\nimport db/HELSEPROFIL_PERSON_FNR as barn\nimport db/HELSEPROFIL_VEKT as vekt\n"
                        "collapse (mean) vekt -> snittvekt, by(barn)\n"
                        "create-dataset barn\nimport db/BEFOLKNING_MOR_FNR as mor\nimport db/INNTEKT as inn\n"
                        "use k\nmerge snittvekt into barn\n"
                        "create-dataset mødre\nimport db/INNTEKT as morinn\nmerge morinn into barn on mor\n")
    children = ses.datasets["barn"]
    assert children.ids.tolist() == CHILDREN.tolist()
    assert children.frame["snittvekt"].notna().all()
    np.testing.assert_allclose(children.frame["morinn"], INCOME[MOTHER_OF_CHILD - 1])


def test_child_facts_onto_consultations_on_link(store: Path) -> None:
    ses = session_after(store, "create-dataset barn\nimport db/INNTEKT as inn\n"
                        "create-dataset k\nimport db/HELSEPROFIL_PERSON_FNR as child\n"
                        "use barn\nmerge inn into k on child\n")
    k = ses.datasets["k"]
    child = k.frame["child"].to_numpy(dtype=np.int64)
    np.testing.assert_allclose(k.frame["inn"], INCOME[child - 1])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("create-dataset e\nimport-event db/SIVSTAND 2014-01-01 to 2016-12-31 as siv\nmerge siv into p",
         "the active dataset e has several rows for some values of PERSONID_1; merge needs one row per key"),
        ("clone-dataset p q\nuse q\nmerge inn into p", "dataset p already has a variable inn"),
        ("create-dataset k\nimport db/HELSEPROFIL_VEKT as vekt\nmerge vekt into p",
         "the active dataset holds BK_HELSESTASJONSKONSULTASJON units and p holds PERSON units"),
        ("clone-dataset p q\nuse q\ncollapse (mean) inn -> m, by(kom)\nmerge m into p",
         "the active dataset is keyed by kom; say which variable of p holds it"),
        ("merge inn into p", "merge copies variables into another dataset, not into the active one"),
        ("create-dataset q\nimport db/KJOENN as kj\nmerge kj into p on nope", "dataset p has no variable nope"),
    ],
)
def test_merge_errors(store: Path, body: str, message: str) -> None:
    with pytest.raises(MdlError) as info:
        session_after(store, PERSONS + body + "\n")
    assert info.value.message == message


def test_duplicate_key_error_suggests_collapse(store: Path) -> None:
    with pytest.raises(MdlError) as info:
        session_after(store, PERSONS + "create-dataset e\nimport-event db/SIVSTAND 2014-01-01 to 2016-12-31 as siv\nmerge siv into p\n")
    assert info.value.hint == "make one row per key first, e.g. collapse (mean) x, by(PERSONID_1)"
    assert "line" not in info.value.message and info.value.span.line == 8


def test_group_key_survives_clone_and_rename(store: Path) -> None:
    ses = session_after(store, PERSONS + "clone-dataset p k\nuse k\ncollapse (count) inn -> folk, by(kom)\n"
                        "clone-dataset k k2\nuse k2\nrename kom kommune\nmerge folk into p on kom\n")
    got = ses.datasets["p"].frame["folk"].to_numpy()
    expected = pd.Series(KOMMUNE).map(pd.Series(KOMMUNE).value_counts()).to_numpy(dtype=float)
    np.testing.assert_array_equal(got, expected)


def test_group_dataset_without_its_key_cannot_merge(store: Path) -> None:
    with pytest.raises(MdlError) as info:
        session_after(store, PERSONS + "clone-dataset p k\nuse k\ncollapse (count) inn -> folk, by(kom)\n"
                      "drop kom\nmerge folk into p on kom\n")
    assert info.value.message == "the active dataset k no longer has the variable it was collapsed by"
    assert info.value.span is not None and info.value.span.line == 10
