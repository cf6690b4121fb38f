"""The executor: results as in ``mdlang run``, errors, history, save/load/clear, and a
cancelled or failed command leaving the datasets as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mdlang.commands import registry
from mdlang.engine.runner import run_script, statement_sources
from mdlang.render import renderer
from mdlang.syntax.parser import parse

PRELUDE = ["require no.repl.test:1 as db", "create-dataset p"]


def frame_of(repl: Any, name: str = "p") -> Any:
    return repl.ex.session.datasets[name].frame


def test_results_render_as_in_mdlang_run(repl: Any, store_root: Path) -> None:
    commands = [
        "import db/KJOENN as kjønn",
        "import db/FAAR as født",
        "tabulate kjønn",
        "summarize født",
    ]
    out = "".join(repl.run(c)[0] for c in commands)
    text = "\n".join(PRELUDE + commands) + "\n"
    results = run_script(text, "s.mdl", datastore_dirs=[str(store_root)])
    sources = statement_sources(parse(text).statements, text)
    render = renderer("text")
    expected = "".join(render.render(r, sources.get(r.line)) for r in results[1:])
    assert out == expected
    assert ". tabulate kjønn" in out and "Kvinne" in out


def test_errors_print_as_mdlang_run_prints_them_and_the_session_goes_on(repl: Any) -> None:
    out, err = repl.run("tabulate nosuch")
    assert out == ""
    assert err == (
        "<repl>:1:10: error: unknown variable nosuch\n"
        "    tabulate nosuch\n"
        "             ^\n"
        "  hint: import or generate it first\n"
    )
    out, err = repl.run("import db/KJOENN as kjønn")
    assert err == ""


def test_syntax_errors_show_the_caret(repl: Any) -> None:
    _, err = repl.run("tabulate x )")
    assert err.startswith("<repl>:1:12: syntax error: unmatched ')'")
    assert "    tabulate x )\n               ^\n" in err


def test_runtime_error_restores_the_state_before_the_command(repl: Any) -> None:
    repl.run("import db/FAAR as født")
    before = frame_of(repl).copy()
    _, err = repl.run("for i in 1 2 3\n  generate x ++ $i = født + $i\nend\nimport db/NOSUCH as y")
    assert "NOSUCH" in err
    # the loop ran and stays; the failed import changed nothing
    assert list(frame_of(repl).columns) == ["født", "x1", "x2", "x3"]
    # the checker cannot know register names here: the loop fails while running, after the
    # first import of its first round has added a variable
    _, err = repl.run(
        "for i in 4 5\n  import db/FAAR as f ++ $i\n  import db/NOSUCH as z ++ $i\nend"
    )
    assert err.startswith("<repl>:3:")
    assert list(frame_of(repl).columns) == ["født", "x1", "x2", "x3"]
    assert frame_of(repl)["født"].equals(before["født"])


def interrupt_on_call(monkeypatch: pytest.MonkeyPatch, name: str, call: int) -> None:
    """Make the engine handler of ``name`` run, then raise KeyboardInterrupt on call ``call``."""
    real = registry.HANDLERS[name]
    calls = {"n": 0}

    def handler(session: Any, stmt: Any) -> Any:
        out = real(session, stmt)
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return out

    monkeypatch.setitem(registry.HANDLERS, name, handler)


def test_ctrl_c_during_a_loop_leaves_the_dataset_unchanged(
    repl: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repl.run("import db/FAAR as født")
    before = frame_of(repl).copy()
    interrupt_on_call(monkeypatch, "generate", 2)
    out, err = repl.run("for i in 1 2 3\n  generate x ++ $i = født + $i\nend")
    assert err == "cancelled: for was stopped; the datasets are as they were before it\n"
    assert list(frame_of(repl).columns) == ["født"]
    assert frame_of(repl).equals(before)
    assert repl.ex.session.bindings.items() == {}
    assert "for i in" not in "\n".join(repl.ex.history)


def test_ctrl_c_after_an_in_place_replace_restores_the_values(
    repl: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repl.run("import db/FAAR as født")
    before = frame_of(repl)["født"].to_numpy().copy()
    interrupt_on_call(monkeypatch, "replace", 1)
    _, err = repl.run("replace født = 0 if født > 1960")
    assert err.startswith("cancelled: replace was stopped")
    assert np.array_equal(frame_of(repl)["født"].to_numpy(), before)
    monkeypatch.undo()
    repl.run("replace født = 0 if født > 1960")
    expected = np.where(before > 1960, 0, before)
    assert np.array_equal(frame_of(repl)["født"].to_numpy(), expected)


def test_ctrl_c_undoes_a_dataset_deletion(repl: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    repl.run("create-dataset q")
    interrupt_on_call(monkeypatch, "delete-dataset", 1)
    repl.run("delete-dataset q")
    assert sorted(repl.ex.session.datasets) == ["p", "q"]
    assert repl.ex.session.active == "q"


def test_history_lists_commands_that_ran_without_results(repl: Any) -> None:
    repl.run("import db/KJOENN as kjønn")
    repl.run("tabulate nosuch")
    repl.run("tabulate kjønn, \\\n  missing")
    out, _ = repl.run("history")
    assert out == (
        ". history\n"
        "require no.repl.test:1 as db\n"
        "create-dataset p\n"
        "import db/KJOENN as kjønn\n"
        "tabulate kjønn, \\\n"
        "  missing\n\n"
    )


def test_save_writes_the_session_as_a_script(repl: Any, tmp_path: Path) -> None:
    repl.run("import db/KJOENN as kjønn")
    repl.run("for i in 1 2\n    generate k ++ $i = $i\nend")
    out, err = repl.run("save 'min analyse'")
    assert err == ""
    assert out == ". save 'min analyse'\nSaved 4 commands to min analyse.mdl.\n\n"
    assert (tmp_path / "min analyse.mdl").read_text(encoding="utf-8") == (
        "require no.repl.test:1 as db\ncreate-dataset p\nimport db/KJOENN as kjønn\n"
        "for i in 1 2\n    generate k ++ $i = $i\nend\n"
    )
    parse((tmp_path / "min analyse.mdl").read_text(encoding="utf-8"))


def test_save_refuses_to_overwrite_a_foreign_file_but_updates_its_own(
    repl: Any, tmp_path: Path
) -> None:
    (tmp_path / "other.mdl").write_text("help\n", encoding="utf-8")
    _, err = repl.run("save 'other'")
    assert err.startswith("<repl>:1:1: error: the script other.mdl already exists")
    assert (tmp_path / "other.mdl").read_text(encoding="utf-8") == "help\n"
    repl.run("save 'mine'")
    repl.run("create-dataset q")
    out, err = repl.run("save")
    assert err == "" and "Saved 3 commands to mine.mdl." in out


def test_load_replaces_the_session_and_runs_the_script(repl: Any, tmp_path: Path) -> None:
    (tmp_path / "analyse.mdl").write_text(
        "require no.repl.test:1 as db\ncreate-dataset a\nimport db/FAAR as født\n", encoding="utf-8"
    )
    repl.run("create-dataset gammel")
    out, err = repl.run("load 'analyse'")
    assert err == ""
    assert out.startswith(
        ". load 'analyse'\nLoaded analyse.mdl; the session now holds its commands.\n\n"
    )
    assert sorted(repl.ex.session.datasets) == ["a"]
    assert list(frame_of(repl, "a").columns) == ["født"]
    assert repl.ex.history == [
        "require no.repl.test:1 as db",
        "create-dataset a",
        "import db/FAAR as født",
    ]


def test_load_of_a_broken_script_keeps_the_session(repl: Any, tmp_path: Path) -> None:
    (tmp_path / "feil.mdl").write_text("create-dataset a\ntabulate x )\n", encoding="utf-8")
    _, err = repl.run("load 'feil'")
    assert err.startswith("feil.mdl:2:12: syntax error")
    assert err.endswith("the session was not replaced\n")
    assert sorted(repl.ex.session.datasets) == ["p"]


def test_load_of_a_missing_script(repl: Any) -> None:
    _, err = repl.run("load 'finnes ikke'")
    assert err.startswith("<repl>:1:1: error: there is no saved script finnes ikke.mdl")
    assert "hint: save one first with: save 'NAME'" in err


def test_clear_wipes_datasets_bindings_and_history(repl: Any) -> None:
    repl.run("let år = 2020")
    out, err = repl.run("clear")
    assert err == "" and "Cleared" in out
    assert repl.ex.session.datasets == {} and repl.ex.session.bindings.items() == {}
    assert repl.ex.history == []
    assert repl.ex.scope.datasets == {} and repl.ex.scope.binding_names() == []


def test_help_and_variables_run_through_the_engine(repl: Any) -> None:
    out, _ = repl.run("help tabulate")
    assert out.startswith(". help tabulate\ntabulate — ")
    out, _ = repl.run("variables")
    assert "db/KJOENN" in out and "db/FAAR" in out
    out, _ = repl.run("help-function round")
    assert "round" in out


def test_edit_says_what_to_do_instead(repl: Any) -> None:
    _, err = repl.run("edit")
    assert "mdlang repl does not have" in err and "save 'NAME'" in err


def test_exit_and_blank_input(repl: Any) -> None:
    assert repl.ex.submit("   ") is True
    assert repl.ex.submit("exit") is False
