"""What each statement creates, drops and renames, tracked per dataset; bindings and loops."""

from __future__ import annotations

from check_helpers import run

from mdlang.semantics.check import final_scope, scopes
from mdlang.syntax.parser import parse

E = "error"
REQ = "require no.ssb.fdb:23 as db\n"


def unknown(line: int, col: int, name: str, hint: str = "import or generate it first") -> tuple:
    return (line, col, E, f"unknown variable {name}", hint)


def test_import_names_after_as_or_the_register_variable():
    text = REQ + (
        "create-dataset d\n"
        "import db/BEFOLKNING_KJOENN as kjønn\n"
        "import db/INNTEKT_WLONN 2020-01-01\n"
        "summarize kjønn INNTEKT_WLONN BEFOLKNING_KJOENN\n"
    )
    assert run(text) == [unknown(5, 31, "BEFOLKNING_KJOENN")]


def test_import_event_adds_start_and_stop_and_collapse_keeps_by_and_results():
    text = REQ + (
        "create-dataset e\n"                                                            # 2
        "import-event db/SIVSTANDFDT_SIVSTAND 2010-01-01 to 2019-12-31 as siv\n"        # 3
        "summarize START@siv STOP@siv\n"                                                # 4
        "collapse (min) START@siv -> første (count) siv, by(PERSONID_1)\n"             # 5
        "summarize første siv\n"                                                        # 6
        "summarize STOP@siv\n"                                                          # 7
    )
    assert run(text) == [
        (7, 11, E, "variable STOP@siv was removed by collapse on line 5", "it no longer exists in dataset e")
    ]


def test_import_event_and_import_panel_need_an_empty_dataset():
    text = REQ + (
        "create-dataset d\n"
        "import db/BEFOLKNING_KJOENN as kjønn\n"
        "import-event db/SIVSTANDFDT_SIVSTAND 2010-01-01 to 2019-12-31 as siv\n"
        "import-panel db/INNTEKT_WLONN 2019-12-31 2020-12-31\n"
    )
    assert run(text) == [
        (4, 1, E, "import-event needs an empty dataset, but d already has variables",
         "create a new dataset with create-dataset first (one event variable per dataset)"),
        (5, 1, E, "import-panel needs an empty dataset, but d already has variables",
         "clone-units the population into a new dataset, use it, then import-panel"),
    ]


def test_import_into_an_event_dataset_is_refused():
    text = REQ + (
        "create-dataset e\n"
        "import-event db/SIVSTANDFDT_SIVSTAND 2010-01-01 to 2019-12-31 as siv\n"
        "import db/BEFOLKNING_KJOENN as kjønn\n"
    )
    assert run(text) == [
        (4, 1, E, "cannot import a cross-section variable into the event dataset e",
         "import it into a cross-section dataset and merge it into this one")
    ]


def test_panel_from_clone_units_and_import_panel():
    text = REQ + (
        "create-dataset d\n"                                                   # 2
        "import db/BEFOLKNING_KJOENN as kjønn\n"                               # 3
        "clone-units d p\n"                                                    # 4
        "use p\n"                                                              # 5
        "import-panel db/INNTEKT_WLONN db/INNTEKT_WFORM 2019-12-31 2020-12-31\n"  # 6
        "generate år = year(date@panel)\n"                                     # 7
        "regress-panel INNTEKT_WLONN INNTEKT_WFORM år, fe\n"                   # 8
        "summarize kjønn\n"                                                    # 9
    )
    assert run(text) == [unknown(9, 11, "kjønn", "it is in dataset d; switch with: use d")]


def test_reshape_to_panel_and_back():
    text = (
        "create-dataset d\n"
        "generate lønn2019 = 1\n"
        "generate lønn2020 = 2\n"
        "reshape-to-panel lønn\n"          # 4
        "summarize-panel lønn\n"
        "summarize lønn2019\n"             # 6
        "reshape-from-panel\n"             # 7
        "summarize lønn2019 anything\n"    # 8: unknown names after reshape-from-panel are not reported
        "reshape-to-panel skatt\n"         # 9: d is open now, nothing to report
    )
    assert run(text) == [
        (6, 11, E, "variable lønn2019 was reshaped into lønn on line 4", "it no longer exists in dataset d")
    ]
    assert run("create-dataset d\ngenerate x = 1\nreshape-to-panel lønn\n") == [
        (3, 18, E, "no variables are named lønn followed by digits",
         "reshape-to-panel needs wide variables such as lønn2019 lønn2020")
    ]


def test_merge_adds_into_the_target_and_refuses_clashes():
    text = (
        "create-dataset personer\n"           # 1
        "generate kommune = 1\n"              # 2
        "create-dataset k\n"                  # 3
        "generate snitt = 1\n"                # 4
        "merge snitt into personer on kommune\n"
        "merge snitt into personer on fylke\n"   # 6
        "use personer\n"
        "summarize snitt\n"
    )
    assert run(text) == [
        (6, 7, E, "dataset personer already has a variable snitt", "rename or drop one of them before merging"),
        (6, 30, E, "dataset personer has no variable fylke", "on names a variable of personer"),
    ]


def test_aggregate_recode_destring_clone_and_predict_outputs():
    text = (
        "create-dataset d\n"
        "generate x = 1\n"
        "generate y = 2\n"
        "aggregate (mean) x -> mx (sd) y -> sy, by(y)\n"
        "recode x y (1 = 2), prefix(r_)\n"
        "recode x (1 = 2), generate(x2)\n"
        "destring y, prefix(n_)\n"
        "clone-variables x -> xc y, suffix(_k)\n"
        "regress-predict y x, residuals(res) cooksd(cd)\n"
        "logit-predict y x\n"
        "poisson-predict y x\n"
        "summarize mx sy r_x r_y x2 n_y xc y_k res cd probabilities predicted\n"
        "regress-predict y x\n"          # 13: predicted exists already
    )
    assert run(text) == [
        (13, 1, E, "variable predicted already exists", "use replace to change it, or drop it first")
    ]


def test_dataset_management():
    text = (
        "create-dataset a\n"
        "generate x = 1\n"
        "clone-dataset a b\n"
        "rename-dataset a c\n"
        "use b\n"
        "summarize x\n"
        "delete-dataset c\n"
        "use c\n"                        # 8
        "use a\n"                        # 9
    )
    assert run(text) == [
        (8, 5, E, "unknown dataset c", "create it first with: create-dataset c"),
        (9, 5, E, "unknown dataset a", "create it first with: create-dataset a"),
    ]


def test_names_built_from_bindings_are_resolved():
    text = (
        "create-dataset d\n"
        "let år = 2020\n"
        "let stamme = lønn\n"
        "generate $stamme ++ $år = 1\n"
        "summarize lønn2020\n"
        "generate z = lønn ++ $år - 1 * 2\n"     # 6: lønn2018 does not exist
    )
    assert run(text) == [unknown(6, 14, "lønn2018", "did you mean lønn2020?")]


def test_loops_are_checked_once_per_value_with_iterators_in_scope():
    text = (
        "create-dataset d\n"
        "for i in 1 : 3\n"
        "  generate v ++ $i = $i\n"
        "end\n"
        "summarize v1 v3 v4\n"               # 5
        "summarize $i\n"                     # 6: the iterator is gone after end
        "for a, b in 1 2, x y; c in 'p' 'q'\n"
        "  generate $b ++ $a ++ $c = 1\n"
        "end\n"
        "summarize x1p y2q\n"
    )
    assert run(text) == [
        unknown(5, 17, "v4"),
        (6, 11, E, "the binding $i is not defined", "define it first with: let i = …"),
    ]


def test_creating_the_same_name_in_every_iteration_is_reported_once():
    assert run("create-dataset d\nfor i in 1 : 3\n  generate x = $i\nend\n") == [
        (3, 12, E, "variable x already exists", "use replace to change it, or drop it first")
    ]


def test_names_that_cannot_be_known_cause_no_false_errors():
    text = (
        "create-dataset d\n"
        "for i in 1 : 5000\n"                 # too many values to check one by one
        "  generate v ++ $i = $i\n"
        "end\n"
        "summarize v17 w\n"
    )
    assert run(text) == []


def test_bindings_made_in_a_loop_are_local_to_it():
    text = "for i in 1 2\n  let t = $i\nend\nlet u = $t\n"
    assert run(text) == [(4, 9, E, "the binding $t is not defined", "define it first with: let t = …")]


def test_final_scope_and_scopes_for_the_repl():
    script = parse(REQ + "create-dataset d\nimport db/BEFOLKNING_KJOENN as kjønn\nlet år = 2020\n"
                   "define-labels s 1 a\ncreate-dataset e\n")
    scope = final_scope(script)
    assert list(scope.datasets) == ["d", "e"]
    assert scope.active == "e"
    assert scope.datasets["d"].kind == "cross"
    assert list(scope.datasets["d"].variables) == ["kjønn"]
    assert scope.binding("år") == 2020
    assert scope.aliases == {"db": ("no.ssb.fdb", 23)}
    assert scope.labelsets == {"s"}
    steps = scopes(script)
    assert [s.variables() for _, s in steps] == [[], [], ["kjønn"], ["kjønn"], ["kjønn"], []]
