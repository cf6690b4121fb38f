"""Each rule of the checker: a script that breaks it (exact message, line, column and hint) and
one that keeps it (no diagnostics)."""

from __future__ import annotations

import pytest
from check_helpers import run

from mdlang.syntax.parser import parse as parse_script

# lines 1-4; the statement under test is line 5
P = "create-dataset d\ngenerate x = 1\ngenerate y = 2\ngenerate g = 3\n"

E, W = "error", "warning"

CASES = [
    # unknown option, with "did you mean"
    ("tabulate x y, rowpc", "tabulate x y, rowpct",
     [(5, 15, E, "tabulate has no option rowpc", "did you mean rowpct?")]),
    # option argument missing
    ("regress y x, cluster", "regress y x, cluster(g)",
     [(5, 14, E, "option cluster needs an argument: cluster(variable)", "write it as cluster(variable)")]),
    # option argument of the wrong kind
    ("regress y x, level(high)", "regress y x, level(99)",
     [(5, 20, E, "option level needs a number", "write it as level(#)")]),
    ("histogram y, bin(2.5)", "histogram y, bin(25)",
     [(5, 18, E, "option bin needs a whole number", "write it as bin(#)")]),
    ("logit y x, mfx(dydz)", "logit y x, mfx(dydx)",
     [(5, 16, E, "option mfx does not accept dydz", "did you mean dydx?")]),
    ("regress y x, robust(1)", "regress y x, robust",
     [(5, 14, E, "option robust takes no argument", "write just robust")]),
    ("regress y x, cluster('g')", "regress y x, cluster(g)",
     [(5, 22, E, "option cluster needs one variable", "write it as cluster(variable)")]),
    # options that exclude each other (reported at the second)
    ("regress y x, robust cluster(g)", "regress y x, cluster(g)",
     [(5, 21, E, "options robust and cluster() cannot be combined", "remove robust or cluster()")]),
    ("histogram y, bin(10) discrete", "histogram y, discrete",
     [(5, 22, E, "options bin() and discrete cannot be combined", "remove bin() or discrete")]),
    ("ivregress y (x = g), tsls liml", "ivregress y (x = g), liml",
     [(5, 27, E, "options tsls and liml cannot be combined", "remove tsls or liml")]),
    # options that need another option or several variables; required options
    ("tabulate x, mean", "tabulate x, summarize(y) mean",
     [(5, 13, E, "option mean needs the option summarize()", "add summarize(variables) or remove mean")]),
    ("tabulate x, rowpct", "tabulate x y, rowpct chi2",
     [(5, 13, E, "option rowpct needs 2 or more variables", "list 2 or more variables, or remove rowpct")]),
    ("collapse (mean) y", "collapse (mean) y, by(g)",
     [(5, 1, E, "collapse needs the option by(variable)", "add , by(variable) at the end")]),
    # arity
    ("rename x", "rename x z",
     [(5, 1, E, "rename takes 2 arguments, not 1", "write it as: rename <variable> <new-name>")]),
    ("regress y", "regress y x",
     [(5, 1, E, "regress needs at least 2 variables, not 1",
       "write it as: regress <dependent> <variables> [if <condition>] [, options]")]),
    ("histogram x y", "histogram x",
     [(5, 1, E, "histogram takes 1 variable, not 2",
       "write it as: histogram <variable> [if <condition>] [, options]")]),
    # if where it is not allowed
    ("rename x z if y > 1", "rename x z",
     [(5, 15, E, "rename does not take an if condition", "remove the if condition")]),
    # statistics in parentheses
    ("barchart (avg) y", "barchart (mean) y",
     [(5, 1, E, "barchart has no statistic avg", "choose one of count percent mean min max median sum sd")]),
    ("collapse (meen) y, by(g)", "collapse (mean) y, by(g)",
     [(5, 10, E, "collapse has no statistic meen", "did you mean mean, semean or median?")]),
    # variables that do not exist
    ("tabulate xx", "tabulate x",
     [(5, 10, E, "unknown variable xx", "did you mean x?")]),
    ("summarize inntekt", "summarize y",
     [(5, 11, E, "unknown variable inntekt", "import or generate it first")]),
    ("generate z = ln(q) if w > 1", "generate z = ln(y) if g > 1",
     [(5, 17, E, "unknown variable q", "import or generate it first"),
      (5, 23, E, "unknown variable w", "import or generate it first")]),
    ("regress y i.kommune##c.x, control(i.fylke)", "regress y i.g##c.x, control(i.g)",
     [(5, 13, E, "unknown variable kommune", "import or generate it first"),
      (5, 37, E, "unknown variable fylke", "import or generate it first")]),
    # creating a variable that exists (language.md §7.4)
    ("generate x = 2", "replace x = 2",
     [(5, 10, E, "variable x already exists", "use replace to change it, or drop it first")]),
    ("rename x y", "rename x z",
     [(5, 10, E, "variable y already exists", "choose another name, or drop it first")]),
    ("replace nyvar = 2", "generate nyvar = 2",
     [(5, 9, E, "unknown variable nyvar", "import or generate it first")]),
    # bindings
    ("generate z = $grense", "let grense = 3\ngenerate z = $grense",
     [(5, 14, E, "the binding $grense is not defined", "define it first with: let grense = …")]),
    # session commands in a batch script (§7.10)
    ("history", "clear",
     [(5, 1, E, "history only works in the interactive command window",
       "remove it from the script, or run it in mdlang repl")]),
    ("save 'mitt skript'", "help save",
     [(5, 1, E, "save only works in the interactive command window",
       "remove it from the script, or run it in mdlang repl")]),
    # warnings: ! before a comparison (§7.2), x == . (§7.3)
    ("keep if !x == 1", "keep if !(x == 1)",
     [(5, 9, W, "! binds tighter than ==: this reads as (!x) == 1",
       "write !(x == 1) to negate the comparison")]),
    ("drop if y == .", "drop if sysmiss(y)",
     [(5, 9, W, "== . is read as sysmiss(), but microdata.no only accepts sysmiss()",
       "write sysmiss(y) so the script also runs on microdata.no")]),
    ("generate z = 1 if y != .", "generate z = 1 if !sysmiss(y)",
     [(5, 19, W, "!= . is read as !sysmiss(), but microdata.no only accepts sysmiss()",
       "write !sysmiss(y) so the script also runs on microdata.no")]),
    # datasets
    ("use personer", "create-dataset personer\nuse d",
     [(5, 5, E, "unknown dataset personer", "create it first with: create-dataset personer")]),
    ("create-dataset d", "create-dataset e",
     [(5, 16, E, "dataset d already exists", "choose another name, or delete-dataset it first")]),
    ("merge y into d", "create-dataset e\nuse d\nmerge y into e",
     [(5, 14, E, "merge copies variables into another dataset, not into the active one",
       "name the dataset that should receive the variables")]),
    ("tabulate-panel x",
     "generate v2019 = 1\ngenerate v2020 = 2\nreshape-to-panel v\ntabulate-panel v x",
     [(5, 1, E, "tabulate-panel needs a panel dataset; d is a cross-section dataset",
       "build a panel with import-panel or reshape-to-panel, or use one")]),
    # labels
    ("assign-labels x kjønn", "define-labels kjønn 1 Mann 2 Kvinne\nassign-labels x kjønn",
     [(5, 17, E, "unknown label set kjønn", "define it first with define-labels")]),
    ("define-labels s 1 a 1 b", "define-labels s 1 a 2 b",
     [(5, 21, E, "the value 1 is labelled twice in s", "give each value one label")]),
    # other command-specific rules
    ("sample 0.1 0", "sample 0.1 12345",
     [(5, 12, E, "the seed of sample must be a whole number of 1 or more", "for example: sample 0.1 1234")]),
    ("configure nocahce", "configure nocache",
     [(5, 11, E, "configure has no setting nocahce", "did you mean nocache?")]),
    ("ivregress y x", "ivregress y (x = g)",
     [(5, 1, E, "ivregress needs one (endogenous = instruments) block",
       "write it as: ivregress <dependent> [<exogenous>] (<endogenous> = <instruments>) "
       "[<exogenous>] [if <condition>] [, options]")]),
    ("regress-mml y x", "regress-mml y x by g",
     [(5, 1, E, "regress-mml needs by and a group variable at the end",
       "write it as: regress-mml <dependent> <variables> by <group> [<group>] [if <condition>] [, options]")]),
    ("coefplot tabulate y x", "coefplot regress y x, robust",
     [(5, 10, E, "coefplot needs a regression command, not tabulate", "for example: coefplot regress y x1 x2")]),
    ("coefplot logit y x, robust cluster(g)", "coefplot logit y x, or",
     [(5, 28, E, "options robust and cluster() cannot be combined", "remove robust or cluster()")]),
]


@pytest.mark.parametrize(("bad", "good", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(bad, good, expected):
    assert run(P + bad + "\n") == expected
    assert run(P + good + "\n") == []


def test_no_active_dataset():
    assert run("generate x = 1\n") == [
        (1, 1, E, "there is no active dataset", "create one with: create-dataset NAME")
    ]
    assert run("delete-dataset d\n", ) == [(1, 16, E, "unknown dataset d", "create it first with: create-dataset d")]


def test_stray_block_terminators_are_syntax_errors():
    diags = run(P + "end\n")
    assert [(d[0], d[1], d[2]) for d in diags] == [(5, 1, E)]


def test_keep_with_variables_and_condition():
    """The parser refuses this form already; the checker's rule guards hand-built statements."""
    from mdlang.errors import Span
    from mdlang.semantics.check import check_script
    from mdlang.syntax import ast

    prelude = parse_script(P)
    stmt = ast.Command("keep", args=(ast.Name("x", span=Span(5, 6)),),
                       condition=ast.Binary(">", ast.Name("y", span=Span(5, 11)), ast.Number(1),
                                            span=Span(5, 11)),
                       span=Span(5, 1))
    script = ast.Script((*prelude.statements, stmt))
    assert [(d.line, d.col, d.message, d.hint) for d in check_script(script)] == [
        (5, 11, "keep takes either variables or an if condition, not both",
         "split it into two commands: keep VARIABLES and keep if CONDITION")
    ]


def test_label_set_defined_twice():
    assert run("define-labels s 1 a\ndefine-labels s 2 b\n") == [
        (2, 15, E, "the label set s already exists", "drop-labels s first, or choose another name")
    ]
    assert run("define-labels s 1 a\ndrop-labels s\ndefine-labels s 2 b\n") == []


def test_function_names_and_arity_when_the_function_table_is_given():
    functions = pytest.importorskip("mdlang.engine.functions").FUNCTIONS
    text = P + "generate z = sysmis(x)\ngenerate w = substr(x, 1)\nlet t = date_fmt()\n"
    assert run(text, functions=functions) == [
        (5, 14, E, "unknown function sysmis()", "did you mean sysmiss()?"),
        (6, 14, E, "substr() takes 3 arguments, not 2", f"write it as {functions['substr'].signature}"),
        (7, 9, E, "date_fmt() takes 1 to 3 arguments, not 0",
         f"write it as {functions['date_fmt'].signature}"),
    ]
    assert run(text) == []


def test_parenthesised_negation_before_a_comparison_is_intended():
    assert run(P + "keep if (!x) == 1\n") == []
    assert run(P + "keep if y > 1 & !x == 1\n") == [
        (5, 17, W, "! binds tighter than ==: this reads as (!x) == 1", "write !(x == 1) to negate the comparison")
    ]


def test_configure_passes_its_undocumented_sub_options_through():
    assert run("configure nocache, tables\n") == []


def test_a_checker_defect_becomes_a_warning_not_a_crash(monkeypatch):
    from mdlang.semantics import check
    from mdlang.syntax import ast

    def broken(ck, stmt):
        raise RuntimeError("boom")

    monkeypatch.setitem(check._RULES, ast.Generate, broken)
    assert run(P + "summarize nothing_known\n")[0] == (
        2, 1, W, "this statement could not be checked (internal RuntimeError)",
        "please report this; the script still runs, and errors show when it does",
    )
    # the dataset's contents are unknown afterwards, so no cascade of unknown-variable errors
    assert len(run(P + "summarize nothing_known\n")) == 3
