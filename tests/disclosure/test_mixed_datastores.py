"""A dataset holding variables of two datastores is charged to both (D10).

Two hand-made stores over the same 3000 persons: ``no.test.helse`` (a sensitive 0/1 variable and
an owner's budget of 40 cells) and ``no.test.reg`` (sex and birth year, default budget). Their
record-key secrets differ unless a test says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
from mdlang.datastore.store import write_version
from mdlang.disclosure.ledger import Ledger, default_ledger_path
from mdlang.disclosure.policy import Policy
from mdlang.engine.runner import run_script

N = 3000
IDS = np.arange(1, N + 1, dtype=np.int64)
CANARY = 77  # the only person born in 1990


def _frame(values) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": IDS, "value": values, "start": pd.array([None] * N, dtype="Int64"),
                         "stop": pd.array([None] * N, dtype="Int64")})


def _coded(name: str, codes: list[str], sensitive: bool = False) -> VariableMetadata:
    return VariableMetadata(name, "PERSON", Temporality.FIXED, DataType.STRING, title={"no": name},
                            code_list=tuple(Code(c, c) for c in codes), sensitive=sensitive)


def _build(root: Path, same_secret: bool) -> Path:
    rng = np.random.default_rng(4)
    born = rng.integers(2000, 2010, N)
    born[CANARY - 1] = 1990
    angst = np.where(rng.random(N) < 0.2, "1", "0")
    angst[CANARY - 1] = "1"
    write_version(root, "no.test.helse", 1, [(_coded("ANGST", ["0", "1"], sensitive=True), _frame(angst))],
                  policy_text=Policy(budget_cells=40).to_toml(), secret=bytes(range(32)))
    write_version(root, "no.test.reg", 1, [
        (_coded("KJOENN", ["1", "2"]), _frame(np.where(IDS % 2 == 0, "1", "2"))),
        (VariableMetadata("FAAR", "PERSON", Temporality.FIXED, DataType.LONG, title={"no": "FAAR"}),
         _frame(born.astype(np.int64))),
    ], policy_text=Policy().to_toml(), secret=bytes(range(32)) if same_secret else bytes(range(100, 132)))
    return root


PRELUDE = """require no.test.reg:1 as reg
require no.test.helse:1 as hp
create-dataset d
import reg/KJOENN as kjonn
import reg/FAAR as faar
import hp/ANGST as angst
"""


def _run(root: Path, body: str, project: str) -> list:
    results = run_script(PRELUDE + body, "mixed.mdl", datastore_dirs=[str(root)], project=project)
    return [r for r in results if r.line > PRELUDE.count("\n")]


def _ledger(name: str, project: str) -> Ledger:
    return Ledger(default_ledger_path(name, project))


@pytest.mark.parametrize("same_secret", [False, True], ids=["own secrets", "shared secret"])
def test_a_mixed_release_is_charged_to_both_datastores(tmp_path, same_secret: bool) -> None:
    root = _build(tmp_path, same_secret)
    (tab,) = _run(root, "tabulate angst kjonn\n", "mixed")
    assert tab.kind == "table"
    charged = 3 * 3  # two rows and two columns of counts with their margins and the total
    assert _ledger("no.test.reg", "mixed").used("no.test.reg:1") == charged
    assert _ledger("no.test.helse", "mixed").used("no.test.helse:1") == charged


def test_the_stricter_budget_of_either_datastore_refuses(tmp_path) -> None:
    """The health store allows 40 cells; the register store 20 000. Mixed tables of 9 cells
    each exhaust the health store's budget on the fifth, whichever datastore the dataset began
    with; refusals are charged to both."""
    root = _build(tmp_path, same_secret=False)
    body = "".join(f"tabulate angst kjonn if faar >= {2000 + i}\n" for i in range(6))
    out = _run(root, body, "budget")
    assert [r.kind for r in out] == ["table"] * 4 + ["refusal"] * 2
    assert all("D10 release budget" in r.data["rule"] for r in out[4:])
    assert _ledger("no.test.helse", "budget").used("no.test.helse:1") == 4 * 9 + 2
    assert _ledger("no.test.reg", "budget").used("no.test.reg:1") == 4 * 9 + 2


@pytest.mark.parametrize("same_secret", [False, True], ids=["own secrets", "shared secret"])
@pytest.mark.parametrize(("store", "alias", "register", "name"), [
    ("no.test.helse", "hp", "ANGST", "angst"), ("no.test.reg", "reg", "KJOENN", "kjonn")], ids=["helse alone", "reg alone"])
def test_differencing_against_either_datastore_alone_is_refused(tmp_path, same_secret, store, alias, register, name) -> None:
    """A dataset of one store alone releases a table over everyone; the mixed dataset then asks
    for everyone but the canary, picked out by a register variable. Only that store's ledger
    knows the first release (one of the two cases is not the mixed dataset's first datastore):
    charged with that store's own record keys, it recognises the persons and refuses."""
    root = _build(tmp_path, same_secret)
    script = f"require {store}:1 as {alias}\ncreate-dataset h\nimport {alias}/{register} as {name}\ntabulate {name}\n"
    alone = run_script(script, "alone.mdl", datastore_dirs=[str(root)], project="diff")
    assert alone[-1].kind == "table"
    (mixed,) = _run(root, f"tabulate {name} if faar >= 2000\n", "diff")  # everyone but the canary
    assert mixed.kind == "refusal" and "D10 overlap audit" in mixed.data["rule"]
    other = "no.test.reg" if store == "no.test.helse" else "no.test.helse"
    assert _ledger(other, "diff").count_releases() == 1  # the refusal is charged there too
