"""Distribution functions checked against scipy.stats distribution objects and textbook values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mdlang.engine.functions import call
from mdlang.errors import MdlRuntimeError

XS = [0.0, 0.3, 1.0, 2.5, 7.0]


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@pytest.mark.parametrize("x", [-1.96, 0.0, 1.0, 3.0])
def test_normal(x):
    assert close(call("normal", x), stats.norm.cdf(x))
    assert close(call("normalden", x), math.exp(-x * x / 2) / math.sqrt(2 * math.pi))
    assert close(call("normalden", x, 1, 2), stats.norm.pdf(x, 1, 2))


def test_normal_textbook_values():
    assert round(call("normal", 1.96), 4) == 0.9750
    assert call("normal", 0) == 0.5


def test_binomial_family_follows_microdata_argument_order():
    # binomial(x, n, p): at most n successes in x trials.
    assert close(call("binomial", 10, 3, 0.5), 176 / 1024)
    assert close(call("binomialp", 10, 3, 0.5), 120 / 1024)
    assert close(call("binomialtail", 10, 3, 0.5), 1 - 56 / 1024)
    assert close(call("binomial", 10.7, 3.9, 0.5), 176 / 1024)  # both floored
    assert call("binomial", 10, -1, 0.5) == 0
    assert call("binomial", 10, 11, 0.5) == 1
    assert call("binomialtail", 10, 0, 0.3) == 1
    assert call("binomial", 10, 3, 1.5) is None


@pytest.mark.parametrize("x", XS)
@pytest.mark.parametrize("v", [1, 4.5, 30])
def test_t_family(x, v):
    assert close(call("t", x, v), stats.t.cdf(x, v))
    assert close(call("ttail", x, v), 1 - stats.t.cdf(x, v), abs_=1e-15)
    assert close(call("tden", x, v), stats.t.pdf(x, v))
    p = call("ttail", x, v)
    assert close(call("invttail", p, v), x, rel=1e-7, abs_=1e-8)
    assert close(call("invt", call("t", x, v), v), x, rel=1e-7, abs_=1e-8)
    assert close(call("nt", x, v, 1.5), stats.nct.cdf(x, v, 1.5), rel=1e-7)
    assert close(call("nttail", x, v, 1.5), stats.nct.sf(x, v, 1.5), rel=1e-7)
    assert close(call("ntden", x, v, 1.5), stats.nct.pdf(x, v, 1.5), rel=1e-7)
    assert close(call("invnttail", call("nttail", x, v, 1.5), v, 1.5), x, rel=1e-5, abs_=1e-6)


def test_t_textbook_critical_value():
    assert round(call("invttail", 0.025, 10), 3) == 2.228
    assert close(call("ntden", 0.5, 8), stats.t.pdf(0.5, 8))  # lambda left out: central


@pytest.mark.parametrize("x", XS)
def test_chi2_family(x):
    v = 3
    assert close(call("chi2", x, v), stats.chi2.cdf(x, v))
    assert close(call("chi2tail", x, v), stats.chi2.sf(x, v))
    assert close(call("chi2den", x, v), stats.chi2.pdf(x, v))
    assert close(call("nchi2", x, v, 2), stats.ncx2.cdf(x, v, 2), rel=1e-8)
    assert close(call("nchi2tail", x, v, 2), stats.ncx2.sf(x, v, 2), rel=1e-8)
    assert close(call("nchi2den", x, v, 2), stats.ncx2.pdf(x, v, 2), rel=1e-8)
    if x > 0:
        assert close(call("invchi2", call("chi2", x, v), v), x, rel=1e-8)
        assert close(call("invchi2tail", call("chi2tail", x, v), v), x, rel=1e-8)


def test_chi2_edges():
    assert call("chi2", -1, 3) == 0
    assert call("chi2tail", -1, 3) == 1
    assert call("chi2", 1, -2) is None
    assert round(call("invchi2tail", 0.05, 1), 3) == 3.841
    assert call("invchi2", 1, 3) is None  # infinite: missing


@pytest.mark.parametrize("x", XS)
def test_F_family(x):
    assert close(call("F", x, 3, 12), stats.f.cdf(x, 3, 12))
    assert close(call("Ftail", x, 3, 12), stats.f.sf(x, 3, 12))
    assert close(call("Fden", x, 3, 12), stats.f.pdf(x, 3, 12))
    assert close(call("F", x, 3, 12, 2), stats.ncf.cdf(x, 3, 12, 2), rel=1e-7)
    assert close(call("Ftail", x, 3, 12, 2), stats.ncf.sf(x, 3, 12, 2), rel=1e-7)
    assert close(call("nF", x, 3, 12, 2), stats.ncf.cdf(x, 3, 12, 2), rel=1e-7)
    assert close(call("nFtail", x, 3, 12, 2), stats.ncf.sf(x, 3, 12, 2), rel=1e-7)
    assert close(call("nFden", x, 3, 12, 2), stats.ncf.pdf(x, 3, 12, 2), rel=1e-7)
    if x > 0:
        assert close(call("invF", call("F", x, 3, 12), 3, 12), x, rel=1e-7)
        assert close(call("invFtail", call("Ftail", x, 3, 12), 3, 12), x, rel=1e-7)
        assert close(call("invnFtail", call("nFtail", x, 3, 12, 2), 3, 12, 2), x, rel=1e-6)


def test_F_edges_and_textbook_value():
    assert call("F", -0.5, 3, 12) == 0
    assert call("Ftail", -0.5, 3, 12) == 1
    assert round(call("invFtail", 0.05, 3, 12), 2) == 3.49


@pytest.mark.parametrize("x", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_beta_family(x):
    a, b = 2.0, 5.0
    assert close(call("ibeta", x, a, b), stats.beta.cdf(x, a, b))
    assert close(call("ibetatail", x, a, b), stats.beta.sf(x, a, b), abs_=1e-15)
    assert close(call("betaden", x, a, b), stats.beta.pdf(x, a, b))
    if 0 < x < 1:
        assert close(call("invibeta", call("ibeta", x, a, b), a, b), x, rel=1e-9)
        assert close(call("invibetatail", call("ibetatail", x, a, b), a, b), x, rel=1e-9)


def test_beta_edges():
    assert call("ibeta", -0.5, 2, 5) == 0
    assert call("ibeta", 1.5, 2, 5) == 1
    assert call("betaden", 1.5, 2, 5) == 0
    assert call("ibeta", 0.5, -2, 5) is None


def test_inverse_outside_zero_one_is_missing():
    for fn, args in [("invt", (1.2, 5)), ("invttail", (-0.1, 5)), ("invF", (2, 3, 4)), ("invibeta", (1.5, 2, 2))]:
        assert call(fn, *args) is None


def test_vectorised_with_missing_values():
    x = pd.Series([0.5, np.nan, 2.0, -1.0], index=list("abcd"))
    out = call("ttail", x, 7)
    assert list(out.index) == list("abcd")
    expected = stats.t.sf([0.5, 2.0, -1.0], 7)
    np.testing.assert_allclose(out.to_numpy()[[0, 2, 3]], expected, rtol=1e-12)
    assert np.isnan(out.iloc[1])
    dof = pd.Series([1.0, 2.0, np.nan, -3.0], index=list("abcd"))
    out = call("chi2tail", 1.0, dof)
    np.testing.assert_allclose(out.to_numpy()[:2], stats.chi2.sf(1.0, [1, 2]), rtol=1e-12)
    assert np.isnan(out.iloc[2]) and np.isnan(out.iloc[3])


def test_text_argument_is_a_type_error():
    with pytest.raises(MdlRuntimeError) as info:
        call("chi2tail", 3, "2")
    assert str(info.value) == "chi2tail() needs a number as argument 2, not text"


def test_noncentrality_zero_is_the_central_distribution():
    assert close(call("nchi2", 2, 3, 0), stats.chi2.cdf(2, 3), rel=1e-9)
    assert close(call("nt", 1, 5, 0), stats.t.cdf(1, 5), rel=1e-9)
    assert close(call("nF", 1.5, 3, 12, 0), stats.f.cdf(1.5, 3, 12), rel=1e-9)
    assert close(call("invnFtail", 0.05, 3, 12, 0), stats.f.isf(0.05, 3, 12), rel=1e-9)


def test_lambda_per_row_mixes_central_and_noncentral():
    lam = pd.Series([0.0, 2.0, np.nan, -1.0])
    out = call("F", 1.5, 3, 12, lam).to_numpy()
    assert close(out[0], stats.f.cdf(1.5, 3, 12)) and close(out[1], stats.ncf.cdf(1.5, 3, 12, 2), rel=1e-7)
    assert np.isnan(out[2]) and np.isnan(out[3])
