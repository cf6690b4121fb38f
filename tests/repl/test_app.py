"""The prompt: multi-line input, Ctrl-C and Ctrl-D, history across sessions, suggestions,
Ctrl-R search and Tab completion, driven through prompt_toolkit's pipe input."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from mdlang.repl import app
from mdlang.repl.completer import SessionSources

UP, RIGHT, CTRL_C, CTRL_D, CTRL_R, TAB, ENTER = (
    "\x1b[A",
    "\x1b[C",
    "\x03",
    "\x04",
    "\x12",
    "\t",
    "\r",
)


class Recorder:
    """Stands in for the executor: records what was submitted."""

    def __init__(self) -> None:
        self.submitted: list[str] = []
        self.err = io.StringIO()
        self.scope = None

    def submit(self, text: str) -> bool:
        self.submitted.append(text)
        return text.strip() != "exit"


@pytest.fixture
def pipe() -> Iterator[Any]:
    with create_pipe_input() as inp:
        yield inp


def prompt(executor: Any, pipe: Any, history: Path, sources: Any = None) -> Any:
    return app.make_prompt(
        executor,
        sources or SessionSources(executor),
        history_file=history,
        input=pipe,
        output=DummyOutput(),
    )


def typed(pipe: Any, *chunks: str, pause: float = 0.4) -> None:
    """Send key chunks from a thread with pauses, so that the asynchronous completion and
    suggestion of prompt_toolkit finish between them, as they do for a person typing."""

    def send() -> None:
        for chunk in chunks:
            time.sleep(pause)
            pipe.send_text(chunk)

    threading.Thread(target=send, daemon=True).start()


def test_enter_submits_a_complete_command(pipe: Any, tmp_path: Path) -> None:
    pipe.send_text("tabulate kjønn" + ENTER)
    assert prompt(Recorder(), pipe, tmp_path / "h").prompt() == "tabulate kjønn"


def test_for_block_continues_until_end(pipe: Any, tmp_path: Path) -> None:
    pipe.send_text("for i in 1 2" + ENTER + "help" + ENTER + "end" + ENTER)
    assert prompt(Recorder(), pipe, tmp_path / "h").prompt() == "for i in 1 2\n    help\n    end"


def test_backslash_bracket_and_quote_continue(pipe: Any, tmp_path: Path) -> None:
    pipe.send_text("tabulate a \\" + ENTER + "b, over(c," + ENTER + "d)" + ENTER)
    assert prompt(Recorder(), pipe, tmp_path / "h").prompt() == "tabulate a \\\nb, over(c,\nd)"


def test_textblock_continues_until_endblock(pipe: Any, tmp_path: Path) -> None:
    pipe.send_text("textblock" + ENTER + "# Tittel" + ENTER + "endblock" + ENTER)
    assert prompt(Recorder(), pipe, tmp_path / "h").prompt() == "textblock\n# Tittel\nendblock"


def test_ctrl_c_clears_the_input_and_ctrl_d_leaves(pipe: Any, tmp_path: Path) -> None:
    rec = Recorder()
    pipe.send_text("tabulate half-typed" + CTRL_C)
    pipe.send_text("help" + ENTER)
    pipe.send_text(CTRL_D)
    assert app.interact(rec, prompt(rec, pipe, tmp_path / "h")) == 0
    assert rec.submitted == ["help"]


def test_ctrl_d_deletes_when_the_line_is_not_empty(pipe: Any, tmp_path: Path) -> None:
    pipe.send_text("helpx\x1b[D" + CTRL_D + ENTER)
    assert prompt(Recorder(), pipe, tmp_path / "h").prompt() == "help"


def test_exit_leaves(pipe: Any, tmp_path: Path) -> None:
    rec = Recorder()
    pipe.send_text("exit" + ENTER + "help" + ENTER)
    assert app.interact(rec, prompt(rec, pipe, tmp_path / "h")) == 0
    assert rec.submitted == ["exit"]


def test_history_survives_a_restart(tmp_path: Path) -> None:
    history = tmp_path / "history"
    with create_pipe_input() as first:
        first.send_text("tabulate kjønn" + ENTER)
        prompt(Recorder(), first, history).prompt()
    with create_pipe_input() as second:
        second.send_text(UP + ENTER)
        assert prompt(Recorder(), second, history).prompt() == "tabulate kjønn"


def test_suggestion_from_history_and_ctrl_r_search(tmp_path: Path) -> None:
    history = tmp_path / "history"
    with create_pipe_input() as first:
        for text in ("summarize født", "tabulate kjønn, missing", "help"):
            first.send_text(text + ENTER)
            prompt(Recorder(), first, history).prompt()
    with create_pipe_input() as second:
        typed(second, "tab", RIGHT, ENTER)
        assert prompt(Recorder(), second, history).prompt() == "tabulate kjønn, missing"
    with create_pipe_input() as third:
        third.send_text(CTRL_R + "summ" + ENTER + ENTER)
        assert prompt(Recorder(), third, history).prompt() == "summarize født"


def test_history_file_lives_under_mdlang_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mdlang.repl.paths import history_path

    monkeypatch.setenv("MDLANG_HOME", str(tmp_path / "home"))
    assert history_path() == tmp_path / "home" / "history"
    assert (tmp_path / "home").is_dir()


def test_tab_completes_from_the_live_session(repl: Any, pipe: Any, tmp_path: Path) -> None:
    repl.run("import db/KJOENN as kjønn")
    typed(pipe, "tabul", TAB, "-", TAB, " " + ENTER)  # tabulate, then tabulate-panel
    text = prompt(repl.ex, pipe, tmp_path / "h").prompt()
    assert text == "tabulate-panel "
    with create_pipe_input() as again:
        typed(again, "tabulate kj", TAB, ", mis", TAB, ENTER)
        assert prompt(repl.ex, again, tmp_path / "h").prompt() == "tabulate kjønn, missing"
    with create_pipe_input() as third:
        typed(third, "import db/FA", TAB, " as født" + ENTER)
        assert prompt(repl.ex, third, tmp_path / "h").prompt() == "import db/FAAR as født"


def test_piped_input_runs_each_complete_command(repl: Any) -> None:
    stream = io.StringIO(
        "import db/FAAR as født\nfor i in 1 2\n  generate g ++ $i = født\nend\nexit\nhelp\n"
    )
    assert app.run_piped(repl.ex, stream) == 0
    assert list(repl.ex.session.datasets["p"].frame.columns) == ["født", "g1", "g2"]
    assert repl.ex.history[-1] == "for i in 1 2\n  generate g ++ $i = født\nend"


def test_loop_depth() -> None:
    assert app.loop_depth("for i in 1 2\n  for j in 3\n    help\n  end") == 1
    assert app.loop_depth("help") == 0
