"""The perturbation table (p-table) of the cell-key method (disclosure.md D3).

For a true count ``n`` and a cell key, :meth:`PTable.noise` gives an integer perturbation:

* bounded: ``|noise| <= D`` (policy ``counts.noise_bound``, default 3);
* zero mean for every ``n``, exactly (the table is held as integer weights out of
  ``SCALE = 1_000_000`` whose weighted sum of noise values is zero);
* variance ``V`` (policy ``counts.noise_variance``, default 1.75) wherever the row allows it;
* never negative, and a positive count stays positive: row ``n`` only uses noise values
  ``k >= 1 - n``. Together with the threshold (a noisy count below T is shown as ``<T``), no
  positive count below the threshold is ever released. A true zero (no contributors) is not
  perturbed (a zero cannot be made zero-mean and non-negative); the gate shows it as ``<T`` like
  every count below the threshold.
* deterministic: the same (cell key, n) always gives the same noise.

Each row is the **maximum-entropy distribution** on its support with mean 0 and variance V
(``p(k) ∝ exp(a·k + b·k²)``): the least informative choice among all that satisfy the constraints,
as ONS/ABS-style p-tables do for small counts. For ``n >= D + 1`` the row is the symmetric
discretised Gaussian on ``-D..D``. With D = 3 and V = 1.75 the default table is (weights out of
1 000 000, noise -3..3):

====  =========================================================  ========
n     weights for noise -3, -2, -1, 0, +1, +2, +3                variance
====  =========================================================  ========
0     0 0 0 1000000 0 0 0                                        0
1     0 0 0 1000000 0 0 0                                        0
2     0 0 530031 196666 104817 80244 88242                        1.75
3     0 141304 239837 272156 206471 104722 35510                 1.75
>=4   27068 101642 224824 292932 224824 101642 27068            1.75
====  =========================================================  ========

(``tests/disclosure/test_ptable.py`` pins the exact default weights.) A row of one cell is
chosen from the cell key: ``r = (cell_key * SCALE) >> 64`` is uniform on ``0..SCALE-1`` and the
noise is the first value whose cumulative weight exceeds ``r``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SCALE = 1_000_000


def _maxent(support: np.ndarray, variance: float) -> np.ndarray:
    """Maximum-entropy probabilities on ``support`` with mean 0 and the given variance.

    The solution has the form p(k) ∝ exp(a·k + b·k²); (a, b) minimise the convex dual
    log Σ exp(a·k + b·k²) − b·variance, solved by Newton's method with backtracking (a few
    iterations; numpy only, so building a gate does not import scipy).
    """
    k = support.astype(float)
    feats = np.stack([k, k * k])
    target = np.array([0.0, variance])

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        z = lam @ feats
        zmax = z.max()
        w = np.exp(z - zmax)
        s = w.sum()
        p = w / s
        mean = feats @ p
        value = float(np.log(s) + zmax - lam @ target)
        centred = feats - mean[:, None]
        hess = (centred * p) @ centred.T
        return value, mean - target, hess

    lam = np.array([0.0, -0.3])
    value, grad, hess = dual(lam)
    for _ in range(200):
        if np.abs(grad).max() < 1e-13:
            break
        step = np.linalg.solve(hess + 1e-15 * np.eye(2), grad)
        t = 1.0
        while t > 1e-12:
            cand = lam - t * step
            cand_value, cand_grad, cand_hess = dual(cand)
            if cand_value <= value - 1e-4 * t * float(grad @ step):
                break
            t /= 2
        lam, value, grad, hess = cand, cand_value, cand_grad, cand_hess
    z = lam @ feats
    p = np.exp(z - z.max())
    return p / p.sum()


def _quantise(support: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Integer weights summing to SCALE with an exactly zero weighted mean of the support."""
    w = np.floor(p * SCALE + 0.5).astype(np.int64)
    zero = int(np.flatnonzero(support == 0)[0])
    w[zero] += SCALE - int(w.sum())
    drift = int((support * w).sum())
    # moving one unit of weight from +1 to 0 lowers the weighted sum by one; from -1 to 0 raises it
    if drift > 0 and zero + 1 < len(w):
        w[zero + 1] -= drift
        w[zero] += drift
    elif drift < 0 and zero > 0:
        w[zero - 1] += drift
        w[zero] -= drift
    if (w < 0).any() or int((support * w).sum()) != 0:  # pragma: no cover - guarded by tests
        raise ValueError("p-table quantisation failed")
    return w


class PTable:
    """Integer noise for (cell key, true count) with bound ``bound`` and variance ``variance``."""

    def __init__(self, bound: int = 3, variance: float = 1.75) -> None:
        self.bound = bound
        self.variance = variance
        self.values = np.arange(-bound, bound + 1)
        self.rows: dict[int, np.ndarray] = {}
        for n in range(0, bound + 2):
            self.rows[n] = self._row(n)
        self._cum = {n: np.cumsum(w) for n, w in self.rows.items()}

    def _row(self, n: int) -> np.ndarray:
        weights = np.zeros(len(self.values), dtype=np.int64)
        low = max(-self.bound, 1 - n)
        if n <= 1:
            weights[self.bound] = SCALE
            return weights
        support = np.arange(low, self.bound + 1)
        sub = _quantise(support, _maxent(support, self.variance))
        weights[low + self.bound :] = sub
        return weights

    def row(self, n: int) -> np.ndarray:
        """The integer weights of noise ``-D..D`` for true count ``n``."""
        return self.rows[min(n, self.bound + 1)]

    def noise(self, key: int, n: int) -> int:
        """The perturbation of a cell with this 64-bit key and true count ``n``."""
        if n <= 1:
            return 0
        r = (int(key) * SCALE) >> 64
        cum = self._cum[min(n, self.bound + 1)]
        return int(self.values[int(np.searchsorted(cum, r, side="right"))])

    def moments(self, n: int) -> tuple[float, float]:
        """Exact mean and variance of the noise in row ``n``."""
        w = self.row(n) / SCALE
        mean = float(w @ self.values)
        return mean, float(w @ (self.values - mean) ** 2)


@lru_cache(maxsize=8)
def ptable(bound: int, variance: float) -> PTable:
    """The (shared, cached) p-table of a policy's noise bound and variance."""
    return PTable(bound, variance)
