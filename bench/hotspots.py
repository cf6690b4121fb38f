"""Summarise a cProfile dump of an mdlang workload: where the time goes, by mdlang function.

    python bench/hotspots.py bench/out/profile-100000-w3.prof [--top 12]

Prints the functions with the most own time (any module), then mdlang's own functions by
cumulative time, leaving out the generic dispatch chain (cli, runner, session) that every
command passes through.
"""

from __future__ import annotations

import argparse
import pstats

DISPATCH = ("mdlang/cli.py", "mdlang/engine/runner.py", "mdlang/engine/session.py")


def _name(key: tuple) -> str:
    file, line, func = key
    short = file.split("/work/main/")[-1].split("site-packages/")[-1]
    return f"{short}:{line}({func})"


def hotspots(path: str, top: int = 12) -> str:
    """The two rankings as plain text."""
    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
    rows = [(key, tt, ct) for key, (_cc, _nc, tt, ct, _callers) in stats.items()]
    total = max(ct for _k, _t, ct in rows)
    out = [f"total {total:.2f} s", "", "own time:"]
    for key, tt, _ct in sorted(rows, key=lambda r: -r[1])[:top]:
        out.append(f"  {tt:7.3f} s  {_name(key)}")
    out += ["", "mdlang functions by cumulative time:"]
    mine = [r for r in rows if "/mdlang/" in r[0][0] and not r[0][0].endswith(DISPATCH)]
    for key, _tt, ct in sorted(mine, key=lambda r: -r[2])[:top]:
        out.append(f"  {ct:7.3f} s  {_name(key)}")
    return "\n".join(out)


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser()
    ap.add_argument("prof")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    print(hotspots(args.prof, args.top))


if __name__ == "__main__":
    main()
