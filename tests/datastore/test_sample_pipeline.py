"""The build pipeline: variables and their chunks made in a helper thread, in order, errors passed on."""

from __future__ import annotations

import pandas as pd
import pytest

from mdlang.datastore.sample import _prefetched


def _frame(k: int) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [k], "value": [k], "start": [None], "stop": [None]})


def _items(log: list):
    yield "A", _frame(1)

    def chunks():
        for k in range(2, 6):
            log.append(k)
            yield _frame(k)

    yield "B", chunks()
    yield "C", _frame(9)


def test_items_and_chunks_arrive_in_order():
    log: list = []
    got = []
    for meta, data in _prefetched(_items(log)):
        frames = [data] if isinstance(data, pd.DataFrame) else list(data)
        got.append((meta, [int(f["unit_id"].iloc[0]) for f in frames]))
    assert got == [("A", [1]), ("B", [2, 3, 4, 5]), ("C", [9])]
    assert log == [2, 3, 4, 5]


def test_a_consumer_that_skips_chunks_still_gets_the_next_variable():
    got = [meta for meta, _ in _prefetched(_items([]))]
    assert got == ["A", "B", "C"]


def test_an_error_while_making_a_chunk_reaches_the_consumer():
    def items():
        yield "A", _frame(1)

        def chunks():
            yield _frame(2)
            raise ValueError("chunk 3 failed")

        yield "B", chunks()

    with pytest.raises(ValueError, match="chunk 3 failed"):
        for _, data in _prefetched(items()):
            if not isinstance(data, pd.DataFrame):
                list(data)


def test_stopping_early_ends_the_helper_thread():
    import threading

    before = threading.active_count()
    gen = _prefetched(_items([]))
    next(gen)
    gen.close()
    assert threading.active_count() == before


def test_big_frames_are_not_built_ahead_and_come_as_one_chunk(monkeypatch):
    import time

    from mdlang.datastore import sample

    monkeypatch.setattr(sample, "BIG_FRAME_ROWS", 0)
    built: list = []

    def items():
        for k in range(4):
            built.append(k)
            yield k, _frame(k)

    seen = []
    for meta, data in _prefetched(items()):
        time.sleep(0.05)  # give a helper that ran ahead the time to do so
        seen.append((meta, len(built)))
        assert not isinstance(data, pd.DataFrame)
        assert [int(f["unit_id"].iloc[0]) for f in data] == [meta]
    assert seen == [(0, 1), (1, 2), (2, 3), (3, 4)]
