"""A hand-made datastore for the speed-equivalence tests of the disclosure gate.

``no.test.speed:1`` holds 6 000 persons with skewed categories (one code held by only a few
persons, so rare values are pooled), incomes with missing values and a few huge ones (so bounds
winsorise and the dominance rule fires in small cells), and point events with several rows per
person (one person with very many rows, so rows are weighted down). Values come from a seeded
generator and are written by :func:`mdlang.datastore.store.write_version`, so the store is the
same on every run and does not depend on the sample generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata

NAME = "no.test.speed"
N = 6000
IDS = 1000 + 7 * np.arange(N, dtype=np.int64)
BOSTED = ("4601", "0301", "5001", "1103", "3401", "1506", "4627", "9999")
BOSTED_P = (0.30, 0.25, 0.15, 0.12, 0.08, 0.06, 0.038, 0.002)


def _frame(ids: np.ndarray, values, start=None, stop=None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "unit_id": np.asarray(ids, dtype=np.int64),
            "value": values,
            "start": pd.array(start if start is not None else [None] * n, dtype="Int64"),
            "stop": pd.array(stop if stop is not None else [None] * n, dtype="Int64"),
        }
    )


def _coded(name: str, dtype: DataType, codes: tuple[str, ...]) -> VariableMetadata:
    return VariableMetadata(
        name, "PERSON", Temporality.FIXED, dtype, title={"no": name}, code_list=tuple(Code(c, f"{name} {c}") for c in codes)
    )


def _plain(name: str, dtype: DataType, temporality: Temporality = Temporality.FIXED, **extra) -> VariableMetadata:
    return VariableMetadata(name, "PERSON", temporality, dtype, title={"no": name}, **extra)


def variables() -> list[tuple[VariableMetadata, pd.DataFrame]]:
    """The variables of the store (seeded, so the same on every run)."""
    rng = np.random.default_rng(20261128)
    sex = np.where(rng.random(N) < 0.49, "1", "2")
    bosted = np.array(BOSTED)[rng.choice(len(BOSTED), N, p=BOSTED_P)]
    utd_codes = tuple(f"{d}00000" for d in range(10))
    utd = np.array(utd_codes)[rng.choice(10, N, p=(0.02, 0.1, 0.18, 0.15, 0.2, 0.05, 0.15, 0.1, 0.04, 0.01))]
    lonn = np.round(rng.lognormal(12.6, 0.7, N), -2)
    lonn[rng.choice(N, 4, replace=False)] = [4.0e7, 2.5e7, 9.0e6, 6.5e6]
    has_lonn = rng.random(N) > 0.18
    saminnt = lonn + np.round(rng.exponential(40000, N), -2)
    skatt = np.round(0.28 * saminnt + rng.normal(0, 5000, N), 0)
    faarmnd = rng.integers(1940, 2011, N) * 100 + rng.integers(1, 13, N)
    # point events: 0..6 consultations per person, one person with 70
    per = rng.integers(0, 7, N)
    per[17] = 70
    ev_ids = np.repeat(IDS, per)
    first, last = parse_date("2020-01-01"), parse_date("2022-12-31")
    ev_start = rng.integers(first, last + 1, len(ev_ids))
    order = np.lexsort((ev_start, ev_ids))
    ev_ids, ev_start = ev_ids[order], ev_start[order]
    ev_vekt = np.round(rng.normal(20.0, 6.0, len(ev_ids)), 1)
    ev_type = np.where(rng.random(len(ev_ids)) < 0.7, "1", "2")
    ev_meta = {"valid_from": first, "valid_until": last}
    return [
        (_coded("KJOENN", DataType.STRING, ("1", "2")), _frame(IDS, sex)),
        (_coded("BOSTED", DataType.STRING, BOSTED), _frame(IDS, bosted)),
        (_coded("UTD", DataType.STRING, utd_codes), _frame(IDS, utd)),
        (_plain("LONN", DataType.DOUBLE), _frame(IDS[has_lonn], lonn[has_lonn])),
        (_plain("SAMINNT", DataType.DOUBLE), _frame(IDS, saminnt)),
        (_plain("SKATT", DataType.DOUBLE), _frame(IDS, skatt)),
        (_plain("FAARMND", DataType.LONG), _frame(IDS, faarmnd)),
        (_plain("KONS_VEKT", DataType.DOUBLE, Temporality.EVENT, **ev_meta), _frame(ev_ids, ev_vekt, ev_start, ev_start)),
        (
            VariableMetadata(
                "KONS_TYPE", "PERSON", Temporality.EVENT, DataType.STRING, title={"no": "KONS_TYPE"},
                code_list=(Code("1", "Planlagt"), Code("2", "Akutt")), **ev_meta,
            ),
            _frame(ev_ids, ev_type, ev_start, ev_start),
        ),
    ]


def build(root: Path) -> Path:
    """Write ``no.test.speed:1`` under ``root`` (register policy)."""
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    return write_version(
        root, NAME, 1, variables(), policy_text=default_policy_text("register"), secret=bytes(range(7, 39)),
        description="speed-equivalence test datastore (synthetic)",
    )
