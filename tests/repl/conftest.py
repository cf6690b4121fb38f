"""Fixtures of the REPL tests: a small hand-built datastore and an executor connected to it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PERSONS = 1200


def _frame(ids: np.ndarray, values: object) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "unit_id": ids.astype(np.int64),
            "value": values,
            "start": pd.array([None] * n, dtype="Int64"),
            "stop": pd.array([None] * n, dtype="Int64"),
        }
    )


def build_store(root: Path) -> None:
    """``no.repl.test:1``: KJOENN ('1' odd ids, '2' even), FAAR (1950 + id % 50), INNTEKT."""
    from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    ids = np.arange(1, PERSONS + 1, dtype=np.int64)
    sex = VariableMetadata(
        "KJOENN",
        "PERSON",
        Temporality.FIXED,
        DataType.STRING,
        title={"no": "Kjønn"},
        code_list=(Code("1", "Mann"), Code("2", "Kvinne")),
    )
    born = VariableMetadata(
        "FAAR", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "Fødselsår"}
    )
    income = VariableMetadata(
        "INNTEKT", "PERSON", Temporality.FIXED, DataType.DOUBLE, title={"no": "Inntekt"}
    )
    write_version(
        root,
        "no.repl.test",
        1,
        [
            (sex, _frame(ids, np.where(ids % 2 == 1, "1", "2"))),
            (born, _frame(ids, 1950 + ids % 50)),
            (income, _frame(ids, ids * 100.0)),
        ],
        policy_text=default_policy_text("register"),
        secret=bytes(range(32)),
    )


@pytest.fixture(scope="session")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A datastore root holding no.repl.test:1."""
    root = tmp_path_factory.mktemp("repl-stores")
    build_store(root)
    return root


class Captured:
    """An executor with its output and error streams."""

    def __init__(self, root: Path, scripts: Path) -> None:
        from mdlang.engine.session import Session
        from mdlang.repl.executor import Executor

        self.out = io.StringIO()
        self.err = io.StringIO()
        session = Session(datastore_dirs=[str(root)], interactive=True)
        self.ex = Executor(session, out=self.out, err=self.err, scripts_dir=scripts)

    def run(self, text: str) -> tuple[str, str]:
        """Submit ``text``; return what it wrote to out and err."""
        o, e = self.out.tell(), self.err.tell()
        self.ex.submit(text)
        return self.out.getvalue()[o:], self.err.getvalue()[e:]


@pytest.fixture
def repl(store_root: Path, tmp_path: Path) -> Captured:
    """An executor connected as db with the empty active dataset p."""
    cap = Captured(store_root, tmp_path)
    cap.run("require no.repl.test:1 as db")
    cap.run("create-dataset p")
    assert cap.err.getvalue() == ""
    return cap
