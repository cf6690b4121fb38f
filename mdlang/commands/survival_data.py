"""The survival sample and its protected time bands (disclosure.md D4, D8, attack A19).

``kaplan-meier`` and ``weibull`` read a 0/1 event variable and a time variable (and an optional
``by()`` group); :func:`read_sample` checks them and keeps the selected rows with values.

A survival curve is released only on *time bands*: the time axis is cut on a grid of round
numbers (never at a person's time) that spans 0 to a released upper percentile of the whole
time column, and adjacent grid intervals are merged until a band holds at least T events.
A band is released only while at least T persons are at risk at its start and at its last
event time, and at least T of those at risk at its start do not have the event in it (so the
released risk sets and event sets never differ by fewer than T persons); the curve ends at the
first band that fails. The survival estimate is released
at band ends only, so no step of the curve sits at one person's time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mdlang.commands.graphics_common import Factor, factor, options, span_of, variable_name
from mdlang.commands.models_design import numeric_values
from mdlang.disclosure.figures import nice_step
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.syntax import ast

#: grid intervals the time axis is cut into before merging into bands
GRID_INTERVALS = 40
#: the time axis ends at the first of these released (micro-aggregated, D6) percentiles of the
#: time column: the larger ones need larger datasets
UPPER_PROBS = (0.99, 0.95, 0.75)


@dataclass
class Sample:
    """The rows of a survival analysis: ``rows`` (positions in the frame), their event (0/1),
    time and group code (0 without by()); ``groups`` names the groups."""

    event_var: str
    time_var: str
    rows: np.ndarray
    event: np.ndarray
    time: np.ndarray
    group: np.ndarray
    groups: Factor


def read_sample(ctx: AnalysisContext, stmt: ast.Command, command: str) -> Sample:
    """The checked survival sample of a ``kaplan-meier``/``weibull`` statement."""
    if len(stmt.args) != 2:
        raise MdlRuntimeError(
            f"{command} needs an event variable and a time variable", span_of(stmt),
            hint=f"for example: {command} død dager",
        )
    event_var = variable_name(ctx, stmt.args[0], command)
    time_var = variable_name(ctx, stmt.args[1], command)
    event = numeric_values(ctx, event_var, span_of(stmt.args[0]), command)
    time = numeric_values(ctx, time_var, span_of(stmt.args[1]), command)
    keep = np.ones(len(ctx.frame), dtype=bool) if ctx.mask is None else np.asarray(ctx.mask, dtype=bool).copy()
    keep &= ~np.isnan(event) & ~np.isnan(time)
    opts = options(stmt)
    by = opts.get("by")
    if by is not None:
        if not by.args or len(by.args) != 1:
            raise MdlRuntimeError("by() takes one variable", span_of(by), hint=f"for example: {command} død dager, by(kjønn)")
        groups = factor(ctx, variable_name(ctx, by.args[0], command))
        keep &= groups.codes >= 0
        codes = groups.codes
    else:
        groups = Factor("", np.zeros(len(ctx.frame), dtype=np.int64), [""])
        codes = groups.codes
    rows = np.flatnonzero(keep)
    event, time, group = event[rows], time[rows], codes[rows]
    check_event_time(event, time, event_var, time_var, stmt, command)
    return Sample(event_var, time_var, rows, event, time, group, groups)


def check_event_time(event: np.ndarray, time: np.ndarray, event_var: str, time_var: str,
                     stmt: ast.Command, command: str) -> None:
    """Errors (naming the variable, never a value) for a non-0/1 event or a negative time."""
    if not np.all((event == 0) | (event == 1)):
        raise MdlRuntimeError(
            f"the event variable {event_var} must be 0 (censored) or 1 (event)", span_of(stmt.args[0]),
            hint=f"make it with: generate {event_var}01 = <condition>",
        )
    if np.any(time < 0):
        raise MdlRuntimeError(
            f"the time variable {time_var} must not be negative", span_of(stmt.args[1]),
            hint="count time units from the start date, e.g. with date functions, and drop negative durations",
        )


def time_grid(ctx: AnalysisContext, time_var: str) -> list[float] | None:
    """Grid boundaries from 0 to a released upper percentile of the whole time column (the
    dataset, not the selection: P99, else P95, else P75), on round numbers; None when no
    percentile may be released."""
    values = numeric_values(ctx, time_var, None, ctx.command)
    cells = np.where(np.isnan(values), -1, 0)
    quants, _ = ctx.gate.protect_quantiles(cells, 1, values, ctx.contributors, UPPER_PROBS)
    upper = next((q for q in (quants[0].get(p) for p in UPPER_PROBS) if isinstance(q, (int, float))), None)
    if upper is None or upper <= 0:
        return None
    step = nice_step(upper, GRID_INTERVALS)
    count = max(1, math.ceil(upper / step - 1e-9))
    return [round_sig(i * step, 12) for i in range(count + 1)]


@dataclass
class Band:
    """One released band ``[start, end)``: true persons at risk at its start and events in it,
    the product-limit survival at its end and the Greenwood sum up to its end."""

    start: float
    end: float
    at_risk: int
    events: int
    survival: float
    greenwood: float


def product_limit(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct event times, persons at risk and events at each, and the survival after each."""
    order = np.argsort(time, kind="stable")
    t, d = time[order], event[order]
    uniq, first = np.unique(t, return_index=True)
    n = len(t)
    at_risk = n - first
    deaths = np.add.reduceat(d, first) if n else np.empty(0)
    has = deaths > 0
    uniq, at_risk, deaths = uniq[has], at_risk[has], deaths[has]
    surv = np.cumprod(1.0 - deaths / at_risk)
    return uniq, at_risk.astype(np.int64), deaths.astype(np.int64), surv


def protected_bands(time: np.ndarray, event: np.ndarray, grid: list[float], threshold: int) -> list[Band]:
    """The bands of one group (see the module docstring), decided on true counts."""
    times, at_risk, deaths, surv = product_limit(time, event)
    gw_terms = np.where(at_risk > deaths, deaths / (at_risk * np.maximum(at_risk - deaths, 1)), np.inf)
    greenwood = np.cumsum(gw_terms)
    sorted_t = np.sort(time)
    bands: list[Band] = []
    start_i = 0
    for end_i in range(1, len(grid)):
        start, end = grid[start_i], grid[end_i]
        inside = (times >= start) & (times < end)
        n_events = int(deaths[inside].sum())
        if n_events < threshold:
            continue
        risk_start = len(sorted_t) - int(np.searchsorted(sorted_t, start, side="left"))
        last = int(np.flatnonzero(inside)[-1])
        if risk_start < threshold or at_risk[last] < threshold or risk_start - n_events < threshold:
            break
        bands.append(Band(start, end, risk_start, n_events, float(surv[last]), float(greenwood[last])))
        start_i = end_i
    return bands


def loglog_interval(survival: float, greenwood: float, level: float) -> tuple[float | None, float | None]:
    """The log-log confidence interval of a survival estimate (None where undefined)."""
    from scipy.stats import norm

    if not (0.0 < survival < 1.0) or not math.isfinite(greenwood):
        return None, None
    z = float(norm.ppf(0.5 + level / 200.0))
    sigma = math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(z * sigma), survival ** math.exp(-z * sigma)


def band_cells(time: np.ndarray, bands: list[Band]) -> np.ndarray:
    """The band in which each time falls (len(bands) beyond the last band's end)."""
    starts = np.array([b.start for b in bands], dtype=np.float64)
    idx = np.searchsorted(starts, time, side="right") - 1
    return np.clip(idx, 0, len(bands)).astype(np.int64) if bands else np.zeros(len(time), dtype=np.int64)


def noisy_band_counts(ctx: AnalysisContext, sample: Sample, members: np.ndarray, bands: list[Band]) -> tuple[list[int], list[int]]:
    """Noisy persons at risk at each band's start and noisy events in each band.

    ``members`` selects the sample rows of one group. Every set counted here is one that is
    released (the nested risk sets, the events of each band), so the privacy ledger (D10) sees
    exactly the released cells; persons are counted once however many rows they have.
    """
    gate = ctx.gate
    contributors = ctx.contributors.take(sample.rows[members])
    time = sample.time[members]
    cell = band_cells(time, bands)
    in_band = (sample.event[members] == 1) & (time < bands[-1].end)
    agg = gate.aggregate(np.where(in_band, cell, -1), len(bands), contributors)
    events = [gate.noisy_count(int(p), k) for p, k in zip(agg.persons, agg.key_sums, strict=True)]
    at_risk: list[int] = []
    for band in bands:
        agg = gate.aggregate(np.where(time >= band.start, 0, -1), 1, contributors)
        at_risk.append(gate.noisy_count(int(agg.persons[0]), agg.key_sums[0]))
    return at_risk, events


def group_counts(ctx: AnalysisContext, sample: Sample) -> tuple[list[int], list[int]]:
    """Noisy persons and noisy events of each group."""
    n_groups = len(sample.groups.labels)
    cells = np.full(len(ctx.contributors), -1, dtype=np.int64)
    cells[sample.rows] = sample.group
    agg = ctx.gate.aggregate(cells, n_groups, ctx.contributors)
    persons = [ctx.gate.noisy_count(int(p), k) for p, k in zip(agg.persons, agg.key_sums, strict=True)]
    cells[sample.rows] = np.where(sample.event == 1, sample.group, -1)
    agg = ctx.gate.aggregate(cells, n_groups, ctx.contributors)
    events = [ctx.gate.noisy_count(int(p), k) for p, k in zip(agg.persons, agg.key_sums, strict=True)]
    return persons, events


def released_bands(ctx: AnalysisContext, sample: Sample, members: np.ndarray, grid: list[float],
                   level: float = 95.0) -> list[dict[str, Any]]:
    """The released bands of one group: bands decided on true counts, then cut where a noisy
    count falls below T; survival and its interval rounded to the policy's digits."""
    pol = ctx.gate.policy
    bands = protected_bands(sample.time[members], sample.event[members], grid, pol.threshold)
    if not bands:
        return []
    at_risk, events = noisy_band_counts(ctx, sample, members, bands)
    out: list[dict[str, Any]] = []
    for band, n_risk, n_ev in zip(bands, at_risk, events, strict=True):
        if n_risk < pol.threshold or n_ev < pol.threshold:
            break
        low, high = loglog_interval(band.survival, band.greenwood, level)
        out.append({
            "start": band.start, "end": band.end, "at_risk": n_risk, "events": n_ev,
            "survival": round_sig(band.survival, pol.model_digits),
            "ci_low": None if low is None else round_sig(low, pol.model_digits),
            "ci_high": None if high is None else round_sig(high, pol.model_digits),
        })
    return out


def survival_time(bands: list[dict[str, Any]], level: float) -> float | None:
    """The first band end at which the released survival is at or below ``level`` (None when
    the released curve does not get there)."""
    for band in bands:
        if band["survival"] <= level:
            return band["end"]
    return None
