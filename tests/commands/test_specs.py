"""The command registry's content: every command of language.md §3 with complete, checkable specs."""

from __future__ import annotations

import pytest

from mdlang.commands.registry import all_commands, get
from mdlang.commands.specs import GROUPS
from mdlang.semantics.check import check_text
from mdlang.semantics.scope import DatasetScope, Scope

# language.md §3.10, group by group (82 entries including end) plus endblock
EXPECTED = {
    "Analyse": "anova ci correlate normaltest transitions-panel",
    "Bindinger": "let for end",
    "Datasett": "require create-dataset delete-dataset use clone-dataset clone-units rename-dataset "
    "reshape-from-panel reshape-to-panel",
    "Tilrettelegging": "import import-event import-panel generate rename clone-variables drop keep "
    "aggregate collapse merge recode replace destring assign-labels define-labels drop-labels "
    "list-labels sample",
    "Grafikk": "barchart boxplot coefplot hexbin histogram piechart sankey",
    "Regresjon": "hausman ivregress ivregress-predict logit logit-predict mlogit mlogit-predict "
    "negative-binomial negative-binomial-predict oaxaca poisson poisson-predict probit "
    "probit-predict rdd regress regress-mml regress-mml-predict regress-panel regress-panel-diff "
    "regress-panel-predict regress-predict",
    "Statistikk": "summarize summarize-panel tabulate tabulate-panel",
    "Støtte": "clear edit load save help help-function history textblock variables configure endblock",
    "Overlevelsesanalyse": "cox kaplan-meier weibull",
}

ARG_KINDS = {None, "int", "number", "string", "var", "varlist", "terms", "codes", "word", "name", "names",
             "optional-var"}
KINDS = {"data", "analysis", "session", "control", "info"}
SESSION_ONLY = {"history", "save", "load", "edit"}


def test_every_command_of_the_reference_is_registered_in_its_group():
    commands = all_commands()
    expected = {name: group for group, names in EXPECTED.items() for name in names.split()}
    assert len(expected) == 83
    assert {n: s.group for n, s in commands.items()} == expected
    assert set(GROUPS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(all_commands()))
def test_spec_is_complete(name):
    spec = get(name)
    assert spec.kind in KINDS
    assert spec.summary and spec.syntax.startswith(name.split("-")[0])
    assert len(spec.help) > 40 and spec.example and spec.disclosure
    assert spec.max_args is None or spec.max_args >= spec.min_args
    for opt in spec.options:
        assert opt.arg in ARG_KINDS, opt
        assert opt.help, opt
        assert opt.arg == "word" or not opt.choices
        for other in (*opt.excludes, *opt.requires):
            assert spec.option(other) is not None, (name, opt.name, other)
        # exclusion is symmetric so the checker reports it whichever comes first
        for other in opt.excludes:
            assert opt.name in spec.option(other).excludes, (name, opt.name, other)
    for opt_name in spec.extra.get("option_min_args", {}):
        assert spec.option(opt_name) is not None


def test_documented_option_rules():
    assert get("regress").option("robust").excludes == ("cluster",)
    assert "discrete" in get("histogram").option("bin").excludes
    assert get("tabulate").extra["option_min_args"] == {"rowpct": 2, "colpct": 2, "chi2": 2}
    assert get("collapse").extra["required_options"] == ("by",)
    assert get("logit").option("mfx").choices == ("dydx", "eyex", "dyex", "eydx")
    assert get("hexbin").option("gridsize").default == 20
    assert {n for n, s in all_commands().items() if s.extra.get("repl_only")} == SESSION_ONLY


def _example_scope() -> Scope:
    """A session in which every example makes sense: a datastore alias, a label set, and
    datasets whose variables are not known (so examples may name any variable)."""
    scope = Scope()
    for name in ("personer", "personer_kopi", "d"):
        scope.datasets[name] = DatasetScope(name, open=True)
    scope.active = "d"
    scope.aliases["db"] = ("no.ssb.fdb", 23)
    scope.labelsets.add("kjønnlabels")
    return scope


@pytest.mark.parametrize("name", sorted(all_commands()))
def test_example_passes_the_checker(name):
    spec = get(name)
    diags = check_text(spec.example + "\n", file="example.mdl", scope=_example_scope())
    if name in SESSION_ONLY:
        assert [d.message for d in diags] == [f"{name} only works in the interactive command window"]
    else:
        assert diags == [], [d.format(spec.example) for d in diags]
