"""``ci``, ``correlate`` and ``normaltest``: small statistics of the Statistikk group that share
the model gate's protections.

* ``ci``: the mean and its standard deviation come from the gate's magnitude primitive (D5:
  winsorised, keyed noise, threshold), so they agree with ``summarize``; the standard error and
  the interval are computed from those released numbers only.
* ``correlate``: every coefficient needs T persons, both sides of a 0/1 variable T persons, no
  observation with leverage ≥ the policy's maximum in the bivariate fit, and a pair correlated
  so closely that r² ≥ the R² limit is withheld (``x``); numbers are rounded like model output.
* ``normaltest``: moments and test statistics of values winsorised at the population bounds of
  D5 (so one extreme value cannot be read back from the skewness or kurtosis), T persons each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mdlang.commands.models_design import numeric_values, two_sides
from mdlang.commands.models_options import read_options
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.rounding import round_sig
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

WITHHELD = "x"


def _names(ctx: AnalysisContext, stmt: ast.Command, command: str) -> list[tuple[str, Any]]:
    """The variables named (or every numeric variable), each with its place in the script."""
    if not stmt.args:
        return [(n, None) for n, info in ctx.variables.items() if info.numeric and "@" not in n]
    out = []
    for item in stmt.args:
        if not isinstance(item, ast.Name):
            raise MdlRuntimeError(f"{command} takes variable names", getattr(item, "span", None),
                                  hint=f"for example: {command} x y")
        out.append((item.name, item.span if item.span.line else None))
    return out


def _selected(ctx: AnalysisContext) -> np.ndarray:
    return np.ones(len(ctx.frame), dtype=bool) if ctx.mask is None else np.asarray(ctx.mask, dtype=bool)


@analysis("ci")
def ci(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """Confidence intervals of means from released means and standard deviations."""
    from scipy import stats as sps
    command = ctx.command or "ci"
    level = read_options(stmt, command).level
    gate = ctx.gate
    digits = gate.policy.model_digits
    rows = []
    winsorised = False
    extra: list[str] = []
    selected = _selected(ctx)
    for name, span in _names(ctx, stmt, command):
        values = numeric_values(ctx, name, span, command)
        cells = np.where(selected, 0, -1)
        rel = gate.protect_magnitudes(cells, 1, values, ctx.contributors, variable=name,
                                      population=values, stats=("mean", "sd"))
        winsorised |= rel.winsorised
        extra.extend(n for n in rel.notes if n not in extra)
        n, mean, sd = rel.n[0], rel.values[0]["mean"], rel.values[0]["sd"]
        if isinstance(n, str) or n == 0 or isinstance(mean, str) or sd is None or isinstance(sd, str):
            mark = n if isinstance(n, str) else (mean if isinstance(mean, str) else None)
            rows.append([name, n, mark, mark, mark, mark])
            continue
        se = sd / np.sqrt(n)
        crit = sps.t.ppf(0.5 + level / 200.0, n - 1)
        rows.append([name, n, mean, round_sig(se, digits), round_sig(mean - crit * se, digits),
                     round_sig(mean + crit * se, digits)])
    notes = ["Obs is perturbed (cell-key noise); means and standard deviations carry keyed noise "
             f"and are rounded to {gate.policy.magnitude_digits} significant digits; the interval is "
             "computed from the released values."]
    if winsorised:
        notes.append("Values were winsorised at the population percentiles of the data owner's policy.")
    notes.extend(extra)
    data = {"title": "Confidence intervals of means", "level": level,
            "columns": ["Variable", "Obs", "Mean", "Std. err.", f"[{level:g}% conf.", "interval]"],
            "rows": rows, "stats": {}}
    return [gate.release(command, ctx.line, "table", data, notes, protections=("threshold", "noise"),
                         cells=len(rows))]


def _pair_blocked(gate: Any, x: np.ndarray, y: np.ndarray) -> bool:
    """Leverage of the bivariate fit, and a near-perfect linear relation (r² ≥ the R² limit)."""
    pol = gate.policy
    for v in (x, y):
        dev = (v - v.mean()) ** 2
        sxx = dev.sum()
        if sxx <= 0 or 1.0 / len(v) + dev.max() / sxx >= pol.model_max_leverage:
            return True
    return False


@analysis("correlate")
def correlate(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """Correlation (or covariance) matrix with optional significance levels and counts."""
    from scipy import stats as sps
    command = ctx.command or "correlate"
    flags = {o.name for o in stmt.options}
    gate = ctx.gate
    pol = gate.policy
    named = _names(ctx, stmt, command)
    if len(named) < 2:
        raise MdlRuntimeError(f"{command} needs at least two variables", None, hint=f"for example: {command} x y")
    cols = {name: numeric_values(ctx, name, span, command) for name, span in named}
    names = [n for n, _ in named]
    selected = _selected(ctx)
    listwise = selected.copy()
    if "pairwise" not in flags:
        for v in cols.values():
            listwise &= ~np.isnan(v)
    k = len(names)
    coef: list[list[Any]] = [[None] * k for _ in range(k)]
    pval: list[list[Any]] = [[None] * k for _ in range(k)]
    nobs: list[list[Any]] = [[None] * k for _ in range(k)]
    withheld = False
    for i in range(k):
        for j in range(i + 1):
            ok = listwise if "pairwise" not in flags else selected & ~np.isnan(cols[names[i]]) & ~np.isnan(cols[names[j]])
            rows = np.flatnonzero(ok)
            x, y = cols[names[i]][rows], cols[names[j]][rows]
            groups = [(nm, sides, 2) for nm, sides in ((names[i], two_sides(x)), (names[j], two_sides(y)))
                      if sides is not None]
            refusal = model_gate.check_sample(gate, ctx.contributors, n_rows=len(rows), n_params=2,
                                              groups=groups, command=command, line=ctx.line, rows=rows)
            if refusal is not None:
                return [refusal]
            if _pair_blocked(gate, x, y):
                return [model_gate.refuse(gate, command, ctx.line, model_gate.leverage_rule(pol))]
            r = float(np.corrcoef(x, y)[0, 1]) if i != j else 1.0
            if i != j and r * r >= pol.model_max_r2:
                coef[i][j] = pval[i][j] = WITHHELD
                withheld = True
            else:
                coef[i][j] = float(np.cov(x, y)[0, 1]) if "covariance" in flags else r
                if i != j:
                    t = r * np.sqrt((len(rows) - 2) / max(1.0 - r * r, 1e-300))
                    pval[i][j] = float(2 * sps.t.sf(abs(t), len(rows) - 2))
            nobs[i][j] = len(rows)
    digits = pol.model_digits
    title = "Covariances" if "covariance" in flags else "Correlations"

    def table(t: str, grid: list[list[Any]], kind: str) -> dict[str, Any]:
        out = []
        for i, name in enumerate(names):
            row: list[Any] = [name]
            for cell in grid[i]:
                if isinstance(cell, float):
                    cell = round(cell, 4) if kind == "p" else round_sig(cell, digits)
                row.append(cell)
            out.append(row)
        return {"title": t, "columns": ["", *names], "rows": out, "stats": {}}

    notes = [f"Coefficients are rounded to {digits} significant digits (D7)."]
    if withheld:
        notes.append("x: withheld, the two variables are (almost) perfectly related.")
    results = [gate.release(command, ctx.line, "table", table(title, coef, "coef"), notes,
                            protections=("model gate", "rounding"), cells=k * (k + 1) // 2)]
    if "sig" in flags:
        results.append(gate.release(command, ctx.line, "table", table("Significance levels (p)", pval, "p"), (),
                                    protections=("model gate", "rounding"), cells=k * (k - 1) // 2))
    if "obs" in flags:
        counts = [[_noisy_count(gate, ctx, cols, names, i, j, selected, listwise, flags) if j <= i else None
                   for j in range(k)] for i in range(k)]
        results.append(gate.release(command, ctx.line, "table",
                                    {"title": "Number of observations", "columns": ["", *names],
                                     "rows": [[n, *c] for n, c in zip(names, counts, strict=True)], "stats": {}},
                                    ("Counts are perturbed (cell-key noise).",), protections=("noise",),
                                    cells=k * (k + 1) // 2))
    return results


def _noisy_count(gate: Any, ctx: AnalysisContext, cols: dict[str, np.ndarray], names: list[str], i: int, j: int,
                 selected: np.ndarray, listwise: np.ndarray, flags: set[str]) -> int | str:
    ok = listwise if "pairwise" not in flags else selected & ~np.isnan(cols[names[i]]) & ~np.isnan(cols[names[j]])
    return gate.protect_counts(np.where(ok, 0, -1), 1, ctx.contributors)[0]


@analysis("normaltest")
def normaltest(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """Skewness, kurtosis, their joint test, Jarque-Bera and Shapiro-Wilk per variable."""
    from scipy import stats as sps
    command = ctx.command or "normaltest"
    gate = ctx.gate
    digits = gate.policy.model_digits
    selected = _selected(ctx)
    rows: list[list[Any]] = []
    for name, span in _names(ctx, stmt, command):
        values = numeric_values(ctx, name, span, command)
        ok = selected & ~np.isnan(values)
        refusal = model_gate.check_sample(gate, ctx.contributors, n_rows=int(ok.sum()), n_params=1, groups=(),
                                          command=command, line=ctx.line, rows=np.flatnonzero(ok))
        if refusal is not None:
            return [refusal]
        bounds = gate.bounds(name, values)
        x = values[ok] if bounds is None else np.clip(values[ok], bounds[0], bounds[1])
        skew, kurt = float(sps.skew(x)), float(sps.kurtosis(x, fisher=False))
        st = [
            ("Skewness", skew, float(sps.skewtest(x).pvalue) if len(x) >= 8 else None),
            ("Kurtosis", kurt, float(sps.kurtosistest(x).pvalue) if len(x) >= 20 else None),
        ]
        if len(x) >= 20:
            k2 = sps.normaltest(x)
            st.append(("Skewness-kurtosis chi2", float(k2.statistic), float(k2.pvalue)))
        jb = sps.jarque_bera(x)
        st.append(("Jarque-Bera chi2", float(jb.statistic), float(jb.pvalue)))
        if len(x) <= 5000:
            sw = sps.shapiro(x)
            st.append(("Shapiro-Wilk W", float(sw.statistic), float(sw.pvalue)))
        for test, value, p in st:
            rows.append([name, test, round_sig(value, digits), None if p is None else round(p, 4)])
    notes = [f"Computed on values winsorised at the population percentiles of the data owner's policy; "
             f"rounded to {digits} significant digits. Shapiro-Wilk is shown for at most 5,000 observations."]
    data = {"title": "Tests of normality", "columns": ["Variable", "Test", "Statistic", "p"], "rows": rows,
            "stats": {}}
    return [gate.release(command, ctx.line, "table", data, notes, protections=("model gate", "winsorisation"),
                         cells=len(rows))]



