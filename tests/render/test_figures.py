"""Figures drawn from released specs: valid PNG and SVG files, named after the script line, and
byte-identical across runs."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pytest
from render_cases import make

from mdlang.render.figures import attach_figures, figure_bytes, figure_name, write_figures

HIST = {
    "type": "histogram", "variable": "lønn", "by": "kjønn", "scale": "density", "discrete": False,
    "panels": [
        {"label": "Mann", "bins": [
            {"lo": 0.0, "hi": 10.0, "count": 40, "height": 0.02},
            {"lo": 10.0, "hi": 20.0, "count": "<10", "height": None},
            {"lo": 20.0, "hi": 30.0, "count": 60, "height": 0.03},
        ], "normal": {"mean": 15.0, "sd": 8.0}},
        {"label": "Kvinne", "bins": [
            {"lo": 0.0, "hi": 10.0, "count": 50, "height": 0.05},
            {"lo": 10.0, "hi": 20.0, "count": 50, "height": 0.05},
            {"lo": 20.0, "hi": 30.0, "count": "<10", "height": None},
        ], "normal": None},
    ],
}  # fmt: skip
DISCRETE = {
    "type": "histogram", "variable": "barn", "by": None, "scale": "percent", "discrete": True,
    "panels": [{"label": None, "bins": [{"value": "0", "count": 120, "height": 60.0}, {"value": "1", "count": 80, "height": 40.0}]}],
}  # fmt: skip
BAR = {
    "type": "barchart", "stat": "count", "variables": ["kjønn"], "over": "sivstand", "by": None,
    "stack": True, "horizontal": False, "value_label": "Count",
    "panels": [{"label": None, "categories": ["Ugift", "Gift"],
                "series": [{"name": "Mann", "values": [120, "<10"]}, {"name": "Kvinne", "values": [110, 95]}]}],
}  # fmt: skip
HBAR = dict(BAR, stack=False, horizontal=True)
BOX = {
    "type": "boxplot", "variables": ["lønn"], "over": "kjønn", "by": None, "horizontal": False,
    "panels": [{"label": None, "boxes": [
        {"label": "Mann", "variable": "lønn", "n": 500, "p25": 10.0, "p50": 20.0, "p75": 30.0, "mean": 21.0,
         "whiskers": "p5/p95", "whisker_low": 2.0, "whisker_high": 45.0},
        {"label": "Kvinne", "variable": "lønn", "n": "<10", "withheld": "<10"},
    ]}],
}  # fmt: skip
PIE = {
    "type": "piechart",
    "variable": "sivstand",
    "slices": [
        {"label": "Ugift", "count": 300, "percent": 60.0},
        {"label": "Gift", "count": 200, "percent": 40.0},
    ],
}
HEX = {
    "type": "hexbin", "x": "alder", "y": "lønn", "gridsize": 4, "groups": 3, "extent": [0.0, 4.0, 0.0, 2.0],
    "size": [1.0, 1.0], "group_edges": [20.0, 30.0, 40.0],
    "hexagons": [{"x": 1.0, "y": 1.0, "count": 15, "group": 0}, {"x": 1.5, "y": 0.5, "count": 40, "group": 2}],
}  # fmt: skip
SANKEY = {
    "type": "sankey", "variables": ["s20", "s21"],
    "stages": [{"variable": "s20", "nodes": [{"label": "A", "count": 100}, {"label": "B", "count": 50}]},
               {"variable": "s21", "nodes": [{"label": "A", "count": 90}, {"label": "B", "count": 60}]}],
    "flows": [{"stage": 0, "from": "A", "to": "A", "count": 80}, {"stage": 0, "from": "A", "to": "B", "count": 20},
              {"stage": 0, "from": "B", "to": "B", "count": 40}],
}  # fmt: skip

#: name → (command, spec)
FIGURES = {
    "histogram": ("histogram", HIST),
    "discrete": ("histogram", DISCRETE),
    "barchart": ("barchart", BAR),
    "hbarchart": ("barchart", HBAR),
    "boxplot": ("boxplot", BOX),
    "piechart": ("piechart", PIE),
    "hexbin": ("hexbin", HEX),
    "sankey": ("sankey", SANKEY),
}


def figure(name: str, line: int = 12):
    command, spec = FIGURES[name]
    return make(
        command, "figure", {"title": f"A {name}", "spec": spec, "files": []}, ("a note",), line=line
    )


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_png_and_svg_are_valid_and_byte_stable(name: str, tmp_path: Path) -> None:
    first = write_figures(figure(name), str(tmp_path / "a"), "script")
    second = write_figures(figure(name), str(tmp_path / "b"), "script")
    command = FIGURES[name][0]
    assert [Path(p).name for p in first] == [
        f"script-line12-{command}.png",
        f"script-line12-{command}.svg",
    ]
    png, svg = (Path(p).read_bytes() for p in first)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100 and pixels.std() > 0.01
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert f"A {name}".encode() in svg  # text stays text (svg.fonttype none)
    for a, b in zip(first, second, strict=True):
        assert Path(a).read_bytes() == Path(b).read_bytes()


def test_no_timestamps_or_versions_in_the_files() -> None:
    svg = figure_bytes(figure("histogram"), "svg")
    png = figure_bytes(figure("histogram"), "png")
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert b"Software" not in png and b"Matplotlib" not in png


def test_figure_bytes_accepts_result_dict_and_data() -> None:
    r = figure("piechart")
    assert figure_bytes(r, "svg") == figure_bytes(r.to_dict(), "svg") == figure_bytes(r.data, "svg")


def test_names_in_loops_get_their_own_suffix(tmp_path: Path) -> None:
    taken: set[str] = set()
    a = write_figures(figure("piechart", line=4), str(tmp_path), "run", taken)
    b = write_figures(figure("piechart", line=4), str(tmp_path), "run", taken)
    assert Path(a[0]).name == "run-line4-piechart.png"
    assert Path(b[0]).name == "run-line4-piechart-1.png"
    assert figure_name("s", 7, "hexbin", "svg", 2) == "s-line7-hexbin-2.svg"


def test_attach_figures_records_the_paths_for_the_renderers(tmp_path: Path) -> None:
    r = figure("boxplot", line=9)
    paths = attach_figures(r, str(tmp_path), "analyse")
    assert (
        r.data["files"]
        == paths
        == [
            str(tmp_path / "analyse-line9-boxplot.png"),
            str(tmp_path / "analyse-line9-boxplot.svg"),
        ]
    )
    msg = make("summarize", "message", {"text": "hello"})
    assert attach_figures(msg, str(tmp_path), "analyse") == [] and "files" not in msg.data


def test_text_renderer_names_the_written_files(tmp_path: Path) -> None:
    from mdlang.render import renderer

    r = figure("sankey", line=5)
    attach_figures(r, str(tmp_path), "flows")
    text = renderer("text").render(r, "sankey s20 s21")
    assert f"written to {tmp_path / 'flows-line5-sankey.png'}" in text


def test_survival_curves_are_drawn_not_left_blank() -> None:
    from mdlang.render.figures import figure_bytes

    spec = {"type": "survival", "method": "kaplan-meier", "x": "dager", "curves": [
        {"label": "Mann", "bands": [{"start": 0, "end": 100, "survival": 0.9, "ci_low": 0.85, "ci_high": 0.94}]},
        {"label": "Kvinne", "points": [{"t": 0, "survival": 1.0}, {"t": 100, "survival": 0.8}]}]}
    svg = figure_bytes({"title": "KM", "spec": spec}, "svg").decode()
    assert "no picture for this figure" not in svg
    assert figure_bytes({"title": "KM", "spec": spec}, "png") == figure_bytes({"title": "KM", "spec": spec}, "png")
