"""The released output of the panel path, pinned byte for byte: import-panel (dense and sparse ids,
dates out of order, accumulated, status, event, coded and fixed variables), every regress-panel
estimator with its options, hausman, regress-panel-predict and the panel statistics, and a panel
made by reshape-to-panel, and an import-panel into a clone-units population (workload 7's shape).

The expected file was written before the panel path was made faster (issue #10, workload 7), so
any speed-up that changes a released number, a noise draw or a refusal fails here. The dataset the
import builds is pinned too (a digest of its columns, ids and contributors: never released, only
compared here). Regenerate with ``MDLANG_UPDATE_GOLDEN=1`` only for a deliberate change, and read
the diff.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from panel_release_store import CLONED, RESHAPED, SCRIPT, build  # noqa: E402

from mdlang.engine.runner import parse_script  # noqa: E402
from mdlang.engine.session import Session  # noqa: E402
from mdlang.syntax import ast  # noqa: E402

EXPECTED = Path(__file__).resolve().parent / "golden" / "panel_release_pinned.json"
KINDS = ("dense", "sparse")


def _digest(values: object) -> str:
    """A digest of a column's values and type (Categorical: codes and categories)."""
    h = hashlib.sha256()
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical):
        h.update(np.asarray(values.codes, dtype=np.int64).tobytes())
        h.update(repr(list(values.categories)).encode())
    else:
        arr = np.asarray(values)
        h.update(str(arr.dtype).encode())
        h.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
    return h.hexdigest()[:16]


def _dataset_digest(session: Session) -> dict[str, str]:
    ds = session.active_dataset()
    out = {name: _digest(ds.frame[name]) for name in ds.frame.columns}
    out["__ids__"] = _digest(ds.ids)
    out["__persons__"] = _digest(ds.contributors.person_id)
    out["__kind__"] = ds.kind
    return out


def run(store: Path, text: str, project: str) -> dict[str, object]:
    """Every released result (its JSON form) and the digest of the panel after the import."""
    parsed = parse_script(text, "pinned.mdl", [str(store)])
    session = Session(datastore_dirs=[str(store)], project=project)
    released: list[object] = []
    digest: dict[str, str] = {}
    for stmt in parsed.statements:
        released += [json.loads(r.to_json()) for r in session.execute(stmt)]
        if isinstance(stmt, ast.ImportPanel) or getattr(stmt, "name", "") == "reshape-to-panel":
            digest = _dataset_digest(session)
    return {"results": released, "dataset": digest}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    got: dict[str, object] = {}
    for kind in KINDS:
        root = build(tmp_path_factory.mktemp(f"panel-pin-{kind}"), kind)
        got[f"{kind}/models"] = run(root, SCRIPT, f"pin-{kind}")
        got[f"{kind}/reshaped"] = run(root, RESHAPED, f"pin-{kind}-reshaped")
        got[f"{kind}/cloned"] = run(root, CLONED, f"pin-{kind}-cloned")
    return got


@pytest.fixture(scope="module")
def expected(outputs: dict[str, object]) -> dict[str, object]:
    if os.environ.get("MDLANG_UPDATE_GOLDEN") == "1":
        EXPECTED.write_text(json.dumps(outputs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", [f"{k}/{s}" for k in KINDS for s in ("models", "reshaped", "cloned")])
def test_panel_release_is_pinned(outputs: dict, expected: dict, case: str) -> None:
    got, want = outputs[case], expected[case]
    assert got["dataset"] == want["dataset"]
    assert len(got["results"]) == len(want["results"])
    for g, w in zip(got["results"], want["results"], strict=True):
        assert g == w, f"line {w['line']} ({w['command']}) differs"


def test_the_pinned_script_releases_every_model(expected: dict) -> None:
    # a pin of refusals only would pin little: every model of the script is released
    kinds = [(r["command"], r["kind"]) for r in expected["dense/models"]["results"]]
    assert ("regress-panel", "refusal") not in kinds
    assert sum(1 for c, k in kinds if c == "regress-panel" and k == "model") == 11
    assert sum(1 for c, k in kinds if c == "hausman") == 6
