"""``mdlang check``: text and JSON output, exit codes, standard input, start-up without pandas."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from mdlang.cli import main

BAD = "create-dataset d\ngenerate x = 1\ntabulate x, rowpc\ndrop if x == .\n"
WARN_ONLY = "create-dataset d\ngenerate x = 1\ndrop if x == .\n"
CLEAN = "create-dataset d\ngenerate x = 1\ntabulate x\n"


def _write(tmp_path, text: str):
    path = tmp_path / "s.mdl"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_text_output_and_exit_code_3_on_errors(tmp_path, capsys):
    path = _write(tmp_path, BAD)
    assert main(["check", path]) == 3
    out = capsys.readouterr().out
    assert out == (
        f"{path}:3:13: error: tabulate has no option rowpc\n"
        "    tabulate x, rowpc\n"
        "                ^\n"
        "  hint: did you mean rowpct?\n"
        f"{path}:4:9: warning: == . is read as sysmiss(), but microdata.no only accepts sysmiss()\n"
        "    drop if x == .\n"
        "            ^\n"
        "  hint: write sysmiss(x) so the script also runs on microdata.no\n"
        "1 error, 1 warning\n"
    )


def test_warnings_alone_exit_0(tmp_path, capsys):
    assert main(["check", _write(tmp_path, WARN_ONLY)]) == 0
    assert capsys.readouterr().out.endswith("0 errors, 1 warning\n")


def test_clean_script_prints_nothing(tmp_path, capsys):
    assert main(["check", _write(tmp_path, CLEAN)]) == 0
    assert capsys.readouterr().out == ""


def test_json_lines(tmp_path, capsys):
    path = _write(tmp_path, BAD)
    assert main(["check", path, "--format", "json"]) == 3
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [{k: r[k] for k in ("file", "line", "col", "severity", "kind", "message")} for r in rows] == [
        {"file": path, "line": 3, "col": 13, "severity": "error", "kind": "semantic",
         "message": "tabulate has no option rowpc"},
        {"file": path, "line": 4, "col": 9, "severity": "warning", "kind": "semantic",
         "message": "== . is read as sysmiss(), but microdata.no only accepts sysmiss()"},
    ]


def test_syntax_errors_are_diagnostics_of_kind_syntax(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("create-dataset d\n# kommentar\ngenerate x = 1\n"))
    assert main(["check", "-", "--format", "json"]) == 3
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["file"], r["line"], r["col"], r["severity"], r["kind"]) for r in rows] == [
        ("<stdin>", 2, 1, "error", "syntax")
    ]


def test_standard_input_is_named_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("tabulate x\n"))
    assert main(["check", "-"]) == 3
    assert capsys.readouterr().out.startswith("<stdin>:1:1: error: there is no active dataset\n")


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.mdl")]) == 2
    assert f"no such script: {tmp_path / 'nope.mdl'}" in capsys.readouterr().err


def test_check_does_not_import_pandas(tmp_path):
    path = _write(tmp_path, BAD)
    code = (
        "import sys\nfrom mdlang.cli import main\n"
        f"rc = main(['check', {path!r}, '--datastore-dir', {str(tmp_path)!r}])\n"
        "print(rc, 'pandas' in sys.modules, 'numpy' in sys.modules)\n"
    )
    env_code = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=_env_without_sample(tmp_path))
    assert env_code.stdout.splitlines()[-1] == "3 False False"


def _env_without_sample(tmp_path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["MDLANG_HOME"] = str(tmp_path / "home")
    return env
