"""A small hand-made datastore for the multi-level tests (collapse, merge, reshape, panels), and
checks that it reads back as intended.

Persons 1..2000: sex by parity, an income, families of three (BEFOLKNING_REGSTAT_FAMNR = the
first member's id), mothers 1..500 with two children each among persons 1001..2000, a
municipality code (persons 1..5 live in the tiny "9999"), a marital-status event history, a
yearly wage at three status dates. Consultations: three per child 1001..2000
(BK_HELSESTASJONSKONSULTASJON, linked to the child by HELSEPROFIL_PERSON_FNR).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.policy import default_policy_text

NAME = "no.test.multi"
N = 2000
IDS = np.arange(1, N + 1, dtype=np.int64)
INCOME = np.round(np.random.default_rng(7).lognormal(12.5, 0.6, N), 0)
FAMILY = ((IDS - 1) // 3) * 3 + 1
CHILDREN = IDS[IDS > 1000]
MOTHER_OF_CHILD = (CHILDREN - 1001) // 2 + 1
KOMMUNE = np.where(IDS <= 5, "9999", np.array(["0301", "4601", "5001"])[IDS % 3])
STATUS_DATES = tuple(parse_date(d) for d in ("2019-12-31", "2020-12-31", "2021-12-31"))
WAGE = {d: np.round(INCOME * (1 + 0.05 * k), 0) for k, d in enumerate(STATUS_DATES)}
VISITS_PER_CHILD = 3
VISIT_CHILD = np.repeat(CHILDREN, VISITS_PER_CHILD)
VISIT_IDS = np.arange(1, len(VISIT_CHILD) + 1, dtype=np.int64) + 500_000
VISIT_WEIGHT = np.round(3.0 + (VISIT_CHILD % 7) * 0.5 + np.tile(np.arange(VISITS_PER_CHILD), len(CHILDREN)) * 1.5, 2)
VISIT_AMMING = np.where((VISIT_CHILD % 4 == 0) & (np.tile(np.arange(VISITS_PER_CHILD), len(CHILDREN)) == 1), "1", "3")


def _frame(ids, values, start=None, stop=None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "unit_id": np.asarray(ids, dtype=np.int64),
            "value": values,
            "start": pd.array([None] * n if start is None else start, dtype="Int64"),
            "stop": pd.array([None] * n if stop is None else stop, dtype="Int64"),
        }
    )


def _meta(name, dtype, *, unit="PERSON", temporality=Temporality.FIXED, codes=None, link=None, dates=()) -> VariableMetadata:
    code_list = tuple(Code(c, label) for c, label in codes) if codes else None
    return VariableMetadata(
        name, unit, temporality, dtype, title={"no": name}, code_list=code_list, link_unit_type=link, status_dates=dates
    )


def spells() -> pd.DataFrame:
    """Marital status spells: even ids 2010-01-01–2015-06-30 '1' then open '2'; odd ids
    2012-01-01–2013-12-31 '1' then from 2018-01-01 (open) '3'."""
    even, odd = IDS[IDS % 2 == 0], IDS[IDS % 2 == 1]
    d = parse_date
    parts = [
        _frame(even, ["1"] * len(even), [d("2010-01-01")] * len(even), [d("2015-06-30")] * len(even)),
        _frame(even, ["2"] * len(even), [d("2015-07-01")] * len(even), [None] * len(even)),
        _frame(odd, ["1"] * len(odd), [d("2012-01-01")] * len(odd), [d("2013-12-31")] * len(odd)),
        _frame(odd, ["3"] * len(odd), [d("2018-01-01")] * len(odd), [None] * len(odd)),
    ]
    return pd.concat(parts, ignore_index=True)


def variables() -> list[tuple[VariableMetadata, pd.DataFrame]]:
    """Every variable of the store with its values."""
    wage = pd.concat(
        [_frame(IDS, WAGE[d], [d] * N, [d] * N) for d in STATUS_DATES], ignore_index=True
    )
    kommuner = (("0301", "Oslo"), ("4601", "Bergen"), ("5001", "Trondheim"), ("9999", "Liten"))
    return [
        (_meta("KJOENN", DataType.STRING, codes=(("1", "Mann"), ("2", "Kvinne"))), _frame(IDS, np.where(IDS % 2 == 1, "1", "2"))),
        (_meta("INNTEKT", DataType.DOUBLE), _frame(IDS, INCOME)),
        (_meta("BEFOLKNING_REGSTAT_FAMNR", DataType.LONG, link="PERSON"), _frame(IDS, FAMILY)),
        (_meta("BEFOLKNING_MOR_FNR", DataType.LONG, link="PERSON"), _frame(CHILDREN, MOTHER_OF_CHILD)),
        (_meta("BOSTED", DataType.STRING, codes=kommuner), _frame(IDS, KOMMUNE)),
        (_meta("SIVSTAND", DataType.STRING, temporality=Temporality.EVENT, codes=(("1", "Ugift"), ("2", "Gift"), ("3", "Skilt"))), spells()),
        (_meta("LONN", DataType.DOUBLE, temporality=Temporality.STATUS, dates=STATUS_DATES), wage),
        (_meta("HELSEPROFIL_PERSON_FNR", DataType.LONG, unit="BK_HELSESTASJONSKONSULTASJON", link="PERSON"), _frame(VISIT_IDS, VISIT_CHILD)),
        (_meta("HELSEPROFIL_VEKT", DataType.DOUBLE, unit="BK_HELSESTASJONSKONSULTASJON"), _frame(VISIT_IDS, VISIT_WEIGHT)),
        (
            _meta("HELSEPROFIL_AMMING", DataType.STRING, unit="BK_HELSESTASJONSKONSULTASJON", codes=(("1", "Fullamming"), ("3", "Ikke amming"))),
            _frame(VISIT_IDS, VISIT_AMMING),
        ),
    ]


def build(root: Path) -> Path:
    """Write the store under ``root`` and return ``root``."""
    write_version(root, NAME, 1, variables(), policy_text=default_policy_text(), secret=bytes(range(32)))
    return root


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("multi-store"))


def run(root: Path, body: str, project: str = "multilevel-test"):
    """Run a script (the require line is added) and return its results."""
    from mdlang.engine.runner import run_script

    return run_script(f"require {NAME}:1 as db\n" + body, "t.mdl", datastore_dirs=[str(root)], project=project)


def session_after(root: Path, body: str):
    """A Session that has run the script (for looking at datasets directly)."""
    from mdlang.engine.session import Session
    from mdlang.syntax.parser import parse

    text = f"require {NAME}:1 as db\n" + body
    session = Session(datastore_dirs=[str(root)], project="multilevel-test")
    list(session.run(parse(text, "t.mdl")))
    return session


def test_store_reads_back_links_and_spells(store: Path) -> None:
    from mdlang.datastore.store import open_datastore

    ds = open_datastore(NAME, 1, search_path=[str(store)])
    mothers = ds.read_at("BEFOLKNING_MOR_FNR", None)
    assert len(mothers) == 1000 and ds.metadata("BEFOLKNING_MOR_FNR").link_unit_type == "PERSON"
    assert len(ds.read_spells("SIVSTAND", parse_date("2014-01-01"), parse_date("2016-12-31"))) == 2000
