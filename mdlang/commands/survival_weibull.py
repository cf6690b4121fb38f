"""Maximum-likelihood fit of a Weibull survival model with right censoring.

Survival ``S(t) = exp(-(t/scale)^shape)``; an event at ``t`` contributes the log density, a
censored time the log survival. Fitted by Newton's method on ``(log shape, log scale)`` with
the analytic gradient and Hessian; standard errors of shape and scale by the delta method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mdlang.errors import MdlRuntimeError


@dataclass(frozen=True)
class WeibullFit:
    """Estimates, their standard errors and the log-likelihood at the maximum."""

    shape: float
    scale: float
    se_shape: float
    se_scale: float
    cov_log: np.ndarray  # covariance of (log shape, log scale)
    loglik: float

    @property
    def median(self) -> float:
        """The median survival time, scale · (ln 2)^(1/shape)."""
        return self.scale * math.log(2.0) ** (1.0 / self.shape)

    def survival(self, t: np.ndarray) -> np.ndarray:
        """The fitted survival function at the times ``t``."""
        return np.exp(-((np.asarray(t, dtype=np.float64) / self.scale) ** self.shape))


def _derivatives(theta: np.ndarray, logt: np.ndarray, d: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood, gradient and Hessian in ``(a, b) = (log shape, log scale)``."""
    a, b = theta
    k = math.exp(a)
    u = k * (logt - b)  # log((t/λ)^k)
    w = np.exp(u)
    r = float(d.sum())
    ll = float(r * (a - b) + np.sum(d * (k - 1.0) * (logt - b)) - np.sum(w))
    g_a = r + float(np.sum(d * u)) - float(np.sum(w * u))
    g_b = -r * k + k * float(np.sum(w))
    h_aa = float(np.sum(d * u)) - float(np.sum(w * u * (1.0 + u)))
    h_ab = -r * k + k * float(np.sum(w * (1.0 + u)))
    h_bb = -k * k * float(np.sum(w))
    return ll, np.array([g_a, g_b]), np.array([[h_aa, h_ab], [h_ab, h_bb]])


def fit_weibull(time: np.ndarray, event: np.ndarray, *, max_iter: int = 100) -> WeibullFit:
    """The censored Weibull MLE; times must be positive and some events observed."""
    t = np.asarray(time, dtype=np.float64)
    d = np.asarray(event, dtype=np.float64)
    logt = np.log(t)
    spread = float(np.std(logt[d == 1])) if d.sum() > 1 else 1.0
    theta = np.array([math.log(1.2825 / max(spread, 1e-3)), float(np.mean(logt)) + 0.5])
    ll, grad, hess = _derivatives(theta, logt, d)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or np.any(np.linalg.eigvalsh(hess) >= 0):
            step = -grad * 0.1  # far from the maximum: gradient ascent
        scale = 1.0
        while scale > 1e-8:
            cand = theta - scale * step
            cll, cgrad, chess = _derivatives(cand, logt, d)
            if math.isfinite(cll) and cll >= ll - 1e-12:
                break
            scale /= 2.0
        theta, ll, grad, hess = cand, cll, cgrad, chess
        if np.max(np.abs(scale * step)) < 1e-12:
            break
    try:
        cov = np.linalg.inv(-hess)
    except np.linalg.LinAlgError as exc:
        raise MdlRuntimeError("the Weibull model could not be fitted (singular information matrix)", None,
                              hint="use a wider condition or another time variable") from exc
    k, lam = math.exp(theta[0]), math.exp(theta[1])
    return WeibullFit(k, lam, k * math.sqrt(max(cov[0, 0], 0.0)), lam * math.sqrt(max(cov[1, 1], 0.0)), cov, ll)


def median_se(fit: WeibullFit) -> float:
    """Delta-method standard error of the median survival time."""
    a = math.log(fit.shape)
    c = math.log(math.log(2.0))
    # log median = b + c·exp(-a)
    grad = np.array([-c * math.exp(-a), 1.0])
    return fit.median * math.sqrt(max(float(grad @ fit.cov_log @ grad), 0.0))
