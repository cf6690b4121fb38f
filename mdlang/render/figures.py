"""Figures drawn with matplotlib from a released figure spec (plain JSON data, never units).

:func:`figure_bytes` draws one figure result to PNG or SVG bytes; :func:`write_figures` writes
both files into a folder, named after the script and line (``<stem>-line12-histogram.png``).
Output is byte-stable: no timestamps or software versions in the metadata, a fixed SVG hash salt,
text kept as text in SVG. matplotlib (Agg backend) is imported only when a figure is drawn.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping
from typing import Any

FORMATS = ("png", "svg")
_RC = {
    "svg.hashsalt": "mdlang",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "figure.dpi": 100.0,
    "savefig.dpi": 100.0,
}
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None, "Format": None, "Type": None},
}
_COLOURS = (
    "#1f5f8b",
    "#e07b39",
    "#3a923a",
    "#c03d3e",
    "#8163a8",
    "#8c5b4f",
    "#d571b4",
    "#7a7a7a",
    "#b5b52d",
    "#2bb5c4",
)


def _data(result: Any) -> Mapping[str, Any]:
    """The ``data`` of a figure given as a Result, its JSON dict, or the data dict itself."""
    if hasattr(result, "data"):
        return result.data
    if "spec" not in result and isinstance(result.get("data"), Mapping):
        return result["data"]
    return result


def figure_bytes(result: Any, fmt: str = "svg") -> bytes:
    """The figure of a released figure result as PNG or SVG bytes (same input, same bytes)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    data = _data(result)
    spec = data.get("spec") or {}
    with matplotlib.rc_context(_RC):
        panels = _panels(spec)
        cols = min(len(panels), 3) or 1
        rows = math.ceil(max(len(panels), 1) / cols)
        fig = Figure(figsize=(4.2 * cols + 0.8, 3.4 * rows + 0.6))
        FigureCanvasAgg(fig)
        axes = [fig.add_subplot(rows, cols, i + 1) for i in range(max(len(panels), 1))]
        draw = _DRAW.get(str(spec.get("type")), _draw_unknown)
        for ax, panel in zip(axes, panels or [{}], strict=False):
            draw(ax, spec, panel)
            if panel.get("label"):
                ax.set_title(str(panel["label"]))
        fig.suptitle(str(data.get("title") or ""))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=_METADATA[fmt])
    return buf.getvalue()


def figure_name(stem: str, line: int, command: str, fmt: str, index: int = 0) -> str:
    """The file name of a figure: ``<stem>-line<line>-<command>[-<index>].<fmt>``."""
    suffix = f"-{index}" if index else ""
    return f"{stem}-line{int(line)}-{command}{suffix}.{fmt}"


def write_figures(
    result: Any, directory: str, stem: str, taken: set[str] | None = None
) -> list[str]:
    """Write a figure result as PNG and SVG into ``directory``; return the paths written.

    ``result`` is a Result, its ``to_dict()`` form or its data; ``stem`` is the script's file
    stem. ``taken`` (names already written in this run) gives a figure repeated on the same line
    (in a ``for`` loop) its own ``-1``, ``-2`` … names.
    """
    line = int(
        getattr(result, "line", None)
        or (result.get("line", 0) if isinstance(result, Mapping) else 0)
        or 0
    )
    command = str(
        getattr(result, "command", None)
        or (result.get("command") if isinstance(result, Mapping) else None)
        or "figure"
    )
    os.makedirs(directory, exist_ok=True)
    index = 0
    if taken is not None:
        while figure_name(stem, line, command, "png", index) in taken:
            index += 1
    paths = []
    for fmt in FORMATS:
        name = figure_name(stem, line, command, fmt, index)
        path = os.path.join(directory, name)
        with open(path, "wb") as fh:
            fh.write(figure_bytes(result, fmt))
        if taken is not None:
            taken.add(name)
        paths.append(path)
    return paths


def attach_figures(
    result: Any, directory: str, stem: str, taken: set[str] | None = None
) -> list[str]:
    """:func:`write_figures` for a released figure result, recording the paths in its
    ``data["files"]`` so that every renderer names them; other results are left alone."""
    if getattr(result, "kind", None) != "figure":
        return []
    paths = write_figures(result, directory, stem, taken)
    result.attach_files(paths)
    return paths


def _panels(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    panels = spec.get("panels")
    return list(panels) if panels else [spec]


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _draw_unknown(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    ax.text(
        0.5, 0.5, "no picture for this figure", ha="center", va="center", transform=ax.transAxes
    )
    ax.set_axis_off()


def _draw_histogram(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    bins = panel.get("bins") or []
    scale = str(spec.get("scale", "density"))
    if spec.get("discrete"):
        xs = list(range(len(bins)))
        ax.bar(xs, [_num(b.get("height")) or 0.0 for b in bins], width=0.8, color=_COLOURS[0])
        ax.set_xticks(xs, [str(b.get("value")) for b in bins], rotation=45 if len(bins) > 8 else 0)
    else:
        for b in bins:
            height = _num(b.get("height"))
            if height is not None:
                ax.bar(
                    b["lo"],
                    height,
                    width=b["hi"] - b["lo"],
                    align="edge",
                    color=_COLOURS[0],
                    edgecolor="white",
                    linewidth=0.5,
                )
        normal = panel.get("normal")
        if normal and bins:
            _normal_curve(ax, bins, normal, scale)
    ax.set_xlabel(str(spec.get("variable", "")))
    ax.set_ylabel(scale.capitalize())


def _normal_curve(
    ax: Any, bins: list[Mapping[str, Any]], normal: Mapping[str, Any], scale: str
) -> None:
    lo, hi = float(bins[0]["lo"]), float(bins[-1]["hi"])
    mean, sd = float(normal["mean"]), float(normal["sd"])
    total = sum(_num(b.get("count")) or 0.0 for b in bins)
    width = (hi - lo) / len(bins)
    factor = {
        "density": 1.0,
        "frequency": total * width,
        "fraction": width,
        "percent": 100.0 * width,
    }.get(scale, 1.0)
    xs = [lo + (hi - lo) * i / 200 for i in range(201)]
    ys = [
        factor * math.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)) for x in xs
    ]
    ax.plot(xs, ys, color=_COLOURS[3], linewidth=1.2)


def _draw_barchart(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    cats = [str(c) for c in panel.get("categories") or []]
    series = panel.get("series") or []
    horizontal = bool(spec.get("horizontal"))
    stack = bool(spec.get("stack"))
    bar = ax.barh if horizontal else ax.bar
    n = max(len(series), 1)
    width = 0.8 if stack else 0.8 / n
    base = [0.0] * len(cats)
    for k, s in enumerate(series):
        vals = [_num(v) or 0.0 for v in s.get("values") or []]
        pos = (
            list(range(len(cats)))
            if stack
            else [i - 0.4 + width * (k + 0.5) for i in range(len(cats))]
        )
        kw = {"left" if horizontal else "bottom": base} if stack else {}
        bar(pos, vals, width, color=_COLOURS[k % len(_COLOURS)], label=str(s.get("name")), **kw)
        if stack:
            base = [b + v for b, v in zip(base, vals, strict=True)]
    ticks = ax.set_yticks if horizontal else ax.set_xticks
    ticks(list(range(len(cats))), cats)
    (ax.set_xlabel if horizontal else ax.set_ylabel)(str(spec.get("value_label", "")))
    if len(series) > 1:
        ax.legend(fontsize=7)


def _draw_boxplot(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    stats, labels = [], []
    for box in panel.get("boxes") or []:
        labels.append(str(box.get("label") or box.get("variable") or ""))
        if "p50" not in box:
            stats.append(None)
            continue
        stats.append(
            {
                "med": box["p50"],
                "q1": box["p25"],
                "q3": box["p75"],
                "whislo": box["whisker_low"],
                "whishi": box["whisker_high"],
                "mean": box.get("mean") if box.get("mean") is not None else box["p50"],
                "fliers": [],
            }
        )
    shown = [(i, s) for i, s in enumerate(stats) if s is not None]
    orientation = "horizontal" if spec.get("horizontal") else "vertical"
    if shown:
        ax.bxp(
            [s for _, s in shown],
            positions=[i + 1 for i, _ in shown],
            showmeans=True,
            showfliers=False,
            orientation=orientation,
        )
    ticks = ax.set_yticks if orientation == "horizontal" else ax.set_xticks
    ticks([i + 1 for i in range(len(labels))], labels)


def _draw_piechart(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    slices = spec.get("slices") or []
    ax.pie(
        [float(s["count"]) for s in slices],
        labels=[str(s["label"]) for s in slices],
        autopct="%1.1f%%",
        colors=[_COLOURS[i % len(_COLOURS)] for i in range(len(slices))],
        startangle=90,
        counterclock=False,
    )
    ax.set_aspect("equal")


def _draw_hexbin(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    from matplotlib import colormaps
    from matplotlib.collections import PolyCollection

    sx, sy = (float(v) for v in spec["size"])
    shape = [
        (0.5, -0.5 / 3),
        (0.5, 0.5 / 3),
        (0.0, 1.0 / 3),
        (-0.5, 0.5 / 3),
        (-0.5, -0.5 / 3),
        (0.0, -1.0 / 3),
    ]
    hexes = spec.get("hexagons") or []
    polys = [[(h["x"] + dx * sx, h["y"] + dy * sy) for dx, dy in shape] for h in hexes]
    cmap = colormaps["viridis"]
    groups = max(int(spec.get("groups", 10)), 1)
    colours = [cmap(int(h["group"]) / max(groups - 1, 1)) for h in hexes]
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors="white", linewidths=0.3))
    x0, x1, y0, y1 = (float(v) for v in spec["extent"])
    ax.set_xlim(x0 - sx, x1 + sx)
    ax.set_ylim(y0 - sy, y1 + sy)
    ax.set_xlabel(str(spec.get("x", "")))
    ax.set_ylabel(str(spec.get("y", "")))


def _draw_sankey(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path

    stages = spec.get("stages") or []
    gap, bar = 0.02, 0.06
    tops: list[dict[str, tuple[float, float]]] = []
    for s, stage in enumerate(stages):
        nodes = stage.get("nodes") or []
        total = sum(float(n["count"]) for n in nodes) or 1.0
        scale = (1.0 - gap * max(len(nodes) - 1, 0)) / total
        y, where = 1.0, {}
        for k, node in enumerate(nodes):
            h = float(node["count"]) * scale
            ax.add_patch(Rectangle((s - bar / 2, y - h), bar, h, color=_COLOURS[k % len(_COLOURS)]))
            ax.text(s + bar, y - h / 2, str(node["label"]), va="center", fontsize=7)
            where[str(node["label"])] = (y, scale)
            y -= h + gap
        tops.append(where)
    out_used: dict[tuple[int, str], float] = {}
    in_used: dict[tuple[int, str], float] = {}
    for flow in spec.get("flows") or []:
        s = int(flow["stage"])
        a, b = str(flow["from"]), str(flow["to"])
        if s + 1 >= len(tops) or a not in tops[s] or b not in tops[s + 1]:
            continue
        ya, scale_a = tops[s][a]
        yb, scale_b = tops[s + 1][b]
        ha, hb = float(flow["count"]) * scale_a, float(flow["count"]) * scale_b
        ya -= out_used.get((s, a), 0.0)
        yb -= in_used.get((s + 1, b), 0.0)
        out_used[(s, a)] = out_used.get((s, a), 0.0) + ha
        in_used[(s + 1, b)] = in_used.get((s + 1, b), 0.0) + hb
        x0, x1 = s + bar / 2, s + 1 - bar / 2
        xm = (x0 + x1) / 2
        verts = [
            (x0, ya),
            (xm, ya),
            (xm, yb),
            (x1, yb),
            (x1, yb - hb),
            (xm, yb - hb),
            (xm, ya - ha),
            (x0, ya - ha),
            (x0, ya),
        ]
        codes = [
            Path.MOVETO,
            Path.CURVE4,
            Path.CURVE4,
            Path.CURVE4,
            Path.LINETO,
            Path.CURVE4,
            Path.CURVE4,
            Path.CURVE4,
            Path.CLOSEPOLY,
        ]
        ax.add_patch(
            PathPatch(Path(verts, codes), facecolor="#8fb3cf", edgecolor="none", alpha=0.6)
        )
    ax.set_xlim(-0.2, max(len(stages) - 1, 1) + 0.4)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks(list(range(len(stages))), [str(st.get("variable", "")) for st in stages])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def _draw_survival(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    """Kaplan–Meier steps on released time bands (interval shaded) or Weibull curve points."""
    for k, curve in enumerate(spec.get("curves") or []):
        colour = _COLOURS[k % len(_COLOURS)]
        label = str(curve.get("label") or "")
        bands = curve.get("bands") or []
        if bands:
            xs = [0.0] + [float(b["end"]) for b in bands]
            ys = [1.0] + [float(b["survival"]) for b in bands]
            ax.step(xs, ys, where="post", color=colour, label=label or None)
            lows = [_num(b.get("ci_low")) for b in bands]
            highs = [_num(b.get("ci_high")) for b in bands]
            if all(v is not None for v in lows + highs):
                ax.fill_between(xs[1:], lows, highs, step="post", color=colour, alpha=0.2, linewidth=0)
        points = curve.get("points") or []
        if points:
            ax.plot([float(p["t"]) for p in points], [float(p["survival"]) for p in points],
                    color=colour, label=label or None)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(str(spec.get("x", "")))
    ax.set_ylabel("Survival")
    if any(c.get("label") for c in spec.get("curves") or []):
        ax.legend(fontsize=7)


def _draw_coefplot(ax: Any, spec: Mapping[str, Any], panel: Mapping[str, Any]) -> None:
    """Released coefficients as points with their confidence intervals, first term on top."""
    terms = list(spec.get("terms") or [])
    ys = list(range(len(terms), 0, -1))
    for y, term in zip(ys, terms, strict=True):
        lo, hi, value = _num(term.get("ci_low")), _num(term.get("ci_high")), _num(term.get("coef"))
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [y, y], color=_COLOURS[0], linewidth=1.5)
        if value is not None:
            ax.plot([value], [y], "o", color=_COLOURS[0])
    reference = 1.0 if spec.get("value") in ("odds_ratio", "irr", "hazard_ratio") else 0.0
    ax.axvline(reference, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yticks(ys, [str(t.get("term", "")) for t in terms])
    ax.set_ylim(0.5, len(terms) + 0.5)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.tick_params(axis="x", labelrotation=30)
    level = _num(spec.get("level"))
    value = str(spec.get("value", "coef"))
    ax.set_xlabel(f"{value} with {level:g}% confidence interval" if level else value)


_DRAW = {
    "histogram": _draw_histogram,
    "barchart": _draw_barchart,
    "boxplot": _draw_boxplot,
    "piechart": _draw_piechart,
    "hexbin": _draw_hexbin,
    "sankey": _draw_sankey,
    "survival": _draw_survival,
    "coefplot": _draw_coefplot,
}
