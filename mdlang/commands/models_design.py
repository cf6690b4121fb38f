"""Design matrices for the model commands, built directly with numpy (no formula parser).

A model's argument list (``y x1 i.a c.x#c.z a##b``) and its ``control()`` terms are expanded into
numeric columns over the *estimation sample*: the rows selected by ``if`` that have a value on
every variable the model uses (listwise deletion). Factor levels are the values that occur in
the sample, sorted, the lowest being the reference. Column names are written as in the script:
``alder``, ``kjønn=Kvinne`` (the label when the variable has one, else the code), ``a=2#b=3``,
``alder#vekt``.

Each factor term also yields a :class:`CellGroup` — the cell of every row over all level
combinations, reference levels included — which the model gate (D7) checks for persons; a plain
variable that only takes the values 0 and 1 is treated as a two-level factor for that check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

import numpy as np
import pandas as pd

from mdlang.commands.models_ols import sufficient_statistics
from mdlang.engine.context import AnalysisContext
from mdlang.errors import MdlRuntimeError, Span
from mdlang.syntax import ast


@dataclass(frozen=True)
class TermPart:
    """One variable of a term: ``factor`` True for ``i.x`` (and bare parts of ``a#b``)."""

    name: str
    factor: bool
    span: Span | None = None


@dataclass(frozen=True)
class Term:
    """An interaction of one or more parts (a single part is a main effect)."""

    parts: tuple[TermPart, ...]
    control: bool = False


@dataclass(frozen=True)
class CellGroup:
    """Cells of the estimation sample's rows for one factor term, for the D7 level rule."""

    label: str
    cells: np.ndarray  # int64 cell per sample row, 0..n_cells-1
    n_cells: int


@dataclass
class Design:
    """The estimation sample and its design matrix.

    ``rows`` are the positions (in the context's frame) of the sample rows; ``X`` is
    ``len(rows) × k`` with the constant as the last column when ``constant``; ``names`` the
    column names and ``shown`` which columns are released (``control()`` columns are not).
    ``omitted`` lists columns dropped for collinearity.
    """

    depvar: str
    y: np.ndarray
    X: np.ndarray
    names: list[str]
    shown: list[bool]
    rows: np.ndarray
    constant: bool
    groups: list[CellGroup] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    #: (centre, ybar, Z'Z, Z'y, y'y) of the kept columns, for fit_ols (None for mlogit)
    sufficient: tuple | None = None
    #: per column, the index of the term it comes from (-1 for the constant)
    term_of: list[int] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def k(self) -> int:
        return self.X.shape[1]


def _span(node: Any) -> Span | None:
    span = getattr(node, "span", None)
    return span if span is not None and span.line else None


def expr_name(expr: Any) -> str:
    """The variable name an argument item stands for (bindings are resolved before this)."""
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.String):
        return expr.value
    raise MdlRuntimeError(
        "expected a variable name here", _span(expr), hint="write the name of a variable of the active dataset"
    )


def parse_terms(items: tuple[Any, ...], *, control: bool = False) -> list[Term]:
    """Model terms from argument items: names, ``i.``/``c.`` terms, ``a#b`` and ``a##b``."""
    terms: list[Term] = []
    for item in items:
        if isinstance(item, ast.FactorTerm):
            interaction = len(item.parts) > 1
            parts = tuple(
                TermPart(expr_name(p.name), p.prefix == "i" or (p.prefix is None and interaction), _span(p))
                for p in item.parts
            )
            if item.full:
                for size in range(1, len(parts) + 1):
                    for combo in combinations(parts, size):
                        terms.append(Term(combo, control))
            else:
                terms.append(Term(parts, control))
        elif isinstance(item, ast.IVBlock | ast.Keyword):
            raise MdlRuntimeError("this command takes no such block here", _span(item), hint="see help for the command's syntax")
        else:
            terms.append(Term((TermPart(expr_name(item), False, _span(item)),), control))
    unique: list[Term] = []
    seen: set[tuple[tuple[str, bool], ...]] = set()
    for term in terms:
        key = tuple((p.name, p.factor) for p in term.parts)
        if key not in seen:
            seen.add(key)
            unique.append(term)
    return unique


def check_variable(ctx: AnalysisContext, name: str, span: Span | None, command: str) -> None:
    """An error naming the variable when it is not in the active dataset."""
    if name not in ctx.variables or name not in ctx.frame.columns:
        raise MdlRuntimeError(
            f"{name} is not a variable of the active dataset",
            span,
            hint=f"import or generate {name} before {command}, or check the spelling",
        )


def numeric_values(ctx: AnalysisContext, name: str, span: Span | None, command: str) -> np.ndarray:
    """A numeric variable's values as float64 (NaN = missing); an error for text variables."""
    check_variable(ctx, name, span, command)
    series = ctx.frame[name]
    info = ctx.variables[name]
    if not info.numeric or isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        raise MdlRuntimeError(
            f"{name} is alphanumeric and cannot enter {command} as a number",
            span,
            hint=f"write i.{name} to use its categories, or convert it with destring",
        )
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _missing(ctx: AnalysisContext, name: str) -> np.ndarray:
    return ctx.frame[name].isna().to_numpy()


def sort_key(value: Any) -> tuple[int, float, str]:
    """Order of factor levels: numbers (and numeric codes) numerically, then other text."""
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, np.floating | np.integer):
        return _fmt(value.item())
    return str(value)


def level_name(ctx: AnalysisContext, var: str, value: Any) -> str:
    """``var=label`` (the variable's label for the value when it has one, else the code)."""
    info = ctx.variables.get(var)
    labels = info.labels if info is not None else None
    if labels:
        for key in (value, _fmt(value), str(value)):
            if key in labels:
                return f"{var}={labels[key]}"
    return f"{var}={_fmt(value)}"


@dataclass(frozen=True)
class _Factor:
    codes: np.ndarray  # per sample row, 0..L-1
    levels: list[Any]


def _factor(ctx: AnalysisContext, name: str, rows: np.ndarray) -> _Factor:
    """Level codes of the sample rows, levels sorted (numbers numerically), unseen ones dropped."""
    series = ctx.frame[name]
    if isinstance(series.dtype, pd.CategoricalDtype):
        raw = series.cat.codes.to_numpy()[rows].astype(np.int64)
        uniques = list(series.cat.categories)
        present = np.flatnonzero(np.bincount(raw, minlength=len(uniques)) > 0)
        order = sorted(present, key=lambda i: sort_key(uniques[i]))
        remap = np.full(len(uniques), -1, dtype=np.int64)
        remap[order] = np.arange(len(order))
        return _Factor(remap[raw], [uniques[i] for i in order])
    values = series.to_numpy()[rows]
    codes, uniques = pd.factorize(values, sort=False)
    order = sorted(range(len(uniques)), key=lambda i: sort_key(uniques[i]))
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    return _Factor(remap[codes], [uniques[i] for i in order])


def factor_levels(ctx: AnalysisContext, name: str, rows: np.ndarray) -> _Factor:
    """A factor's level code per sample row (0 = the lowest level, the reference) and its levels,
    exactly as a model term ``i.name`` numbers them."""
    return _factor(ctx, name, rows)


def _term_label(parts: list[str]) -> str:
    return "#".join(parts)


def build_design(
    ctx: AnalysisContext,
    stmt: ast.Command,
    *,
    command: str,
    dependent: tuple[str, Span | None],
    terms: list[Term],
    constant: bool = True,
    extra: list[tuple[str, Span | None]] = (),
    factor_outcome: bool = False,
) -> Design:
    """Listwise-deleted estimation sample and design matrix of a model.

    ``extra`` names further variables that must be non-missing (cluster, exposure).
    ``factor_outcome`` lets the dependent variable be alphanumeric (mlogit).
    """
    del stmt
    ydep, yspan = dependent
    check_variable(ctx, ydep, yspan, command)
    needed: list[tuple[str, Span | None]] = [(ydep, yspan)]
    for term in terms:
        for part in term.parts:
            check_variable(ctx, part.name, part.span, command)
            if part.name == ydep:
                raise MdlRuntimeError(
                    f"{ydep} is the dependent variable and cannot also be a regressor",
                    part.span,
                    hint=f"remove {ydep} from the list of explanatory variables",
                )
            needed.append((part.name, part.span))
    for name, span in extra:
        check_variable(ctx, name, span, command)
        needed.append((name, span))
    keep = np.ones(len(ctx.frame), dtype=bool) if ctx.mask is None else np.asarray(ctx.mask, dtype=bool).copy()
    for name in dict(needed):
        keep &= ~_missing(ctx, name)
    rows = np.flatnonzero(keep)
    n = len(rows)
    every = n == len(ctx.frame)
    if factor_outcome:
        y = np.empty(n, dtype=np.float64)
    else:
        y = numeric_values(ctx, ydep, yspan, command)
        y = y if every else y[rows]

    numeric: dict[str, np.ndarray] = {}
    factors: dict[str, _Factor] = {}
    cols: list[np.ndarray] = []
    names: list[str] = []
    shown: list[bool] = []
    groups: list[CellGroup] = []
    term_of: list[int] = []

    def num(part: TermPart) -> np.ndarray:
        if part.name not in numeric:
            values = numeric_values(ctx, part.name, part.span, command)
            numeric[part.name] = values if every else values[rows]
        return numeric[part.name]

    def fac(part: TermPart) -> _Factor:
        if part.name not in factors:
            factors[part.name] = _factor(ctx, part.name, rows)
        return factors[part.name]

    for t_index, term in enumerate(terms):
        fparts = [p for p in term.parts if p.factor]
        cparts = [p for p in term.parts if not p.factor]
        cont = num(cparts[0]) if cparts else None
        for p in cparts[1:]:
            cont = cont * num(p)
        cont_names = [p.name for p in cparts]
        if not fparts:
            cols.append(cont)
            names.append(_term_label(cont_names))
            shown.append(not term.control)
            term_of.append(t_index)
            if len(cparts) == 1:
                _binary_group(groups, cparts[0].name, cont)
            continue
        fs = [fac(p) for p in fparts]
        cells = np.zeros(n, dtype=np.int64)
        size = 1
        for f in fs:
            cells = cells * len(f.levels) + f.codes
            size *= len(f.levels)
        label = _term_label([p.name for p in fparts])
        if size > 1:
            groups.append(CellGroup(label, cells, size))
        for combo in product(*(range(1, len(f.levels)) for f in fs)):
            col = fs[0].codes == combo[0]
            for f, level in zip(fs[1:], combo[1:], strict=True):
                col = col & (f.codes == level)
            col = col.astype(np.float64) if cont is None else cont * col
            lv = [level_name(ctx, p.name, f.levels[level]) for p, f, level in zip(fparts, fs, combo, strict=True)]
            cols.append(col)
            names.append(_term_label(lv + cont_names))
            shown.append(not term.control)
            term_of.append(t_index)
    if constant:
        cols.append(np.ones(n, dtype=np.float64))
        names.append("_cons")
        shown.append(True)
        term_of.append(-1)
    X = np.empty((n, len(cols)), dtype=np.float64, order="F")
    for j, col in enumerate(cols):
        X[:, j] = col
    cols.clear()
    design = Design(ydep, y, X, names, shown, rows, constant, groups, [], [name for name, _ in needed],
                    term_of=term_of)
    return drop_collinear(design, with_y=not factor_outcome)


def two_sides(values: np.ndarray) -> np.ndarray | None:
    """For a variable that takes exactly two values in the sample, whatever they are (0/1, 1/2,
    0/5 …), the side of each row (1 = the larger value); None for other variables. A two-valued
    variable is a dummy in all but its coding, so both its sides need T persons (A09, A10)."""
    if not len(values):
        return None
    first = values[0]
    other = values != first
    if not other.any():
        return None
    second = values[int(np.argmax(other))]
    if not np.all(~other | (values == second)):
        return None
    return (values == max(first, second)).astype(np.int64)


def _binary_group(groups: list[CellGroup], name: str, values: np.ndarray) -> None:
    """A two-valued variable gets the both-sides rule of a two-level factor (A09, A10)."""
    sides = two_sides(values)
    if sides is not None:
        groups.append(CellGroup(name, sides, 2))


def drop_collinear(design: Design, tol: float = 1e-9, *, with_y: bool = True) -> Design:
    """Drop columns that are (numerically) linear combinations of earlier columns.

    Uses the centred cross-product matrix (computed once and kept, with ``Z'y``, as
    ``design.sufficient``); the constant, when present, is kept and the other columns are tested
    in order, as Stata omits later collinear terms.
    """
    X = design.X
    k = X.shape[1]
    if k == 0 or design.n == 0:
        return design
    centre, ybar, G, zty, yty = sufficient_statistics(X, design.y if with_y else None, design.constant)
    order = ([k - 1] if design.constant else []) + [j for j in range(k) if not (design.constant and j == k - 1)]
    keep: list[int] = []
    for j in order:
        gjj = G[j, j]
        if gjj <= 0:
            continue
        if keep:
            sub = G[np.ix_(keep, keep)]
            rhs = G[keep, j]
            coef = np.linalg.lstsq(sub, rhs, rcond=None)[0]
            if gjj - rhs @ coef <= tol * gjj:
                continue
        keep.append(j)
    kept = sorted(keep)
    if with_y:
        design.sufficient = (centre[kept], ybar, G[np.ix_(kept, kept)], zty[kept], yty)
    if len(kept) == k:
        return design
    design.omitted = [design.names[j] for j in range(k) if j not in keep]
    design.X = np.asfortranarray(X[:, kept])
    design.names = [design.names[j] for j in kept]
    design.shown = [design.shown[j] for j in kept]
    design.term_of = [design.term_of[j] for j in kept]
    return design
