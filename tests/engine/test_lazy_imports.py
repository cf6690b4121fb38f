"""Start-up cost: scripts that only import, derive and tabulate never load scipy.stats,
statsmodels or matplotlib (issue #10). Each check runs in a fresh interpreter, since this test
process has long since imported them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("scipy.stats", "statsmodels", "matplotlib")

SCRIPT = """\
require no.test.reg:1 as db
create-dataset p
import db/KJOENN as kjonn
import db/FAAR as faar
import db/WLONN 2021-06-30 as lonn
generate alder = 2021 - faar
generate hoy = lonn > 400000 if alder >= 30
replace lonn = 0 if sysmiss(lonn)
tabulate kjonn
tabulate kjonn hoy
"""


def _loaded(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; which heavy modules it left in sys.modules."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r} + ('scipy',)}}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_session_loads_no_scientific_library() -> None:
    loaded = _loaded("import mdlang.engine.session as s\ns.Session()")
    assert loaded == {"scipy.stats": False, "statsmodels": False, "matplotlib": False, "scipy": False}


def test_a_data_script_loads_no_statistics_library(store_root: Path, tmp_path: Path) -> None:
    script = tmp_path / "data.mdl"
    script.write_text(SCRIPT, encoding="utf-8")
    code = (
        "from mdlang.engine.runner import run_script\n"
        f"results = run_script(open({str(script)!r}, encoding='utf-8').read(), 'data.mdl', "
        f"datastore_dirs=[{str(store_root)!r}])\n"
        "assert [r.command for r in results][-2:] == ['tabulate', 'tabulate'], results"
    )
    loaded = _loaded(code)
    assert {m: loaded[m] for m in HEAVY} == {"scipy.stats": False, "statsmodels": False, "matplotlib": False}


def test_a_distribution_function_still_loads_scipy_when_called() -> None:
    loaded = _loaded(
        "from mdlang.engine.functions import FUNCTIONS\n"
        "value = FUNCTIONS['normal'].impl(1.96)\n"
        "assert abs(float(value) - 0.9750021048517795) < 1e-12, value"
    )
    assert loaded["scipy"] is True
