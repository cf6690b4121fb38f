"""Graphics commands on a hand-made analysis context: every released spec obeys the gate's rules
(D8): no bin, hexagon, flow, bar or box below the threshold, no minimum or maximum, no outlier,
bin edges from the winsorisation bounds (attack A19); numbers checked against numpy."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mdlang.commands.graphics  # noqa: F401  (registers the handlers)
import mdlang.commands.graphics_bars  # noqa: F401
import mdlang.commands.graphics_flows  # noqa: F401
from mdlang.commands.registry import ANALYSES
from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.engine.context import AnalysisContext, Contributors, VariableInfo
from mdlang.errors import MdlRuntimeError
from mdlang.syntax.parser import parse

N = 4000
T = 10
NOISE = 3
OUTLIER = 9_876_543.0


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.normal(50.0, 10.0, N)
    x[123] = OUTLIER  # one extreme person
    rare = np.where(np.arange(N) < 3, "9", rng.choice(["1", "2", "3"], N))  # code 9: three persons
    return pd.DataFrame(
        {
            "x": x,
            "y": rng.normal(0.0, 1.0, N),
            "d": np.where(np.arange(N) == 5, 777, rng.integers(0, 4, N)),  # value 777: one person
            "k": pd.Categorical(rng.choice(["1", "2"], N)),
            "s": pd.Categorical(rare),
            "s2": pd.Categorical(rng.choice(["1", "2", "3"], N)),
        }
    )


FRAME = _frame()
NUMERIC = {"x", "y", "d"}
VARIABLES = {
    c: VariableInfo(
        c, numeric=c in NUMERIC, labels={"1": "Mann", "2": "Kvinne"} if c == "k" else None
    )
    for c in FRAME
}


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(Policy.from_preset("register"), secret=b"graphics-test-secret-0123456789ab")


def run(
    gate: Gate, text: str, mask: np.ndarray | None = None, variables: dict | None = None
) -> Any:
    stmt = parse(text).statements[0]
    ctx = AnalysisContext(
        frame=FRAME,
        contributors=Contributors(person_id=np.arange(N, dtype=np.int64)),
        variables=variables or VARIABLES,
        unit_type="PERSON",
        kind="cross",
        gate=gate,
        command=stmt.name,
        line=3,
        mask=mask,
    )
    (result,) = ANALYSES[stmt.name](ctx, stmt)
    return result


def numbers(spec: Any, key: str) -> list[Any]:
    """Every value stored under ``key`` anywhere in a spec."""
    found = []
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key:
                found.append(v)
            found += numbers(v, key)
    elif isinstance(spec, list):
        for v in spec:
            found += numbers(v, key)
    return found


def assert_counts_safe(spec: dict[str, Any]) -> None:
    for c in numbers(spec, "count"):
        assert c == f"<{T}" or (isinstance(c, int) and c >= T), c


def bounds(values: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(values[~np.isnan(values)], [1.0, 99.0])
    return float(lo), float(hi)


# ------------------------------------------------------------------------------------------------
# histogram
# ------------------------------------------------------------------------------------------------


def test_histogram_is_a_figure_with_title_spec_and_no_files(gate: Gate) -> None:
    r = run(gate, "histogram x")
    assert r.kind == "figure" and r.command == "histogram" and r.line == 3
    assert r.data["title"] == "Histogram of x"
    assert r.data["files"] == []
    assert r.data["spec"]["type"] == "histogram" and r.data["spec"]["scale"] == "density"
    assert_counts_safe(r.data["spec"])


def test_histogram_counts_match_numpy_within_the_noise(gate: Gate) -> None:
    r = run(gate, "histogram x, freq bin(10)")
    bins = r.data["spec"]["panels"][0]["bins"]
    lo, hi = bounds(FRAME["x"].to_numpy())
    edges = [b["lo"] for b in bins] + [bins[-1]["hi"]]
    true, _ = np.histogram(np.clip(FRAME["x"].to_numpy(), lo, hi), bins=edges)
    for b, t in zip(bins, true, strict=True):
        if isinstance(b["count"], int):
            assert abs(b["count"] - t) <= NOISE
            assert b["height"] == float(b["count"])
        else:
            assert t < T + NOISE and b["height"] is None


def test_histogram_edges_come_from_the_bounds_not_from_the_extremes(gate: Gate) -> None:
    r = run(gate, "histogram x, bin(20)")
    bins = r.data["spec"]["panels"][0]["bins"]
    lo, hi = bounds(FRAME["x"].to_numpy())
    first, last = bins[0]["lo"], bins[-1]["hi"]
    assert first <= lo and last >= hi
    assert last < 2 * hi  # the outlier at 9.9 million leaves no trace in the axis
    assert FRAME["x"].min() not in (first, last) and OUTLIER not in (first, last)
    step = bins[0]["hi"] - bins[0]["lo"]
    assert step in (1.0, 2.0, 2.5, 5.0)  # a round width


def test_a19_width_one_bins_do_not_reveal_a_single_outlier(gate: Gate) -> None:
    r = run(gate, "histogram x, width(1) freq")
    spec = r.data["spec"]
    assert_counts_safe(spec)
    edges = numbers(spec, "hi") + numbers(spec, "lo")
    assert max(edges) < 200 and all(abs(e - OUTLIER) > 1e6 for e in edges)
    # the outlier is counted with everyone beyond the upper bound, in the last bin
    top = spec["panels"][0]["bins"][-1]["count"]
    assert isinstance(top, int) and top >= T


def test_a19_a_selection_of_the_outlier_alone_releases_nothing(gate: Gate) -> None:
    mask = FRAME["x"].to_numpy() > 1e6
    r = run(gate, "histogram x, width(1)", mask=mask)
    assert r.kind == "refusal"
    assert r.data["rule"].startswith("D4 threshold")


def test_histogram_density_integrates_to_one_and_percent_to_hundred(gate: Gate) -> None:
    bins = run(gate, "histogram x, bin(15)").data["spec"]["panels"][0]["bins"]
    area = sum(b["height"] * (b["hi"] - b["lo"]) for b in bins if b["height"] is not None)
    assert area == pytest.approx(1.0, abs=0.01)
    pct = run(gate, "histogram x, bin(15) percent").data["spec"]["panels"][0]["bins"]
    assert sum(b["height"] for b in pct if b["height"] is not None) == pytest.approx(
        100.0, abs=0.05
    )
    frac = run(gate, "histogram x, bin(15) fraction").data["spec"]["panels"][0]["bins"]
    assert sum(b["height"] for b in frac if b["height"] is not None) == pytest.approx(
        1.0, abs=0.001
    )


def test_histogram_by_and_normal_use_released_moments(gate: Gate) -> None:
    r = run(gate, "histogram y, by(k) normal")
    panels = r.data["spec"]["panels"]
    assert [p["label"] for p in panels] == ["Mann", "Kvinne"]
    for p, code in zip(panels, ["1", "2"], strict=True):
        y = FRAME.loc[FRAME["k"] == code, "y"].to_numpy()
        assert p["normal"]["mean"] == pytest.approx(y.mean(), abs=0.05)
        assert p["normal"]["sd"] == pytest.approx(y.std(ddof=1), rel=0.05)
    assert "The normal curve uses the released (protected) mean and standard deviation." in r.notes


def test_discrete_histogram_never_names_a_rare_value(gate: Gate) -> None:
    r = run(gate, "histogram d, discrete freq")
    values = [b["value"] for b in r.data["spec"]["panels"][0]["bins"]]
    assert values == ["0", "1", "2", "3"]  # 777 (one person) is not shown at all
    assert_counts_safe(r.data["spec"])


def test_histogram_option_errors_are_exact(gate: Gate) -> None:
    with pytest.raises(
        MdlRuntimeError, match=r"^choose only one of density, freq, fraction and percent$"
    ):
        run(gate, "histogram x, freq percent")
    with pytest.raises(MdlRuntimeError, match=r"^width\(\) gives more than 200 bins$"):
        run(gate, "histogram x, width(0.01)")
    with pytest.raises(
        MdlRuntimeError, match=r"^histogram needs a numeric variable; k holds text$"
    ):
        run(gate, "histogram k")


# ------------------------------------------------------------------------------------------------
# barchart
# ------------------------------------------------------------------------------------------------


def test_barchart_count_and_percent(gate: Gate) -> None:
    spec = run(gate, "barchart (count) k").data["spec"]
    (series,) = spec["panels"][0]["series"]
    true = FRAME["k"].value_counts().sort_index().tolist()
    assert spec["panels"][0]["categories"] == ["Mann", "Kvinne"]
    assert all(abs(a - b) <= NOISE for a, b in zip(series["values"], true, strict=True))
    pct = run(gate, "barchart (percent) k, over(s2) stack").data["spec"]
    assert pct["stack"] is True and pct["panels"][0]["categories"] == ["1", "2", "3"]
    for o in range(3):
        assert sum(s["values"][o] for s in pct["panels"][0]["series"]) == pytest.approx(
            100.0, abs=0.02
        )


def test_barchart_count_drops_nothing_but_marks_small_bars(gate: Gate) -> None:
    spec = run(gate, "barchart (count) s").data["spec"]
    (series,) = spec["panels"][0]["series"]
    assert series["values"][-1] == "<10"  # code 9 has three persons
    assert_counts_safe(spec)


def test_barchart_mean_and_median_against_numpy(gate: Gate) -> None:
    spec = run(gate, "barchart (mean) y, over(k)").data["spec"]
    vals = spec["panels"][0]["series"][0]["values"]
    for v, code in zip(vals, ["1", "2"], strict=True):
        assert v == pytest.approx(FRAME.loc[FRAME["k"] == code, "y"].mean(), abs=0.05)
    med = run(gate, "barchart (median) y").data["spec"]["panels"][0]["series"][0]["values"][0]
    assert med == pytest.approx(float(np.median(FRAME["y"])), abs=0.05)


def test_barchart_max_is_never_the_true_maximum(gate: Gate) -> None:
    r = run(gate, "barchart (max) x, over(k)")
    vals = r.data["spec"]["panels"][0]["series"][0]["values"]
    for v, code in zip(vals, ["1", "2"], strict=True):
        x = FRAME.loc[FRAME["k"] == code, "x"].to_numpy()
        assert v < x.max() and v == pytest.approx(np.percentile(x, 99), rel=0.05)
    assert any(
        n.startswith("No true maximum is released: each bar shows the released P99, else P95")
        for n in r.notes
    )
    low = run(gate, "barchart (min) x").data["spec"]["panels"][0]["series"][0]["values"][0]
    assert low > FRAME["x"].min()


def test_barchart_count_needs_one_variable(gate: Gate) -> None:
    with pytest.raises(
        MdlRuntimeError, match=r"^barchart \(count\) takes one categorical variable$"
    ):
        run(gate, "barchart (count) k s")


# ------------------------------------------------------------------------------------------------
# boxplot, piechart
# ------------------------------------------------------------------------------------------------


def test_boxplot_has_quartiles_mean_whiskers_and_no_extremes(gate: Gate) -> None:
    spec = run(gate, "boxplot x y, over(k)").data["spec"]
    text = json.dumps(spec)
    for word in ("min", "max", "outlier", "flier"):
        assert f'"{word}' not in text
    boxes = spec["panels"][0]["boxes"]
    assert [b["label"] for b in boxes] == ["x, Mann", "x, Kvinne", "y, Mann", "y, Kvinne"]
    x = FRAME.loc[FRAME["k"] == "1", "x"].to_numpy()
    box = boxes[0]
    assert box["whiskers"] == "p1/p99"
    assert box["p25"] == pytest.approx(np.percentile(x, 25), rel=0.01)
    assert box["p50"] == pytest.approx(np.percentile(x, 50), rel=0.01)
    assert box["p75"] == pytest.approx(np.percentile(x, 75), rel=0.01)
    assert box["whisker_high"] < 1000 and box["whisker_low"] > x.min()


RARE = "values of fewer than 10 persons each"


def test_boxplot_of_a_small_group_is_withheld(gate: Gate) -> None:
    spec = run(gate, "boxplot x, over(s)").data["spec"]
    small = spec["panels"][0]["boxes"][-1]
    # the value 9 (three persons, no code list) is itself data: it is pooled, and withheld
    assert small["label"] == RARE and small["withheld"] == "<10" and "p50" not in small


def test_piechart_leaves_out_small_slices(gate: Gate) -> None:
    spec = run(gate, "piechart s").data["spec"]
    assert [s["label"] for s in spec["slices"]] == ["1", "2", "3"]
    assert sum(s["percent"] for s in spec["slices"]) == pytest.approx(100.0, abs=0.02)
    assert_counts_safe(spec)


# ------------------------------------------------------------------------------------------------
# hexbin, sankey
# ------------------------------------------------------------------------------------------------


def test_hexbin_cells_are_above_the_threshold_and_add_up(gate: Gate) -> None:
    spec = run(gate, "hexbin x y, gridsize(10) groups(5)").data["spec"]
    hexes = spec["hexagons"]
    assert hexes and all(isinstance(h["count"], int) and h["count"] >= T for h in hexes)
    assert {h["group"] for h in hexes} <= set(range(5))
    assert sum(h["count"] for h in hexes) == pytest.approx(N, rel=0.05)
    xlo, xhi = bounds(FRAME["x"].to_numpy())
    assert spec["extent"][0] == pytest.approx(xlo, rel=0.01) and spec["extent"][1] == pytest.approx(
        xhi, rel=0.01
    )
    assert max(h["x"] for h in hexes) <= spec["extent"][1] + spec["size"][0]


def test_hexbin_limits(gate: Gate) -> None:
    with pytest.raises(MdlRuntimeError, match=r"^gridsize\(\) may be at most 25$"):
        run(gate, "hexbin x y, gridsize(30)")
    with pytest.raises(MdlRuntimeError, match=r"^groups\(\) may be at most 10$"):
        run(gate, "hexbin x y, groups(11)")
    assert run(gate, "hexbin x y").data["spec"]["gridsize"] == 20


def test_sankey_flows_match_a_crosstab_and_drop_small_ones(gate: Gate) -> None:
    spec = run(gate, "sankey s s2").data["spec"]
    flows = spec["flows"]
    assert all(f["count"] >= T for f in flows)
    assert not any(f["from"] == "9" for f in flows)  # three persons: every flow from 9 is small
    true = pd.crosstab(FRAME["s"], FRAME["s2"])
    for f in flows:
        assert abs(f["count"] - int(true.loc[f["from"], f["to"]])) <= NOISE
    assert [n["label"] for n in spec["stages"][0]["nodes"]] == ["1", "2", "3"]


def test_sankey_three_stages(gate: Gate) -> None:
    spec = run(gate, "sankey s s2 k").data["spec"]
    assert {f["stage"] for f in spec["flows"]} == {0, 1}
    assert spec["variables"] == ["s", "s2", "k"]


# ------------------------------------------------------------------------------------------------
# class disclosure (D13)
# ------------------------------------------------------------------------------------------------

SENSITIVE = dict(VARIABLES, s2=VariableInfo("s2", numeric=False, sensitive=True))


def test_small_groups_are_not_broken_down_by_a_sensitive_variable(gate: Gate) -> None:
    r = run(gate, "barchart (count) s2, over(s)", variables=SENSITIVE)
    panel = r.data["spec"]["panels"][0]
    assert panel["categories"] == ["1", "2", "3", RARE]
    for series in panel["series"]:
        assert series["values"][3] == "x"  # s == 9: three persons, pooled as a rare value
        assert all(isinstance(v, int) for v in series["values"][:3])
    assert (
        "x: withheld by the class-disclosure rule (groups of fewer than 50 persons are not broken down "
        "by a sensitive variable)." in r.notes
    )
    plain = run(gate, "barchart (count) s2, over(s)")
    assert "x" not in plain.data["spec"]["panels"][0]["series"][0]["values"]


def test_piechart_of_a_sensitive_variable_in_a_small_selection_is_refused(gate: Gate) -> None:
    mask = np.arange(N) < 30
    r = run(gate, "piechart s2", mask=mask, variables=SENSITIVE)
    assert r.kind == "refusal" and r.data["rule"].startswith("D13 class disclosure")
    assert (
        r.data["text"]
        == "piechart: output withheld by disclosure control (D13 class disclosure: fewer than 50 persons would be broken down by a sensitive variable)."
    )
    assert run(gate, "piechart s2", mask=mask).kind == "figure"
