"""Measure what disclosure control costs on the default sample (not a test; run it by hand).

    python -m tests.redteam.measure

Prints (1) utility against unprotected truth computed here with pandas/numpy from the datastore's
own reads — counts of at least 100 (median relative error), means of at least 200 persons
(relative error, truth winsorised at the datastore-wide bounds the gate uses), regression
coefficients (difference in standard errors) — and (2) what a typical Helseprofil analysis meets:
bydel × birth-cohort tables, exclusive breastfeeding at 6 weeks by mother's age group, and BMI
by bydel (cells shown, below the threshold, withheld by class disclosure, refusals). Each script
runs in a fresh project, so its ledger starts empty.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np
import pandas as pd

HELSE = """require no.bergen.helseprofil:1 as hp
require no.ssb.fdb:45 as db
create-dataset barn
import hp/HELSEPROFIL_FULLAMMING_6UKER as fullamming_6u
import hp/HELSEPROFIL_BOSTED_BYDEL as bydel
import hp/HELSEPROFIL_BMI_KAT_SKOLESTART as bmi_kat
import db/BEFOLKNING_FOEDSELS_AAR_MND as født
import db/BEFOLKNING_MOR_FNR as mor
generate kohort = int(født / 100)
tabulate bydel kohort
tabulate bydel kohort if kohort >= 2015
tabulate bydel fullamming_6u, rowpct
tabulate bydel bmi_kat, rowpct
create-dataset mødre
import db/BEFOLKNING_FOEDSELS_AAR_MND as mor_født
merge mor_født into barn on mor
use barn
generate mor_alder = int(født / 100) - int(mor_født / 100)
recode mor_alder (min/24 = 1 'Under 25 år') (25/29 = 2 '25-29 år') (30/34 = 3 '30-34 år') (35/max = 4 '35 år og over')
tabulate mor_alder fullamming_6u, rowpct
tabulate mor_alder fullamming_6u if kohort >= 2018, rowpct
create-dataset kons
import hp/HELSEPROFIL_PERSON_FNR as barnet
import hp/HELSEPROFIL_KONS_TYPE as type
import hp/HELSEPROFIL_VEKT as vekt
import hp/HELSEPROFIL_LENGDE as lengde
generate bmi = vekt / (lengde / 100) ^ 2 if type == '11'
collapse (mean) bmi, by(barnet)
import hp/HELSEPROFIL_BOSTED_BYDEL as kbydel
tabulate kbydel, summarize(bmi) mean
summarize bmi
"""

UTILITY = """require no.ssb.fdb:45 as db
create-dataset p
import db/BOSATTEFDT_BOSTED 2022-12-31 as bosted
import db/BEFOLKNING_KJOENN as kjonn
import db/BEFOLKNING_FOEDSELS_AAR_MND as faarmnd
import db/INNTEKT_WLONN 2022-12-31 as lonn
generate alder = 2022 - int(faarmnd / 100)
generate mann = kjonn == '1'
tabulate bosted kjonn, nolabels
tabulate bosted, summarize(lonn) mean nolabels
regress lonn alder mann
"""


def _cells(result: Any) -> list[Any]:
    return [v for row in result.data.get("rows", []) for v in row[1:]]


def helseprofil() -> list[tuple[int, str, str]]:
    """Run the Helseprofil analysis; one line per output: line, command, what it met."""
    from mdlang.engine.runner import run_script

    out = []
    for r in run_script(HELSE, "helseprofil.mdl", project="measure-helse"):
        if r.kind == "refusal":
            out.append((r.line, r.command, f"refused ({r.data['rule'].split(':')[0]})"))
        elif r.kind in ("table", "summary"):
            values = _cells(r)
            small = sum(isinstance(v, str) and v.startswith("<") for v in values)
            withheld = sum(v == "x" for v in values)
            shown = sum(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            out.append((r.line, r.command, f"{shown} numbers shown, {small} below T, {withheld} withheld (x)"))
    return out


def utility() -> dict[str, float]:
    """Released numbers of :data:`UTILITY` against the truth computed from the datastore reads."""
    from mdlang.datastore.discovery import find_datastore
    from mdlang.disclosure.bounds import DatastoreBounds
    from mdlang.disclosure.policy import Policy
    from mdlang.engine.runner import run_script

    results = [r for r in run_script(UTILITY, "utility.mdl", project="measure-utility") if r.kind in ("table", "model")]
    ds = find_datastore("no.ssb.fdb", 45)
    day = (pd.Timestamp("2022-12-31") - pd.Timestamp("1970-01-01")).days
    frame = ds.read_at("BOSATTEFDT_BOSTED", day).rename(columns={"value": "bosted"})
    for var, name in (("BEFOLKNING_KJOENN", "kjonn"), ("BEFOLKNING_FOEDSELS_AAR_MND", "faarmnd")):
        frame = frame.merge(ds.read_at(var, None).rename(columns={"value": name}), on="unit_id", how="left")
    frame = frame.merge(ds.read_at("INNTEKT_WLONN", day).rename(columns={"value": "lonn"}), on="unit_id", how="left")
    frame["bosted"] = frame["bosted"].astype(str)
    frame["kjonn"] = frame["kjonn"].astype(str)

    table = results[0]
    truth = frame.groupby(["bosted", "kjonn"]).size()
    cols = table.data["columns"]
    count_errors = []
    for row in table.data["rows"]:
        for j, col in enumerate(cols[1:], start=1):
            true = int(truth.get((str(row[0]), str(col)), 0))
            if true >= 100 and isinstance(row[j], int):
                count_errors.append(abs(row[j] - true) / true)

    bounds = DatastoreBounds(ds, Policy.load(ds.policy_path)).get("INNTEKT_WLONN").bounds
    lonn = frame.dropna(subset=["lonn"]).assign(w=lambda f: f["lonn"].clip(*bounds))
    means = lonn.groupby("bosted")["w"].agg(["mean", "size"])
    mean_errors = []
    for row in results[1].data["rows"]:
        key = str(row[0])
        if key in means.index and means.loc[key, "size"] >= 200 and isinstance(row[1], float):
            mean_errors.append(abs(row[1] - means.loc[key, "mean"]) / abs(means.loc[key, "mean"]))

    reg = frame.dropna(subset=["lonn", "faarmnd"])
    x = np.column_stack([2022 - (reg["faarmnd"] // 100), (reg["kjonn"] == "1").astype(float), np.ones(len(reg))]).astype(float)
    y = reg["lonn"].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    se = np.sqrt(np.diag(resid @ resid / (len(y) - 3) * np.linalg.inv(x.T @ x)))
    rows = {r[0]: r for r in results[2].data["rows"]}
    se_units = [abs(rows[t][1] - beta[i]) / se[i] for i, t in enumerate(("alder", "mann", "_cons"))]
    return {
        "counts >= 100: cells compared": len(count_errors),
        "counts >= 100: median relative error (%)": 100 * float(np.median(count_errors)),
        "counts >= 100: largest relative error (%)": 100 * float(np.max(count_errors)),
        "means n >= 200: cells compared": len(mean_errors),
        "means n >= 200: median relative error (%)": 100 * float(np.median(mean_errors)),
        "means n >= 200: largest relative error (%)": 100 * float(np.max(mean_errors)),
        "regression: largest |difference| in SE units": float(max(se_units)),
    }


def main() -> None:
    """Print both measurements (in a temporary MDLANG_HOME, so no real project is charged)."""
    os.environ["MDLANG_HOME"] = tempfile.mkdtemp(prefix="mdlang-measure-")
    for key, value in utility().items():
        print(f"{key}: {value:.3g}")  # noqa: T201 — a measuring script prints its numbers
    for line, command, what in helseprofil():
        print(f"line {line:>2} {command}: {what}")  # noqa: T201


if __name__ == "__main__":
    main()
