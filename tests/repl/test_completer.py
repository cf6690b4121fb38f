"""Completion candidates in each context, from the registry, the function table and a scope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from mdlang.commands.registry import all_commands, get
from mdlang.engine.functions import FUNCTIONS
from mdlang.repl.completer import MdlCompleter, SessionSources
from mdlang.semantics.scope import DatasetScope, Scope


class FakeSources:
    """A scope with two datasets (personer active), a binding, an alias and a label set."""

    def __init__(self) -> None:
        scope = Scope()
        scope.datasets["personer"] = DatasetScope(
            "personer", dict.fromkeys(["kjønn", "alder", "lønn"]), "cross"
        )
        scope.datasets["familier"] = DatasetScope("familier", dict.fromkeys(["antall"]), "cross")
        scope.active = "personer"
        scope.bindings = [{"år": 2020, "start": 2000}]
        scope.aliases = {"db": ("no.ssb.fdb", 38)}
        scope.labelsets = {"kjønnlab"}
        self._scope = scope

    def scope(self) -> Scope:
        return self._scope

    def functions(self) -> dict[str, Any]:
        return FUNCTIONS

    def register_variables(self, alias: str) -> list[tuple[str, str]]:
        names = [
            ("BEFOLKNING_KJOENN", "Kjønn"),
            ("BEFOLKNING_FOEDSELS_AAR_MND", "Fødselsår"),
            ("INNTEKT_WLONN", "Lønn"),
        ]
        return names if alias == "db" else []

    def datastores(self) -> list[str]:
        return ["no.ssb.fdb"]

    def scripts(self) -> list[str]:
        return ["analyse", "min analyse"]


def complete(text: str, sources: Any = None) -> list[str]:
    completer = MdlCompleter(sources or FakeSources())
    doc = Document(text, len(text))
    return [
        c.text for c in completer.get_completions(doc, CompleteEvent(completion_requested=True))
    ]


def test_command_names_at_line_start() -> None:
    assert complete("tabu") == ["tabulate", "tabulate-panel"]
    assert complete("") == sorted(all_commands())


def test_command_names_inside_a_for_block() -> None:
    assert complete("for i in 1 2\n  summ") == ["summarize", "summarize-panel"]


def test_options_of_the_command_after_the_comma() -> None:
    expected = [o.name for o in get("tabulate").options]
    assert complete("tabulate kjønn, ") == expected
    assert complete("tabulate kjønn, row") == ["rowpct", "rowsort"]


def test_options_already_given_are_not_offered_again() -> None:
    assert "rowpct" not in complete("tabulate kjønn, rowpct ")
    assert complete("regress lønn alder, rob") == ["robust"]


def test_variables_of_the_active_dataset_in_argument_positions() -> None:
    assert complete("tabulate ") == ["kjønn", "alder", "lønn"]
    assert complete("summarize al") == ["alder"]
    assert complete("regress lønn i.kj") == ["kjønn"]


def test_variables_inside_an_option_that_takes_them() -> None:
    assert complete("tabulate kjønn, summarize(l") == ["lønn"]
    assert complete("tabulate kjønn, top(") == []


def test_datasets_after_use_and_clone_and_delete() -> None:
    assert complete("use ") == ["personer", "familier"]
    assert complete("clone-dataset fa") == ["familier"]
    assert complete("delete-dataset p") == ["personer"]
    assert complete("merge antall into ") == ["personer", "familier"]


def test_new_names_get_no_candidates() -> None:
    assert complete("create-dataset ") == []
    assert complete("generate ") == []
    assert complete("clone-dataset personer ") == []
    assert complete("import db/INNTEKT_WLONN 2020-01-01 as ") == []


def test_register_names_after_import() -> None:
    assert complete("import ") == ["db/"]
    assert complete("import db/BEF") == ["BEFOLKNING_KJOENN", "BEFOLKNING_FOEDSELS_AAR_MND"]
    assert complete("import-panel db/INN") == ["INNTEKT_WLONN"]
    assert complete("variables db/inn") == ["INNTEKT_WLONN"]


def test_functions_in_expressions() -> None:
    names = complete("generate x = ro")
    assert names == sorted(n for n in FUNCTIONS if n.startswith("ro"))
    assert "round" in names and "rowmean" in names


def test_variables_and_functions_after_if_and_inside_calls() -> None:
    assert complete("summarize lønn if al") == ["alder"]
    assert "lønn" in complete("generate y = round(l") and "ln" in complete("generate y = round(l")
    assert complete("tabulate kjønn if inlist(kj") == ["kjønn"]


def test_bindings() -> None:
    assert complete("generate x = $") == ["$år", "$start"]
    assert complete("let y = $st") == ["$start"]


def test_help_topics_and_function_names() -> None:
    assert complete("help regress-p") == [
        "regress-panel",
        "regress-panel-diff",
        "regress-panel-predict",
        "regress-predict",
    ]
    assert complete("help-function date") == sorted(n for n in FUNCTIONS if n.startswith("date"))


def test_label_sets_and_scripts_and_settings() -> None:
    assert complete("assign-labels kjønn ") == ["kjønnlab"]
    assert complete("load ") == ["'analyse'", "'min analyse'"]
    assert complete("configure no") == ["nocache"]
    assert complete("require ") == ["no.ssb.fdb"]


def test_nothing_inside_strings_comments_and_textblocks() -> None:
    assert complete("generate s = 'ro") == []
    assert complete("tabulate kjønn // ta") == []
    assert complete("textblock\nta") == []


def test_continuation_lines_belong_to_the_command() -> None:
    assert complete("tabulate kjønn \\\n   alder, row") == ["rowpct", "rowsort"]


def test_completion_replaces_the_typed_part() -> None:
    completer = MdlCompleter(FakeSources())
    doc = Document("import db/INN", 13)
    (only,) = completer.get_completions(doc, CompleteEvent(completion_requested=True))
    assert only.start_position == -3 and only.display_meta_text == "Lønn"


@pytest.fixture
def live(repl: Any) -> SessionSources:
    repl.run("import db/KJOENN as kjønn")
    repl.run("import db/FAAR as født")
    repl.run("let år = 2020")
    return SessionSources(repl.ex)


def test_live_session_feeds_completion(live: SessionSources, store_root: Path) -> None:
    assert complete("tabulate ", live) == ["kjønn", "født"]
    assert complete("import db/", live) == ["FAAR", "INNTEKT", "KJOENN"]
    assert complete("use ", live) == ["p"]
    assert complete("summarize født if $", live) == ["$år"]


def test_live_scope_follows_dataset_changes(repl: Any) -> None:
    sources = SessionSources(repl.ex)
    repl.run("import db/FAAR as født")
    repl.run("clone-dataset p kopi")
    repl.run("use kopi")
    repl.run("rename født fødselsår")
    assert complete("use ", sources) == ["p", "kopi"]
    assert complete("tabulate ", sources) == ["fødselsår"]
    repl.run("use p")
    assert complete("tabulate ", sources) == ["født"]


def test_saved_scripts_are_offered_after_load(repl: Any) -> None:
    repl.run("save 'første'")
    assert complete("load ", SessionSources(repl.ex)) == ["'første'"]


def test_minus_in_an_expression_is_not_part_of_the_name() -> None:
    assert complete("generate x = lønn-al") == ["alder"]


def test_list_labels_offers_label_sets_and_aliases() -> None:
    assert complete("list-labels ") == ["kjønnlab", "db/"]
