"""What every model command does before fitting: read options, build the design, check the
cluster variable, and pass the model gate's sample rules (D7)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdlang.commands.models_design import Design, Term, build_design, numeric_values, parse_terms
from mdlang.commands.models_options import ModelOptions, dependent, read_options
from mdlang.disclosure import model_gate
from mdlang.engine.context import AnalysisContext, Contributors
from mdlang.errors import MdlRuntimeError
from mdlang.results import Result
from mdlang.syntax import ast

#: cluster() needs at least this many groups ("of a certain size", UM 5.4.3)
MIN_CLUSTERS = 10


@dataclass
class Prepared:
    """A model ready to fit: its design, options, the dataset's contributors (the sample is
    ``design.rows`` of them) and cluster codes."""

    design: Design
    options: ModelOptions
    contributors: Contributors
    clusters: np.ndarray | None


def prepare(
    ctx: AnalysisContext,
    stmt: ast.Command,
    command: str,
    *,
    factor_outcome: bool = False,
    outputs: tuple[str, ...] = (),
    terms: list[Term] | None = None,
) -> Prepared | Result:
    """The design and options of a model statement, or the gate's refusal (``terms`` replaces
    the terms read from the arguments, for commands with their own syntax such as ivregress)."""
    opts = read_options(stmt, command, outputs)
    ydep = dependent(stmt, command)
    terms = (parse_terms(stmt.args[1:]) if terms is None else terms) + opts.control
    in_model = {ydep[0]} | {p.name for t in terms for p in t.parts}
    if opts.margins is not None and opts.margins[0] is not None and opts.margins[0] not in in_model:
        raise MdlRuntimeError(
            f"{opts.margins[0]} is not an explanatory variable of the model", opts.margins[1],
            hint="margins() takes a 0/1 variable of the model, or nothing",
        )
    extra = []
    if opts.cluster is not None:
        name, span = opts.cluster
        if name in in_model:
            raise MdlRuntimeError(
                f"the cluster variable {name} cannot also be in the model", span,
                hint="cluster on a variable that is not an explanatory variable or the outcome",
            )
        numeric_values(ctx, name, span, command)
        extra.append(opts.cluster)
    if opts.exposure is not None:
        name, span = opts.exposure
        if name in in_model:
            raise MdlRuntimeError(
                f"the exposure variable {name} cannot also be in the model", span,
                hint="leave it out of the list of explanatory variables",
            )
        numeric_values(ctx, name, span, command)
        extra.append(opts.exposure)
    design = build_design(
        ctx, stmt, command=command, dependent=ydep, terms=terms, constant=opts.constant,
        extra=extra, factor_outcome=factor_outcome,
    )
    contributors = ctx.contributors
    refusal = model_gate.check_sample(
        ctx.gate, contributors, n_rows=design.n, n_params=design.k,
        groups=[(g.label, g.cells, g.n_cells) for g in design.groups], command=command, line=ctx.line,
        rows=design.rows,
    )
    if refusal is not None:
        return refusal
    clusters = None
    if opts.cluster is not None:
        clusters = ctx.frame[opts.cluster[0]].to_numpy(dtype=np.float64, na_value=np.nan)[design.rows]
        if len(np.unique(clusters)) < MIN_CLUSTERS:
            raise MdlRuntimeError(
                f"cluster() needs at least {MIN_CLUSTERS} groups of {opts.cluster[0]} in the estimation sample",
                opts.cluster[1], hint="cluster on a variable with more groups, or use robust",
            )
    return Prepared(design, opts, contributors, clusters)
