"""Maximum-likelihood fits of the binary, count and multinomial models, and their covariances.

statsmodels' ``Logit``, ``Probit``, ``Poisson``, ``NegativeBinomial`` (NB2) and ``MNLogit`` do
the optimisation (imported lazily: statsmodels takes seconds to import). Covariances follow
Stata: classical = inverse of the negative Hessian; ``robust`` = sandwich of the per-observation
scores times n/(n−1); ``cluster()`` = sandwich of per-cluster score sums times G/(G−1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

FAMILIES = ("logit", "probit", "poisson", "nbreg", "mlogit")


@dataclass
class MLFit:
    """A fitted likelihood model (never released as such)."""

    family: str
    params: np.ndarray  # flat; mlogit: column-major (K × (J−1)) flattened by outcome
    cov: np.ndarray
    ll: float
    ll0: float
    n: int
    converged: bool
    fitted: np.ndarray = field(repr=False)  # probabilities or expected counts per row
    alpha: float | None = None
    alpha_se: float | None = None
    model: Any = field(default=None, repr=False)


def _model(family: str, y: np.ndarray, X: np.ndarray, offset: np.ndarray | None) -> Any:
    import statsmodels.discrete.discrete_model as dm  # lazy: slow to import

    if family == "logit":
        return dm.Logit(y, X)
    if family == "probit":
        return dm.Probit(y, X)
    if family == "poisson":
        return dm.Poisson(y, X, offset=offset)
    if family == "nbreg":
        return dm.NegativeBinomial(y, X, loglike_method="nb2", offset=offset)
    if family == "mlogit":
        return dm.MNLogit(y, X)
    raise ValueError(f"unknown family {family!r}")


def _null_ll(family: str, y: np.ndarray, offset: np.ndarray | None, constant: bool) -> float:
    """Log likelihood of the constant-only model (0-parameter model without a constant)."""
    n = len(y)
    ones = np.ones((n, 1))
    if constant and family in ("logit", "probit"):
        # Closed form: the constant-only model predicts the sample share.
        share = float(y.mean())
        return float(n * (share * np.log(share) + (1 - share) * np.log(1 - share)))
    if constant and family == "poisson" and offset is None:
        from scipy.special import gammaln

        mean = float(y.mean())
        return float(np.sum(y * np.log(mean) - mean - gammaln(y + 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not constant:
            if family in ("logit", "probit"):
                return float(n * np.log(0.5))
            if family == "mlogit":
                return float(n * np.log(1.0 / (int(y.max()) + 1)))
        res = _model(family, y, ones, offset).fit(disp=0, method="newton" if family != "nbreg" else "bfgs", maxiter=200)
    return float(res.llf)


def fit_ml(
    family: str,
    y: np.ndarray,
    X: np.ndarray,
    *,
    constant: bool,
    vce: str = "ols",
    clusters: np.ndarray | None = None,
    offset: np.ndarray | None = None,
) -> MLFit:
    """Fit one of :data:`FAMILIES` and compute the Stata-style covariance asked for."""
    model = _model(family, y, X, offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "nbreg":
            res = model.fit(disp=0, method="bfgs", maxiter=500)
            res = model.fit(start_params=res.params, disp=0, method="newton", maxiter=100)
        else:
            res = model.fit(disp=0, method="newton", maxiter=100)
    params = np.asarray(res.params, dtype=np.float64).ravel(order="F")
    converged = bool(res.mle_retvals.get("converged", True))
    cov = _covariance(model, res, params, vce, clusters, family)
    fitted = np.asarray(model.predict(res.params) if family != "mlogit" else model.predict(res.params), dtype=np.float64)
    alpha = alpha_se = None
    if family == "nbreg":
        alpha = float(params[-1])
        alpha_se = float(np.sqrt(cov[-1, -1]))
    ll0 = _null_ll(family, y, offset, constant)
    return MLFit(family, params, cov, float(res.llf), ll0, len(y), converged, fitted, alpha, alpha_se, model)


def _covariance(model: Any, res: Any, params: np.ndarray, vce: str, clusters: np.ndarray | None, family: str) -> np.ndarray:
    theta = res.params
    if vce == "ols":
        cov = np.asarray(res.cov_params(), dtype=np.float64)
        return (cov + cov.T) / 2.0
    hess = np.asarray(model.hessian(theta), dtype=np.float64)
    if family == "mlogit":
        hess = _mnl_flat(hess)
    bread = np.linalg.inv(-hess)
    bread = (bread + bread.T) / 2.0
    scores = np.asarray(model.score_obs(theta), dtype=np.float64)
    if scores.ndim == 3:
        scores = scores.reshape(scores.shape[0], -1)
    n = scores.shape[0]
    if vce == "robust":
        meat = scores.T @ scores * (n / (n - 1))
    else:
        codes, uniq = pd.factorize(clusters)
        g = len(uniq)
        sums = np.zeros((g, scores.shape[1]))
        for j in range(scores.shape[1]):
            sums[:, j] = np.bincount(codes, weights=scores[:, j], minlength=g)
        meat = sums.T @ sums * (g / (g - 1))
    cov = bread @ meat @ bread
    return (cov + cov.T) / 2.0


def _mnl_flat(hess: np.ndarray) -> np.ndarray:
    """statsmodels' MNLogit Hessian is already (K·(J−1))² ordered by outcome; keep it 2-D."""
    return hess.reshape(int(np.sqrt(hess.size)), -1)
