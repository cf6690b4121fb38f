"""The abstract syntax tree: frozen dataclasses, every node with a :class:`Span`.

This module is the contract between the parser, the printer, the semantic checker, the engine
and the REPL. Nodes hold data only; printing lives in ``printer.py``, checking in
``mdlang.semantics``, running in ``mdlang.engine``.

Names that a binding may build (``lønn ++ $år``, ``$siv``) are expressions: a plain name is
:class:`Name`, a binding reference :class:`Binding`, a built one :class:`Concat`. The engine
resolves them to a symbol before use.

``span`` is excluded from equality so that parse → print → parse compares equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mdlang.errors import Span

NOSPAN = Span(0, 0, 0, 0)


def _span() -> Span:
    return field(default=NOSPAN, compare=False, repr=False, kw_only=True)


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr:
    """Base of every expression node."""


@dataclass(frozen=True, slots=True)
class Number(Expr):
    """A numeric literal; ``value`` is an int when the text has no decimal point or exponent."""

    value: int | float
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class String(Expr):
    """A quoted string literal (quotes removed, doubled quotes undone)."""

    value: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Missing(Expr):
    """The missing-value literal ``.``."""

    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DateLit(Expr):
    """A bare ISO date ``YYYY-MM-DD`` as written in import commands (text kept as written)."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A plain identifier: a dataset variable, dataset, label set or symbol (may contain ``@``)."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RegVar(Expr):
    """A register variable ``alias/VARIABLE``; ``alias`` is None for pre-2020 unaliased names."""

    alias: str | None
    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Binding(Expr):
    """A binding reference ``$name``."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Concat(Expr):
    """Binding concatenation ``a ++ b ++ …`` (two or more parts)."""

    parts: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    """``-x`` or ``!x``; ``op`` is ``"-"`` or ``"!"``."""

    op: str
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """A binary operation; ``op`` is one of ``+ - * / ^ == != < > <= >= & |``."""

    op: str
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function call ``name(arg, …)``."""

    name: str
    args: tuple[Expr, ...]
    span: Span = _span()


# ---------------------------------------------------------------------------------------------
# Arguments of commands
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactorVar:
    """One variable inside a factor term: ``prefix`` is ``"i"``, ``"c"`` or None."""

    prefix: str | None
    name: Expr  # Name, Binding or Concat
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FactorTerm(Expr):
    """A model term written with factor-variable syntax.

    ``i.x`` → one part with prefix ``"i"``; ``a#b`` → two parts, ``full=False``;
    ``a##b`` → two parts, ``full=True`` (main effects and interaction).
    A bare variable in a model is a plain :class:`Name`, not a FactorTerm.
    """

    parts: tuple[FactorVar, ...]
    full: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class IVBlock(Expr):
    """The ``(endog … = instruments …)`` block of ``ivregress``."""

    endogenous: tuple[Expr, ...]
    instruments: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Keyword(Expr):
    """A keyword that separates parts of an argument list, e.g. ``by`` in ``oaxaca``/``regress-mml``."""

    word: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Option:
    """An option after the comma. ``args`` is None for a bare option (``robust``) and a tuple —
    possibly empty, as in ``rowsort()`` — when parentheses were written. Items inside the
    parentheses may be separated by spaces or commas; both are flattened into ``args`` in order,
    and ``groups`` keeps the comma structure (a tuple of tuples)."""

    name: str
    args: tuple[Expr, ...] | None = None
    groups: tuple[tuple[Expr, ...], ...] | None = None
    span: Span = _span()


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """Base of every statement node. ``name`` is the command name as written (lower case)."""


@dataclass(frozen=True, slots=True)
class Command(Statement):
    """A command of the common shape ``name args [if cond] [, options]``.

    Used for every command without special syntax: tabulate, summarize, regress and the other
    models (args may hold FactorTerm, IVBlock and Keyword items), keep/drop (variables or only a
    condition), use, create-dataset, clone-dataset, rename, assign-labels, sample, destring,
    histogram, help, variables, save, load, configure, … ``stat`` holds the parenthesised
    statistic of ``barchart (mean) x`` / ``barchart(count) x``, else None.
    """

    name: str
    args: tuple[Expr, ...] = ()
    condition: Expr | None = None
    options: tuple[Option, ...] = ()
    stat: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Require(Statement):
    """``require no.ssb.fdb:38 as db``; ``version`` may be a binding expression."""

    datastore: str
    version: Expr
    alias: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Import(Statement):
    """``import alias/VAR [date] [as name] [, outer_join]``."""

    variable: RegVar
    date: Expr | None = None  # DateLit, String, Binding, Call (date_fmt), Concat
    as_name: Expr | None = None
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ImportEvent(Statement):
    """``import-event alias/VAR D1 to D2 [as name] [, options]``."""

    variable: RegVar
    start: Expr
    stop: Expr
    as_name: Expr | None = None
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ImportPanel(Statement):
    """``import-panel alias/V1 alias/V2 … D1 D2 …``."""

    variables: tuple[RegVar, ...]
    dates: tuple[Expr, ...]
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Generate(Statement):
    """``generate name = expr [if cond]`` (``name`` is ``"generate"``) and the same for ``replace``."""

    name: str  # "generate" or "replace"
    target: Expr  # Name, Binding or Concat
    expr: Expr
    condition: Expr | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Rename:
    """``source [-> target]`` in collapse, aggregate and clone-variables."""

    source: Expr
    target: Expr | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class StatGroup:
    """``(stat) var [-> new] var …`` inside collapse/aggregate."""

    stat: str
    items: tuple[Rename, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Collapse(Statement):
    """``collapse``/``aggregate`` (``name`` tells which) with statistic groups and options."""

    name: str  # "collapse" or "aggregate"
    groups: tuple[StatGroup, ...]
    condition: Expr | None = None
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CloneVariables(Statement):
    """``clone-variables a [-> b] … [, prefix() suffix()]``."""

    items: tuple[Rename, ...]
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Merge(Statement):
    """``merge vars into dataset [on var]``."""

    variables: tuple[Expr, ...]
    target: Expr
    on: Expr | None = None
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Interval:
    """``lo/hi`` in a recode rule; an end is an Expr or the word ``"min"``/``"max"``."""

    low: Expr | str
    high: Expr | str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RecodeRule:
    """``(lhs … = rhs [label] [missing])``.

    ``lhs`` items are Exprs (values), :class:`Interval`s, or the words ``"missing"``,
    ``"nonmissing"``, ``"*"``. ``label`` is the label text attached to the new code, if any.
    """

    lhs: tuple[Expr | Interval | str, ...]
    rhs: Expr
    label: str | None = None
    missing: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Recode(Statement):
    """``recode vars (rule) (rule) … [if cond] [, prefix() generate()]``."""

    variables: tuple[Expr, ...]
    rules: tuple[RecodeRule, ...]
    condition: Expr | None = None
    options: tuple[Option, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class LabelPair:
    """One ``value label`` pair of define-labels (label kept as text, quotes removed)."""

    value: Expr
    label: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DefineLabels(Statement):
    """``define-labels set value label value label …``."""

    labelset: Expr
    pairs: tuple[LabelPair, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Let(Statement):
    """``let name = binding-expression``."""

    target: str
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive integer range ``a : b`` in a for list (ends may be bindings)."""

    start: Expr
    stop: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ValueList:
    """One value list of a for level: a :class:`Range` or literal values (Number, String, Name, …)."""

    values: tuple[Expr, ...] | Range
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ForLevel:
    """``i, j in list1, list2`` — iterators run in lock-step over their lists."""

    iterators: tuple[str, ...]
    lists: tuple[ValueList, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class For(Statement):
    """``for level [; level …]`` … ``end``; the last level is innermost."""

    levels: tuple[ForLevel, ...]
    body: tuple[Statement, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class TextBlock(Statement):
    """``textblock`` … ``endblock``: Markdown text, kept verbatim (lines joined with ``\\n``)."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Coefplot(Statement):
    """``coefplot <model command written in full>``."""

    model: Command
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its statements in order, and where it came from."""

    statements: tuple[Statement, ...]
    file: str | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False, repr=False)
