"""Tiny p-values keep their digits (issue 11, item 7): the exact two-sample KS tail and the
Cramér-von Mises limit tail are computed directly, not as 1 - P (which is rounding noise below
~1e-9). References: scipy.stats.ks_2samp (its exact branch sums the tail directly) and, for the
CvM limit law, the Csörgő-Faraway series evaluated in 60-digit arithmetic with mpmath (scipy's
own 1 - CDF is accurate only while p > ~1e-6, so scipy is the reference there only)."""
import warnings

import mpmath as mp
import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from aimon import stats
from aimon.datadrift._pvalues import cvm_inf_sf, cvm_pvalue


def _close(p, ref, rtol):
    assert p == pytest.approx(ref, rel=rtol, abs=0), (p, ref)


@pytest.mark.parametrize("a, b, scipy_p", [
    (np.arange(300.), np.arange(300.) + 150, 1.9e-34),
    (np.arange(10000.) * 0.01 + 60, np.arange(110.), 5.9e-32),
])
def test_ks_issue_examples(a, b, scipy_p):
    ref = ss.ks_2samp(a, b, method="exact").pvalue
    assert ref == pytest.approx(scipy_p, rel=0.05)
    _close(stats.ks(a, b).p_value, ref, 1e-6)


def _ks_pvalue_exact_rational(n1, n2, d):
    """P(D >= d) by counting the lattice paths that stay strictly inside the band in Python
    integers: an exact fraction, rounded once (an independent reference for any tail)."""
    from fractions import Fraction
    from math import comb, gcd

    g = gcd(n1, n2)
    lcm = n1 // g * n2
    h = round(d * lcm)
    if h == 0:
        return 1.0
    row = [0] * (n2 + 1)
    for i in range(n1 + 1):
        for j in range(n2 + 1):
            if abs(i * (lcm // n1) - j * (lcm // n2)) >= h:
                row[j] = 0
            elif i == 0 and j == 0:
                row[j] = 1
            else:
                row[j] = (row[j] if i > 0 else 0) + (row[j - 1] if j > 0 else 0)
    total = comb(n1 + n2, n1)
    return float(Fraction(total - row[n2], total))


@settings(max_examples=60, deadline=None)
@given(n1=st.integers(1, 60), n2=st.integers(1, 60), shift=st.floats(-80, 80), ties=st.booleans(),
       seed=st.integers(0, 2**16))
def test_ks_exact_tail_matches_scipy(n1, n2, shift, ties, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n1) * 10
    b = rng.normal(size=n2) * 10 + shift
    if ties:
        a, b = np.round(a / 5), np.round(b / 5)
    res = stats.ks(a, b, method="exact")
    _close(res.p_value, _ks_pvalue_exact_rational(n1, n2, res.statistic), 1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # scipy falling back to 'asymp' is no reference
        try:
            ref = ss.ks_2samp(a, b, method="exact").pvalue
        except RuntimeWarning:
            return
    if ref > 1e-300:
        _close(res.p_value, ref, 1e-6)


@settings(max_examples=15, deadline=None)
@given(n1=st.integers(200, 1500), n2=st.integers(20, 400), shift=st.floats(0.5, 4))
def test_ks_exact_tail_matches_scipy_larger_samples(n1, n2, shift):
    a = np.linspace(0, 10, n1)
    b = np.linspace(0, 10, n2) + shift
    ref = ss.ks_2samp(a, b, method="exact").pvalue
    if ref > 1e-300:
        _close(stats.ks(a, b).p_value, ref, 1e-6)


mp.mp.dps = 60


def _cvm_sf_mpmath(x):
    """1 - CDF of the limiting CvM law by the Csörgő-Faraway series, in 60-digit arithmetic."""
    x = mp.mpf(x)
    total, k = mp.mpf(0), 0
    while True:
        y = 4 * k + 1
        q = mp.mpf(y) ** 2 / (16 * x)
        term = (mp.exp(mp.loggamma(k + mp.mpf(0.5)) - mp.loggamma(k + 1)) / (mp.pi ** 1.5 * mp.sqrt(x))
                * mp.sqrt(y) * mp.exp(-q) * mp.besselk(0.25, q))
        total += term
        if abs(term) < mp.mpf(10) ** -75:
            return float(1 - total)
        k += 1


@pytest.mark.parametrize("x", [0.05, 0.3, 0.99, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 15.0, 20.0])
def test_cvm_limit_tail_against_high_precision(x):
    _close(cvm_inf_sf(x), _cvm_sf_mpmath(x), 1e-10)


@settings(max_examples=40, deadline=None)
@given(n1=st.integers(21, 120), n2=st.integers(21, 120), shift=st.floats(0, 6), seed=st.integers(0, 2**16))
def test_cvm_pvalue_matches_scipy_where_scipy_is_accurate_and_the_limit_law_below(n1, n2, shift, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n1), rng.normal(size=n2) + shift
    res = stats.cramervonmises(a, b)
    ref = ss.cramervonmises_2samp(a, b)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-9)
    if ref.pvalue > 1e-5:  # scipy's 1 - CDF still has 6 good digits here
        _close(res.p_value, ref.pvalue, 1e-6)
    # everywhere: the limit law's tail at the standardised statistic, from the 60-digit series
    k, n = n1 * n2, n1 + n2
    et = (1 + 1 / n) / 6
    vt = (n + 1) * (4 * k * n - 3 * (n1 ** 2 + n2 ** 2) - 2 * k) / (45 * n ** 2 * 4 * k)
    tn = 1 / 6 + (res.statistic - et) / np.sqrt(45 * vt)
    if tn >= 0.003 and tn < 25:
        _close(res.p_value, _cvm_sf_mpmath(tn), 1e-6)
    assert cvm_pvalue(res.statistic, n1, n2) == res.p_value


def _ks_null_by_enumeration(n1, n2):
    """Every arrangement of n1 x-values and n2 y-values (no ties), equally likely: the list of
    their KS statistics D, as exact fractions of lcm(n1, n2)."""
    from itertools import combinations
    from math import lcm

    L = lcm(n1, n2)
    out = []
    for xs in combinations(range(n1 + n2), n1):
        xs = set(xs)
        i = j = 0
        d = 0
        for pos in range(n1 + n2):
            if pos in xs:
                i += 1
            else:
                j += 1
            d = max(d, abs(i * (L // n1) - j * (L // n2)))
        out.append(d)
    return np.array(out), L


@pytest.mark.parametrize("n1, n2", [(1, 1), (1, 4), (2, 2), (3, 5), (4, 4), (5, 3), (6, 6), (2, 9), (7, 5)])
def test_ks_exact_pvalue_equals_the_enumerated_null(n1, n2):
    d_all, L = _ks_null_by_enumeration(n1, n2)
    x = np.arange(n1 + n2, dtype=float)
    for h in np.unique(d_all):
        # a pair of samples with exactly this D: take an arrangement that has it
        from itertools import combinations
        for xs in combinations(range(n1 + n2), n1):
            a = x[list(xs)]
            b = np.delete(x, list(xs))
            res = stats.ks(a, b, method="exact")
            if round(res.statistic * L) == h:
                break
        assert round(res.statistic * L) == h
        expected = np.mean(d_all >= h)
        _close(res.p_value, expected, 1e-12)
