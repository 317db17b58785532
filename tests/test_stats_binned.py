"""Binned and categorical drift statistics against scipy and slow references."""
import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

import naive_drift
from aimon import stats
from aimon.errors import AimonError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def numeric(draw):
    n1, n2 = draw(st.integers(1, 80)), draw(st.integers(1, 80))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    a, b = rng.normal(size=n1), rng.normal(draw(st.sampled_from([0.0, 1.0, 5.0])), 1, size=n2)
    if draw(st.booleans()):
        a, b = np.round(a), np.round(b)
    return a, b, draw(st.integers(2, 12))


@st.composite
def categorical(draw):
    levels = list("abcdefg")
    ref = draw(st.lists(st.sampled_from(levels[:4]), min_size=1, max_size=60))
    cur = draw(st.lists(st.sampled_from(levels), min_size=1, max_size=60))  # e, f, g unseen
    return ref, cur


@SETTINGS
@given(numeric())
def test_numeric_bins_match_slow_binning(abk):
    a, b, k = abk
    r, c, _, _ = stats.histograms(a, b, bins=k)
    rn, cn = naive_drift.numeric_hist(a, b, k)
    np.testing.assert_array_equal(r, rn)
    np.testing.assert_array_equal(c, cn)


def _check_hist_stats(a, b, r, c, bins=10):
    keep = (r > 0) | (c > 0)
    np.testing.assert_allclose(stats.jensenshannon(a, b, bins), jensenshannon(r, c, base=2), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(stats.psi(a, b, bins), naive_drift.psi(r, c), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(stats.kl(a, b, bins), naive_drift.kl(r, c), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(stats.hellinger(a, b, bins), naive_drift.hellinger(r, c), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(stats.tv(a, b, bins), naive_drift.tv(r, c), rtol=1e-9, atol=1e-15)
    table = np.vstack([r[keep], c[keep]])
    if table.shape[1] >= 2:
        ref = ss.chi2_contingency(table, correction=False)
        ours = stats.chi2(a, b, bins)
        np.testing.assert_allclose(ours.statistic, ref.statistic, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.p_value, ref.pvalue, rtol=1e-9, atol=1e-15)
        ref = ss.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        ours = stats.gtest(a, b, bins)
        np.testing.assert_allclose(ours.statistic, ref.statistic, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.p_value, ref.pvalue, rtol=1e-9, atol=1e-15)
    else:  # one bin in all: nothing to test, no drift
        assert stats.chi2(a, b, bins) == (0.0, 1.0)


@SETTINGS
@given(numeric())
def test_numeric_binned_statistics(abk):
    a, b, k = abk
    r, c = naive_drift.numeric_hist(a, b, k)
    _check_hist_stats(a, b, r, c, k)


@SETTINGS
@given(categorical())
def test_categorical_statistics_with_unseen_categories(rc):
    ref, cur = rc
    r, c, labels = naive_drift.category_hist(ref, cur)
    rr, cc, ll, unseen = stats.histograms(ref, cur)
    order = [list(ll).index(lab) for lab in labels]
    np.testing.assert_array_equal(rr[order], r)
    np.testing.assert_array_equal(cc[order], c)
    assert unseen == sum(1 for v in cur if v not in set(ref))
    _check_hist_stats(ref, cur, r, c)


def test_booleans_and_pandas_categoricals_are_categories():
    ref = pd.Series([True, False, True, True])
    cur = pd.Series([False, False, True, None])
    r, c, labels, _ = stats.histograms(ref, cur)
    assert sorted(labels) == [False, True] and c.sum() == 3
    cat = pd.Series(pd.Categorical(["x", "y", "x"], categories=["x", "y", "z"]))
    r, c, labels, _ = stats.histograms(cat, cat)
    assert list(labels) == ["x", "y"]  # categories never observed are not bins


@SETTINGS
@given(st.integers(1, 50), st.integers(1, 50), st.data())
def test_missing_share_matches_statsmodels(n1, n2, data):
    k1, k2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    a = [None] * k1 + [1.0] * (n1 - k1)
    b = [None] * k2 + [1.0] * (n2 - k2)
    res = stats.missing_share(a, b)
    assert res.statistic == pytest.approx(k2 / n2 - k1 / n1, abs=1e-15)
    np.testing.assert_allclose(res.p_value, naive_drift.two_proportion_p(k1, n1, k2, n2), rtol=1e-9, atol=1e-15)


def test_binned_bad_inputs():
    with pytest.raises(AimonError, match="bins"):
        stats.psi([1.0, 2.0], [1.0], bins=1)
    with pytest.raises(AimonError, match="increasing"):
        stats.psi([1.0, 2.0], [1.0], bins=[2.0, 1.0])
    with pytest.raises(AimonError, match="eps"):
        stats.psi([1.0, 2.0], [1.0], eps=0)
    with pytest.raises(AimonError, match="no values"):
        stats.tv(["a"], [None])
    assert stats.psi([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], bins=[1.5, 2.5]) == 0.0
