"""coefplot: the figure holds exactly the model's released coefficients and bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdlang.errors import MdlError


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mdlang.datastore.sample import build_sample

    root = tmp_path_factory.mktemp("coef-sample")
    build_sample(root, 4000)
    return root


BASE = ("require no.ssb.fdb:1 as db\ncreate-dataset d\nimport db/BEFOLKNING_KJOENN as k\n"
        "import db/INNTEKT_WLONN 2020-01-01 as l\nimport db/BEFOLKNING_FOEDSELS_AAR_MND as f\n"
        "generate a = 2020 - int(f/100)\n")


def run(store: Path, tail: str):
    from mdlang.engine.runner import run_script

    return run_script(BASE + tail, "t.mdl", datastore_dirs=[str(store)], project="coefplot-test")


def test_coefplot_plots_the_released_coefficients_without_cons(store: Path) -> None:
    model = run(store, "regress l a i.k\n")[-1]
    figure = run(store, "coefplot regress l a i.k\n")[-1]
    assert model.kind == "model" and figure.kind == "figure"
    expected = [{"term": r[0], "coef": r[1], "ci_low": r[5], "ci_high": r[6]}
                for r in model.data["rows"] if r[0] != "_cons"]
    assert figure.data["spec"]["terms"] == expected
    assert figure.data["spec"]["type"] == "coefplot"


def test_coefplot_passes_on_the_model_gate_refusal(store: Path) -> None:
    # one dummy per age: the oldest ages hold fewer than T earners, so the model gate refuses
    out = run(store, "coefplot regress l i.a\n")
    assert out[-1].kind == "refusal" and out[-1].data["rule"].startswith("D7")


def test_coefplot_of_a_non_model_is_an_error(store: Path) -> None:
    with pytest.raises(MdlError, match="coefplot needs a regression command"):
        run(store, "coefplot summarize l\n")


def test_coefplot_figure_draws(store: Path) -> None:
    from mdlang.render.figures import figure_bytes

    figure = run(store, "coefplot regress l a i.k\n")[-1]
    assert figure_bytes(figure, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert "no picture for this figure" not in figure_bytes(figure, "svg").decode()
