"""Utility that must survive the protection (disclosure.md), against unprotected truth computed
independently with pandas/numpy on the same data."""

from __future__ import annotations

import numpy as np

from tests.redteam.attack import attack
from tests.redteam.canaries import truth


def test_counts_of_a_hundred_or_more_within_three_percent(store) -> None:
    (tab,) = attack(store, "tabulate skole trinn\n", "utility-counts")
    t = truth()
    cols = tab.data["columns"]
    errors = []
    for row in tab.data["rows"]:
        for j, col in enumerate(cols[1:], start=1):
            if row[0] == "Total" or col == "Total" or "fewer than" in col:
                continue  # margins, and the pooled row of rare values (klassetrinn 9: the canaries)
            true = int(((t.skole == row[0]) & (t.trinn == int(col))).sum())
            if true >= 100:
                errors.append(abs(row[j] - true) / true)
    assert len(errors) >= 20
    assert float(np.median(errors)) <= 0.03


def test_means_of_two_hundred_or_more_within_two_percent(store) -> None:
    (tab,) = attack(store, "tabulate skole, summarize(bmi) mean\n", "utility-means")
    t = truth()
    lo, hi = np.percentile(t["bmi"], [1, 99])
    checked = 0
    for row in tab.data["rows"]:
        group = t if row[0] == "Total" else t[t.skole == row[0]]
        if len(group) >= 200:
            true = float(np.clip(group["bmi"], lo, hi).mean())
            assert abs(row[1] - true) <= 0.02 * abs(true)
            checked += 1
    assert checked == 5


def test_regression_coefficients_within_a_tenth_of_a_standard_error(store) -> None:
    (model,) = attack(store, "regress bmi faar trinn\n", "utility-regress")
    t = truth()
    x = np.column_stack([t["faar"], t["trinn"], np.ones(len(t))]).astype(float)
    y = t["bmi"].to_numpy(dtype=float)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    sigma2 = resid @ resid / (len(y) - 3)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x.T @ x)))
    rows = {r[0]: r for r in model.data["rows"]}
    for i, term in enumerate(("faar", "trinn", "_cons")):
        assert abs(rows[term][1] - beta[i]) <= 0.1 * se[i]
