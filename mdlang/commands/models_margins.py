"""``margins()``: predictions at the means of the regressors, or per value of a dummy.

``margins()`` predicts at the sample means of every column; ``margins(d)`` predicts with the
other columns at their means and ``d`` at 0 and at 1 (or, for ``i.d``, at each level). Standard
errors come from the delta method; the prediction is ``link(x'b)`` (identity for regress, the
probability for logit/probit, the expected count for count models).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mdlang.commands.models_design import Design
from mdlang.commands.models_ols import t_table
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError, Span

Link = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _points(design: Design, var: str | None, span: Span | None) -> list[tuple[str, np.ndarray]]:
    means = design.X.mean(axis=0)
    if var is None:
        return [("at means", means)]
    plain = [j for j, name in enumerate(design.names) if name == var]
    levels = [j for j, name in enumerate(design.names) if name.startswith(f"{var}=") and "#" not in name]
    if plain:
        j = plain[0]
        values = np.unique(design.X[:, j])
        if not np.all(np.isin(values, (0.0, 1.0))):
            raise MdlRuntimeError(
                f"margins({var}) needs a 0/1 variable", span,
                hint=f"write margins() for predictions at the means, or use a 0/1 dummy instead of {var}",
            )
        out = []
        for v in (0.0, 1.0):
            x = means.copy()
            x[j] = v
            out.append((f"{var}={v:g}", x))
        return out
    if levels:
        base = means.copy()
        base[levels] = 0.0
        out = [(f"{var}=base", base)]
        for j in levels:
            x = base.copy()
            x[j] = 1.0
            out.append((design.names[j], x))
        return out
    raise MdlRuntimeError(
        f"{var} is not an explanatory variable of the model", span,
        hint="margins() takes a 0/1 variable of the model, or nothing",
    )


def margin_rows(
    ctx: AnalysisContext,
    design: Design,
    margins: tuple[str | None, Span | None],
    link: Link,
    coef: np.ndarray,
    cov: np.ndarray,
    df: int | None,
    level: float,
) -> list[list]:
    """``[label, margin, se, stat, p, lo, hi]`` per prediction point (delta-method SEs)."""
    del ctx
    var, span = margins
    pts = _points(design, var, span)
    labels = [label for label, _ in pts]
    X = np.vstack([x for _, x in pts])
    value, deriv = link(X @ coef)
    grad = X * deriv[:, None]
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    stat, p, lo, hi = t_table(value, se, df, level)
    return [[labels[i], value[i], se[i], stat[i], p[i], lo[i], hi[i]] for i in range(len(labels))]
