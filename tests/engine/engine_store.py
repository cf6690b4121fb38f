"""A small hand-made datastore for engine and golden tests, and helpers to run scripts on it.

``no.test.reg:1`` holds 3000 persons (ids 1..3000) with one variable of every temporality, a link
variable and a job-level variable; the values are simple functions of the id so that tests can
compute the expected results independently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.errors import Span

N = 3000
IDS = np.arange(1, N + 1, dtype=np.int64)
D2020 = parse_date("2020-01-01")
D2021 = parse_date("2021-01-01")
D2022 = parse_date("2022-01-01")


def _frame(ids, values, start=None, stop=None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "unit_id": np.asarray(ids, dtype=np.int64),
            "value": values,
            "start": pd.array(start if start is not None else [None] * n, dtype="Int64"),
            "stop": pd.array(stop if stop is not None else [None] * n, dtype="Int64"),
        }
    )


def kjonn(ids: np.ndarray) -> np.ndarray:
    """Sex code of a person: '1' for odd ids, '2' for even."""
    return np.where(ids % 2 == 1, "1", "2")


def faar(ids: np.ndarray) -> np.ndarray:
    """Birth year: 1950 + id % 60."""
    return 1950 + ids % 60


def lonn(ids: np.ndarray, year: int) -> np.ndarray:
    """Wage in a year: 1000 * id + year; persons with id % 10 == 0 have none (left out)."""
    return ids * 1000 + year


def variables() -> list[tuple[VariableMetadata, pd.DataFrame]]:
    """The variables of the test datastore."""
    sex = VariableMetadata(
        "KJOENN", "PERSON", Temporality.FIXED, DataType.STRING, title={"no": "Kjønn"},
        code_list=(Code("1", "Mann"), Code("2", "Kvinne")),
    )
    born = VariableMetadata("FAAR", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Fødselsår"})
    paid = IDS[IDS % 10 != 0]
    wage_ids = np.concatenate([paid, paid])
    wage = np.concatenate([lonn(paid, 2020), lonn(paid, 2021)])
    starts = [D2020] * len(paid) + [D2021] * len(paid)
    stops = [D2021 - 1] * len(paid) + [D2022 - 1] * len(paid)
    wlonn = VariableMetadata("WLONN", "PERSON", Temporality.ACCUMULATED, DataType.LONG, title={"no": "Lønn"})
    # status: persons 1..2500 at 2021-01-01, persons 501..3000 at 2022-01-01; code = '1' if id < 2000 else '3'
    s1, s2 = IDS[IDS <= 2500], IDS[IDS > 500]
    st_ids = np.concatenate([s1, s2])
    st_val = np.where(st_ids < 2000, "1", "3")
    st_dates = [D2021] * len(s1) + [D2022] * len(s2)
    regstat = VariableMetadata(
        "REGSTAT", "PERSON", Temporality.STATUS, DataType.STRING, title={"no": "Status"},
        code_list=(Code("1", "Bosatt"), Code("3", "Utvandret")),
    )
    # event: every person single ('1') from 2000; persons with id % 3 == 0 married ('2') from 2021-07-01
    married = IDS[IDS % 3 == 0]
    ev_ids = np.concatenate([IDS, married])
    ev_val = np.array(["1"] * N + ["2"] * len(married))
    ev_start = [parse_date("2000-01-01")] * N + [parse_date("2021-07-01")] * len(married)
    ev_stop = [parse_date("2021-06-30") if i % 3 == 0 else None for i in IDS] + [None] * len(married)
    sivstand = VariableMetadata(
        "SIVSTAND", "PERSON", Temporality.EVENT, DataType.STRING, title={"no": "Sivilstand"},
        valid_from=parse_date("2000-01-01"), valid_until=parse_date("2022-12-31"),
        code_list=(Code("1", "Ugift"), Code("2", "Gift")),
    )
    mor = VariableMetadata(
        "MOR_FNR", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Mor"}, link_unit_type="PERSON"
    )
    mor_ids = IDS[IDS > 100]
    jobb = VariableMetadata("JOBB_TIMER", "JOBB", Temporality.FIXED, DataType.DOUBLE, title={"no": "Timer"})
    # jobs 1..10 belong to persons 101..105 (two jobs each)
    jobb_person = VariableMetadata(
        "JOBB_PERSON", "JOBB", Temporality.FIXED, DataType.LONG, title={"no": "Arbeidstaker"}, link_unit_type="PERSON"
    )
    # a numeric coded variable
    utd = VariableMetadata(
        "UTD", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Utdanning"},
        code_list=(Code("1", "Grunnskole"), Code("2", "Videregående"), Code("3", "Høyere")),
    )
    kom = VariableMetadata("KOMMUNE", "PERSON", Temporality.FIXED, DataType.STRING, title={"no": "Kommune tekst"})
    return [
        (sex, _frame(IDS, kjonn(IDS))),
        (born, _frame(IDS, faar(IDS))),
        (wlonn, _frame(wage_ids, wage, starts, stops)),
        (regstat, _frame(st_ids, st_val, st_dates, st_dates)),
        (sivstand, _frame(ev_ids, ev_val, ev_start, ev_stop)),
        (mor, _frame(mor_ids, mor_ids - 100)),
        (jobb, _frame(np.arange(1, 11), np.arange(1, 11) * 1.5)),
        (jobb_person, _frame(np.arange(1, 11), 100 + (np.arange(1, 11) + 1) // 2)),
        (utd, _frame(IDS, 1 + IDS % 3)),
        (kom, _frame(IDS, np.where(IDS % 4 == 0, "46,01", "0301"))),
    ]


def build(root: Path) -> Path:
    """Write no.test.reg:1 under ``root`` (register policy: floor 1000)."""
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    return write_version(
        root, "no.test.reg", 1, variables(),
        policy_text=default_policy_text("register"), secret=bytes(range(32)),
        description="engine test datastore (synthetic)",
    )


def span(line: int, col: int = 1) -> Span:
    """A span on ``line`` (for statements built by hand)."""
    return Span(line, col, line, col + 1)


def run(session, text: str) -> list:
    """Parse ``text`` and run it in ``session``; return the released results."""
    from mdlang.syntax import ast as A
    from mdlang.syntax.parser import parse

    script = parse(text, "test.mdl")
    return list(session.run(A.Script(script.statements, file="test.mdl", source=text)))


PRELUDE = "require no.test.reg:1 as db\ncreate-dataset p\n"
