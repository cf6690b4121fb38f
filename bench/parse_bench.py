"""Time parsing (and, when the checker exists, checking) of a realistic 5 000-line script.

Times are CPU times of this process (median of several runs), so other load on the machine
disturbs them less than wall-clock times.

Run: ``python bench/parse_bench.py``. The script is built deterministically from the corpus in
tests/scripts/ (every command and option), repeated until it reaches 5 000 lines.
Targets (performance.md): parse + check < 1 s; parse alone well under 0.5 s.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from mdlang.syntax.parser import parse

ROOT = Path(__file__).resolve().parent.parent
LINES = 5000


def build_script(lines: int = LINES) -> str:
    """A script of exactly ``lines`` physical lines made from the corpus, loops kept whole."""
    corpus = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "scripts").glob("*.mdl"))]
    chunk = "\n".join(text.rstrip("\n") for text in corpus).split("\n")
    out: list[str] = []
    while len(out) + len(chunk) <= lines:
        out.extend(chunk)
    out.extend(["tabulate kjønn sivstand, rowpct"] * (lines - len(out)))
    return "\n".join(out) + "\n"


def _time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main() -> None:
    """Print the median CPU time of parse, and of parse + check."""
    text = build_script()
    parse(text)  # warm up: grammar load and lark cache
    t_parse = _time(lambda: parse(text))
    print(f"lines: {text.count(chr(10))}  statements parsed: {len(parse(text).statements)}")
    print(f"parse: {t_parse * 1000:.0f} ms")
    try:
        from mdlang.semantics.check import check_script
    except ImportError:
        print("check: mdlang.semantics.check not available; parse only")
        return
    t_both = _time(lambda: check_script(parse(text)), repeat=3)
    print(f"parse + check: {t_both * 1000:.0f} ms")

if __name__ == "__main__":
    main()
