"""Golden outputs of the statistics and model commands (issue #7) on the sample datastore.

Each script in ``sample_scripts/`` runs once on the session's small sample (``sample_store`` in
conftest.py); its results are rendered as text and as JSON Lines exactly as ``mdlang run`` would,
and compared with ``sample_expected/STEM.txt`` and ``STEM.jsonl``.

Regenerate every expected file with one command (then read the diff before committing):

    MDLANG_UPDATE_GOLDEN=1 python -m pytest tests/golden -q

The expected numbers depend on the sample generator: any change to it (or to noise, rounding or
a model) changes them, which is the point. See README.md for what to check when reviewing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdlang.engine.runner import parse_script, statement_sources
from mdlang.engine.session import Session
from mdlang.render import renderer
from mdlang.syntax import ast

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted((HERE / "sample_scripts").glob("*.mdl"))
EXPECTED = HERE / "sample_expected"
FORMATS = {"text": "txt", "json": "jsonl"}


def render_run(store: Path, script: Path) -> dict[str, str]:
    """Run ``script`` on ``store`` once and render its results in every golden format, as the
    CLI's ``run`` does (header, one block per result with its source line, footer)."""
    text = script.read_text(encoding="utf-8")
    file = f"{script.parent.name}/{script.name}"
    parsed = parse_script(text, file, [str(store)])
    sources = statement_sources(parsed.statements, text)
    renderers = {fmt: renderer(fmt) for fmt in FORMATS}
    out = {fmt: [getattr(r, "header", lambda: "")()] for fmt, r in renderers.items()}
    session = Session(datastore_dirs=[str(store)], project=f"golden-{script.stem}")
    for result in session.run(ast.Script(parsed.statements, file=file, source=text)):
        for fmt, r in renderers.items():
            out[fmt].append(r.render(result, sources.get(result.line)))
    for fmt, r in renderers.items():
        out[fmt].append(getattr(r, "footer", lambda: "")())
    return {fmt: "".join(parts) for fmt, parts in out.items()}


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_model_golden_output(sample_store, script):
    got = render_run(sample_store, script)
    update = os.environ.get("MDLANG_UPDATE_GOLDEN") == "1"
    for fmt, ext in FORMATS.items():
        expected = EXPECTED / f"{script.stem}.{ext}"
        if update:
            EXPECTED.mkdir(exist_ok=True)
            expected.write_text(got[fmt], encoding="utf-8", newline="\n")
        assert got[fmt] == expected.read_text(encoding="utf-8"), f"{script.stem}.{ext} differs"


def test_every_model_command_and_option_has_a_golden():
    """The scripts together use every model command of language.md §3.5–3.6 and every option
    listed there (a new option without a golden fails here)."""
    text = "\n".join(s.read_text(encoding="utf-8") for s in SCRIPTS)
    commands = ["regress", "regress-predict", "logit", "logit-predict", "probit", "probit-predict", "mlogit",
                "mlogit-predict", "poisson", "poisson-predict", "negative-binomial", "negative-binomial-predict",
                "ivregress", "ivregress-predict", "regress-panel", "regress-panel-predict", "regress-panel-diff",
                "hausman", "regress-mml", "regress-mml-predict", "oaxaca", "rdd", "cox", "kaplan-meier", "weibull",
                "correlate", "ci", "anova", "normaltest"]
    options = ["noconstant", "level(", "robust", "cluster(", "control(", " ov", "vif", "het_bp", "het_iid",
               "het_fstat", "standardize", "margins()", "margins(mann)", " or", "mfx(dydx)", "mfx(eyex)",
               "mfx(dyex)", "mfx(eydx)", "mfx_at(overall)", "mfx_at(mean)", "mfx_at(median)", "mfx_at(zero)",
               "irr", "exposure(", "tsls", "liml", "gmm", "firststage", "endog", "overid", ", fe", " re", " be",
               "pooled", "sigmamore", "sigmaless", "include_constant", " pool", "cutoff(", "polynomial(",
               "fuzzy(", "derivate(", "hazard", "by(", "covariance", "pairwise", "obs", "sig", "posthoc",
               "predicted(", "residuals(", "cooksd(", "probabilities(", "effects(", "i.", "c.", "#", "##"]
    lines = [line.split("//")[0] for line in text.splitlines()]
    used = {line.split()[0] for line in lines if line.strip()}
    assert [c for c in commands if c not in used] == []
    assert [o for o in options if o not in text] == []
