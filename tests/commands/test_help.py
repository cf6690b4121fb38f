"""``help``: pages for commands and functions, the listing by group, and ``mdlang help``."""

from __future__ import annotations

import pytest

from mdlang.cli import main
from mdlang.commands.help import UnknownHelpTopic, command_listing, help_text
from mdlang.commands.registry import all_commands


def test_command_page_shows_every_part():
    text = help_text("histogram")
    assert text.splitlines()[:4] == [
        "histogram — histogram of a numeric variable  [Grafikk]",
        "",
        "Syntax",
        "  histogram <variable> [if <condition>] [, options]",
    ]
    assert "  bin(#)        number of bins (not with discrete, width)" in text
    assert "  discrete      one bar per distinct value (not with bin)" in text
    assert "\nExample\n  histogram inntekt, bin(30) percent\n" in text
    assert "\nDisclosure control\n  The figure is drawn only from protected aggregates" in text


def test_option_rules_are_shown():
    text = help_text("tabulate")
    assert "  rowpct                show row percentages (needs 2 or more variables)" in text
    assert "(needs summarize)" in text
    collapse = help_text("collapse")
    assert "  by(variable)  the variable whose values become the new units (required)" in collapse
    assert "Statistics\n  mean min max median count sum semean sebinomial sd percent iqr gini p1 … p99" in collapse
    assert "  mfx(dydx|eyex|dyex|eydx)" in help_text("logit")


@pytest.mark.parametrize("name", sorted(all_commands()))
def test_every_command_has_a_page(name):
    text = help_text(name)
    assert text.startswith(f"{name} — ")
    assert "\nExample\n" in text and "\nDisclosure control\n" in text


def test_listing_by_group_in_reference_order():
    text = command_listing()
    groups = [line for line in text.splitlines() if line and not line.startswith(" ")][1:]
    assert groups == ["Datasett", "Tilrettelegging", "Statistikk", "Analyse", "Regresjon",
                      "Overlevelsesanalyse", "Grafikk", "Bindinger", "Støtte"]
    assert "  tabulate         frequency table of one or more categorical variables" in text
    assert sum(1 for line in text.splitlines() if line.startswith("  ")) == 83


def test_unknown_topic_suggests():
    with pytest.raises(UnknownHelpTopic) as info:
        help_text("tabulat")
    assert info.value.message == "there is no command or function named 'tabulat'"
    assert info.value.hint == "did you mean tabulate or tabulate-panel?"


def test_cli_help(capsys):
    assert main(["help", "regress"]) == 0
    assert capsys.readouterr().out.startswith("regress — linear regression (OLS)  [Regresjon]\n")
    assert main(["help"]) == 0
    assert capsys.readouterr().out.startswith("Commands (help COMMAND shows one in full):\n\nDatasett\n")
    assert main(["help", "regres"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "mdlang: there is no command or function named 'regres'\n"
        "  hint: did you mean regress, ivregress or regress-mml?\n"
    )


def test_function_help_when_the_library_is_there():
    functions = pytest.importorskip("mdlang.engine.functions").FUNCTIONS
    name = "sysmiss" if "sysmiss" in functions else sorted(functions)[0]
    fn = functions[name]
    text = help_text(name)
    assert text.startswith(f"{name}() — function  [{fn.group}]\n\nSyntax\n  {fn.signature}\n")
    assert f"\nExample\n  {fn.example}" in text


def test_function_listing_follows_the_library_groups():
    module = pytest.importorskip("mdlang.engine.functions")
    from mdlang.commands.help import function_help_text, function_listing

    text = function_listing()
    headers = [line for line in text.splitlines()[1:] if line and not line.startswith(" ")]
    assert headers == [g for g in module.GROUPS if any(f.group == g for f in module.FUNCTIONS.values())]
    assert sum(1 for line in text.splitlines() if line.startswith("  ")) == len(module.FUNCTIONS)
    with pytest.raises(UnknownHelpTopic) as info:
        function_help_text("sysmis")
    assert (info.value.message, info.value.hint) == ("there is no function named 'sysmis'", "did you mean sysmiss?")
