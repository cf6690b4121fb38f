"""Probability distribution functions, after Stata's functions of the same names but with the
value (x or a probability p) as the first argument, as microdata.no documents them.

Arguments outside a distribution's domain (a negative degree of freedom, a probability outside
[0, 1]) give missing; so do inverse functions at p = 0 or 1, where the answer is infinite.
Cumulative functions follow Stata's edge rules: below the support they give 0 (upper tails 1).
Upper tails are computed directly (not as 1 − CDF) so that small tail probabilities keep their
precision.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from mdlang.engine.functions_args import index_of, num, number_out
from mdlang.engine.functions_spec import FunctionSpec

GROUP = "distributions"


class _LazyModule:
    """A module imported on first attribute access: scipy takes about a second to import, and
    most scripts never call a distribution function."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)


special: Any = _LazyModule("scipy.special")
stats: Any = _LazyModule("scipy.stats")


def _vectorised(fname: str, fn: Callable[..., Any], defaults: tuple[float, ...] = ()) -> Callable[..., Any]:
    """An impl that converts its numeric arguments, fills in optional ones and calls ``fn``."""

    def impl(*args: Any) -> Any:
        index = index_of(args)
        values = [num(fname, i + 1, a) for i, a in enumerate(args)]
        need = fn.__code__.co_argcount
        values += list(defaults[len(values) - need:]) if len(values) < need else []
        with np.errstate(all="ignore"):
            result = fn(*values)
        return number_out(result, index)

    return impl


def _pos(*xs: Any) -> Any:
    """True where every argument is a positive number."""
    out = True
    for x in xs:
        out = out & (np.asarray(x) > 0)
    return out


def _prob(p: Any) -> Any:
    return (np.asarray(p) >= 0) & (np.asarray(p) <= 1)


def _nonneg(x: Any) -> Any:
    return np.asarray(x) >= 0


def _guard(ok: Any, value: Any) -> Any:
    return np.where(ok, value, np.nan)


# --- binomial: x = trials, n = successes (both floored), p = success probability -------------


def _binom_args(x: Any, n: Any, p: Any) -> tuple[Any, Any, Any]:
    trials = np.floor(x)
    k = np.floor(n)
    ok = (trials >= 0) & _prob(p) & np.isfinite(k)
    return trials, k, ok


def _binomial(x: Any, n: Any, p: Any) -> Any:
    trials, k, ok = _binom_args(x, n, p)
    return _guard(ok, stats.binom.cdf(k, trials, p))


def _binomialp(x: Any, n: Any, p: Any) -> Any:
    trials, k, ok = _binom_args(x, n, p)
    return _guard(ok, stats.binom.pmf(k, trials, p))


def _binomialtail(x: Any, n: Any, p: Any) -> Any:
    trials, k, ok = _binom_args(x, n, p)
    return _guard(ok, stats.binom.sf(k - 1, trials, p))


# --- normal ------------------------------------------------------------------------------


def _normal(x: Any) -> Any:
    return special.ndtr(x)


def _normalden(x: Any, mu: Any, sigma: Any) -> Any:
    return _guard(_pos(sigma), stats.norm.pdf(x, mu, sigma))


# --- F -----------------------------------------------------------------------------------


def _noncentral(lam: Any, central: Callable[[], Any], noncentral: Callable[[Any], Any]) -> Any:
    """``central()`` where lambda is 0 and ``noncentral(lambda)`` where it is positive; the
    non-central form (slow in scipy) is computed only when some lambda is positive."""
    lam = np.asarray(lam, dtype=np.float64)
    positive = lam > 0
    if not positive.any():
        return central()
    value = noncentral(np.where(positive, lam, 1.0))
    return value if positive.all() else np.where(positive, value, central())


def _F(x: Any, v1: Any, v2: Any, lam: Any) -> Any:
    ok = _pos(v1, v2) & _nonneg(lam)
    xs = np.maximum(x, 0)
    value = _noncentral(lam, lambda: special.fdtr(v1, v2, xs), lambda nc: stats.ncf.cdf(xs, v1, v2, nc))
    return _guard(ok, value)


def _Ftail(x: Any, v1: Any, v2: Any, lam: Any) -> Any:
    ok = _pos(v1, v2) & _nonneg(lam)
    xs = np.maximum(x, 0)
    value = _noncentral(lam, lambda: special.fdtrc(v1, v2, xs), lambda nc: stats.ncf.sf(xs, v1, v2, nc))
    return _guard(ok, value)


def _Fden(x: Any, v1: Any, v2: Any) -> Any:
    return _guard(_pos(v1, v2), stats.f.pdf(x, v1, v2))


def _invF(p: Any, v1: Any, v2: Any) -> Any:
    return _guard(_pos(v1, v2) & _prob(p), stats.f.ppf(p, v1, v2))


def _invFtail(p: Any, v1: Any, v2: Any) -> Any:
    return _guard(_pos(v1, v2) & _prob(p), stats.f.isf(p, v1, v2))


def _nF(x: Any, v1: Any, v2: Any, lam: Any) -> Any:
    return _F(x, v1, v2, lam)


def _nFtail(x: Any, v1: Any, v2: Any, lam: Any) -> Any:
    return _Ftail(x, v1, v2, lam)


def _nFden(x: Any, v1: Any, v2: Any, lam: Any) -> Any:
    ok = _pos(v1, v2) & _nonneg(lam)
    value = _noncentral(lam, lambda: stats.f.pdf(x, v1, v2), lambda nc: stats.ncf.pdf(x, v1, v2, nc))
    return _guard(ok, value)


def _invnFtail(p: Any, v1: Any, v2: Any, lam: Any) -> Any:
    ok = _pos(v1, v2) & _nonneg(lam) & _prob(p)
    value = _noncentral(lam, lambda: stats.f.isf(p, v1, v2), lambda nc: stats.ncf.isf(p, v1, v2, nc))
    return _guard(ok, value)


# --- chi-squared ---------------------------------------------------------------------------


def _chi2(x: Any, v: Any) -> Any:
    return _guard(_pos(v), special.chdtr(v, np.maximum(x, 0)))


def _chi2tail(x: Any, v: Any) -> Any:
    return _guard(_pos(v), special.chdtrc(v, np.maximum(x, 0)))


def _chi2den(x: Any, v: Any) -> Any:
    return _guard(_pos(v), stats.chi2.pdf(x, v))


def _invchi2(p: Any, v: Any) -> Any:
    return _guard(_pos(v) & _prob(p), 2 * special.gammaincinv(np.asarray(v) / 2, p))


def _invchi2tail(p: Any, v: Any) -> Any:
    return _guard(_pos(v) & _prob(p), special.chdtri(v, p))


def _nchi2(x: Any, v: Any, lam: Any) -> Any:
    ok = _pos(v) & _nonneg(lam)
    return _guard(ok, stats.ncx2.cdf(np.maximum(x, 0), v, lam))


def _nchi2tail(x: Any, v: Any, lam: Any) -> Any:
    ok = _pos(v) & _nonneg(lam)
    return _guard(ok, stats.ncx2.sf(np.maximum(x, 0), v, lam))


def _nchi2den(x: Any, v: Any, lam: Any) -> Any:
    ok = _pos(v) & _nonneg(lam)
    return _guard(ok, stats.ncx2.pdf(x, v, lam))


# --- beta ----------------------------------------------------------------------------------


def _betaden(x: Any, a: Any, b: Any) -> Any:
    return _guard(_pos(a, b), stats.beta.pdf(x, a, b))


def _ibeta(x: Any, a: Any, b: Any) -> Any:
    return _guard(_pos(a, b), special.betainc(a, b, np.clip(x, 0, 1)))


def _ibetatail(x: Any, a: Any, b: Any) -> Any:
    return _guard(_pos(a, b), special.betaincc(a, b, np.clip(x, 0, 1)))


def _invibeta(p: Any, a: Any, b: Any) -> Any:
    return _guard(_pos(a, b) & _prob(p), special.betaincinv(a, b, p))


def _invibetatail(p: Any, a: Any, b: Any) -> Any:
    return _guard(_pos(a, b) & _prob(p), special.betainccinv(a, b, p))


# --- Student's t -----------------------------------------------------------------------------


def _t(x: Any, v: Any) -> Any:
    return _guard(_pos(v), special.stdtr(v, x))


def _ttail(x: Any, v: Any) -> Any:
    return _guard(_pos(v), special.stdtr(v, -np.asarray(x)))


def _tden(x: Any, v: Any) -> Any:
    return _guard(_pos(v), stats.t.pdf(x, v))


def _invt(p: Any, v: Any) -> Any:
    return _guard(_pos(v) & _prob(p), special.stdtrit(v, p))


def _invttail(p: Any, v: Any) -> Any:
    return _guard(_pos(v) & _prob(p), -special.stdtrit(v, p))


def _nt(x: Any, v: Any, lam: Any) -> Any:
    return _guard(_pos(v) & np.isfinite(lam), stats.nct.cdf(x, v, lam))


def _nttail(x: Any, v: Any, lam: Any) -> Any:
    return _guard(_pos(v) & np.isfinite(lam), stats.nct.sf(x, v, lam))


def _ntden(x: Any, v: Any, lam: Any) -> Any:
    return _guard(_pos(v) & np.isfinite(lam), stats.nct.pdf(x, v, lam))


def _invnttail(p: Any, v: Any, lam: Any) -> Any:
    return _guard(_pos(v) & _prob(p) & np.isfinite(lam), stats.nct.isf(p, v, lam))


def _spec(name: str, signature: str, fn: Callable[..., Any], help_text: str, example: str,
          min_args: int | None = None, defaults: tuple[float, ...] = ()) -> FunctionSpec:
    nargs = fn.__code__.co_argcount
    return FunctionSpec(
        name, GROUP, signature, nargs if min_args is None else min_args, nargs,
        _vectorised(name, fn, defaults), "number", help_text, example,
    )


SPECS = [
    _spec("binomial", "binomial(x, n, p)", _binomial,
          "The probability of at most floor(n) successes in floor(x) independent trials that "
          "each succeed with probability p (the cumulative binomial distribution). A negative "
          "n gives 0, an n above x gives 1.",
          "generate p = binomial(20, antall, 0.3)"),
    _spec("binomialp", "binomialp(x, n, p)", _binomialp,
          "The probability of exactly floor(n) successes in floor(x) independent trials that "
          "each succeed with probability p.",
          "generate p = binomialp(10, 3, 0.5)"),
    _spec("binomialtail", "binomialtail(x, n, p)", _binomialtail,
          "The probability of at least floor(n) successes in floor(x) independent trials that "
          "each succeed with probability p (the upper tail of the binomial distribution).",
          "generate p = binomialtail(10, 7, 0.5)"),
    _spec("normal", "normal(x)", _normal,
          "The cumulative standard normal distribution: the probability that a standard normal "
          "variable is at most x.",
          "generate p = normal(z)"),
    _spec("normalden", "normalden(x, mean?, sd?)", _normalden,
          "The density of the normal distribution with the given mean (default 0) and standard "
          "deviation (default 1) at x. A standard deviation that is not positive gives missing.",
          "generate f = normalden(x, 0, 2)", min_args=1, defaults=(0.0, 1.0)),
    _spec("F", "F(x, v1, v2, lambda?)", _F,
          "The cumulative F distribution with v1 numerator and v2 denominator degrees of "
          "freedom at x; with a non-centrality parameter lambda > 0 the non-central F "
          "distribution. Gives 0 for x below 0.",
          "generate p = F(fstat, 2, 30)", min_args=3, defaults=(0.0,)),
    _spec("Fden", "Fden(x, v1, v2)", _Fden,
          "The density of the F distribution with v1 and v2 degrees of freedom at x.",
          "generate f = Fden(1.5, 2, 30)"),
    _spec("Ftail", "Ftail(x, v1, v2, lambda?)", _Ftail,
          "The upper tail of the F distribution (1 − F): the probability that an F(v1, v2) "
          "variable exceeds x; with lambda > 0 the non-central F distribution. Use it for the "
          "p-value of an F test.",
          "generate p = Ftail(fstat, 2, 30)", min_args=3, defaults=(0.0,)),
    _spec("invF", "invF(p, v1, v2)", _invF,
          "The inverse of F(): the value x with F(x, v1, v2) = p (the p-quantile of the F "
          "distribution with v1 and v2 degrees of freedom).",
          "generate kritisk = invF(0.95, 2, 30)"),
    _spec("invFtail", "invFtail(p, v1, v2)", _invFtail,
          "The inverse of Ftail(): the value x with Ftail(x, v1, v2) = p, e.g. the critical "
          "value of an F test at level p.",
          "generate kritisk = invFtail(0.05, 2, 30)"),
    _spec("invnFtail", "invnFtail(p, v1, v2, lambda)", _invnFtail,
          "The inverse of nFtail(): the value x whose upper tail probability in the "
          "non-central F distribution with non-centrality lambda is p.",
          "generate x = invnFtail(0.05, 2, 30, 3)"),
    _spec("nF", "nF(x, v1, v2, lambda)", _nF,
          "The cumulative non-central F distribution with v1 and v2 degrees of freedom and "
          "non-centrality lambda at x (lambda = 0 is the central F distribution).",
          "generate p = nF(2, 2, 30, 3)"),
    _spec("nFden", "nFden(x, v1, v2, lambda)", _nFden,
          "The density of the non-central F distribution with v1 and v2 degrees of freedom and "
          "non-centrality lambda at x.",
          "generate f = nFden(2, 2, 30, 3)"),
    _spec("nFtail", "nFtail(x, v1, v2, lambda)", _nFtail,
          "The upper tail of the non-central F distribution with v1 and v2 degrees of freedom "
          "and non-centrality lambda: the probability of a value above x.",
          "generate p = nFtail(2, 2, 30, 3)"),
    _spec("chi2", "chi2(x, v)", _chi2,
          "The cumulative chi-squared distribution with v degrees of freedom at x; 0 for x "
          "below 0.",
          "generate p = chi2(x, 3)"),
    _spec("chi2den", "chi2den(x, v)", _chi2den,
          "The density of the chi-squared distribution with v degrees of freedom at x.",
          "generate f = chi2den(x, 3)"),
    _spec("chi2tail", "chi2tail(x, v)", _chi2tail,
          "The upper tail of the chi-squared distribution (1 − chi2): the p-value of a "
          "chi-squared statistic x with v degrees of freedom; 1 for x below 0.",
          "generate p = chi2tail(kji, 4)"),
    _spec("invchi2", "invchi2(p, v)", _invchi2,
          "The inverse of chi2(): the value x with chi2(x, v) = p (the p-quantile of the "
          "chi-squared distribution with v degrees of freedom).",
          "generate x = invchi2(0.95, 3)"),
    _spec("invchi2tail", "invchi2tail(p, v)", _invchi2tail,
          "The inverse of chi2tail(): the value x with chi2tail(x, v) = p, e.g. the critical "
          "value of a chi-squared test at level p.",
          "generate kritisk = invchi2tail(0.05, 3)"),
    _spec("nchi2", "nchi2(x, v, lambda)", _nchi2,
          "The cumulative non-central chi-squared distribution with v degrees of freedom and "
          "non-centrality lambda at x.",
          "generate p = nchi2(x, 3, 2)"),
    _spec("nchi2den", "nchi2den(x, v, lambda)", _nchi2den,
          "The density of the non-central chi-squared distribution with v degrees of freedom "
          "and non-centrality lambda at x.",
          "generate f = nchi2den(x, 3, 2)"),
    _spec("nchi2tail", "nchi2tail(x, v, lambda)", _nchi2tail,
          "The upper tail of the non-central chi-squared distribution with v degrees of freedom "
          "and non-centrality lambda: the probability of a value above x.",
          "generate p = nchi2tail(x, 3, 2)"),
    _spec("betaden", "betaden(x, a, b)", _betaden,
          "The density of the beta distribution with shape parameters a and b at x; 0 outside "
          "[0, 1].",
          "generate f = betaden(andel, 2, 5)"),
    _spec("ibeta", "ibeta(x, a, b)", _ibeta,
          "The cumulative beta distribution (regularised incomplete beta function) with shape "
          "parameters a and b at x; 0 below 0 and 1 above 1.",
          "generate p = ibeta(andel, 2, 5)"),
    _spec("ibetatail", "ibetatail(x, a, b)", _ibetatail,
          "The upper tail of the beta distribution (1 − ibeta) with shape parameters a and b "
          "at x.",
          "generate p = ibetatail(andel, 2, 5)"),
    _spec("invibeta", "invibeta(p, a, b)", _invibeta,
          "The inverse of ibeta(): the value x in [0, 1] with ibeta(x, a, b) = p.",
          "generate x = invibeta(0.5, 2, 5)"),
    _spec("invibetatail", "invibetatail(p, a, b)", _invibetatail,
          "The inverse of ibetatail(): the value x in [0, 1] with ibetatail(x, a, b) = p.",
          "generate x = invibetatail(0.05, 2, 5)"),
    _spec("t", "t(x, v)", _t,
          "The cumulative Student's t distribution with v degrees of freedom at x.",
          "generate p = t(tverdi, 20)"),
    _spec("tden", "tden(x, v)", _tden,
          "The density of Student's t distribution with v degrees of freedom at x.",
          "generate f = tden(x, 20)"),
    _spec("ttail", "ttail(x, v)", _ttail,
          "The upper tail of Student's t distribution (1 − t): the probability that a t "
          "variable with v degrees of freedom exceeds x. A two-sided p-value is "
          "2 * ttail(abs(x), v).",
          "generate p = 2 * ttail(abs(tverdi), 20)"),
    _spec("invt", "invt(p, v)", _invt,
          "The inverse of t(): the value x with t(x, v) = p (the p-quantile of Student's t "
          "distribution with v degrees of freedom).",
          "generate x = invt(0.975, 20)"),
    _spec("invttail", "invttail(p, v)", _invttail,
          "The inverse of ttail(): the value x with ttail(x, v) = p, e.g. the critical value "
          "of a one-sided t test at level p.",
          "generate kritisk = invttail(0.025, 20)"),
    _spec("invnttail", "invnttail(p, v, lambda)", _invnttail,
          "The inverse of nttail(): the value x whose upper tail probability in the non-central "
          "t distribution with v degrees of freedom and non-centrality lambda is p.",
          "generate x = invnttail(0.05, 20, 1)"),
    _spec("nt", "nt(x, v, lambda)", _nt,
          "The cumulative non-central Student's t distribution with v degrees of freedom and "
          "non-centrality lambda at x.",
          "generate p = nt(2, 20, 1)"),
    _spec("ntden", "ntden(x, v, lambda?)", _ntden,
          "The density of the non-central Student's t distribution with v degrees of freedom "
          "and non-centrality lambda at x. The microdata.no reference lists it without lambda; "
          "leaving lambda out gives the central t density.",
          "generate f = ntden(2, 20, 1)", min_args=2, defaults=(0.0,)),
    _spec("nttail", "nttail(x, v, lambda)", _nttail,
          "The upper tail of the non-central Student's t distribution with v degrees of freedom "
          "and non-centrality lambda: the probability of a value above x.",
          "generate p = nttail(2, 20, 1)"),
]
