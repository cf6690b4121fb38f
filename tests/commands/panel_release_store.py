"""Two hand-made panel datastores for the pinned-release tests of the panel path (import-panel and
the panel models): an unbalanced four-year panel with accumulated, status, event, coded and fixed
variables, once with dense ids (1…N with gaps) and once with sparse pseudonym-like ids, so that
both the table and the binary-search lookups of import-panel are exercised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mdlang.datastore.dates import parse_date
from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.policy import default_policy_text

N = 2400
YEARS = (2019, 2020, 2021, 2022)
NAME = "no.test.panelpin"


def _ids(kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "dense":
        return np.sort(rng.choice(np.arange(1, 3 * N), N, replace=False)).astype(np.int64)
    return np.sort(rng.choice(2**50, N, replace=False) + 2**40).astype(np.int64)


def _nullable(values: list) -> pd.arrays.IntegerArray:
    return pd.array(values, dtype="Int64")


def _frame(ids: np.ndarray, values, start, stop) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": ids, "value": values, "start": _nullable(list(start)), "stop": _nullable(list(stop))})


def build(root: Path, kind: str) -> Path:
    """Write the ``kind`` ("dense" or "sparse") store under ``root``; returns ``root``."""
    rng = np.random.default_rng(7 if kind == "dense" else 11)
    ids = _ids(kind, rng)
    u = rng.normal(0, 40, N)
    k = rng.integers(0, 25, N)
    fast = rng.uniform(0, 10, N)
    gender = np.where(rng.random(N) < 0.5, "1", "2")
    inc, hrs, tax, stat = [], [], [], []
    for y in YEARS:
        # about 12 % of the person-years lack the outcome: an unbalanced panel with singletons
        has = rng.random(N) > 0.12
        hours = rng.normal(1500, 250, N) + 0.4 * u
        taxv = rng.gamma(2.0, 30.0, N)
        income = 200 + 0.25 * hours - 0.8 * taxv + u + 3.0 * fast + rng.normal(0, 25, N)
        s, e = parse_date(f"{y}-01-01"), parse_date(f"{y}-12-31")
        inc.append(_frame(ids[has], np.round(income[has], 0), [s] * has.sum(), [e] * has.sum()))
        hrs.append(_frame(ids, np.round(hours, 1), [s] * N, [e] * N))
        taxed = rng.random(N) > 0.05
        tax.append(_frame(ids[taxed], np.round(taxv[taxed]).astype(np.int64), [s] * taxed.sum(), [e] * taxed.sum()))
        d = parse_date(f"{y}-12-31")
        stat.append(_frame(ids, np.where(rng.random(N) < 0.3, "2", "1"), [d] * N, [None] * N))
    # event spells: a residence code that changes for a third of the persons mid-2020
    movers = rng.random(N) < 0.33
    ev_ids = np.concatenate([ids, ids[movers]])
    first = np.where(rng.random(N) < 0.5, "0301", "4601")
    ev_val = np.concatenate([first, np.where(first[movers] == "0301", "4601", "0301")])
    ev_start = [parse_date("2010-01-01")] * N + [parse_date("2020-07-01")] * int(movers.sum())
    ev_stop = [parse_date("2020-06-30") if m else None for m in movers] + [None] * int(movers.sum())
    order = np.lexsort((np.asarray(ev_start), ev_ids))

    def acc(name: str, dtype: DataType) -> VariableMetadata:
        return VariableMetadata(name, "PERSON", Temporality.ACCUMULATED, dtype, title={"no": name})

    def fix(name: str, dtype: DataType, codes=None) -> VariableMetadata:
        return VariableMetadata(name, "PERSON", Temporality.FIXED, dtype, title={"no": name}, code_list=codes)

    none = [None] * N
    variables = [
        (acc("INNTEKT", DataType.DOUBLE), pd.concat(inc, ignore_index=True)),
        (acc("TIMER", DataType.DOUBLE), pd.concat(hrs, ignore_index=True)),
        (acc("SKATT", DataType.LONG), pd.concat(tax, ignore_index=True)),
        (VariableMetadata("SIVSTAND", "PERSON", Temporality.STATUS, DataType.STRING, title={"no": "SIVSTAND"},
                          code_list=(Code("1", "Ugift"), Code("2", "Gift"))), pd.concat(stat, ignore_index=True)),
        (VariableMetadata("BOSTED", "PERSON", Temporality.EVENT, DataType.STRING, title={"no": "BOSTED"},
                          code_list=(Code("0301", "Oslo"), Code("4601", "Bergen"))),
         _frame(ev_ids[order], ev_val[order], np.asarray(ev_start)[order], np.asarray(ev_stop, dtype=object)[order])),
        (fix("KOMMUNE", DataType.LONG), _frame(ids, k, none, none)),
        (fix("FAST", DataType.DOUBLE), _frame(ids, np.round(fast, 3), none, none)),
        (fix("KJOENN", DataType.STRING, (Code("1", "Mann"), Code("2", "Kvinne"))), _frame(ids, gender, none, none)),
    ]
    write_version(root, NAME, 1, variables, policy_text=default_policy_text(), secret=bytes(range(32)))
    return root


#: the panel import both scripts start with (dates deliberately not in ascending order)
IMPORT = ("import-panel db/INNTEKT db/TIMER db/SKATT db/SIVSTAND db/BOSTED db/KOMMUNE db/FAST db/KJOENN "
          "2020-12-31 2019-12-31 2021-12-31 2022-12-31")

SCRIPT = f"""require {NAME}:1 as db
create-dataset p
{IMPORT}
generate gift = SIVSTAND == '2'
generate bergen = BOSTED == '4601'
regress-panel INNTEKT TIMER SKATT
regress-panel INNTEKT TIMER SKATT, fe level(90)
regress-panel INNTEKT TIMER SKATT, fe robust
regress-panel INNTEKT TIMER SKATT, fe cluster(KOMMUNE)
regress-panel INNTEKT TIMER SKATT FAST gift
regress-panel INNTEKT TIMER SKATT, fe noconstant
regress-panel INNTEKT TIMER SKATT, re
regress-panel INNTEKT TIMER SKATT, re robust
regress-panel INNTEKT TIMER SKATT, be
regress-panel INNTEKT TIMER SKATT, pooled
regress-panel INNTEKT TIMER SKATT, pooled robust
hausman INNTEKT TIMER SKATT
hausman INNTEKT TIMER SKATT, sigmamore
regress-panel-predict INNTEKT TIMER SKATT, predicted(yhat) residuals(e) effects(u)
summarize yhat e u
regress-panel-predict INNTEKT TIMER SKATT, re predicted(yhat_re) effects(u_re)
summarize yhat_re u_re
summarize-panel INNTEKT TIMER
tabulate-panel bergen
"""

#: the same models on a panel made by reshape-to-panel from wide imports
RESHAPED = f"""require {NAME}:1 as db
create-dataset w
import db/INNTEKT 2019-12-31 as inntekt2019
import db/INNTEKT 2020-12-31 as inntekt2020
import db/INNTEKT 2021-12-31 as inntekt2021
import db/INNTEKT 2022-12-31 as inntekt2022
import db/TIMER 2019-12-31 as timer2019
import db/TIMER 2020-12-31 as timer2020
import db/TIMER 2021-12-31 as timer2021
import db/TIMER 2022-12-31 as timer2022
reshape-to-panel inntekt timer
regress-panel inntekt timer
regress-panel inntekt timer, re
regress-panel inntekt timer, be
"""

#: the workload's shape: a population first (clone-units), then import-panel into its clone
CLONED = f"""require {NAME}:1 as db
create-dataset pop
import db/FAST as fast
keep if fast > 1.5
clone-units pop p
use p
{IMPORT}
regress-panel INNTEKT TIMER SKATT, fe
regress-panel INNTEKT TIMER SKATT, re
"""
