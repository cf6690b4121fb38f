"""``mdlang run`` and ``run_script``: streaming, exit codes, -o FILE, --strict, no tracebacks."""

from __future__ import annotations

import json

import pytest

from mdlang.cli import main
from mdlang.commands import registry
from mdlang.engine.runner import run_script
from mdlang.errors import MdlError, MdlRuntimeError, MdlSyntaxError

OK = "require no.test.reg:1 as db\ncreate-dataset p\nimport db/KJOENN as kjønn\ntabulate kjønn\n"


def write(tmp_path, text, name="s.mdl"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def cli(store_root, *args):
    return main(["run", *args, "--datastore-dir", str(store_root)])


def test_run_script_returns_released_results(store_root):
    results = run_script(OK, "s.mdl", datastore_dirs=[str(store_root)])
    assert [r.command for r in results] == ["require", "tabulate"]
    assert results[1].kind == "table"


def test_run_script_syntax_error_before_anything_runs(store_root):
    with pytest.raises(MdlSyntaxError) as info:
        run_script(OK + "generate x = (1 +\n", "s.mdl", datastore_dirs=[str(store_root)])
    assert info.value.span.line == 5


def test_json_output_is_one_object_per_line(store_root, tmp_path, capsys):
    assert cli(store_root, write(tmp_path, OK), "--output", "json") == 0
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["command"] for o in objects] == ["require", "tabulate"]
    assert objects[1]["line"] == 4


def test_runtime_error_exit_1_after_printing_what_ran(store_root, tmp_path, capsys):
    code = cli(store_root, write(tmp_path, OK + "generate y = kjønn == 1\n"))
    out, err = capsys.readouterr()
    assert code == 1
    assert "Mann" in out
    assert err.startswith(f"{tmp_path / 's.mdl'}:5:14: error: kjønn is alphanumeric")
    assert "hint: quote the value: kjønn == '1'" in err
    assert "Traceback" not in err


def test_syntax_error_exit_3_and_nothing_runs(store_root, tmp_path, capsys):
    code = cli(store_root, write(tmp_path, OK + "generate x = (1 +\n"))
    out, err = capsys.readouterr()
    assert code == 3 and out == "" and "syntax error" in err


def test_semantic_error_exit_3(store_root, tmp_path, capsys):
    code = cli(store_root, write(tmp_path, OK + "generate z = nope + 1\n"))
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert ":5:14: error:" in err


def test_missing_script_is_a_usage_error(store_root, tmp_path, capsys):
    assert cli(store_root, str(tmp_path / "none.mdl")) == 2
    assert "no such script file" in capsys.readouterr().err


def test_output_file_written_at_the_end(store_root, tmp_path, capsys):
    target = tmp_path / "out.md"
    assert cli(store_root, write(tmp_path, OK), "--output", "markdown", "-o", str(target)) == 0
    assert capsys.readouterr().out == ""
    assert "Mann" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".mdlang-")] == []


def test_withheld_population_change_stops_with_exit_1(store_root, tmp_path, capsys):
    script = write(tmp_path, OK + "keep if kjønn == '1' & kjønn == '2'\ntabulate kjønn\n")
    assert cli(store_root, script) == 1
    out, err = capsys.readouterr()
    assert "D12 dataset floor" in err and ":5:1:" in err
    assert out.count("tabulate kjønn") == 1  # the tabulate after the withheld keep never ran
    assert cli(store_root, write(tmp_path, OK, "ok.mdl"), "--strict") == 0


def test_stdin_script(store_root, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(OK))
    assert cli(store_root, "-", "--output", "json") == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_internal_error_does_not_leak(store_root, tmp_path, capsys, monkeypatch):
    def broken(ctx, stmt):
        raise ValueError(f"row 17 has value {ctx.frame.iloc[0, 0]} SECRET-17")

    monkeypatch.setitem(registry.ANALYSES, "tabulate", broken)
    code = cli(store_root, write(tmp_path, OK))
    out, err = capsys.readouterr()
    assert code == 1
    assert "SECRET" not in out + err and "row 17" not in out + err and "Traceback" not in err
    assert "internal error while running tabulate" in err
    assert "please report it" in err


def test_internal_error_is_an_mdl_error_in_run_script(store_root, monkeypatch):
    monkeypatch.setitem(registry.ANALYSES, "tabulate", lambda ctx, stmt: 1 / 0)
    with pytest.raises(MdlRuntimeError) as info:
        run_script(OK, "s.mdl", datastore_dirs=[str(store_root)])
    assert info.value.message == "internal error while running tabulate"
    assert info.value.span.line == 4


def test_policy_override_may_tighten_but_never_loosen(store_root):
    from dataclasses import replace

    from mdlang.disclosure.policy import Policy

    script = OK + "import db/FAAR as faar\nkeep if faar < 1960 & kjønn == '1'\n"
    with pytest.raises(MdlError, match="D12 dataset floor"):
        run_script(script, "s.mdl", datastore_dirs=[str(store_root)])
    with pytest.raises(MdlError) as info:
        run_script(script, "s.mdl", datastore_dirs=[str(store_root)], policy_override=Policy.from_preset("health-survey"))
    assert "may only tighten" in info.value.message and "datasets.floor" in info.value.message
    plain = OK + "keep if kjønn == '1'\n"
    assert run_script(plain, "s.mdl", datastore_dirs=[str(store_root)])[-1].kind != "refusal"
    tight = replace(Policy.from_preset("register"), dataset_floor=10**9)
    with pytest.raises(MdlError, match="D12 dataset floor"):
        run_script(plain, "s.mdl", datastore_dirs=[str(store_root)], policy_override=tight)


def test_strict_exit_4_when_a_cell_is_suppressed(store_root, tmp_path, capsys):
    script = write(tmp_path, OK + "import db/WLONN 2021-01-01 as lønn\ngenerate topp = lønn > 2995000\ntabulate topp\n")
    assert cli(store_root, script, "--strict") == 4
    assert "<10" in capsys.readouterr().out


def test_session_run_streams_results_before_later_commands_run(store_root):
    from mdlang.engine.session import Session
    from mdlang.syntax import ast as A
    from mdlang.syntax.parser import parse

    session = Session(datastore_dirs=[str(store_root)])
    text = OK + "generate y = nope\n"
    stream = session.run(A.Script(parse(text).statements, file="s.mdl", source=text))
    first = next(stream)
    assert first.command == "require" and session.datasets == {}
    assert next(stream).command == "tabulate"
    with pytest.raises(MdlRuntimeError) as info:
        next(stream)
    assert info.value.format().splitlines()[0] == "s.mdl:5:14: error: the active dataset has no variable nope"
