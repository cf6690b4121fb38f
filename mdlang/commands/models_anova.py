"""``anova``: analysis of variance (ANCOVA with ``c.`` covariates) through the model gate.

Plain variables are factors (as in Stata's anova); ``c.x`` is a continuous covariate; ``a#b`` and
``a##b`` work as in regress. Each term's partial sum of squares is the increase of the residual
sum of squares when its columns are left out (dummy coding, lowest level as base). ``posthoc``
adds Tukey HSD comparisons of the groups of every one-variable factor term (group means of the
outcome; every group already passed the gate's T-persons rule).
"""

from __future__ import annotations

from mdlang.commands.models_common import prepare
from mdlang.commands.models_design import factor_levels, level_name, parse_terms
from mdlang.commands.models_ols import fit_ols
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.context import AnalysisContext
from mdlang.results import Result
from mdlang.syntax import ast

COLUMNS = ("Source", "Partial SS", "df", "MS", "F", "p")


def _as_factors(items: tuple[ast.Expr, ...]) -> tuple[ast.Expr, ...]:
    """Plain names become ``i.`` terms; ``c.``-prefixed and interaction terms stay as written."""
    out: list[ast.Expr] = []
    for item in items:
        if isinstance(item, ast.Name):
            out.append(ast.FactorTerm((ast.FactorVar("i", item, span=item.span),), span=item.span))
        else:
            out.append(item)
    return tuple(out)


@analysis("anova")
def anova(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The ``anova`` command (see the module docstring)."""
    from scipy import stats as sps
    command = ctx.command or "anova"
    terms = parse_terms(_as_factors(stmt.args[1:]))
    prep = prepare(ctx, stmt, command, terms=terms)
    if isinstance(prep, Result):
        return [prep]
    d = prep.design
    gate = ctx.gate
    fit = fit_ols(d.X, d.y, constant=d.constant, sufficient=d.sufficient)
    refusal = (model_gate.check_leverage(gate, fit.max_leverage, command=command, line=ctx.line)
               or model_gate.check_r2(gate, fit.r2, command=command, line=ctx.line))
    if refusal is not None:
        return [refusal]
    ms_resid = fit.ss_resid / fit.df_r
    rows: list[list] = [["Model", fit.ss_model, fit.df_m, fit.ss_model / fit.df_m, fit.f, fit.p_f]]
    for t, term in enumerate(terms):
        cols = [j for j, owner in enumerate(d.term_of) if owner == t]
        if not cols:
            continue
        keep = [j for j in range(d.k) if j not in cols]
        reduced = fit_ols(d.X[:, keep], d.y, constant=d.constant) if keep else None
        ss = (reduced.ss_resid if reduced is not None else float(d.y @ d.y)) - fit.ss_resid
        df = len(cols)
        f = (ss / df) / ms_resid
        label = "#".join(p.name for p in term.parts)
        rows.append([label, ss, df, ss / df, f, float(sps.f.sf(f, df, fit.df_r))])
    rows.append(["Residual", fit.ss_resid, fit.df_r, ms_resid, None, None])
    rows.append(["Total", fit.ss_total, fit.df_m + fit.df_r, fit.ss_total / (fit.df_m + fit.df_r), None, None])
    stats = {"n": fit.n, "r2": fit.r2, "adj_r2": fit.adj_r2, "rmse": fit.rmse}
    table = ModelTable("Analysis of variance", d.depvar, rows, stats, columns=COLUMNS, kind="table")
    # df of the residual and total rows reveal n exactly; they move with the noisy n.
    noise = model_gate.count_noise(gate, prep.contributors, d.rows)
    rows[-2][2] += noise
    rows[-1][2] += noise
    out = [model_gate.release_model(gate, table, prep.contributors, command=command, line=ctx.line, rows=d.rows)]
    if any(o.name == "posthoc" for o in stmt.options):
        out.append(_posthoc(ctx, prep, terms, command))
    return out


def _posthoc(ctx: AnalysisContext, prep, terms, command: str) -> Result:
    from statsmodels.stats.multicomp import pairwise_tukeyhsd  # lazy: statsmodels is slow to import

    d = prep.design
    rows: list[list] = []
    for term in terms:
        if len(term.parts) != 1 or not term.parts[0].factor:
            continue
        name = term.parts[0].name
        # level codes in the design's order (numbers numerically), named like the model's terms
        factor = factor_levels(ctx, name, d.rows)
        res = pairwise_tukeyhsd(d.y, factor.codes)
        groups = [int(g) for g in res.groupsunique]
        label = [level_name(ctx, name, factor.levels[g]).split("=", 1)[1] for g in groups]
        k = 0
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                lo, hi = res.confint[k]
                rows.append([f"{name}: {label[j]} vs {label[i]}", float(res.meandiffs[k]), float(lo), float(hi),
                             float(res.pvalues[k])])
                k += 1
    table = ModelTable("Tukey HSD pairwise comparisons", d.depvar, rows, {},
                       columns=("Comparison", "Difference", "Lower", "Upper", "p"), kind="table")
    return model_gate.release_model(ctx.gate, table, None, command=command, line=ctx.line)



