"""Command specs of the groups Statistikk, Analyse and Grafikk (descriptive output and figures)."""

from __future__ import annotations

from mdlang.commands.specs_common import (
    COUNTS,
    FIGURES,
    LEVEL,
    MAGNITUDES,
    MODELS,
    NOCONSTANT,
    QUANTILES,
    choice_flags,
    cmd,
    opt,
)

STATISTIKK = "Statistikk"
ANALYSE = "Analyse"
GRAFIKK = "Grafikk"


def _summary_stat(name: str, what: str) -> object:
    return opt(name, None, f"with summarize(): show the {what} in each cell", requires=("summarize",))


def _table_options(panel: bool) -> tuple:
    """Options shared by tabulate and tabulate-panel."""
    common = [
        opt("missing", None, "count missing values as a category of their own"),
        opt("nolabels", None, "show codes instead of labels"),
        opt("freq", None, "show counts (the default; with summarize() also shows counts)"),
        opt("rowpct", None, "show row percentages"),
        opt("colpct", None, "show column percentages"),
        opt("cellpct", None, "show cell percentages"),
        opt("chi2", None, "add Pearson's chi-squared test of independence"),
        opt("summarize", "varlist", "show a statistic of numeric variables in each cell instead of counts"),
        _summary_stat("mean", "mean (the default)"),
        _summary_stat("std", "standard deviation"),
        _summary_stat("sum", "sum"),
        _summary_stat("p25", "25th percentile"),
        _summary_stat("p50", "median"),
        _summary_stat("p75", "75th percentile"),
        _summary_stat("gini", "Gini coefficient"),
        _summary_stat("iqr", "interquartile range"),
    ]
    if not panel:
        common += [
            opt("flatten", None, "lay the table out as a flat grid with one row per combination"),
            opt("colsort", "codes", "sort rows by the column with these codes (empty: by total)"),
            opt("rowsort", "codes", "sort columns by the row with this code (empty: by total)"),
            opt("top", "int", "show only the n largest categories", excludes=("bottom",)),
            opt("bottom", "int", "show only the n smallest categories", excludes=("top",)),
        ]
    return tuple(common)


PCT_MIN = {"rowpct": 2, "colpct": 2, "chi2": 2}

# --- Statistikk --------------------------------------------------------------------------------

cmd(
    "tabulate", STATISTIKK, "analysis", "frequency table of one or more categorical variables",
    "tabulate <variables> [if <condition>] [, options]",
    args="varlist", min_args=1, max_args=None, condition=True,
    options=_table_options(panel=False),
    option_min_args=PCT_MIN,
    help=(
        "Counts units per value of one variable (one-way table) or per combination of values of "
        "several (two-way and larger tables, the last variable across). Percentages, a chi-squared "
        "test or, with summarize(), a statistic of a numeric variable per cell can be shown "
        "instead. Very large tables are refused; group fine categories first."
    ),
    example="tabulate kjønn sivstand, rowpct",
    disclosure=COUNTS + " With summarize(), cell statistics are protected like summarize: " + MAGNITUDES,
)

cmd(
    "tabulate-panel", STATISTIKK, "analysis", "frequency table per measurement time of a panel",
    "tabulate-panel <variables> [if <condition>] [, options]",
    args="varlist", min_args=1, max_args=None, condition=True,
    options=_table_options(panel=True),
    dataset_kind="panel",
    help=(
        "Like tabulate on a panel dataset, with the measurement times as the last (column) "
        "variable: the listed variables form the rows. Because time is always a dimension, "
        "rowpct, colpct and chi2 work with a single variable."
    ),
    example="tabulate-panel sivstand",
    disclosure=COUNTS,
)

_SUMMARY_OPTIONS = (
    opt("gini", None, "add the Gini coefficient"),
    opt("iqr", None, "add the interquartile range"),
)

cmd(
    "summarize", STATISTIKK, "analysis", "descriptive statistics of numeric variables",
    "summarize [<variables>] [if <condition>] [, gini iqr]",
    args="varlist", min_args=0, max_args=None, condition=True,
    options=_SUMMARY_OPTIONS,
    help=(
        "Shows, per numeric variable, the number of units with a value, mean, standard deviation "
        "and selected percentiles (1, 25, 50, 75, 99). Without variables, every numeric variable "
        "of the active dataset is described."
    ),
    example="summarize inntekt if alder > 50",
    disclosure=MAGNITUDES + " " + QUANTILES,
)

cmd(
    "summarize-panel", STATISTIKK, "analysis", "descriptive statistics per measurement time",
    "summarize-panel <variables> [if <condition>] [, gini iqr]",
    args="varlist", min_args=1, max_args=None, condition=True,
    options=_SUMMARY_OPTIONS,
    dataset_kind="panel",
    help=(
        "Like summarize on a panel dataset: the statistics of each variable are shown once per "
        "measurement time, one row per time."
    ),
    example="summarize-panel INNTEKT_WLONN",
    disclosure=MAGNITUDES + " " + QUANTILES,
)

# --- Analyse -----------------------------------------------------------------------------------

cmd(
    "anova", ANALYSE, "analysis", "analysis of variance (and covariance)",
    "anova <dependent> <variables> [if <condition>] [, noconstant posthoc]",
    args="model", min_args=2, max_args=None, condition=True,
    options=(NOCONSTANT, opt("posthoc", None, "add Tukey pairwise comparisons of the groups")),
    help=(
        "Analysis of variance of a continuous variable over one or more factors; a numeric "
        "covariate makes it an analysis of covariance. Interactions are written a#b or a##b."
    ),
    example="anova inntekt utdanning kjønn",
    disclosure=MODELS,
)

cmd(
    "ci", ANALYSE, "analysis", "confidence interval of the mean",
    "ci <variables> [if <condition>] [, level(#)]",
    args="varlist", min_args=1, max_args=None, condition=True,
    options=(LEVEL,),
    help=(
        "Shows the mean, its standard error and a confidence interval for each numeric "
        "variable; level() sets the confidence level (95 by default)."
    ),
    example="ci inntekt, level(99)",
    disclosure=MAGNITUDES,
)

cmd(
    "correlate", ANALYSE, "analysis", "correlation (or covariance) matrix",
    "correlate [<variables>] [if <condition>] [, covariance pairwise obs sig]",
    args="varlist", min_args=0, max_args=None, condition=True,
    options=(
        opt("covariance", None, "show covariances instead of correlations"),
        opt("pairwise", None, "drop missing values pair by pair instead of listwise"),
        opt("obs", None, "show the number of units behind each coefficient"),
        opt("sig", None, "show the significance level of each coefficient"),
    ),
    help=(
        "Shows Pearson correlations between numeric variables (all numeric variables when none "
        "is listed)."
    ),
    example="correlate inntekt formue alder, obs",
    disclosure=MAGNITUDES,
)

cmd(
    "normaltest", ANALYSE, "analysis", "tests of normality",
    "normaltest [<variables>] [if <condition>]",
    args="varlist", min_args=0, max_args=None, condition=True,
    help=(
        "Tests whether variables are normally distributed: skewness, kurtosis, their joint test, "
        "Jarque-Bera and Shapiro-Wilk, each with its statistic and p-value."
    ),
    example="normaltest inntekt",
    disclosure="Test statistics are released only for groups of at least 10 persons and are rounded.",
)

cmd(
    "transitions-panel", ANALYSE, "analysis", "transition table between measurement times",
    "transitions-panel <variables> [if <condition>]",
    args="varlist", min_args=1, max_args=None, condition=True,
    dataset_kind="panel",
    help=(
        "For each categorical variable of a panel dataset, counts how units move from one state "
        "(rows) to another (columns) between consecutive measurement times, with row percentages. "
        "Moves from or to missing are left out."
    ),
    example="transitions-panel sivstand",
    disclosure=COUNTS,
)

# --- Grafikk -----------------------------------------------------------------------------------

_HIST_SCALES = choice_flags(
    ("density", "freq", "fraction", "percent"),
    {
        "density": "bar areas sum to 1 (the default)",
        "freq": "bar heights are counts",
        "fraction": "bar heights are fractions of the total",
        "percent": "bar heights are percentages",
    },
)

cmd(
    "histogram", GRAFIKK, "analysis", "histogram of a numeric variable",
    "histogram <variable> [if <condition>] [, options]",
    args="varlist", min_args=1, max_args=1, condition=True,
    options=(
        opt("by", "var", "one histogram per value of this variable"),
        *_HIST_SCALES,
        opt("bin", "int", "number of bins", excludes=("discrete", "width")),
        opt("width", "number", "width of each bin", excludes=("bin",)),
        opt("normal", None, "draw a normal curve over the bars"),
        opt("discrete", None, "one bar per distinct value", excludes=("bin",)),
    ),
    help=(
        "Draws the distribution of a continuous variable as bars. A categorical numeric variable "
        "needs discrete."
    ),
    example="histogram inntekt, bin(30) percent",
    disclosure=FIGURES,
)

BAR_STATS = ("count", "percent", "mean", "min", "max", "median", "sum", "sd")

cmd(
    "barchart", GRAFIKK, "analysis", "bar chart of counts or statistics",
    "barchart (<stat>) <variables> [if <condition>] [, over(<var>[, <var>]) by(<var>) stack horizontal]",
    args="varlist", min_args=1, max_args=None, condition=True,
    stats=BAR_STATS,
    options=(
        opt("over", "varlist", "one bar per category of these variables"),
        opt("by", "varlist", "one chart per category of these variables"),
        opt("stack", None, "stack the bars (with count or percent)"),
        opt("horizontal", None, "draw the bars horizontally"),
    ),
    help=(
        "Draws bars: (count) or (percent) of the categories of one variable, or a statistic "
        "(mean, min, max, median, sum, sd) of numeric variables, optionally split by over() and "
        "by(). The statistic may be written with or without a space: barchart(count) x."
    ),
    example="barchart (mean) inntekt, over(kjønn)",
    disclosure=FIGURES,
)

cmd(
    "boxplot", GRAFIKK, "analysis", "box plot of numeric variables",
    "boxplot <variables> [if <condition>] [, over(<vars>) by(<var>) horizontal]",
    args="varlist", min_args=1, max_args=None, condition=True,
    options=(
        opt("over", "varlist", "one box per category of these variables"),
        opt("by", "var", "one plot per category of this variable"),
        opt("horizontal", None, "draw the boxes horizontally"),
    ),
    help=(
        "Draws the quartiles, median and mean of numeric variables as boxes, optionally one box "
        "per category of the over() variables or one plot per category of by()."
    ),
    example="boxplot inntekt, over(kjønn)",
    disclosure=FIGURES + " Whiskers end at released percentiles; no single outliers are drawn.",
)

cmd(
    "piechart", GRAFIKK, "analysis", "pie chart of a categorical variable",
    "piechart <variable> [if <condition>]",
    args="varlist", min_args=1, max_args=1, condition=True,
    help=(
        "Draws the share of each category of one categorical variable as a slice of a pie; the "
        "if condition selects the units counted."
    ),
    example="piechart sivstand",
    disclosure=FIGURES,
)

cmd(
    "hexbin", GRAFIKK, "analysis", "hexagon-binned scatter plot of two variables",
    "hexbin <variable> <variable> [if <condition>] [, gridsize(#) groups(#)]",
    args="varlist", min_args=2, max_args=2, condition=True,
    options=(
        opt("gridsize", "int", "number of hexagons across (default 20, at most 25)", default=20),
        opt("groups", "int", "number of colour groups (default and at most 10)", default=10),
    ),
    help=(
        "Shows how two numeric variables vary together by counting units in hexagonal cells, "
        "in place of a scatter plot of single units."
    ),
    example="hexbin alder inntekt, gridsize(15)",
    disclosure=FIGURES + " Cells with fewer than 10 persons are left empty.",
)

cmd(
    "sankey", GRAFIKK, "analysis", "flow diagram between categorical states",
    "sankey <variable> <variable> [<variable> ...] [if <condition>]",
    args="varlist", min_args=2, max_args=None, condition=True,
    help=(
        "Draws how units flow between the categories of two or more variables, for instance the "
        "same status at several times."
    ),
    example="sankey sivstand2015 sivstand2020",
    disclosure=FIGURES,
)

cmd(
    "coefplot", GRAFIKK, "analysis", "plot the coefficients of a regression",
    "coefplot <regression command> <dependent> <variables> [if <condition>] [, options]",
    args="regcmd", min_args=1, max_args=1, condition=True,
    help=(
        "Runs a regression written in full after coefplot (regress, logit, probit, …, with its "
        "own options) and plots each coefficient with its confidence interval."
    ),
    example="coefplot regress inntekt alder i.kjønn, standardize",
    disclosure=FIGURES + " " + MODELS,
)
