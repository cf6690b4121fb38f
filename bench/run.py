"""Benchmark mdlang against a hand-written pandas/numpy/statsmodels baseline (performance.md).

    python bench/run.py --persons 100000 [--runs 3] [--workloads 1,2,…] [--keep-data DIR]
                        [--data-dir DIR] [--no-commands] [--profile]

Builds the synthetic sample register at the given size (or reuses it) under bench/out/ (git
ignored), runs the eight workloads of bench/workloads/ through ``mdlang run`` and their twins in
bench/baseline/, each run in a fresh subprocess, and prints a table of median wall time, time
inside the process after start-up and imports ("inner"), peak RSS and the ratio mdlang / baseline.
It also times interactive commands one by one (bench/workloads/interactive.mdl) and, with
``--profile``, writes cProfile listings of every workload that misses the 1.3× target to
bench/out/. The tables replace this size's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.report import machine, write_section  # noqa: E402

TITLES = {
    "0": "start-up: require + create-dataset",
    "1": "import 6 person variables",
    "2": "generate/replace/recode ×10",
    "3": "tabulate 1-, 2-, 3-way, summarize()",
    "4": "summarize 5 vars, plain and if",
    "5": "regress 10 terms + logit 8 terms",
    "6": "import-event, collapse, merge",
    "7": "import-panel 3×10 years + regress-panel fe",
    "8": "parse + check 5 000 lines",
}
TARGET_RATIO = 1.3


def child_env() -> dict[str, str]:
    """The children's environment: byte-code caching on (as in a normal install), with the cache
    under bench/out/, and a fresh, empty ``MDLANG_HOME`` (privacy ledger, audit log) so that every
    run starts as a new project would and nothing is written outside bench/out/."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH / "out" / "pycache")
    home = BENCH / "out" / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env["MDLANG_HOME"] = str(home)
    env.pop("MDLANG_PROJECT", None)
    return env


def ensure_data(persons: int, keep: str | None) -> tuple[Path, float | None]:
    """The sample register at this size; built (timed) when missing."""
    from mdlang.datastore.sample import is_built

    folder = Path(keep) if keep else BENCH / "out" / f"data-{persons}"
    if is_built(folder):
        return folder, None
    folder.parent.mkdir(parents=True, exist_ok=True)
    print(f"building the sample register with {persons} persons in {folder} …", flush=True)
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mdlang",
            "sample-data",
            "--persons",
            str(persons),
            "--out",
            str(folder),
        ],
        check=True,
    )
    return folder, time.perf_counter() - t


def existing_data(folder: str) -> Path:
    """A sample register that must already exist (``--data-dir``): nothing is built."""
    from mdlang.datastore.sample import is_built

    path = Path(folder).resolve()
    if not is_built(path):
        raise SystemExit(f"bench/run.py: no complete sample register in {path} (--data-dir)")
    return path


def measure_rss(mode: str, workload: str, data: Path) -> tuple[dict, float]:
    """Like :func:`measure`, reading the child's peak RSS (MiB) from os.wait4."""
    out = BENCH / "out" / f"last-{mode}-{workload}.out"
    t = time.perf_counter()
    with open(BENCH / "out" / f"last-{mode}-{workload}.json", "w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(BENCH / "child.py"), mode, workload, str(data), str(out)],
            stdout=sink,
            stderr=subprocess.DEVNULL,
            env=child_env(),
        )
        status, usage, killed = _wait_within_limit(proc.pid)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    info: dict = {"wall": wall, "rc": proc.returncode, "proc_cpu": usage.ru_utime + usage.ru_stime}
    if killed:
        return {
            **info,
            "ok": False,
            "error": f"stopped above the {LIMITS['rss_gib']:g} GiB memory limit",
        }, usage.ru_maxrss / 1024
    lines = (
        (BENCH / "out" / f"last-{mode}-{workload}.json")
        .read_text(encoding="utf-8")
        .strip()
        .splitlines()
    )
    try:
        info.update(json.loads(lines[-1]))
    except (IndexError, json.JSONDecodeError):
        info.update({"ok": False, "error": "the child crashed (see bench/out/last-*.out)"})
    if info.get("ok") is False and info.get("code") is not None:
        info["error"] = f"mdlang exit code {info['code']}"
    return info, usage.ru_maxrss / 1024


#: a child whose resident memory passes ``rss_gib`` is stopped (``--max-rss-gib``): the machine
#: is shared
LIMITS = {"rss_gib": 8.0}


def _rss_gib(pid: int) -> float:
    """Current resident set size of a process in GiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _wait_within_limit(pid: int) -> tuple[int, Any, bool]:
    """Wait for a child, polling its memory; stop it if it passes ``LIMITS["rss_gib"]``."""
    import signal

    killed = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, killed
        if not killed and _rss_gib(pid) > LIMITS["rss_gib"]:
            os.kill(pid, signal.SIGKILL)
            killed = True
        time.sleep(0.1)


def median_of(runs: list[dict], key: str) -> float | None:
    """Median of one figure over the successful runs."""
    values = [r[key] for r in runs if r.get("ok") and key in r]
    return statistics.median(values) if values else None


def bench_workload(workload: str, data: Path, runs: int) -> dict:
    """Median figures of mdlang and of the baseline for one workload (runs interleaved)."""
    modes = ["parse"] if workload == "8" else ["mdlang", "baseline"]
    found: dict[str, dict] = {}
    for mode in modes:
        found[mode] = {"runs": [], "rss": []}
    for _ in range(runs):
        for mode in modes:
            info, rss = measure_rss(mode, workload, data)
            found[mode]["runs"].append(info)
            found[mode]["rss"].append(rss)
    row: dict = {"workload": workload}
    for mode, got in found.items():
        ok = [r for r in got["runs"] if r.get("ok")]
        row[mode] = {
            "wall": median_of(got["runs"], "wall"),
            "inner": median_of(got["runs"], "inner"),
            "cpu": median_of(got["runs"], "cpu"),
            "proc_cpu": median_of(got["runs"], "proc_cpu"),
            "rss": max(got["rss"]) if ok else None,
            "error": None
            if ok
            else next((r.get("error") for r in got["runs"] if r.get("error")), "failed"),
        }
    return row


def bench_commands(data: Path, runs: int) -> list[dict]:
    """Median time of each statement of interactive.mdl over ``runs`` fresh sessions."""
    per_line: dict[int, list] = {}
    for _ in range(runs):
        info, _rss = measure_rss("commands", "0", data)
        for i, cmd in enumerate(info.get("commands", [])):
            per_line.setdefault(i, []).append(cmd)
    out = []
    for i in sorted(per_line):
        got = per_line[i]
        errors = [c["error"] for c in got if c["error"]]
        out.append(
            {
                "line": got[0]["line"],
                "seconds": statistics.median(c["seconds"] for c in got),
                "error": errors[0] if errors else None,
            }
        )
    return out


def bench_models(data: Path, runs: int) -> dict:
    """Issue #7: median wall and CPU seconds of regress (10 terms) and logit (8 terms), mdlang and
    the hand-written statsmodels baseline, each model timed on its own (runs interleaved)."""
    got: dict[str, dict[str, list]] = {"mdlang": {}, "baseline": {}}
    for _ in range(runs):
        for side in got:
            info, _rss = measure_rss("models", side, data)
            for name, times in info.get("models", {}).items():
                got[side].setdefault(name, []).append(times)
    out: dict = {}
    for side, models in got.items():
        out[side] = {
            name: {
                "wall": statistics.median(t["wall"] for t in times),
                "cpu": statistics.median(t["cpu"] for t in times),
                "refused": any(t.get("refused") for t in times),
            }
            for name, times in models.items()
        }
    return out


def profile(workload: str, data: Path, persons: int) -> Path:
    """cProfile listing of one mdlang workload, written under bench/out/."""
    target = BENCH / "out" / f"profile-{persons}-w{workload}.txt"
    subprocess.run(
        [sys.executable, str(BENCH / "child.py"), "profile", workload, str(data), str(target)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    return target


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run everything, print and record the tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workloads", default="1,2,3,4,5,6,7,8")
    ap.add_argument(
        "--keep-data",
        metavar="DIR",
        help="sample register folder to reuse (built there if missing)",
    )
    ap.add_argument(
        "--data-dir",
        metavar="DIR",
        help="an existing sample register (e.g. /work/bigdata/sample-5500000); never built",
    )
    ap.add_argument(
        "--no-commands", action="store_true", help="skip the interactive command timings"
    )
    ap.add_argument(
        "--profile", action="store_true", help="cProfile every workload above the 1.3x target"
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of workloads not re-run from bench/out/results-N.json (each row "
        "remembers the run it came from; the section says which rows are older)",
    )
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite RESULTS.md from bench/out/results-N.json",
    )
    ap.add_argument(
        "--max-rss-gib",
        type=float,
        default=LIMITS["rss_gib"],
        help="stop a child whose resident memory passes this (default 8)",
    )
    args = ap.parse_args(argv)
    LIMITS["rss_gib"] = args.max_rss_gib
    (BENCH / "out").mkdir(exist_ok=True)
    raw = BENCH / "out" / f"results-{args.persons}.json"
    if args.render_only:
        saved = json.loads(raw.read_text(encoding="utf-8"))
        return _publish(args.persons, saved, saved.pop("machine"))
    if args.data_dir:
        data, built = existing_data(args.data_dir), None
    else:
        data, built = ensure_data(args.persons, args.keep_data)
    for mode in (
        "mdlang",
        "baseline",
        "parse",
    ):  # warm-up: byte-code caches, disk cache; not counted
        measure_rss(mode, "8" if mode == "parse" else "0", data)
    rows = []
    for w in [
        "0",
        *(w.strip() for w in args.workloads.split(",") if w.strip() and w.strip() != "0"),
    ]:
        print(f"workload {w}: {TITLES[w]} …", flush=True)
        rows.append(bench_workload(w, data, args.runs))
    commands = [] if args.no_commands else bench_commands(data, args.runs)
    models = bench_models(data, args.runs) if "5" in args.workloads.split(",") else {}
    profiles = {}
    if args.profile:
        for row in rows:
            ratio = _ratio(row, "wall")
            if row["workload"] != "0" and ratio is not None and ratio > TARGET_RATIO:
                profiles[row["workload"]] = profile(row["workload"], data, args.persons)
    desc = machine()
    stamp = _run_stamp(desc, args.runs)
    for row in rows:
        row["run"] = stamp
    saved = {
        "runs": args.runs,
        "rows": rows,
        "commands": commands,
        "models": models,
        "built": built,
        "profiles": {k: str(v) for k, v in profiles.items()},
    }
    if args.merge and raw.exists():
        saved = merge_results(json.loads(raw.read_text(encoding="utf-8")), saved)
    raw.write_text(json.dumps({**saved, "machine": desc}, indent=1), encoding="utf-8")
    return _publish(args.persons, saved, desc)


def _run_stamp(desc: str, runs: int) -> str:
    """Which run a row comes from: its date and load line, and the number of runs."""
    when = next(
        (ln[len("* run on ") :] for ln in desc.splitlines() if ln.startswith("* run on ")), "?"
    )
    load = next(
        (ln.split("load average at the end ")[-1] for ln in desc.splitlines() if "load" in ln), "?"
    )
    return f"{when}, median of {runs}, load at the end {load}"


def merge_results(old: dict, new: dict) -> dict:
    """``new`` with the rows of ``old`` whose workloads it did not re-run (``--merge``).

    Interactive commands and the models table are taken from ``new`` when it measured them, else
    kept from ``old``. Rows of ``old`` without a ``run`` stamp are stamped "an earlier run".
    """
    done = {r["workload"] for r in new["rows"]}
    kept = [
        dict(r, run=r.get("run", "an earlier run"))
        for r in old.get("rows", [])
        if r["workload"] not in done
    ]
    rows = sorted(kept + new["rows"], key=lambda r: int(r["workload"]))
    return {
        **new,
        "rows": rows,
        "commands": new["commands"] or old.get("commands", []),
        "models": new["models"] or old.get("models", {}),
        "runs": min(new["runs"], old.get("runs", new["runs"])),
    }


def _publish(persons: int, saved: dict, desc: str) -> int:
    """Print this size's tables and put them into bench/RESULTS.md."""
    from bench.report import render

    text = render(
        persons,
        saved["runs"],
        saved["rows"],
        saved["commands"],
        saved["built"],
        TITLES,
        saved["profiles"],
        saved.get("models"),
    )
    print(text)
    write_section(BENCH / "RESULTS.md", persons, text, desc)
    return 0


def _ratio(row: dict, key: str) -> float | None:
    a, b = row.get("mdlang", {}).get(key), row.get("baseline", {}).get(key)
    return a / b if a and b else None


if __name__ == "__main__":
    raise SystemExit(main())
