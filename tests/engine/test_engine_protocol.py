"""The PandasEngine returns the aggregates a direct computation gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mdlang.engine.engine import PandasEngine


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "g": pd.Categorical(["a", "b", "a", None, "b", "a"]),
            "x": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0],
            "y": [2.0, 4.5, 6.0, 8.0, 10.5, 12.0],
        }
    )


def test_group_sizes_drop_missing_keys_and_respect_mask():
    out = PandasEngine().group_sizes(frame(), ["g"])
    assert out["g"].astype(str).tolist() == ["a", "b"] and out["n"].tolist() == [3, 2]
    mask = np.array([True, True, False, True, True, False])
    assert PandasEngine().group_sizes(frame(), ["g"], mask)["n"].tolist() == [1, 2]


def test_group_moments_ignore_missing_values():
    m = PandasEngine().group_moments(frame(), "x", ["g"])
    assert m.n.tolist() == [2, 2]
    assert m.total.tolist() == [7.0, 7.0]
    assert m.total_sq.tolist() == [37.0, 29.0]


def test_sufficient_statistics_match_lstsq():
    f = frame()
    s = PandasEngine().sufficient(f, "y", ["x"])
    beta = np.linalg.solve(s.xtx, s.xty)
    rows = f.dropna(subset=["x"])
    expected = np.linalg.lstsq(np.column_stack([np.ones(len(rows)), rows["x"]]), rows["y"], rcond=None)[0]
    np.testing.assert_allclose(beta, expected)
    assert s.n == 5
