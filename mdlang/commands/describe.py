"""``tabulate`` and ``summarize``: descriptive tables released through the disclosure gate.

Both handlers compute which dataset rows fall in which cell and hand that, with the raw values,
to the gate (``ctx.gate``); every number in the result is a released one (noisy count, protected
magnitude, micro-aggregated quantile) or a suppression marker. Percentages and the chi-squared
test are computed from released counts only.

Layouts follow interfaces.md: a one-way table has columns ``[<var>, "Freq.", "Percent",
"Cum."]`` and a ``"Total"`` row; a two-way (or larger) table has the row variable(s), one column
per category of the last variable and ``"Total"``; when several cell contents are shown
(``freq``, ``rowpct``, ``colpct``, ``cellpct``, ``summarize()`` statistics), ``data["content"]``
lists them and each row category has one row per content, in that order. ``flatten`` gives one
row per cell combination with one column per content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from mdlang.commands.registry import analysis
from mdlang.disclosure.classdisc import apply_class_rule
from mdlang.disclosure.refusals import no_values_rule, table_size_rule
from mdlang.disclosure.rounding import round_sig
from mdlang.disclosure.table_layout import (
    PCT,
    WITHHELD,
    chi2_test,
    flat,
    one_way,
    percent_grid,
    sort_key,
    two_way,
)
from mdlang.disclosure.tables import (
    Grid,
    Layout,
    assemble,
    count_grid,
    magnitude_grids,
    stat_grids,
    table_layouts,
)
from mdlang.engine.context import AnalysisContext, Contributors, known_codes
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

PANEL_TIME = "date@panel"
SUMMARY_STATS = ("mean", "std", "sum", "p25", "p50", "p75", "gini", "iqr")
MAGNITUDE_OF = {"mean": "mean", "std": "sd", "sum": "sum", "gini": "gini"}
QUANTILE_OF = {"p25": 0.25, "p50": 0.5, "p75": 0.75}
MISSING_LABEL = "."


def _noise_note(ctx: AnalysisContext) -> str:
    pol = ctx.gate.policy
    below = (
        f"counts of fewer than {pol.threshold} persons"
        if ctx.contributors.person_id is None
        else f"counts below {pol.threshold}"
    )
    return (
        f"Counts are perturbed (cell-key noise, |noise| <= {pol.noise_bound}); totals are perturbed "
        f"on their own, so cells need not add up to them; {below} are shown as <{pol.threshold}."
    )


SEVERAL_ROWS_NOTE = (
    "Several rows per person: each cell counts persons; totals are the sums of their cells and "
    "percentages are of those sums (the threshold applies to the distinct persons behind each number)."
)


def units_note(ctx: AnalysisContext) -> str:
    """The note of a collapsed dataset: counts are units (rows), the threshold counts persons."""
    unit = ctx.unit_type.lower() if ctx.unit_type else "units"
    return (
        f"Each row of this dataset aggregates several persons: N and counts are numbers of units "
        f"({unit}), perturbed; the threshold of {ctx.gate.policy.threshold} applies to the persons behind them."
    )


# ------------------------------------------------------------------------------------------------
# Released counts
# ------------------------------------------------------------------------------------------------


def _layouts(row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> list[tuple[np.ndarray, int]]:
    """Cell arrays of the interior, the row margins, the column margins and the total."""
    inside = (row >= 0) & (col >= 0)
    return [
        (np.where(inside, row * n_cols + col, -1), n_rows * n_cols),
        (np.where(inside, row, -1), n_rows),
        (np.where(inside, col, -1), n_cols),
        (np.where(inside, 0, -1), 1),
    ]


def _margin_sums(values: np.ndarray, keys: np.ndarray, n_rows: int, n_cols: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Interior values and key sums with their row, column and grand sums (keys wrap mod 2**64)."""
    v = values.reshape(n_rows, n_cols)
    k = keys.reshape(n_rows, n_cols)
    return [
        (v.reshape(-1), k.reshape(-1)),
        (v.sum(axis=1), k.sum(axis=1, dtype=np.uint64)),
        (v.sum(axis=0), k.sum(axis=0, dtype=np.uint64)),
        (v.sum(keepdims=True).reshape(1), k.sum(dtype=np.uint64, keepdims=True).reshape(1)),
    ]


def released_counts(
    ctx: AnalysisContext, row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int, notes: list[str] | None = None
) -> Grid:
    """The released count grid of a table, coherent for every kind of dataset.

    * One row per person: distinct persons per cell; margins are perturbed on their own.
    * Several rows per person (event, panel): a cell counts its distinct persons and every margin
      is the sum of its cells (person-times, as microdata.no counts observations), perturbed with
      the key of those cells; a margin is withheld when its distinct persons are below T.
    * Rows that aggregate persons (collapsed): a cell counts its units (rows), perturbed with the
      key of their contributors; withheld when the persons behind it are below T.

    The matching note is appended to ``notes``.
    """
    return count_table(ctx.gate, row, col, n_rows, n_cols, ctx.contributors, ctx, notes)


def count_table(
    gate: Any,
    row: np.ndarray,
    col: np.ndarray,
    n_rows: int,
    n_cols: int,
    contributors: Contributors,
    ctx: AnalysisContext,
    notes: list[str] | None = None,
) -> Grid:
    """:func:`released_counts` for explicit contributors (transition tables pass their own)."""
    sink: list[str] = [] if notes is None else notes
    if contributors.person_id is not None and gate.disjoint(contributors):
        # count_grid builds its own cell arrays: building them here too costs four passes
        return count_grid(gate, row, col, n_rows, n_cols, contributors)
    layouts = _layouts(row, col, n_rows, n_cols)
    interior, n_interior = layouts[0]
    if contributors.person_id is None:
        sink.append(units_note(ctx))
        agg = gate.aggregate(interior, n_interior, contributors)
        gate.note_margins(interior, n_rows, n_cols, contributors, agg)  # margins are releases too (D10)
        inside = interior >= 0
        units = np.bincount(interior[inside], minlength=n_interior)[:n_interior].astype(np.int64)
        keys = np.array(agg.key_sums, dtype=np.uint64)
        parts = [
            [_unit_value(gate, int(u), int(p), int(k)) for u, p, k in zip(us, ps, ks, strict=True)]
            for (us, ks), (ps, _) in zip(_margin_sums(units, keys, n_rows, n_cols), _margin_sums(agg.persons, keys, n_rows, n_cols), strict=True)
        ]
        return assemble(parts, n_rows, n_cols)
    sink.append(SEVERAL_ROWS_NOTE)
    aggs = [gate.aggregate(cells, n, contributors) for cells, n in layouts]
    keys = np.array(aggs[0].key_sums, dtype=np.uint64)
    sums = _margin_sums(aggs[0].persons.astype(np.int64), keys, n_rows, n_cols)
    parts = []
    for (total, total_keys), agg in zip(sums, aggs, strict=True):
        parts.append(
            [
                _sum_value(gate, int(t), int(tk), int(p), k)
                for t, tk, p, k in zip(total, total_keys, agg.persons, agg.key_sums, strict=True)
            ]
        )
    return assemble(parts, n_rows, n_cols)


def _unit_value(gate: Any, units: int, persons: int, key_sum: int) -> int | str:
    """A count of units released only when its persons reach the threshold."""
    decided = gate.count_value(persons, key_sum)
    return decided if isinstance(decided, str) else gate.noisy_count(units, key_sum)


def _sum_value(gate: Any, total: int, total_key: int, persons: int, key_sum: int) -> int | str:
    """A sum of cell counts released only when its distinct persons reach the threshold."""
    decided = gate.count_value(persons, key_sum)
    return decided if isinstance(decided, str) else gate.noisy_count(total, total_key)


# ------------------------------------------------------------------------------------------------
# Statement helpers
# ------------------------------------------------------------------------------------------------


def _name(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.String):
        return expr.value
    raise MdlRuntimeError("expected a variable name here", getattr(expr, "span", None), hint="write the variable's name")


def _span(expr: Any) -> Any:
    span = getattr(expr, "span", None)
    return span if span is not None and span.line else None


def _variables(ctx: AnalysisContext, exprs: tuple[ast.Expr, ...], command: str) -> list[str]:
    """The variable names of an argument list, each checked to exist in the active dataset."""
    names = []
    for expr in exprs:
        name = _name(expr)
        if name not in ctx.variables:
            raise MdlRuntimeError(
                f"{name} is not a variable of the active dataset",
                _span(expr),
                hint=f"import or generate {name} before {command}, or check the spelling",
            )
        names.append(name)
    return names


def _options(stmt: ast.Command) -> dict[str, ast.Option]:
    return {opt.name: opt for opt in stmt.options}


def _literal(expr: ast.Expr) -> str:
    """An option argument (a code) as text."""
    if isinstance(expr, ast.Number):
        return _fmt(expr.value)
    if isinstance(expr, ast.String):
        return expr.value
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Unary) and expr.op == "-" and isinstance(expr.operand, ast.Number):
        return _fmt(-expr.operand.value)
    raise MdlRuntimeError("expected a code here", _span(expr), hint="write the code as a number or a quoted string")


def _int_option(opt: ast.Option, command: str) -> int:
    if not opt.args or len(opt.args) != 1 or not isinstance(opt.args[0], ast.Number) or opt.args[0].value <= 0:
        raise MdlRuntimeError(
            f"{opt.name}() needs one positive whole number", _span(opt), hint=f"for example: {command} x, {opt.name}(10)"
        )
    return int(opt.args[0].value)


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------------------------------------
# Categories
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """A variable's rows as category numbers (-1 = not counted) and its categories in order."""

    name: str
    codes: np.ndarray
    categories: list[Any]


def _factor(ctx: AnalysisContext, name: str, with_missing: bool) -> Factor:
    series = ctx.frame[name]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cats = list(series.cat.categories)
    elif (known := known_codes(series.array)) is not None:
        codes, cats = known  # a recoded text variable: its factorisation came with it
    else:
        codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
        codes = codes.astype(np.int64)
        cats = list(uniques)
    codes, cats = pool_rare_values(ctx, name, codes, cats)
    if with_missing:
        codes = np.where(codes < 0, len(cats), codes)
        cats.append(None)
    return Factor(name, codes, cats)


class RareValues(str):
    """The pooled category of values that fewer than T persons hold (see :func:`pool_rare_values`)."""


def pool_rare_values(ctx: AnalysisContext, name: str, codes: np.ndarray, cats: list[Any]) -> tuple[np.ndarray, list[Any]]:
    """Pool the categories that fewer than T persons of the whole dataset hold into one row.

    A category's name is released the moment a table lists it, even beside a suppressed count.
    For a variable without a code list (``generate top = lønn if lønn > 2000000``) the names
    would be individual persons' exact values; with a code list, or a label set the researcher
    defined for guessed values, a listed rare code would still tell that someone holds it. So
    every category is named only when the whole dataset holds it for at least T persons (decided
    on the noisy count, as every threshold); the rest share one row. Measurement times are
    chosen by the script and are always shown.
    """
    if name == PANEL_TIME or not cats:
        return codes, cats
    gate = ctx.gate
    groups = gate.group_contributors(codes, len(cats), ctx.contributors)  # not a release
    shown = [
        not isinstance(gate.count_value(int(p), int(k)), str)
        for p, k in zip(groups.count, groups.key_sum, strict=True)
    ]
    if all(shown):
        return codes, cats
    kept = [c for c, keep in zip(cats, shown, strict=True) if keep]
    pooled = len(kept)
    remap = np.where(np.array(shown), np.cumsum(shown) - 1, pooled).astype(np.int64)
    new_codes = np.where(codes >= 0, remap[np.where(codes >= 0, codes, 0)], -1)
    return new_codes, [*kept, RareValues(f"values of fewer than {gate.policy.threshold} persons each")]


def _observed(factors: list[Factor], selected: np.ndarray) -> tuple[list[Factor], np.ndarray]:
    """Keep the categories that occur in the whole dataset; rows outside the selection get -1.

    Categories come from the whole dataset, not from the selected rows, so which rows a table
    has never tells which categories the selected persons have.
    """
    inside = selected.copy()
    for f in factors:
        inside &= f.codes >= 0
    out = []
    for f in factors:
        # shifted by one, the uncounted rows (-1) fall in bin 0: no filtered copy of the codes
        present = np.bincount(f.codes + 1, minlength=len(f.categories) + 1)[1:] > 0
        if present.all():
            codes = np.where(inside, f.codes, -1)  # every category occurs: the codes stay
        else:
            remap = np.cumsum(present) - 1
            codes = np.where(inside, remap[np.where(inside, f.codes, 0)], -1)
        out.append(Factor(f.name, codes, [c for c, p in zip(f.categories, present, strict=True) if p]))
    return out, inside


def _label(ctx: AnalysisContext, var: str, value: Any, nolabels: bool) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return MISSING_LABEL
    info = ctx.variables.get(var)
    labels = info.labels if info is not None else None
    # date@panel from reshape-to-panel carries its suffix texts as labels; only import-panel's
    # epoch-day times need the date guess.
    if labels and (not nolabels or var == PANEL_TIME):
        for key in (value, _fmt(value), str(value)):
            if key in labels:
                return str(labels[key])
    if var == PANEL_TIME:
        return _panel_time_label(value)
    return _fmt(value)


def _selected(ctx: AnalysisContext) -> np.ndarray:
    n = len(ctx.frame)
    if ctx.mask is None:
        return np.ones(n, dtype=bool)
    return np.asarray(ctx.mask, dtype=bool)


# ------------------------------------------------------------------------------------------------
# tabulate
# ------------------------------------------------------------------------------------------------


@analysis("tabulate")
def tabulate(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """Frequency (or volume) tables of one or more categorical variables, protected."""
    gate = ctx.gate
    opts = _options(stmt)
    names = _variables(ctx, stmt.args, "tabulate")
    if not names:
        raise MdlRuntimeError("tabulate needs at least one variable", _span(stmt), hint="for example: tabulate kjønn")
    nolabels = "nolabels" in opts
    summarize_vars = _summarize_vars(ctx, opts)
    columns = [(name, _numeric(ctx, name)) for name in summarize_vars]
    gate.prefetch(columns, ctx.contributors)  # their bounds, while the counts are made
    factors = [_factor(ctx, n, "missing" in opts) for n in names]
    factors, inside = _observed(factors, _selected(ctx))
    sizes = [max(len(f.categories), 1) for f in factors]
    if int(np.prod(sizes, dtype=np.float64)) > gate.policy.max_table_cells:
        return [gate.refuse(ctx.command, ctx.line, table_size_rule(gate.policy))]

    row_factors = factors[:-1] if len(factors) > 1 else factors
    col_factor = factors[-1] if len(factors) > 1 else None
    row = np.zeros(len(inside), dtype=np.int64)
    n_rows = 1
    for f in row_factors:
        row = row * len(f.categories) + f.codes
        n_rows *= len(f.categories)
    row = np.where(inside, row, -1)
    col = col_factor.codes if col_factor is not None else np.where(inside, 0, -1)
    n_cols = len(col_factor.categories) if col_factor is not None else 1
    row_labels = _row_labels(ctx, row_factors, nolabels)
    col_labels = [_label(ctx, col_factor.name, c, nolabels) for c in col_factor.categories] if col_factor else []

    notes = [_noise_note(ctx)]
    protections = ["cell-key noise", "threshold"]
    layouts = _layouts_ahead(ctx, row, col, n_rows, n_cols) if summarize_vars else None
    counts = released_counts(ctx, row, col, n_rows, n_cols, notes)
    counts = _class_disclosure(ctx, row_factors, col_factor, counts, notes, protections)
    if summarize_vars:
        blocks = {"freq": counts} if "freq" in opts else {}
        assert layouts is not None
        blocks.update(_summary_blocks(ctx, opts, columns, layouts(), row, col, n_rows, n_cols, notes, protections))
    else:
        blocks = _count_blocks(opts, counts, two_way=col_factor is not None)
    if any(v == WITHHELD for g in blocks.values() for r in g for v in r) and not any(n.startswith("x:") for n in notes):
        notes.append("x: withheld (the percentage of a count shown as below the threshold).")

    order_rows, order_cols = _ordering(opts, blocks, counts, _row_codes(row_factors), col_factor)
    stats = chi2_test(counts) if "chi2" in opts and col_factor is not None else {}
    if stats:
        notes.append("The chi-squared test is computed from the released (perturbed) counts.")
    title = " × ".join(names)
    if col_factor is None:
        data = one_way(names[0], blocks, row_labels, order_rows, summarize_vars)
    elif "flatten" in opts:
        data = flat(names, blocks, row_labels, col_labels, order_rows, order_cols)
    else:
        data = two_way(names, blocks, row_labels, col_labels, order_rows, order_cols)
    data = {"title": title, **data, "stats": stats}
    cells = sum(len(r) for g in blocks.values() for r in g)
    return [gate.release(ctx.command, ctx.line, "table", data, notes, protections=protections, cells=cells)]


def _count_blocks(opts: dict[str, ast.Option], counts: Grid, two_way: bool) -> dict[str, Grid]:
    """The cell contents asked for: counts (the default) and row, column or cell percentages."""
    pcts = [k for k in PCT if k in opts] if two_way else []
    blocks = {"freq": counts} if "freq" in opts or not pcts else {}
    for k in pcts:
        blocks[k] = percent_grid(counts, k)
    return blocks


def _class_disclosure(
    ctx: AnalysisContext, row_factors: list[Factor], col_factor: Factor | None, counts: Grid, notes: list[str], protections: list[str]
) -> Grid:
    """D13: withhold the breakdown of small groups across a variable marked sensitive."""
    pol = ctx.gate.policy
    if not pol.class_disclosure:
        return counts
    rows_sensitive = any(ctx.variables[f.name].sensitive for f in row_factors)
    cols_sensitive = col_factor is not None and ctx.variables[col_factor.name].sensitive
    if not (rows_sensitive or cols_sensitive):
        return counts
    counts, changed = apply_class_rule(counts, rows_sensitive, cols_sensitive, pol.class_group)
    protections.append("class disclosure")
    if changed:
        notes.append(
            f"x: withheld by the class-disclosure rule (groups of fewer than {pol.class_group} persons "
            "are not broken down by a sensitive variable)."
        )
    return counts


def _row_labels(ctx: AnalysisContext, factors: list[Factor], nolabels: bool) -> list[tuple[str, ...]]:
    """The stub labels of every row category (combinations of the row variables, in order)."""
    return _combinations([[_label(ctx, f.name, c, nolabels) for c in f.categories] for f in factors])


def _row_codes(factors: list[Factor]) -> list[tuple[str, ...]]:
    """The codes of every row category, aligned with :func:`_row_labels`."""
    return _combinations([[MISSING_LABEL if c is None else _fmt(c) for c in f.categories] for f in factors])


def _combinations(parts: list[list[str]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for names in parts:
        out = [prefix + (n,) for prefix in out for n in names]
    return out


def _summarize_vars(ctx: AnalysisContext, opts: dict[str, ast.Option]) -> list[str]:
    opt = opts.get("summarize")
    if opt is None:
        return []
    names = _variables(ctx, opt.args or (), "tabulate")
    if not names:
        raise MdlRuntimeError("summarize() needs a numeric variable", _span(opt), hint="for example: summarize(inntekt)")
    for name, expr in zip(names, opt.args or (), strict=True):
        if not ctx.variables[name].numeric:
            raise MdlRuntimeError(
                f"{name} is not numeric and cannot be summarised", _span(expr), hint="use a numeric variable in summarize()"
            )
    return names


def _numeric(ctx: AnalysisContext, name: str) -> np.ndarray:
    series = ctx.frame[name]
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = pd.to_numeric(series.astype("object"), errors="coerce")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _layouts_ahead(ctx: AnalysisContext, row: np.ndarray, col: np.ndarray, n_rows: int, n_cols: int) -> Callable[[], list[Layout]]:
    """The layouts of a table (:func:`table_layouts`) for its ``summarize()``: on large data
    built on the background thread while the counts are released, else when asked for."""
    if len(row) < ctx.gate.AHEAD_MIN_ROWS:
        return partial(table_layouts, row, col, n_rows, n_cols)
    from mdlang.parallel import background

    return background().submit(table_layouts, row, col, n_rows, n_cols).result


def _summary_blocks(
    ctx: AnalysisContext,
    opts: dict[str, ast.Option],
    columns: list[tuple[str, np.ndarray]],
    layouts: list[Layout],
    row: np.ndarray,
    col: np.ndarray,
    n_rows: int,
    n_cols: int,
    notes: list[str],
    protections: list[str],
) -> dict[str, Grid]:
    """One grid per (variable, statistic) of tabulate's summarize(); ``columns``: each
    variable's name and values (:func:`_numeric`)."""
    gate = ctx.gate
    stats = [s for s in SUMMARY_STATS if s in opts] or ["mean"]
    blocks: dict[str, Grid] = {}
    winsorised = dominated = False
    extra: list[str] = []
    for name, values in columns:  # ``layouts`` serve every variable and statistic
        mags = [MAGNITUDE_OF[s] for s in stats if s in MAGNITUDE_OF]
        probs = sorted({QUANTILE_OF[s] for s in stats if s in QUANTILE_OF} | ({0.25, 0.75} if "iqr" in stats else set()))
        grids: dict[str, Grid] = {}
        if mags:
            found, sink = magnitude_grids(gate, layouts, n_rows, n_cols, values, ctx.contributors, name, tuple(mags))
            grids.update(found)
            winsorised |= any(r.winsorised for r in sink)
            dominated |= any(r.dominated for r in sink)
            extra.extend(n for r in sink for n in r.notes if n not in extra)
        if probs:
            release_q = partial(_release_quantiles, gate, ctx.contributors, values, probs)
            grids.update(stat_grids(release_q, row, col, n_rows, n_cols, [f"q{p}" for p in probs], layouts))
        for s in stats:
            if s in MAGNITUDE_OF:
                grid = grids[MAGNITUDE_OF[s]]
            elif s in QUANTILE_OF:
                grid = grids[f"q{QUANTILE_OF[s]}"]
            else:
                grid = _iqr_grid(grids["q0.25"], grids["q0.75"], gate.policy.quantile_digits)
            blocks[f"{s}({name})"] = grid
    protections += ["winsorisation", "dominance"] if any(s in MAGNITUDE_OF for s in stats) else []
    if any(s in QUANTILE_OF or s == "iqr" for s in stats):
        protections.append("micro-aggregation")
        notes.append(
            f"Percentiles are means of the {gate.policy.quantile_k} nearest values, rounded to "
            f"{gate.policy.quantile_digits} significant digits, and need at least "
            f"{2 * gate.policy.quantile_k} persons."
        )
    notes.extend(_magnitude_notes(ctx, winsorised, dominated, any(s in MAGNITUDE_OF for s in stats)))
    notes.extend(extra)
    return blocks


def _release_quantiles(gate: Any, contributors: Any, values: np.ndarray, probs: list[float], cells: np.ndarray, n: int) -> list[dict[str, Any]]:
    """Released quantiles of one table layout, keyed ``q<p>``."""
    qs, _ = gate.protect_quantiles(cells, n, values, contributors, probs)
    return [{f"q{p}": q[p] for p in probs} for q in qs]


def _iqr_grid(q25: Grid, q75: Grid, digits: int) -> Grid:
    return [[_iqr(a, b, digits) for a, b in zip(r25, r75, strict=True)] for r25, r75 in zip(q25, q75, strict=True)]


def _iqr(p25: Any, p75: Any, digits: int) -> Any:
    if isinstance(p25, str):
        return p25
    if p25 is None or p75 is None or isinstance(p75, str):
        return None
    return round_sig(p75 - p25, digits)


def _magnitude_notes(ctx: AnalysisContext, winsorised: bool, dominated: bool, magnitudes: bool) -> list[str]:
    pol = ctx.gate.policy
    notes = []
    if magnitudes:
        notes.append(
            "Means, sums, standard deviations and Gini coefficients carry keyed noise and are rounded "
            f"to {pol.magnitude_digits} significant digits."
        )
    if winsorised:
        notes.append(
            f"Values were winsorised at percentiles {_fmt(pol.winsor_lower)} and {_fmt(pol.winsor_upper)} "
            "before computing means, sums, sds and Gini coefficients (bounds from the whole datastore "
            "for register variables, from the whole dataset for derived ones)."
        )
    if dominated:
        notes.append(
            f"x: withheld by the dominance rule (the {pol.dominance_n} largest contributors hold more "
            f"than {_fmt(pol.dominance_k)} % of the total)."
        )
    return notes


def _ordering(
    opts: dict[str, ast.Option],
    blocks: dict[str, Grid],
    counts: Grid,
    row_codes: list[tuple[str, ...]],
    col_factor: Factor | None,
) -> tuple[list[int], list[int]]:
    """Row and column orders from colsort()/rowsort()/top()/bottom() (margins stay last)."""
    grid = next(iter(blocks.values()))
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    rows, cols = list(range(n_rows)), list(range(n_cols))
    if "colsort" in opts:
        wanted = _col_positions(opts["colsort"], col_factor, n_cols)
        rows.sort(key=lambda r: sum(sort_key(grid[r][c]) for c in wanted))
    if "rowsort" in opts:
        codes = [_literal(a) for a in (opts["rowsort"].args or ())]
        if codes and col_factor is not None:
            matches = [r for r, row_code in enumerate(row_codes) if codes[0] in row_code]
            target = matches[0] if matches else n_rows
        else:
            target = n_rows
        if col_factor is not None:
            cols.sort(key=lambda c: sort_key(grid[target][c]))
        else:
            rows.sort(key=lambda r: sort_key(grid[r][0]))
    for name, descending in (("top", True), ("bottom", False)):
        if name in opts:
            n = _int_option(opts[name], "tabulate")
            ranked = sorted(rows, key=lambda r: sort_key(counts[r][n_cols]), reverse=descending)
            rows = ranked[:n]
    return rows, cols


def _col_positions(opt: ast.Option, col_factor: Factor | None, n_cols: int) -> list[int]:
    codes = [_literal(a) for a in (opt.args or ())]
    if not codes or col_factor is None:
        return [n_cols]
    cats = [_fmt(c) for c in col_factor.categories]
    return [cats.index(code) for code in codes if code in cats] or [n_cols]


# ------------------------------------------------------------------------------------------------
# summarize
# ------------------------------------------------------------------------------------------------

SUMMARY_COLUMNS = ["Variable", "N", "Mean", "Std. dev.", "P1", "P25", "P50", "P75", "P99"]
SUMMARY_PROBS = (0.01, 0.25, 0.5, 0.75, 0.99)


@analysis("summarize")
def summarize(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """N, mean, sd and micro-aggregated percentiles of numeric variables (gini, iqr on request)."""
    opts = _options(stmt)
    names = _numeric_variables(ctx, stmt, "summarize")
    if not names:
        return [ctx.gate.refuse(ctx.command, ctx.line, no_values_rule())]
    cells = np.where(_selected(ctx), 0, -1)
    rows, flags = _summary_rows(ctx, opts, names, cells, [None])
    return [_release_summary(ctx, opts, ["Variable"], rows, flags)]


@analysis("summarize-panel")
def summarize_panel(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """summarize per measurement time of a panel dataset: one row per (variable, time)."""
    _require_panel(ctx, "summarize-panel")
    opts = _options(stmt)
    names = _numeric_variables(ctx, stmt, "summarize-panel")
    (time,), _ = _observed([_factor(ctx, PANEL_TIME, False)], np.ones(len(ctx.frame), dtype=bool))
    cells = np.where(_selected(ctx), time.codes, -1)
    labels = [_label(ctx, PANEL_TIME, c, False) for c in time.categories]
    rows, flags = _summary_rows(ctx, opts, names, cells, labels)
    return [_release_summary(ctx, opts, ["Variable", "Time"], rows, flags)]


def _numeric_variables(ctx: AnalysisContext, stmt: ast.Command, command: str) -> list[str]:
    """The variables to summarise: those named (each must be numeric), else every numeric one."""
    if not stmt.args:
        return [n for n, info in ctx.variables.items() if info.numeric and n != PANEL_TIME]
    names = _variables(ctx, stmt.args, command)
    for name, expr in zip(names, stmt.args, strict=True):
        if not ctx.variables[name].numeric:
            raise MdlRuntimeError(
                f"{name} is not numeric and cannot be summarised",
                _span(expr),
                hint=f"use tabulate {name} for a categorical variable",
            )
    return names


def _summary_rows(
    ctx: AnalysisContext, opts: dict[str, ast.Option], names: list[str], cells: np.ndarray, labels: list[str | None]
) -> tuple[list[list[Any]], tuple[bool, bool, tuple[str, ...]]]:
    """One released row per (variable, cell); ``labels[i]`` names cell i (None: a single cell).
    The flags say whether values were winsorised or cells dominated, and carry the gate's extra
    notes (e.g. the down-weighting of persons with many rows)."""
    gate = ctx.gate
    stats = ("mean", "sd") + (("gini",) if "gini" in opts else ())
    rows = []
    winsorised = dominated = False
    extra: list[str] = []
    columns = [(name, _numeric(ctx, name)) for name in names]
    # the bounds and quantile windows of the next variables are computed while this one's
    # magnitudes are (large data only; the same numbers)
    gate.prefetch(columns, ctx.contributors, cells=cells if len(labels) == 1 else None, quantiles=SUMMARY_PROBS)
    for name, values in columns:
        mags = gate.protect_magnitudes(cells, len(labels), values, ctx.contributors, variable=name, population=values, stats=stats)
        quants, _ = gate.protect_quantiles(cells, len(labels), values, ctx.contributors, SUMMARY_PROBS)
        winsorised |= mags.winsorised
        dominated |= mags.dominated
        extra.extend(n for n in mags.notes if n not in extra)
        ns = _unit_ns(ctx, cells, len(labels), values, mags.n)
        for i, label in enumerate(labels):
            m, q = mags.values[i], quants[i]
            row = [name] + ([] if label is None else [label]) + [ns[i], m["mean"], m["sd"]] + [q[p] for p in SUMMARY_PROBS]
            if "gini" in opts:
                row.append(m["gini"])
            if "iqr" in opts:
                row.append(_iqr(q[0.25], q[0.75], gate.policy.quantile_digits))
            rows.append(row)
    return rows, (winsorised, dominated, tuple(extra))


def _unit_ns(ctx: AnalysisContext, cells: np.ndarray, n_cells: int, values: np.ndarray, ns: list[int | str]) -> list[int | str]:
    """N per cell as released: on a collapsed dataset the number of units (rows) with a value,
    perturbed with the key of their contributors and withheld where ``ns`` (the released person
    counts) is; elsewhere ``ns`` itself."""
    contributors = ctx.contributors
    if contributors.person_id is not None:
        return list(ns)
    valid = np.where(np.isnan(values), -1, np.asarray(cells, dtype=np.int64))
    inside = valid >= 0
    units = np.bincount(valid[inside], minlength=n_cells)[:n_cells]
    keys = np.zeros(n_cells, dtype=np.uint64)
    np.add.at(keys, valid[inside], contributors.key_sum[inside].astype(np.uint64))
    return [n if isinstance(n, str) else ctx.gate.noisy_count(int(u), int(k)) for n, u, k in zip(ns, units, keys, strict=True)]


def _release_summary(
    ctx: AnalysisContext, opts: dict[str, ast.Option], stub: list[str], rows: list[list[Any]], flags: tuple[bool, bool, tuple[str, ...]]
) -> Result:
    pol = ctx.gate.policy
    columns = stub + SUMMARY_COLUMNS[1:] + (["Gini"] if "gini" in opts else []) + (["IQR"] if "iqr" in opts else [])
    notes = [
        f"N is perturbed (cell-key noise, |noise| <= {pol.noise_bound}); below {pol.threshold} persons nothing is shown.",
        f"Percentiles are means of the {pol.quantile_k} nearest values, rounded to {pol.quantile_digits} "
        f"significant digits, and need at least {2 * pol.quantile_k} persons (P5/P95 {pol.extreme_5_min_n}, "
        f"P1/P99 {pol.extreme_1_min_n}); minimum and maximum are never shown.",
    ]
    if ctx.contributors.person_id is None:
        notes.insert(1, units_note(ctx))
    elif not ctx.gate.disjoint(ctx.contributors):
        notes.insert(
            1,
            "Several rows per person: N counts distinct persons (the number of rows is not shown, as it "
            "would tell how many rows a person has); mean, sd and percentiles are computed over the rows, "
            f"and each percentile averages the values of at least {pol.quantile_k} different persons.",
        )
    notes.extend(_magnitude_notes(ctx, flags[0], flags[1], True))
    notes.extend(flags[2])
    data = {"title": ctx.command, "columns": columns, "rows": rows, "stats": {}}
    protections = ["cell-key noise", "threshold", "winsorisation", "dominance", "micro-aggregation"]
    cells = len(rows) * (len(columns) - len(stub))
    return ctx.gate.release(ctx.command, ctx.line, "summary", data, notes, protections=protections, cells=cells)


# ------------------------------------------------------------------------------------------------
# panel datasets
# ------------------------------------------------------------------------------------------------


@analysis("tabulate-panel")
def tabulate_panel(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """tabulate with the measurement time as the last (column) variable."""
    _require_panel(ctx, "tabulate-panel")
    return tabulate(ctx, replace(stmt, args=stmt.args + (ast.Name(PANEL_TIME),)))


def _require_panel(ctx: AnalysisContext, command: str) -> None:
    if PANEL_TIME not in ctx.variables:
        raise MdlRuntimeError(
            f"{command} needs a panel dataset",
            None,
            hint="build one with import-panel or reshape-to-panel, or use " + command.removesuffix("-panel"),
        )


def _panel_time_label(value: Any) -> str:
    """A measurement time as shown: a date for import-panel (days since 1970), else the number."""
    number = float(value)
    if number.is_integer() and not 1800 <= number <= 2200 and -40000 <= number <= 80000:
        return (date(1970, 1, 1) + timedelta(days=int(number))).isoformat()
    return _fmt(value)
