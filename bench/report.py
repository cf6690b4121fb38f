"""Markdown tables of a benchmark run, the machine description, and bench/RESULTS.md upkeep."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

TARGET_RATIO = 1.3
INTERACTIVE_TARGET = 1.0
REGRESS_TARGET = 3.0
PARSE_TARGET = 1.0


def machine() -> str:
    """CPU model, cores, RAM, Python and library versions, and the date."""
    import numpy
    import pandas
    import pyarrow

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"* CPU: {cpu}, {os.cpu_count()} cores; RAM {ram:.1f} GiB; load average at the end {load}\n"
        f"* Python {platform.python_version()}, numpy {numpy.__version__}, pandas {pandas.__version__}, "
        f"pyarrow {pyarrow.__version__}\n"
        f"* run on {dt.date.today().isoformat()}\n"
    )


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _mib(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or a < 0.05 or b < 0.05 else f"{a / b:.2f}×"


def _net(row: dict, start: dict | None, mode: str) -> float | None:
    """CPU seconds after the imports minus the start-up workload's: the data-dependent work."""
    cpu = row.get(mode, {}).get("cpu")
    base = (start or {}).get(mode, {}).get("cpu")
    if cpu is None or base is None:
        return None
    return cpu - base


NOISE = 0.05  # seconds of CPU below which a net figure is noise, and no ratio is shown


def _judge(a: float | None, b: float | None) -> str:
    if a is None or b is None or b < NOISE or a < NOISE:
        return "ok" if a is not None and b is not None and a < NOISE else "—"
    return "ok" if a / b <= TARGET_RATIO else "miss"


def workload_table(rows: list[dict], titles: dict[str, str]) -> str:
    """One line per workload: medians of mdlang and baseline, ratios, peak RSS.

    "CPU" is the whole process's user + system time (robust to other load on the machine);
    "net" is the CPU time after the imports minus that of workload 0 (start-up: imports,
    command registration, grammar, ``require``), i.e. the data-dependent work.
    """
    start = next((r for r in rows if r["workload"] == "0"), None)
    head = (
        "| # | workload | mdlang wall s | baseline wall s | ratio wall | mdlang CPU s | baseline CPU s "
        "| ratio CPU | mdlang net s | baseline net s | ratio net | mdlang RSS MiB | baseline RSS MiB "
        "| verdict wall / CPU / net |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    lines = []
    for row in rows:
        w = row["workload"]
        if w == "8":
            p = row["parse"]
            verdict = (
                f"failed: {p['error']}"
                if p.get("error")
                else ("ok" if p.get("cpu") is not None and p["cpu"] < PARSE_TARGET else "miss")
            )
            lines.append(
                f"| 8 | {titles[w]} | {_s(p['wall'])} | none | — | {_s(p['proc_cpu'])} | none | — "
                f"| {_s(p['cpu'])} | none | — | {_mib(p['rss'])} | — | {verdict} (target: parse + check < 1 s) |"
            )
            continue
        m, b = row["mdlang"], row["baseline"]
        mn = None if w == "0" else _net(row, start, "mdlang")
        bn = None if w == "0" else _net(row, start, "baseline")
        if m.get("error"):
            verdict = f"mdlang failed: {m['error']}"
        elif w == "0":
            verdict = "(calibration)"
        else:
            verdict = " / ".join(
                [_judge(m["wall"], b["wall"]), _judge(m["proc_cpu"], b["proc_cpu"]), _judge(mn, bn)]
            )
        lines.append(
            f"| {w} | {titles[w]} | {_s(m['wall'])} | {_s(b['wall'])} | {_ratio(m['wall'], b['wall'])} "
            f"| {_s(m['proc_cpu'])} | {_s(b['proc_cpu'])} | {_ratio(m['proc_cpu'], b['proc_cpu'])} "
            f"| {_s(mn)} | {_s(bn)} | {_ratio(mn, bn)} | {_mib(m['rss'])} | {_mib(b['rss'])} | {verdict} |"
        )
    return head + "\n".join(lines) + "\n"


def command_table(commands: list[dict]) -> str:
    """Each interactive statement with its median time against its target."""
    head = "| command | median s | target | verdict |\n|---|---:|---:|---|\n"
    lines = []
    for c in commands:
        word = c["line"].split()[0]
        target = REGRESS_TARGET if word == "regress" else INTERACTIVE_TARGET
        timed = word in {
            "tabulate",
            "summarize",
            "generate",
            "keep",
            "regress",
            "replace",
            "recode",
        }
        if c["error"]:
            verdict = f"not available: {c['error']}"
        elif not timed:
            verdict = "(set-up)"
        else:
            verdict = "ok" if c["seconds"] < target else f"misses {target:g} s"
        shown = c["line"].replace("|", "\\|")
        lines.append(f"| `{shown}` | {c['seconds']:.3f} | {target:g} s | {verdict} |")
    return head + "\n".join(lines) + "\n"


def models_table(models: dict) -> str:
    """Issue #7: regress and logit of workload 5, each timed on its own, against statsmodels."""
    head = (
        "| model | mdlang wall s | baseline wall s | ratio wall | mdlang CPU s | baseline CPU s "
        "| ratio CPU | target |\n|---|---:|---:|---:|---:|---:|---:|---|\n"
    )
    lines = []
    titles = {"regress": "`regress` 10 terms", "logit": "`logit` 8 terms"}
    for name, title in titles.items():
        m, b = models.get("mdlang", {}).get(name), models.get("baseline", {}).get(name)
        if m is None or b is None:
            continue
        target = ""
        if name == "regress":
            target = f"< {REGRESS_TARGET:g} s: " + ("ok" if m["wall"] < REGRESS_TARGET else "miss")
        if m.get("refused"):
            target += " (refused by the gate)"
        lines.append(
            f"| {title} | {m['wall']:.2f} | {b['wall']:.2f} | {_ratio(m['wall'], b['wall'])} "
            f"| {m['cpu']:.2f} | {b['cpu']:.2f} | {_ratio(m['cpu'], b['cpu'])} | {target} |"
        )
    return head + "\n".join(lines) + "\n"


def run_provenance(rows: list[dict]) -> str:
    """A line naming which workloads come from which run, when a merged table mixes runs."""
    runs: dict[str, list[str]] = {}
    for row in rows:
        runs.setdefault(row.get("run", "this run"), []).append(row["workload"])
    if len(runs) < 2:
        return ""
    parts = [f"workloads {', '.join(ws)}: {stamp}" for stamp, ws in runs.items()]
    return (
        "Rows from more than one run (`--merge`): "
        + "; ".join(parts)
        + ". The net figures of every row subtract the start-up of the newest run.\n"
    )


def render(persons: int, runs: int, rows, commands, built, titles, profiles, models=None) -> str:
    """The Markdown section of one size."""
    parts = [f"## {persons:,} persons (median of {runs} runs)\n"]
    if built is not None:
        parts.append(f"Building the sample register took {built:.0f} s.\n")
    parts.append(workload_table(rows, titles))
    provenance = run_provenance(rows)
    if provenance:
        parts.append(provenance)
    if commands:
        parts.append(
            "\n### Interactive commands (one session, statement by statement)\n\n"
            + command_table(commands)
        )
    if models:
        parts.append(
            "\n### Models of workload 5, one by one (issue #7; the hand-written baseline is "
            "numpy OLS and statsmodels `Logit`; both sides import scipy and statsmodels before "
            "the clock starts)\n\n" + models_table(models)
        )
    if profiles:
        listed = ", ".join(f"w{w}: `bench/out/{Path(p).name}`" for w, p in sorted(profiles.items()))
        parts.append(f"\ncProfile listings of the workloads above the target: {listed}.\n")
    return "\n".join(parts)


def write_section(path: Path, persons: int, section: str, machine_text: str) -> None:
    """Replace (or add) this size's section of RESULTS.md, keeping the other sizes."""
    begin, end = f"<!-- begin persons={persons} -->", f"<!-- end persons={persons} -->"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{begin}\n{section}\nMachine:\n\n{machine_text}{end}"
    if begin in old:
        new = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, old, flags=re.S)
    else:
        intro = old or _INTRO
        new = intro.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


_INTRO = """# Benchmark results

Written by `python bench/run.py` (see its docstring). Every run is a fresh process. "wall" is
what a user experiences: the whole process (`mdlang run`: start-up, imports, parse, check, run,
render; the baseline: Python start-up, imports and the computation). "CPU" is that process's user
+ system time, which other load on the machine disturbs much less than wall time. "net" is the CPU
time after the imports minus that of workload 0 (start-up: imports, command registration,
grammar, `require`): the data-dependent work. Ratios are mdlang / baseline; the target is ≤ 1.3×
(performance.md). RSS is the peak resident set size of the process (os.wait4). The baseline has no disclosure control and no interpreter. The machine
was shared with other work while these ran, so absolute times are noisy; the ratios less so.
"""
