"""Property tests: the count invariants hold for any table, row order and event-style repetition."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mdlang.disclosure.gate import Gate
from mdlang.disclosure.policy import Policy
from mdlang.disclosure.tables import count_grid
from mdlang.engine.context import Contributors

GATE = Gate(Policy(), bytes(range(32)))


@st.composite
def tables(draw):
    n_persons = draw(st.integers(1, 400))
    n_rows = draw(st.integers(1, 4))
    n_cols = draw(st.integers(1, 3))
    rows = draw(st.lists(st.integers(0, n_rows - 1), min_size=n_persons, max_size=n_persons))
    cols = draw(st.lists(st.integers(0, n_cols - 1), min_size=n_persons, max_size=n_persons))
    repeat = draw(st.lists(st.integers(1, 3), min_size=n_persons, max_size=n_persons))
    seed = draw(st.integers(0, 2**32 - 1))
    return np.array(rows), np.array(cols), np.array(repeat), n_rows, n_cols, seed


def _true_grid(row, col, n_rows, n_cols):
    grid = np.zeros((n_rows + 1, n_cols + 1), dtype=int)
    for r, c in zip(row, col, strict=True):
        grid[r, c] += 1
    grid[:n_rows, n_cols] = grid[:n_rows, :n_cols].sum(axis=1)
    grid[n_rows, :] = grid[:n_rows, :].sum(axis=0)
    return grid


@settings(max_examples=60, deadline=None)
@given(tables())
def test_counts_bounded_suppressed_and_order_free(table) -> None:
    row, col, repeat, n_rows, n_cols, seed = table
    ids = np.arange(len(row), dtype=np.int64) * 17 + seed % 1000
    released = count_grid(GATE, row, col, n_rows, n_cols, Contributors(person_id=ids))
    true = _true_grid(row, col, n_rows, n_cols)
    for r in range(n_rows + 1):
        for c in range(n_cols + 1):
            value = released[r][c]
            if isinstance(value, str):
                assert value == "<10" and true[r, c] < 10 + 3
            else:
                assert value >= 10 and abs(value - true[r, c]) <= 3
    # each person repeated 1-3 times (event rows) and the rows shuffled: same release
    ev_ids, ev_row, ev_col = np.repeat(ids, repeat), np.repeat(row, repeat), np.repeat(col, repeat)
    perm = np.random.default_rng(seed).permutation(len(ev_ids))
    again = count_grid(GATE, ev_row[perm], ev_col[perm], n_rows, n_cols, Contributors(person_id=ev_ids[perm]))
    assert again == released
