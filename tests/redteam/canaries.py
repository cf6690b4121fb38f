"""The red-team datastore ``no.redteam.helse:1``: 4000 synthetic children with planted canaries.

Canary ``CANARY`` is the only person with skole 'S9', klassetrinn 9 and kjønn 2; they have angst
'1' and an inntekt (family income) far above everyone else. ``CANARY2`` is unique on skole 'S9',
klassetrinn 9, kjønn 1 with angst '0'. Everything else is a simple seeded draw.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata

N = 4000
IDS = np.arange(1, N + 1, dtype=np.int64)
CANARY = 1234
CANARY2 = 2345
CANARY_INCOME = 3_000_000.0
NAME = "no.redteam.helse"


def _frame(ids: np.ndarray, values) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({"unit_id": np.asarray(ids, dtype=np.int64), "value": values,
                         "start": pd.array([None] * n, dtype="Int64"), "stop": pd.array([None] * n, dtype="Int64")})


def truth() -> pd.DataFrame:
    """The unprotected person-level data (for the tests' independent computations)."""
    rng = np.random.default_rng(77)
    skole = rng.choice(["S1", "S2", "S3", "S4"], N)
    trinn = rng.integers(1, 9, N)  # 1..8: nobody but the canaries is in 9th grade
    kjonn = np.where(rng.random(N) < 0.5, "1", "2")
    angst = np.where(rng.random(N) < 0.15, "1", "0")
    inntekt = np.round(rng.lognormal(13.0, 0.4, N), 0)
    bmi = np.round(rng.normal(21.0, 3.0, N), 1)
    faar = rng.integers(2004, 2012, N)
    frame = pd.DataFrame({"id": IDS, "skole": skole, "trinn": trinn, "kjonn": kjonn, "angst": angst,
                          "inntekt": inntekt, "bmi": bmi, "faar": faar})
    for pid, sex, ang in ((CANARY, "2", "1"), (CANARY2, "1", "0")):
        row = pid - 1
        frame.loc[row, ["skole", "trinn", "kjonn", "angst"]] = ["S9", 9, sex, ang]
    frame.loc[CANARY - 1, "inntekt"] = CANARY_INCOME
    return frame


def build(root: Path) -> Path:
    """Write the datastore under ``root`` (register preset: T = 10, floor 1000)."""
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    return write_version(root, NAME, 1, variables(), policy_text=default_policy_text(), secret=bytes(range(1, 33)))


def variables(policy_frame: pd.DataFrame | None = None) -> list[tuple[VariableMetadata, pd.DataFrame]]:
    """The variables of the datastore."""
    t = truth() if policy_frame is None else policy_frame

    def coded(name: str, codes: list[str], sensitive: bool = False) -> VariableMetadata:
        return VariableMetadata(name, "PERSON", Temporality.FIXED, DataType.STRING, title={"no": name},
                                code_list=tuple(Code(c, c) for c in codes), sensitive=sensitive)

    def num(name: str, kind: DataType) -> VariableMetadata:
        return VariableMetadata(name, "PERSON", Temporality.FIXED, kind, title={"no": name})

    return [
        (coded("SKOLE", ["S1", "S2", "S3", "S4", "S9"]), _frame(IDS, t["skole"].to_numpy())),
        (num("KLASSETRINN", DataType.LONG), _frame(IDS, t["trinn"].to_numpy().astype(np.int64))),
        (coded("KJOENN", ["1", "2"]), _frame(IDS, t["kjonn"].to_numpy())),
        (coded("ANGST", ["0", "1"], sensitive=True), _frame(IDS, t["angst"].to_numpy())),
        (num("INNTEKT", DataType.DOUBLE), _frame(IDS, t["inntekt"].to_numpy().astype(np.float64))),
        (num("BMI", DataType.DOUBLE), _frame(IDS, t["bmi"].to_numpy().astype(np.float64))),
        (num("FAAR", DataType.LONG), _frame(IDS, t["faar"].to_numpy().astype(np.int64))),
    ]


PRELUDE = f"""require {NAME}:1 as h
create-dataset d
import h/SKOLE as skole
import h/KLASSETRINN as trinn
import h/KJOENN as kjonn
import h/ANGST as angst
import h/INNTEKT as inntekt
import h/BMI as bmi
import h/FAAR as faar
"""
