"""``logit``, ``probit``, ``poisson``, ``negative-binomial`` and ``mlogit`` through the model gate.

Every model passes the sample rules (:mod:`models_common`), then the outcome rules (each class
≥ T persons; no factor cell in which the outcome never varies — quasi-complete separation), then
the leverage rule on the design and a separation check on the fit, before release. Tables use
``z`` statistics; ``or``/``irr`` exponentiate coefficients and interval bounds (SE by the delta
method, as Stata); ``mfx()`` adds a table of marginal effects and ``margins()`` predictions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.commands.models_common import Prepared, prepare
from mdlang.commands.models_design import Design, level_name, sort_key
from mdlang.commands.models_linalg import crossprod, max_leverage, scaled_inverse
from mdlang.commands.models_margins import margin_rows
from mdlang.commands.models_mfx import binary_effects, delta_se, link_functions, multinomial_effects
from mdlang.commands.models_ml import MLFit, fit_ml
from mdlang.commands.models_ols import t_table
from mdlang.commands.models_regress import omitted_note, vce_note
from mdlang.commands.registry import analysis
from mdlang.disclosure import model_gate
from mdlang.disclosure.model_gate import ModelTable
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

TITLES = {
    "logit": "Logistic regression",
    "probit": "Probit regression",
    "poisson": "Poisson regression",
    "nbreg": "Negative binomial regression",
    "mlogit": "Multinomial logistic regression",
}
FAMILY_OF = {"logit": "logit", "probit": "probit", "poisson": "poisson",
             "negative-binomial": "nbreg", "mlogit": "mlogit"}
#: a fitted probability this close to 0 or 1 means the outcome is separated
SEPARATION_EPS = 1e-8


def design_leverage(X: np.ndarray) -> float:
    """The largest diagonal element of X (X'X)⁻¹ X', in chunks."""
    zero = np.zeros(X.shape[1])
    return max_leverage(X, zero, scaled_inverse(crossprod(X, zero)[0]))


def cells_separated(design: Design, classes: np.ndarray, n_classes: int) -> bool:
    """True when, in some occupied factor cell, an outcome class never occurs (or always does)."""
    for group in design.groups:
        table = np.zeros((group.n_cells, n_classes), dtype=np.int64)
        np.add.at(table, (group.cells, classes), 1)
        occupied = table.sum(axis=1) > 0
        if np.any((table[occupied] == 0).any(axis=1)):
            return True
    return False


def outcome_classes(family: str, y: np.ndarray, yspan: object, depvar: str) -> tuple[np.ndarray, int]:
    """The outcome class per row used by the outcome rules, after checking the outcome's values."""
    if family in ("logit", "probit"):
        if not np.all((y == 0) | (y == 1)):
            raise MdlRuntimeError(
                f"{depvar} must be a 0/1 variable for this model", yspan,
                hint=f"make it with: generate {depvar}01 = <condition>",
            )
        return y.astype(np.int64), 2
    if family in ("poisson", "nbreg"):
        if np.any(y < 0) or np.any(y != np.round(y)):
            raise MdlRuntimeError(
                f"{depvar} must be a count (whole numbers of 0 or more) for this model", yspan,
                hint="use regress for other outcomes",
            )
        return (y > 0).astype(np.int64), 2
    classes = y.astype(np.int64)
    return classes, int(classes.max()) + 1


def _mlogit_outcome(ctx: AnalysisContext, design: Design) -> tuple[np.ndarray, list[object]]:
    """Outcome codes with the most frequent category as base (code 0), as Stata does."""
    values = ctx.frame[design.depvar].iloc[design.rows]
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    codes, uniques = pd.factorize(values, sort=True)
    counts = np.bincount(codes, minlength=len(uniques))
    base = int(np.argmax(counts))
    order = [base] + [i for i in range(len(uniques)) if i != base]
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[codes], [uniques[i] for i in order]


def _prob_stats(fit: MLFit, k_slopes: int, vce: str, coef: np.ndarray, cov: np.ndarray, slope_idx: list[int]) -> dict:
    """Number of obs, the model test (LR, or Wald with robust/cluster SEs), pseudo R², ll."""
    from scipy import stats as sps
    if vce == "ols":
        chi2 = 2.0 * (fit.ll - fit.ll0)
    else:
        b = coef[slope_idx]
        V = cov[np.ix_(slope_idx, slope_idx)]
        try:
            chi2 = float(b @ np.linalg.solve(V, b))
        except np.linalg.LinAlgError:
            chi2 = float("nan")
    p = float(sps.chi2.sf(chi2, k_slopes)) if k_slopes else float("nan")
    pseudo = 1.0 - fit.ll / fit.ll0 if fit.ll0 else float("nan")
    return {"n": fit.n, "chi2": chi2, "df_m": k_slopes, "p_chi2": p, "pseudo_r2": pseudo, "ll": fit.ll}


def _rows(names: list[str], coef: np.ndarray, se: np.ndarray, level: float, exponentiate: bool, shown: list[bool]) -> list[list]:
    stat, p, lo, hi = t_table(coef, se, None, level)
    rows = []
    for j, name in enumerate(names):
        if not shown[j]:
            continue
        if exponentiate:
            e = float(np.exp(coef[j]))
            rows.append([name, e, e * se[j], stat[j], p[j], float(np.exp(lo[j])), float(np.exp(hi[j]))])
        else:
            rows.append([name, coef[j], se[j], stat[j], p[j], lo[j], hi[j]])
    return rows


def _ml_refusal(ctx: AnalysisContext, prep: Prepared, fit: MLFit, command: str) -> Result | None:
    fam = fit.family
    if not fit.converged or not np.all(np.isfinite(fit.params)):
        if fam in ("poisson", "nbreg"):
            raise MdlRuntimeError(
                f"{command} did not converge", None,
                hint="simplify the model; for counts without over-dispersion use poisson",
            )
        return model_gate.check_separation(ctx.gate, True, command=command, line=ctx.line)
    if fam in ("logit", "probit", "mlogit"):
        p = fit.fitted
        separated = bool(np.any(p < SEPARATION_EPS) or np.any(p > 1 - SEPARATION_EPS))
        return model_gate.check_separation(ctx.gate, separated, command=command, line=ctx.line)
    return None


def _offset(ctx: AnalysisContext, prep: Prepared) -> np.ndarray | None:
    if prep.options.exposure is None:
        return None
    name, span = prep.options.exposure
    values = ctx.frame[name].to_numpy(dtype=np.float64, na_value=np.nan)[prep.design.rows]
    if np.any(values <= 0):
        raise MdlRuntimeError(
            f"the exposure variable {name} must be greater than 0", span,
            hint=f"restrict the model with: if {name} > 0",
        )
    return np.log(values)


@analysis("logit", "probit", "poisson", "negative-binomial", "mlogit")
def ml_model(ctx: AnalysisContext, stmt: ast.Command) -> list[Result]:
    """The binary, count and multinomial model commands (see the module docstring)."""
    command = ctx.command or stmt.name
    family = FAMILY_OF[command]
    prep = prepare(ctx, stmt, command, factor_outcome=family == "mlogit")
    if isinstance(prep, Result):
        return [prep]
    fitted = fit_prepared(ctx, prep, family, command)
    if isinstance(fitted, Result):
        return [fitted]
    return release_ml(ctx, prep, fitted, family, command)


def fit_prepared(ctx: AnalysisContext, prep: Prepared, family: str, command: str) -> MLFit | Result:
    """Outcome rules, the fit, and the post-fit rules; a refusal when one of them blocks."""
    d = prep.design
    gate = ctx.gate
    levels: list[object] = []
    if family == "mlogit":
        codes, levels = _mlogit_outcome(ctx, d)
        if len(levels) < 3:
            raise MdlRuntimeError(
                f"mlogit needs an outcome with more than two categories; {d.depvar} has fewer", None,
                hint="use logit for a 0/1 outcome",
            )
        d.y = codes.astype(np.float64)
        classes, n_classes = codes, len(levels)
    else:
        classes, n_classes = outcome_classes(family, d.y, None, d.depvar)
    refusal = model_gate.check_outcome(gate, prep.contributors, classes, n_classes, command=command,
                                       line=ctx.line, rows=d.rows)
    # Count models too: a factor cell whose counts are all zero has no finite maximum (and the
    # negative binomial's dispersion search would fail on it instead of refusing).
    if refusal is None and cells_separated(d, classes, n_classes):
        refusal = model_gate.check_separation(gate, True, command=command, line=ctx.line)
    if refusal is None:
        refusal = model_gate.check_leverage(gate, design_leverage(d.X), command=command, line=ctx.line)
    if refusal is not None:
        return refusal
    fit = fit_ml(family, d.y, d.X, constant=d.constant, vce=prep.options.vce, clusters=prep.clusters,
                 offset=_offset(ctx, prep))
    fit.model_levels = levels  # type: ignore[attr-defined]
    refusal = _ml_refusal(ctx, prep, fit, command)
    return refusal if refusal is not None else fit


def release_ml(ctx: AnalysisContext, prep: Prepared, fit: MLFit, family: str, command: str) -> list[Result]:
    """The released coefficient table and the mfx/margins tables of a fitted model."""
    d, o = prep.design, prep.options
    gate = ctx.gate
    k = d.k
    se = np.sqrt(np.clip(np.diag(fit.cov), 0.0, None))
    exponentiate = ("or" in o.flags and family == "logit") or ("irr" in o.flags and family in ("poisson", "nbreg"))
    notes = omitted_note(d) + vce_note(o.vce, o.cluster[0] if o.cluster else None, linear=False)
    if o.control:
        notes.append("Control variables are estimated but not shown.")
    if exponentiate:
        notes.append("Odds ratios are shown." if family == "logit" else "Incidence-rate ratios are shown.")
    if family == "mlogit":
        levels = fit.model_levels  # type: ignore[attr-defined]
        names, shown = [], []
        for level in levels[1:]:
            prefix = level_name(ctx, d.depvar, level)
            names += [f"{prefix}: {n}" for n in d.names]
            shown += d.shown
        slope_idx = [i for i, n in enumerate(names) if not n.endswith(": _cons")]
        notes.append(f"Base outcome: {level_name(ctx, d.depvar, levels[0])}.")
    else:
        names, shown = list(d.names), list(d.shown)
        slope_idx = [j for j in range(k) if d.names[j] != "_cons"]
    coef = fit.params[: len(names)]
    cov = fit.cov[: len(names), : len(names)]
    rows = _rows(names, coef, se[: len(names)], o.level, exponentiate, shown)
    stats = _prob_stats(fit, len(slope_idx), o.vce, coef, cov, slope_idx)
    if family == "nbreg":
        stats["alpha"] = fit.alpha
    value = ("odds_ratio" if family == "logit" else "irr") if exponentiate else "coef"
    columns = ("term", value, "se", "z", "p", "ci_low", "ci_high")
    table = ModelTable(TITLES[family], d.depvar, rows, stats, "z", o.level, columns, notes)
    out = [model_gate.release_model(gate, table, prep.contributors, command=command, line=ctx.line,
                                       rows=d.rows)]
    if o.mfx is not None and family in ("logit", "probit"):
        slopes = [j for j in range(k) if d.names[j] != "_cons" and d.shown[j]]
        fn = binary_effects(family, d.X, o.mfx, o.mfx_at, slopes)
        value, mse = delta_se(fn, fit.params[:k], fit.cov[:k, :k])
        stat, p, lo, hi = t_table(value, mse, None, o.level)
        mrows = [[d.names[j], value[i], mse[i], stat[i], p[i], lo[i], hi[i]] for i, j in enumerate(slopes)]
        mt = ModelTable(f"Marginal effects ({o.mfx}, at {o.mfx_at})", d.depvar, mrows, {}, "z", o.level,
                        ("term", o.mfx, "se", "z", "p", "ci_low", "ci_high"))
        out.append(model_gate.release_model(gate, mt, None, command=command, line=ctx.line))
    if o.mfx is not None and family == "mlogit":
        out.append(_mlogit_effects(ctx, prep, fit, command))
    if o.margins is not None and family != "mlogit":
        link = _margin_link(family)
        mrows = margin_rows(ctx, d, o.margins, link, fit.params[:k], fit.cov[:k, :k], None, o.level)
        mt = ModelTable("Predictive margins", d.depvar, mrows, {}, "z", o.level,
                        ("term", "margin", "se", "z", "p", "ci_low", "ci_high"))
        out.append(model_gate.release_model(gate, mt, None, command=command, line=ctx.line))
    return out


def _mlogit_effects(ctx: AnalysisContext, prep: Prepared, fit: MLFit, command: str) -> Result:
    """The released table of an mlogit's marginal effects: one row per outcome and slope."""
    d, o = prep.design, prep.options
    levels = fit.model_levels  # type: ignore[attr-defined]
    slopes = [j for j in range(d.k) if d.names[j] != "_cons" and d.shown[j]]
    n_params = d.k * (len(levels) - 1)
    fn = multinomial_effects(d.X, o.mfx, o.mfx_at, slopes, len(levels))
    value, mse = delta_se(fn, fit.params[:n_params], fit.cov[:n_params, :n_params])
    stat, p, lo, hi = t_table(value, mse, None, o.level)
    rows = []
    for m in sorted(range(len(levels)), key=lambda i: sort_key(levels[i])):  # outcomes in their own order
        for s, j in enumerate(slopes):
            i = m * len(slopes) + s
            rows.append([f"{level_name(ctx, d.depvar, levels[m])}: {d.names[j]}", value[i], mse[i], stat[i], p[i],
                         lo[i], hi[i]])
    table = ModelTable(f"Marginal effects ({o.mfx}, at {o.mfx_at})", d.depvar, rows, {}, "z", o.level,
                       ("term", o.mfx, "se", "z", "p", "ci_low", "ci_high"),
                       [f"Effects on the probability of each outcome; base outcome: {level_name(ctx, d.depvar, levels[0])}."])
    return model_gate.release_model(ctx.gate, table, None, command=command, line=ctx.line)


def _margin_link(family: str):
    if family in ("logit", "probit"):
        cdf, pdf = link_functions(family)
        return lambda z: (cdf(z), pdf(z))
    return lambda z: (np.exp(z), np.exp(z))
