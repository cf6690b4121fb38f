"""tabulate, summarize and the dataset floor run as scripts through the real engine and datastore,
with the audit log checked at the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.audit import AuditLog, default_audit_path
from mdlang.disclosure.policy import default_policy_text

N = 5000
IDS = np.arange(1, N + 1, dtype=np.int64)


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit_id": IDS, "value": values, "start": pd.array([None] * N, dtype="Int64"), "stop": pd.array([None] * N, dtype="Int64")}
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("describe-store")
    sex = VariableMetadata(
        "KJOENN", "PERSON", Temporality.FIXED, DataType.STRING, title={"no": "Kjønn"},
        code_list=(Code("1", "Mann"), Code("2", "Kvinne")),
    )
    wage = VariableMetadata("LONN", "PERSON", Temporality.FIXED, DataType.DOUBLE, title={"no": "Lønn"})
    write_version(
        root, "no.test.describe", 1,
        [(sex, _frame(np.where(IDS % 2 == 1, "1", "2"))), (wage, _frame(IDS * 100.0))],
        policy_text=default_policy_text(), secret=bytes(range(32)),
    )
    return root


SCRIPT = """require no.test.describe:1 as db
create-dataset p
import db/KJOENN as kjønn
import db/LONN as lønn
tabulate kjønn
tabulate kjønn if lønn > 250000
summarize lønn
keep if lønn < 50000
"""


def test_script_releases_through_the_gate_and_logs(store: Path) -> None:
    from mdlang.engine.session import Session
    from mdlang.errors import MdlError
    from mdlang.syntax.parser import parse

    results = []
    session = Session(datastore_dirs=[str(store)], project="describe-test")
    with pytest.raises(MdlError) as stopped:  # the withheld keep (D12) stops the script
        for result in session.run(parse(SCRIPT, "t.mdl")):
            results.append(result)
    assert "D12 dataset floor" in stopped.value.message and stopped.value.span.line == 8
    by_line = {r.line: r for r in results if r.kind != "message"}
    one_way = by_line[5].data
    assert one_way["columns"] == ["kjønn", "Freq.", "Percent", "Cum."]
    assert [row[0] for row in one_way["rows"]] == ["Mann", "Kvinne", "Total"]
    assert abs(one_way["rows"][0][1] - N // 2) <= 3 and abs(one_way["rows"][2][1] - N) <= 3
    filtered = by_line[6].data
    assert abs(filtered["rows"][2][1] - int((IDS * 100 > 250000).sum())) <= 3
    summary = by_line[7].data["rows"][0]
    lo, hi = np.percentile(IDS * 100.0, [1, 99])
    assert summary[0] == "lønn"
    assert summary[2] == pytest.approx(np.clip(IDS * 100.0, lo, hi).mean(), rel=0.001)
    assert 8 not in by_line
    log = AuditLog(default_audit_path("no.test.describe", 1, "describe-test"))
    entries = log.entries()
    assert log.verify() is None
    assert [(e["event"], e["line"]) for e in entries[-4:]] == [("release", 5), ("release", 6), ("release", 7), ("refusal", 8)]
    assert entries[-1]["data_version"] == "no.test.describe:1"
