"""Chunked cross products and stable symmetric solves for the model commands.

Sums over millions of rows are taken over small chunks of *centred* rows copied into one
reusable buffer (small chunks stay in the CPU cache, which at 5.5 M rows is several times faster
than large ones); centring keeps ill-conditioned designs (NIST Longley) accurate to many digits
where raw normal equations would not be. Design matrices are column-major (Fortran order).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

CHUNK = 4096


def chunks(n: int, size: int = CHUNK) -> Iterator[slice]:
    """Consecutive row slices covering ``0..n``."""
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def centred_chunks(X: np.ndarray, centre: np.ndarray, size: int = CHUNK) -> Iterator[tuple[slice, np.ndarray]]:
    """``(rows, X[rows] - centre)`` per chunk; the array is a reused buffer (copy to keep it)."""
    buf = np.empty((min(size, max(X.shape[0], 1)), X.shape[1]))
    for sl in chunks(X.shape[0], size):
        Z = buf[: sl.stop - sl.start]
        np.subtract(X[sl], centre, out=Z)
        yield sl, Z


def crossprod(X: np.ndarray, centre: np.ndarray, y: np.ndarray | None = None, ycentre: float = 0.0) -> tuple[np.ndarray, np.ndarray | None, float]:
    """``Z'Z``, ``Z'(y - ycentre)`` and ``(y - ycentre)'(y - ycentre)`` with ``Z = X - centre``."""
    k = X.shape[1]
    ztz = np.zeros((k, k))
    zty = np.zeros(k) if y is not None else None
    yty = 0.0
    for sl, Z in centred_chunks(X, centre):
        ztz += Z.T @ Z
        if y is not None:
            yc = y[sl] - ycentre
            zty += Z.T @ yc
            yty += float(yc @ yc)
    return ztz, zty, yty


def scaled_inverse(A: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive-definite matrix, equilibrated by its diagonal."""
    d = 1.0 / np.sqrt(np.diag(A))
    inner = np.linalg.inv(A * d[:, None] * d[None, :])
    inv = inner * d[:, None] * d[None, :]
    return (inv + inv.T) / 2.0


def scaled_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``A x = b`` for symmetric positive-definite ``A`` after equilibration."""
    d = 1.0 / np.sqrt(np.diag(A))
    z = np.linalg.solve(A * d[:, None] * d[None, :], b * d)
    return z * d


def max_leverage(X: np.ndarray, centre: np.ndarray, inv: np.ndarray) -> float:
    """The largest hat-matrix diagonal ``z' inv z`` over the centred rows (never n × n)."""
    L = chol_factor(inv)
    top = 0.0
    for _sl, Z in centred_chunks(X, centre):
        W = Z @ L
        h = np.einsum("ij,ij->i", W, W)
        if len(h):
            top = max(top, float(h.max()))
    return top


def person_max_leverage(X: np.ndarray, centre: np.ndarray, inv: np.ndarray, persons: np.ndarray) -> float:
    """The largest sum of hat-matrix diagonals over the rows of one person (``persons``: a code
    0..P-1 per row). A regressor that singles out a person with m rows gives each row leverage
    1/m, but the person's rows together determine their own fitted values: the privacy unit is
    the person, so the leverage rule is applied to this sum (A09–A11 on panel and event data)."""
    L = chol_factor(inv)
    total = np.zeros(int(persons.max()) + 1 if len(persons) else 0)
    for sl, Z in centred_chunks(X, centre):
        W = Z @ L
        h = np.einsum("ij,ij->i", W, W)
        codes = persons[sl]
        lo, hi = int(codes.min()), int(codes.max()) + 1
        # a person's rows usually sit together, so a chunk touches a narrow range of persons:
        # adding into that range (not a bincount over every person per chunk) keeps this one
        # pass over X instead of one pass over the persons per chunk; the sums are the same
        total[lo:hi] += np.bincount(codes - lo, weights=h, minlength=hi - lo)
    return float(total.max()) if len(total) else 0.0


def chol_factor(inv: np.ndarray) -> np.ndarray:
    """A matrix L with L L' = inv (Cholesky, or an eigen square root when nearly singular)."""
    try:
        return np.linalg.cholesky(inv)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(inv)
        return v * np.sqrt(np.clip(w, 0.0, None))


def uncentre(coef_c: np.ndarray, cov_c: np.ndarray, centre: np.ndarray, ybar: float, constant: bool) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and covariance on the original scale from a fit on centred columns (the
    constant last): the constant becomes ``ybar − centre·b`` and its covariance follows."""
    k = len(coef_c)
    M = np.eye(k)
    if constant:
        M[k - 1, : k - 1] = -centre[: k - 1]
    coef = M @ coef_c
    if constant:
        coef[k - 1] += ybar
    return coef, M @ cov_c @ M.T


def _deviation_chunks(
    S: np.ndarray, codes: np.ndarray, Sm: np.ndarray, Sbar: np.ndarray
) -> Iterator[tuple[slice, np.ndarray, np.ndarray, np.ndarray]]:
    """Chunks of a panel design as ``(rows, unit codes, [S − S̄ᵢ, 1], [S − S̄, 1])``: the within
    and pooled deviations with a constant column, in two buffers reused from chunk to chunk."""
    n, K = S.shape
    size = min(CHUNK, max(n, 1))
    Zw, Zp = np.ones((size, K + 1)), np.ones((size, K + 1))
    for sl in chunks(n, size):
        m = sl.stop - sl.start
        c = codes[sl]
        zw, zp = Zw[:m], Zp[:m]
        np.subtract(S[sl], Sm[c], out=zw[:, :K])
        np.subtract(S[sl], Sbar, out=zp[:, :K])
        yield sl, c, zw, zp


def within_crossprods(S: np.ndarray, y: np.ndarray, codes: np.ndarray, Sm: np.ndarray, ym: np.ndarray,
                      Sbar: np.ndarray, ybar: float) -> tuple[tuple[np.ndarray, np.ndarray, float], tuple[np.ndarray, np.ndarray, float]]:
    """One pass over a panel design: ``(Z'Z, Z'y, y'y)`` of the within deviations
    ``Z = [S − S̄ᵢ, 1]``, ``y − ȳᵢ`` (``Sm``/``ym`` the unit means, ``codes`` the unit of each row),
    and of the pooled deviations ``[S − S̄, 1]``, ``y − ȳ`` — without materialising either design."""
    k = S.shape[1] + 1
    w_ztz, p_ztz = np.zeros((k, k)), np.zeros((k, k))
    w_zty, p_zty = np.zeros(k), np.zeros(k)
    w_yty = p_yty = 0.0
    for sl, c, zw, zp in _deviation_chunks(S, codes, Sm, Sbar):
        yw = y[sl] - ym[c]
        yp = y[sl] - ybar
        w_ztz += zw.T @ zw
        p_ztz += zp.T @ zp
        w_zty += zw.T @ yw
        p_zty += zp.T @ yp
        w_yty += float(yw @ yw)
        p_yty += float(yp @ yp)
    return (w_ztz, w_zty, w_yty), (p_ztz, p_zty, p_yty)


def within_residuals(S: np.ndarray, y: np.ndarray, codes: np.ndarray, Sm: np.ndarray, ym: np.ndarray,
                     coef_w: np.ndarray, L: np.ndarray, Sbar: np.ndarray, ybar: float, coef_p: np.ndarray,
                     keep_resid: bool = False) -> tuple[float, float, float, np.ndarray | None]:
    """The second pass of a within fit (same deviations as :func:`within_crossprods`): the direct
    residual sums of squares of the within fit ``coef_w`` and the pooled fit ``coef_p``, the
    largest hat-matrix diagonal of the within design (``L L'`` its inverse cross product), and
    the within residuals per row when asked for (for cluster scores)."""
    ss_w = ss_p = top = 0.0
    resid = np.empty(S.shape[0]) if keep_resid else None
    for sl, c, zw, zp in _deviation_chunks(S, codes, Sm, Sbar):
        e = (y[sl] - ym[c]) - zw @ coef_w
        ep = (y[sl] - ybar) - zp @ coef_p
        ss_w += float(e @ e)
        ss_p += float(ep @ ep)
        W = zw @ L
        h = np.einsum("ij,ij->i", W, W)
        if len(h):
            top = max(top, float(h.max()))
        if resid is not None:
            resid[sl] = e
    return ss_w, ss_p, top, resid
