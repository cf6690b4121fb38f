"""One measured run in a fresh process (started by bench/run.py; not meant to be run by hand).

``python bench/child.py MODE WORKLOAD DATA_DIR OUT_FILE`` with MODE one of ``mdlang`` (the
``mdlang run`` command line, in-process), ``baseline`` (bench/baseline), ``parse`` (workload 8:
parse + check), ``commands`` (time each statement of bench/workloads/interactive.mdl), ``models``
(issue #7: regress and logit of workload 5 timed one by one; WORKLOAD = mdlang or baseline) or
``profile`` (cProfile of ``mdlang run``). The last line of standard output is a JSON object:
``inner`` = seconds spent after the imports (the interpreter or baseline proper), ``cpu`` = the
CPU seconds of that same span (robust to other load on the machine), ``import`` =
seconds importing, ``ok``, and for ``commands`` a list of per-statement times.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()
C0 = time.process_time()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

BASELINES = {
    "0": ("bench.baseline.store", "startup"),
    "1": ("bench.baseline.persons", "w1_import"),
    "2": ("bench.baseline.persons", "w2_derive"),
    "3": ("bench.baseline.persons", "w3_tabulate"),
    "4": ("bench.baseline.persons", "w4_summarize"),
    "5": ("bench.baseline.persons", "w5_models"),
    "6": ("bench.baseline.events", "w6_collapse_merge"),
    "7": ("bench.baseline.events", "w7_panel"),
}


def script_of(workload: str) -> Path:
    """The .mdl file of a workload number."""
    return next(BENCH.glob(f"workloads/w{workload}_*.mdl"))


def run_mdlang(workload: str, data: str, out: str) -> dict:
    """``mdlang run SCRIPT --datastore-dir DATA -o OUT`` in this process."""
    from mdlang.cli import main

    t1, c1 = time.perf_counter(), time.process_time()
    code = main(["run", str(script_of(workload)), "--datastore-dir", data, "-o", out])
    inner, cpu = time.perf_counter() - t1, time.process_time() - c1
    return {"import": t1 - T0, "inner": inner, "cpu": cpu, "ok": code == 0, "code": code}


def run_baseline(workload: str, data: str, out: str) -> dict:
    """The hand-written twin; its result is written to OUT so that nothing is optimised away."""
    import importlib

    module, name = BASELINES[workload]
    fn = getattr(importlib.import_module(module), name)
    t1, c1 = time.perf_counter(), time.process_time()
    result = fn(Path(data))
    inner, cpu = time.perf_counter() - t1, time.process_time() - c1
    Path(out).write_text(repr(result)[:100_000], encoding="utf-8")
    return {"import": t1 - T0, "inner": inner, "cpu": cpu, "ok": True}


def run_parse(workload: str, data: str, out: str) -> dict:
    """Workload 8: parse + check of the 5 000-line script of bench/parse_bench.py."""
    from bench.parse_bench import build_script
    from mdlang.engine.runner import semantic_errors
    from mdlang.syntax.parser import parse

    text = build_script()
    t1, c1 = time.perf_counter(), time.process_time()
    script = parse(text, "bench.mdl")
    errors = semantic_errors(script, text, "bench.mdl", [data])
    inner, cpu = time.perf_counter() - t1, time.process_time() - c1
    return {
        "import": t1 - T0,
        "inner": inner,
        "cpu": cpu,
        "ok": True,
        "statements": len(script.statements),
        "errors": len(errors),
    }


def run_commands(workload: str, data: str, out: str) -> dict:
    """Time every statement of interactive.mdl, one by one, on one session."""
    from mdlang.engine.runner import parse_script
    from mdlang.engine.session import Session

    path = BENCH / "workloads" / "interactive.mdl"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    t1, c1 = time.perf_counter(), time.process_time()
    script = parse_script(text, str(path), [data])
    session = Session(datastore_dirs=[data])
    session.file, session.source = str(path), text
    times = []
    for stmt in script.statements:
        t = time.perf_counter()
        error = None
        try:
            results = session.execute(stmt)
            if any(r.kind == "refusal" for r in results):
                error = "refused"
        except Exception as exc:  # the report says which command failed and why
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
        times.append(
            {
                "line": lines[stmt.span.line - 1].strip(),
                "seconds": time.perf_counter() - t,
                "error": error,
            }
        )
    cpu = time.process_time() - c1
    return {
        "import": t1 - T0,
        "inner": time.perf_counter() - t1,
        "cpu": cpu,
        "ok": True,
        "commands": times,
    }


def run_models(workload: str, data: str, out: str) -> dict:
    """Issue #7's figures: ``regress`` (10 terms) and ``logit`` (8 terms) of workload 5 timed one
    by one, ``workload`` = ``mdlang`` (statement by statement in one session) or ``baseline``.
    Both sides import scipy.stats and statsmodels first, so the times compare the computations."""
    import scipy.stats  # noqa: F401
    import statsmodels.api  # noqa: F401

    if workload == "baseline":
        from bench.baseline.persons import w5_model_times

        return {"ok": True, "models": w5_model_times(Path(data))}
    from mdlang.engine.runner import parse_script
    from mdlang.engine.session import Session

    path = script_of("5")
    text = path.read_text(encoding="utf-8")
    script = parse_script(text, str(path), [data])
    session = Session(datastore_dirs=[data])
    session.file, session.source = str(path), text
    models: dict[str, dict] = {}
    for stmt in script.statements:
        t, c = time.perf_counter(), time.process_time()
        results = session.execute(stmt)
        name = getattr(stmt, "name", "")
        if name in ("regress", "logit"):
            models[name] = {
                "wall": time.perf_counter() - t,
                "cpu": time.process_time() - c,
                "refused": any(r.kind == "refusal" for r in results),
            }
    return {"ok": True, "models": models}


def run_profile(workload: str, data: str, out: str) -> dict:
    """cProfile of ``mdlang run`` on one workload; the top functions go to OUT."""
    import cProfile
    import io
    import pstats

    from mdlang.cli import main
    from mdlang.engine.session import Session
    from mdlang.syntax.parser import parse

    Session()  # start-up (handler imports, grammar) is measured by workload 0, not profiled here
    parse("require no.ssb.fdb:1 as db\n")
    t1, c1 = time.perf_counter(), time.process_time()
    prof = cProfile.Profile()
    prof.enable()
    main(["run", str(script_of(workload)), "--datastore-dir", data, "-o", out + ".txt"])
    prof.disable()
    inner, cpu = time.perf_counter() - t1, time.process_time() - c1
    prof.dump_stats(out.removesuffix(".txt") + ".prof")
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    Path(out).write_text(text.getvalue(), encoding="utf-8")
    return {"import": t1 - T0, "inner": inner, "cpu": cpu, "ok": True}


MODES = {
    "mdlang": run_mdlang,
    "baseline": run_baseline,
    "parse": run_parse,
    "commands": run_commands,
    "models": run_models,
    "profile": run_profile,
}

if __name__ == "__main__":
    mode, workload, data, out = sys.argv[1:5]
    print(json.dumps(MODES[mode](workload, data, out)))
