"""Building blocks shared by the command spec tables (``specs_*.py``).

The spec tables describe each command with a :class:`~mdlang.commands.registry.CommandSpec`.
This module holds the small helpers that keep those tables short (:func:`opt`, :func:`cmd`), the
option sets that many commands share (model options, ``if`` handling) and the standard sentences
that say what disclosure control does to a command's output.

Argument-shape vocabulary (``CommandSpec.args``), read by :mod:`mdlang.semantics.check`:

``none``               no positional arguments
``varlist``            existing dataset variables
``var``                one existing variable
``varlist-or-if``      ``keep``/``drop``: variables, or only an ``if`` condition (not both)
``model``              dependent variable then regressors (factor syntax ``i.`` ``c.`` ``#`` ``##``)
``model-iv``           ``ivregress``: model with one ``(endog = instruments)`` block
``model-by``           model then the keyword ``by`` and one or more group variables
``regcmd``             ``coefplot``: a whole model command
``newvar``             one new variable name (``generate``)
``var newvar``         an existing variable and a new name (``rename``)
``var labelset``       ``assign-labels``
``labelsets``          names of label sets (``drop-labels``)
``labels``             ``define-labels``: a set name then value/label pairs
``labelset-or-regvar`` ``list-labels``: a label set, or ``alias/VAR`` with an optional date
``dataset``            one existing dataset
``newdataset``         one new dataset name
``dataset newdataset`` an existing dataset and a new name
``prefixes``           stems of wide variable names (``reshape-to-panel``)
``datastore-as``       ``require NAME:VERSION as alias``
``regvar-date-as``     ``import alias/VAR [date] [as name]``
``regvar-period-as``   ``import-event alias/VAR date to date [as name]``
``regvars-dates``      ``import-panel alias/VAR … date …``
``regvars``            register variables ``alias/VAR`` (``variables``)
``assign``             ``name = expression`` (``generate``/``replace``)
``recode``             variables then rules in parentheses
``stat-groups``        ``(stat) var [-> new] …`` (``collapse``/``aggregate``)
``clone-items``        ``var [-> new] …`` (``clone-variables``)
``merge``              ``vars into dataset [on var]``
``count-seed``         ``sample``: a count or fraction, then a seed
``topic``              a command name (``help``)
``function``           a function name (``help-function``)
``string``             a quoted script name (``save``/``load``)
``word``               one bare word (``configure``)
``binding``            ``let name = expression``
``loop``               ``for … in …``
``text``               ``textblock`` … ``endblock``

Option argument kinds are those of :class:`~mdlang.commands.registry.OptionSpec`, plus ``names``
(several new variable names, as in ``recode …, generate(a b)``).

Extra rules (``CommandSpec.extra``), also applied by the checker:

``option_min_args``  option name → the least number of positional variables it needs
``required_options`` options that must be given
``stats``            statistics allowed in parentheses (``barchart``, ``collapse``, ``aggregate``)
``repl_only``        True for session commands that a batch script may not use
``creates``          option name → default variable name it creates (``*-predict``)
``default_creates``  the option whose variable is created when none is given
``dataset_kind``     ``"panel"`` for commands that need a panel dataset
``terminates``       the block a terminator closes (``end`` → ``for``)
``settings``         the words ``configure`` accepts
``free_options``     options are passed on unchecked (``configure``)
"""

from __future__ import annotations

from typing import Any

from mdlang.commands.registry import CommandSpec, OptionSpec, register


def opt(
    name: str,
    arg: str | None = None,
    help: str = "",
    *,
    default: Any = None,
    choices: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
) -> OptionSpec:
    """Shorthand for an :class:`OptionSpec`."""
    return OptionSpec(
        name=name, arg=arg, default=default, choices=choices, excludes=excludes,
        requires=requires, help=help,
    )


def cmd(
    name: str,
    group: str,
    kind: str,
    summary: str,
    syntax: str,
    *,
    args: str = "none",
    min_args: int = 0,
    max_args: int | None = 0,
    condition: bool = False,
    options: tuple[OptionSpec, ...] = (),
    help: str,
    example: str,
    disclosure: str = "",
    **extra: Any,
) -> CommandSpec:
    """Build and register one command spec; ``extra`` keywords go into ``CommandSpec.extra``."""
    return register(
        CommandSpec(
            name=name, group=group, kind=kind, summary=summary, syntax=syntax, args=args,
            min_args=min_args, max_args=max_args, condition=condition, options=options,
            help=help, example=example, disclosure=disclosure, extra=dict(extra),
        )
    )


# ---------------------------------------------------------------------------------------------
# Standard disclosure sentences
# ---------------------------------------------------------------------------------------------

NO_OUTPUT = "Releases no numbers: it changes the workspace only, so no disclosure control applies here."

COUNTS = (
    "Counts are perturbed with a small, deterministic noise (at most 3) that depends on who is in "
    "the cell; a count below 10 persons is shown as <10. Totals are perturbed on their own, so a "
    "table need not add up."
)

MAGNITUDES = (
    "Sums, means and standard deviations are computed on values winsorised at the 1st and 99th "
    "percentiles of the whole population; a group with fewer than 10 persons, or dominated by two "
    "contributors, is suppressed; sums get noise keyed on the contributors."
)

QUANTILES = (
    "Percentiles are never minima or maxima: each is the mean of the 10 values nearest to it, "
    "rounded to 3 significant digits; extreme percentiles are omitted for small groups."
)

MODELS = (
    "The model runs only when N and the residual degrees of freedom are large enough, every level "
    "of every factor or dummy has at least 10 persons and the fit is not saturated; coefficients "
    "and test statistics are rounded to 4 significant digits. Residuals and fitted values are never "
    "shown."
)

PREDICT = (
    "Releases no numbers. The new variables carry the sensitivity of the outcome: any later "
    "output built from them passes the same checks as the model itself."
)

FIGURES = (
    "The figure is drawn only from protected aggregates (perturbed counts, winsorised magnitudes, "
    "micro-aggregated percentiles); parts below the threshold of 10 persons are left out."
)

FLOOR = (
    "A dataset may not shrink below the data owner's floor (1000 units by default); the floor is "
    "checked on a perturbed count and a refusal carries no numbers."
)

METADATA = "Shows metadata only (names, labels, code lists, dates), never values of units."


# ---------------------------------------------------------------------------------------------
# Shared option sets
# ---------------------------------------------------------------------------------------------

LEVEL = opt("level", "number", "confidence level in percent for intervals (default 95)", default=95)
NOCONSTANT = opt("noconstant", None, "leave out the constant term")
ROBUST = opt("robust", None, "heteroskedasticity-robust standard errors (HC1)", excludes=("cluster",))
CLUSTER = opt(
    "cluster", "var", "standard errors clustered on a numeric variable that is not in the model",
    excludes=("robust",),
)
CONTROL = opt("control", "terms", "control variables estimated but not shown (factor syntax allowed)")
MARGINS = opt("margins", "optional-var", "predictions at the means, or per value of a 0/1 dummy")
MFX = opt(
    "mfx", "word", "marginal effects of the given type", choices=("dydx", "eyex", "dyex", "eydx"),
    default="dydx",
)
MFX_AT = opt(
    "mfx_at", "word", "where marginal effects are evaluated",
    choices=("overall", "mean", "median", "zero"), default="overall",
)
IRR = opt("irr", None, "show incidence-rate ratios instead of coefficients")
EXPOSURE = opt("exposure", "var", "exposure variable entered as a log offset (non-zero, not in the model)")


def out_opt(name: str, what: str) -> OptionSpec:
    """An output option of a ``*-predict`` command: ``predicted(name)``, ``residuals(name)``, …"""
    return opt(name, "name", f"create a variable with the {what} (give its name)", default=name)


ESTIMATORS_IV = ("tsls", "liml", "gmm")
ESTIMATORS_PANEL = ("fe", "re", "be", "pooled")


def choice_flags(names: tuple[str, ...], helps: dict[str, str]) -> tuple[OptionSpec, ...]:
    """Flags of which at most one may be given (each excludes the others)."""
    return tuple(
        opt(n, None, helps[n], excludes=tuple(o for o in names if o != n)) for n in names
    )
