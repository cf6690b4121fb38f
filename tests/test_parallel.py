"""mdlang.parallel: results in input order, whatever the threads; an error stops the rest."""

from __future__ import annotations

import threading
import time

import pytest

from mdlang import parallel


def test_results_come_in_input_order_whatever_finishes_first() -> None:
    def slow_first(i: int) -> int:
        time.sleep(0.02 if i == 0 else 0.0)
        return i * i

    assert parallel.ordered_map(slow_first, range(12), threads=3) == [i * i for i in range(12)]
    assert parallel.ordered_map(slow_first, range(5), threads=1) == [0, 1, 4, 9, 16]
    assert parallel.ordered_map(slow_first, [], threads=4) == []


def test_work_runs_on_several_threads() -> None:
    seen: set[str] = set()
    barrier = threading.Barrier(2, timeout=5)

    def meet(i: int) -> int:
        seen.add(threading.current_thread().name)
        barrier.wait()  # only returns when two items run at the same time
        return i

    assert parallel.ordered_map(meet, range(2), threads=2) == [0, 1]
    assert len(seen) == 2


def test_an_error_is_raised_and_the_work_not_begun_is_dropped() -> None:
    ran: list[int] = []

    def fail_early(i: int) -> int:
        ran.append(i)
        if i == 0:
            raise ValueError("boom")
        time.sleep(0.01)
        return i

    with pytest.raises(ValueError, match="boom"):
        parallel.ordered_map(fail_early, range(200), threads=2)
    assert len(ran) < 200


def test_workers_are_at_least_one_and_at_most_the_cap() -> None:
    assert 1 <= parallel.workers() <= parallel.MAX_WORKERS
