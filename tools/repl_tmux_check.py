"""Drive ``mdlang repl`` in a real terminal (tmux) and check what a person would see.

It builds a tiny datastore in a temporary folder, starts the REPL in a detached tmux session,
types commands with ``tmux send-keys`` (completing names with Tab), runs a ``tabulate`` and reads
the screen with ``tmux capture-pane``. Usage::

    python tools/repl_tmux_check.py          # exit code 0 when every check passed

``tests/repl/test_tmux.py`` calls :func:`run_check` (and skips when tmux is missing).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PERSONS = 400
SESSION_PREFIX = "mdlang-repl-check"
PROMPT = "mdl>"


def build_store(root: Path) -> None:
    """Write ``no.tiny.reg:1``: KJOENN ('1' for odd ids, '2' for even) of 400 persons."""
    import numpy as np
    import pandas as pd

    from mdlang.datastore.metadata import Code, DataType, Temporality, VariableMetadata
    from mdlang.datastore.store import write_version
    from mdlang.disclosure.policy import default_policy_text

    ids = np.arange(1, PERSONS + 1, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "unit_id": ids,
            "value": np.where(ids % 2 == 1, "1", "2"),
            "start": pd.array([None] * PERSONS, dtype="Int64"),
            "stop": pd.array([None] * PERSONS, dtype="Int64"),
        }
    )
    meta = VariableMetadata(
        "KJOENN",
        "PERSON",
        Temporality.FIXED,
        DataType.STRING,
        title={"no": "Kjønn"},
        code_list=(Code("1", "Mann"), Code("2", "Kvinne")),
    )
    write_version(
        root,
        "no.tiny.reg",
        1,
        [(meta, frame)],
        policy_text=default_policy_text("register"),
        secret=bytes(range(32)),
    )


class Terminal:
    """One detached tmux session running a command."""

    def __init__(
        self, command: str, env: dict[str, str], width: int = 120, height: int = 60
    ) -> None:
        self.name = f"{SESSION_PREFIX}-{os.getpid()}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                f"env {exports} {command}",
            ],
            check=True,
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        """Send keys (``literal`` types the text as it is)."""
        cmd = ["tmux", "send-keys", "-t", self.name]
        subprocess.run(cmd + (["-l"] if literal else []) + list(keys), check=True)

    def type(self, text: str) -> None:
        """Type text character by character, as a person would."""
        self.keys(text, literal=True)

    def screen(self) -> str:
        """The visible screen and the scroll-back."""
        out = subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-400", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout

    def wait_for(self, test: Callable[[str], bool], timeout: float = 60.0) -> str:
        """Poll the screen until ``test`` holds; raise TimeoutError with the screen otherwise."""
        end = time.monotonic() + timeout
        while True:
            text = self.screen()
            if test(text):
                return text
            if time.monotonic() > end:
                raise TimeoutError(text)
            time.sleep(0.2)

    def prompts(self) -> int:
        """How many prompts the screen shows (each command typed leaves one behind)."""
        return sum(1 for line in self.screen().splitlines() if line.startswith(PROMPT))

    def wait_prompt(self, after: int = 0, timeout: float = 60.0) -> str:
        """Wait until the REPL shows a new, empty prompt: more than ``after`` prompts on the
        screen, the last line holding only the prompt (the command before has finished)."""

        def ready(screen: str) -> bool:
            lines = [line for line in screen.splitlines() if line.strip()]
            count = sum(1 for line in lines if line.startswith(PROMPT))
            return count > after and bool(lines) and lines[-1].strip() == PROMPT

        return self.wait_for(ready, timeout)

    def type_seen(self, text: str, timeout: float = 10.0) -> None:
        """Type text and wait until the screen shows it (the REPL has read it)."""
        self.type(text)
        self.wait_for(lambda s: text in s, timeout)

    def submit(self, text: str, timeout: float = 60.0) -> str:
        """Type a command, press Enter and wait for the next prompt; returns the screen."""
        before = self.prompts()
        self.type_seen(text)
        self.keys("Enter")
        return self.wait_prompt(before, timeout)

    def close(self) -> None:
        """End this tmux session (only this one)."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)


def run_check(timeout: float = 90.0) -> list[str]:
    """Run the scenario; return the problems found (empty when everything worked)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mdlang-tmux-") as tmp:
        root = Path(tmp) / "stores"
        build_store(root)
        env = {
            "MDLANG_HOME": str(Path(tmp) / "home"),
            "TERM": "xterm-256color",
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        }
        command = (
            f"{shlex.quote(sys.executable)} -m mdlang repl --datastore-dir {shlex.quote(str(root))}"
        )
        term = Terminal(command, env)
        try:
            term.wait_prompt(0, timeout)
            term.submit("require no.tiny.reg:1 as db", timeout)
            term.submit("create-dataset p", timeout)
            before = term.prompts()
            term.type_seen("import db/KJ")
            term.keys("Tab")
            term.wait_for(lambda s: "import db/KJOENN" in s, 10)
            term.type_seen(" as kj")
            term.keys("Enter")
            term.wait_prompt(before, timeout)
            before = term.prompts()
            term.type_seen("tabul")
            term.keys("Tab")
            term.wait_for(lambda s: "mdl> tabulate" in s, 10)
            # tabulate and tabulate-panel both match: the common part is inserted and a menu
            # opens, which typing the space closes
            term.type(" k")
            term.wait_for(lambda s: "mdl> tabulate k" in s, 10)
            term.keys("Tab")
            term.wait_for(lambda s: "mdl> tabulate kj" in s, 10)
            term.keys("Enter")
            screen = term.wait_prompt(before, timeout)
            for expected in (
                "mdl> import db/KJOENN as kj",
                ". tabulate kj",
                "Freq.",
                "Mann",
                "Kvinne",
            ):
                if expected not in screen:
                    problems.append(f"the screen does not show {expected!r}")
            term.type("exit")
            term.keys("Enter")
        except TimeoutError as exc:
            problems.append("timed out; the screen was:\n" + str(exc))
        finally:
            term.close()
    return problems


def main() -> int:
    """Command-line entry: print the problems and return 1 if there are any."""
    if shutil.which("tmux") is None:
        sys.stderr.write("tmux is not installed (apt-get install -y tmux)\n")
        return 2
    problems = run_check()
    for problem in problems:
        sys.stderr.write(problem + "\n")
    if not problems:
        sys.stdout.write("repl tmux check: ok\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
