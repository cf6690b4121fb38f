"""``kaplan-meier`` and ``weibull``: survival curves on protected time bands, with key figures.

Each command releases a ``figure`` result whose ``spec`` is::

    {"type": "survival", "method": "kaplan-meier" | "weibull", "x": <time var>,
     "event": <event var>, "level": 95.0,
     "curves": [{"label": <group>, "n": <noisy persons>, "events": <noisy events>,
                 "bands": [...] (kaplan-meier) | "points": [...] (weibull)}, ...]}

A Kaplan–Meier curve is a list of bands ``{start, end, at_risk, events, survival, ci_low,
ci_high}`` (survival at the band's end, log-log interval; see :mod:`survival_data`); a Weibull
curve is a list of points ``{t, survival}`` on the time grid, from 0 to the end of the group's
protected bands. Groups whose noisy count is below T are left out of the figure and shown as ``<T`` in the
key-figure table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mdlang.commands.graphics_common import release_figure
from mdlang.commands.registry import analysis
from mdlang.commands.survival_data import (
    Sample,
    group_counts,
    read_sample,
    released_bands,
    survival_time,
    time_grid,
)
from mdlang.commands.survival_weibull import fit_weibull, median_se
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.disclosure.refusals import Rule
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

LEVEL = 95.0


def band_rule(policy: Any) -> Rule:
    """No time band of the curve can be released."""
    return Rule(
        "D8 survival curves",
        f"a survival curve is shown only on time bands with at least {policy.threshold} persons at risk "
        f"and {policy.threshold} events",
        "use a wider condition or fewer by() groups",
    )


def _notes(ctx: AnalysisContext) -> list[str]:
    pol = ctx.gate.policy
    return [
        f"The curve is shown on time bands of round length with at least {pol.threshold} persons at risk "
        f"and {pol.threshold} events; it ends where fewer remain at risk, and no step lies at one person's time.",
        f"Counts are perturbed (cell-key noise, |noise| <= {pol.noise_bound}); groups with fewer than "
        f"{pol.threshold} persons are left out.",
    ]


def _prepare(ctx: AnalysisContext, stmt: ast.Command) -> tuple[Sample, list[float], list[int], list[int]] | Result:
    sample = read_sample(ctx, stmt, ctx.command)
    grid = time_grid(ctx, sample.time_var)
    if grid is None:
        return ctx.gate.refuse(ctx.command, ctx.line, band_rule(ctx.gate.policy))
    persons, events = group_counts(ctx, sample)
    return sample, grid, persons, events


def _group_ok(ctx: AnalysisContext, n: int, events: int) -> bool:
    return n >= ctx.gate.policy.threshold and events >= ctx.gate.policy.threshold


def censored_at(time: np.ndarray, event: np.ndarray, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Times beyond the released upper end of the time axis censored there, so that no single
    extreme time moves a parametric fit (A19)."""
    beyond = time > upper
    return np.where(beyond, upper, time), np.where(beyond, 0.0, event)


@analysis("kaplan-meier")
def kaplan_meier(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The Kaplan–Meier curve per group on protected bands, and a table of key figures."""
    prepared = _prepare(ctx, stmt)
    if isinstance(prepared, Result):
        return [prepared]
    sample, grid, persons, events = prepared
    mark = ctx.gate.suppressed_mark
    curves: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for g, label in enumerate(sample.groups.labels):
        if not _group_ok(ctx, persons[g], events[g]):
            rows.append([label, persons[g] if persons[g] >= ctx.gate.policy.threshold else mark, mark, None, None, None])
            continue
        bands = released_bands(ctx, sample, sample.group == g, grid, LEVEL)
        if not bands:
            rows.append([label, persons[g], events[g], None, None, None])
            continue
        curves.append({"label": label, "n": persons[g], "events": events[g], "bands": bands})
        rows.append([label, persons[g], events[g], survival_time(bands, 0.75), survival_time(bands, 0.5),
                     survival_time(bands, 0.25)])
    if not curves:
        return [ctx.gate.refuse(ctx.command, ctx.line, band_rule(ctx.gate.policy))]
    spec = {"type": "survival", "method": "kaplan-meier", "x": sample.time_var, "event": sample.event_var,
            "by": sample.groups.name or None, "level": LEVEL, "curves": curves}
    n_cells = sum(len(c["bands"]) for c in curves)
    figure = release_figure(ctx, f"Kaplan-Meier survival estimate: {sample.event_var}", spec, _notes(ctx), n_cells)
    table = ctx.gate.release(
        ctx.command, ctx.line, "table",
        {"title": f"Kaplan-Meier key figures: {sample.event_var} over {sample.time_var}",
         "columns": ["group", "N", "events", "p25", "median", "p75"], "rows": rows, "stats": {}},
        [
            "p25, median, p75: the first band end by which 25%, 50%, 75% have had the event (on the released "
            "bands; empty when the curve does not get there).",
            f"Counts are perturbed (cell-key noise, |noise| <= {ctx.gate.policy.noise_bound}); "
            f"{mark}: fewer than {ctx.gate.policy.threshold} persons or events.",
        ],
        protections=("threshold", "cell-key noise", "time bands"), cells=len(rows) * 5,
    )
    return [figure, table]


@analysis("weibull")
def weibull(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """A Weibull fit per group: the curve on the protected band boundaries and its parameters."""
    prepared = _prepare(ctx, stmt)
    if isinstance(prepared, Result):
        return [prepared]
    sample, grid, persons, events = prepared
    if np.any(sample.time <= 0):
        raise MdlRuntimeError(
            f"the Weibull model needs positive times; {sample.time_var} is 0 for some persons", None,
            hint=f"count whole time units from the day before the start, or use: weibull ... if {sample.time_var} > 0",
        )
    curves: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    pol = ctx.gate.policy
    for g, label in enumerate(sample.groups.labels):
        members = sample.group == g
        if not _group_ok(ctx, persons[g], events[g]) or members.sum() - 2 < pol.model_min_resid_df:
            continue
        bands = released_bands(ctx, sample, members, grid, LEVEL)
        if not bands:
            continue
        t, d = censored_at(sample.time[members], sample.event[members], grid[-1])
        fit = fit_weibull(t, d)
        ends = [t for t in grid if t <= bands[-1]["end"]]
        surv = fit.survival(np.array(ends))
        digits = pol.model_digits
        curves.append({"label": label, "n": persons[g], "events": events[g],
                       "points": [{"t": t, "survival": round_sig(float(s), digits)} for t, s in zip(ends, surv, strict=True)]})
        prefix = f"{label}: " if label else ""
        rows += [
            [f"{prefix}shape", fit.shape, fit.se_shape],
            [f"{prefix}scale", fit.scale, fit.se_scale],
            [f"{prefix}median", fit.median, median_se(fit)],
        ]
    if not curves:
        return [ctx.gate.refuse(ctx.command, ctx.line, band_rule(pol))]
    spec = {"type": "survival", "method": "weibull", "x": sample.time_var, "event": sample.event_var,
            "by": sample.groups.name or None, "level": LEVEL, "curves": curves}
    n_points = sum(len(c["points"]) for c in curves)
    figure = release_figure(ctx, f"Weibull survival curve: {sample.event_var}", spec, _notes(ctx), n_points)
    table = ModelTable(
        f"Weibull survival model: {sample.event_var} over {sample.time_var}", sample.time_var, rows,
        {"n_groups": len(curves)}, "z", LEVEL, ("term", "coef", "se"),
        notes=["S(t) = exp(-(t/scale)^shape); standard errors of scale and median by the delta method.",
               "Times beyond the end of the released time axis (a micro-aggregated upper percentile) "
               "count as censored there."],
        kind="table",
    )
    return [figure, model_gate.release_model(ctx.gate, table, None, command=ctx.command, line=ctx.line)]
