"""Spreading numpy and pyarrow work over the cores with threads.

numpy's ufuncs on large arrays and pyarrow's Parquet decoding run without holding the GIL, so
plain threads keep several cores busy without copying data between processes. Results always
come back in the order of the inputs, so nothing built from them depends on the number of
workers or on timing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: never more threads than this, whatever the machine offers (the work is memory-bound)
MAX_WORKERS = 4


def workers() -> int:
    """Threads worth starting: the cores this process may use, at most :data:`MAX_WORKERS`
    (a data owner limits them as for any process: ``taskset``, a cgroup's cpuset)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], *, threads: int | None = None) -> list[R]:
    """``[fn(x) for x in items]``, computed on up to ``threads`` threads (default
    :func:`workers`); one thread runs the plain loop."""
    from concurrent.futures import ThreadPoolExecutor

    items = list(items)
    n = min(threads or workers(), len(items))
    if n <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(n, thread_name_prefix="mdlang") as pool:
        # (on an error or an interrupt, map's iterator cancels the items not yet begun)
        return list(pool.map(fn, items))


_BACKGROUND: list = []


def background():
    """One worker thread, shared, for work started ahead of the moment it is needed (a
    ``concurrent.futures`` executor; tasks run one after another in the order submitted)."""
    from concurrent.futures import ThreadPoolExecutor

    if not _BACKGROUND:
        _BACKGROUND.append(ThreadPoolExecutor(1, thread_name_prefix="mdlang-ahead"))
    return _BACKGROUND[0]
