"""The release gate's statistics against independent references: statsmodels' McNemar, a
numerical restricted MLE (Tango), DeLong from its definition and a published AUC, a direct
bootstrap loop with scikit-learn's metrics, scipy's t-test and quantile test."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from sklearn.metrics import f1_score, precision_score, recall_score
from statsmodels.stats.contingency_tables import mcnemar

from aimon.gating import _latency, _paired
from naive_gate import delong_slow, tango_numeric


def _pairs(draw_seed, n, p_c=0.8, p_p=0.8):
    rng = np.random.default_rng(draw_seed)
    return (rng.random(n) < p_c).astype(int), (rng.random(n) < p_p).astype(int)


@given(st.integers(0, 10_000), st.integers(5, 400))
@settings(max_examples=40, deadline=None)
def test_accuracy_score_test_is_mcnemar_at_zero_margin(seed, n):
    c, p = _pairs(seed, n)
    res = _paired.accuracy_test(c, p, margin=0.0, alpha=0.05)
    n10, n01 = int(((c == 1) & (p == 0)).sum()), int(((c == 0) & (p == 1)).sum())
    table = [[int(((c == 1) & (p == 1)).sum()), n10], [n01, int(((c == 0) & (p == 0)).sum())]]
    if n10 + n01 == 0:
        assert res.p_value == 0.5  # no discordant pair: no evidence either way
        return
    ref = mcnemar(table, exact=False, correction=False)
    z = (n10 - n01) / np.sqrt(n10 + n01)
    assert np.isclose(z ** 2, ref.statistic)
    # one-sided p of "candidate worse" = half the two-sided McNemar p on the worse side
    expected = ref.pvalue / 2 if n10 < n01 else 1 - ref.pvalue / 2
    assert np.isclose(res.p_value, expected)


@given(st.integers(0, 10_000), st.integers(20, 500), st.sampled_from([0.005, 0.01, 0.03, 0.1]))
@settings(max_examples=40, deadline=None)
def test_accuracy_score_test_with_margin_matches_numerical_restricted_mle(seed, n, margin):
    c, p = _pairs(seed, n, 0.75, 0.8)
    n10, n01 = int(((c == 1) & (p == 0)).sum()), int(((c == 0) & (p == 1)).sum())
    if n10 == 0 or n01 == 0:
        return  # the numerical reference needs interior cells
    z_ref, p_ref = tango_numeric(n10, n01, n, -margin)
    res = _paired.accuracy_test(c, p, margin, 0.05)
    assert np.isclose(res.p_value, p_ref, rtol=1e-5, atol=1e-9)
    assert np.isclose(res.p_proof, 1 - p_ref, rtol=1e-5, atol=1e-9)


def test_accuracy_test_of_identical_models_passes_and_of_a_much_worse_one_fails():
    c, _ = _pairs(1, 1000)
    assert _paired.accuracy_test(c, c, 0.0, 0.05).p_value == 0.5
    assert _paired.accuracy_test(c, c, 0.01, 0.05).p_value > 0.5
    worse = c.copy()
    worse[:100] = 0
    assert _paired.accuracy_test(worse, c, 0.0, 0.05).p_value < 1e-6


@st.composite
def scored(draw):
    n = draw(st.integers(6, 60))
    seed = draw(st.integers(0, 10_000))
    ties = draw(st.booleans())
    rng = np.random.default_rng(seed)
    y = np.r_[0, 0, 1, 1, rng.integers(0, 2, n - 4)]
    a = y + rng.normal(0, 1, n)
    b = 0.5 * a + rng.normal(0, 1, n)
    if ties:
        a, b = np.round(a), np.round(b)
    return a, b, y


@given(scored())
@settings(max_examples=60, deadline=None)
def test_delong_matches_the_definition(data):
    a, b, y = data
    res = _paired.delong(a, b, y, 0.0, 0.05)
    auc_a, auc_b, var = delong_slow(a, b, y)
    assert np.isclose(res.candidate, auc_a) and np.isclose(res.production, auc_b)
    if var > 1e-12:
        assert np.isclose(res.p_value, sps.norm.cdf((auc_a - auc_b) / np.sqrt(var)))


def test_delong_on_the_published_hanley_mcneil_ct_ratings():
    # Hanley & McNeil (1982), Radiology 143:29-36, table 1: 109 CT images rated 1-5.
    # Published: AUC 0.893, standard error 0.032 (their approximation; DeLong's is 0.031).
    neg = np.repeat([1, 2, 3, 4, 5], [33, 6, 6, 11, 2]).astype(float)
    pos = np.repeat([1, 2, 3, 4, 5], [3, 2, 2, 11, 33]).astype(float)
    y = np.r_[np.zeros(58), np.ones(51)]
    s = np.r_[neg, pos]
    chance = np.r_[np.zeros(58), np.ones(51)] * 0 + np.arange(109) % 2  # a useless rater
    res = _paired.delong(s, chance.astype(float), y, 0.0, 0.05)
    assert round(res.candidate, 3) == 0.893
    _, _, var = delong_slow(s, chance.astype(float), y)
    assert np.isclose(res.p_value, sps.norm.cdf(res.delta / np.sqrt(var)))
    v10, v01 = _paired._placements(s, y)
    se = np.sqrt(v10.var(ddof=1) / 51 + v01.var(ddof=1) / 58)
    assert abs(se - 0.032) < 0.002


@pytest.mark.parametrize("metric,fn", [("precision", precision_score), ("recall", recall_score), ("f1", f1_score)])
def test_paired_bootstrap_equals_a_direct_loop(metric, fn):
    rng = np.random.default_rng(3)
    n, n_boot, seed = 150, 120, 7
    y = rng.integers(0, 2, n)
    c = np.where(rng.random(n) < 0.8, y, 1 - y)
    p = np.where(rng.random(n) < 0.85, y, 1 - y)
    res = _paired.bootstrap_test(metric, y, c, p, 0.01, 0.05, n_boot, seed)
    deltas = []
    for idx in np.vstack(list(_paired.resample_chunks(n, n_boot, seed))):
        deltas.append(fn(y[idx], c[idx], zero_division=np.nan) - fn(y[idx], p[idx], zero_division=np.nan))
    deltas = np.array(deltas)
    deltas = deltas[~np.isnan(deltas)]
    assert np.isclose(res.candidate - res.production, fn(y, c) - fn(y, p))
    assert np.isclose(res.bound, np.quantile(deltas, 0.95))
    assert np.isclose(res.p_value, (1 + np.sum(deltas >= -0.01)) / (len(deltas) + 1))
    assert np.isclose(res.p_proof, (1 + np.sum(deltas <= -0.01)) / (len(deltas) + 1))


def test_rmse_bootstrap_equals_a_direct_loop():
    rng = np.random.default_rng(4)
    n, n_boot = 80, 200
    y = rng.normal(size=n)
    c, p = y + rng.normal(0, 1.2, n), y + rng.normal(0, 1.0, n)
    res = _paired.bootstrap_test("rmse", y, c, p, 0.0, 0.05, n_boot, 1)
    rmse = lambda a, b: np.sqrt(np.mean((a - b) ** 2))  # noqa: E731
    deltas = np.array([rmse(c[i], y[i]) - rmse(p[i], y[i])
                       for i in np.vstack(list(_paired.resample_chunks(n, n_boot, 1)))])
    assert np.isclose(res.bound, np.quantile(deltas, 0.05))
    assert np.isclose(res.p_value, (1 + np.sum(deltas <= 0.0)) / (n_boot + 1))


def test_resample_chunks_are_independent_of_the_chunk_size(monkeypatch):
    whole = np.vstack(list(_paired.resample_chunks(50, 40, 3)))
    monkeypatch.setattr(_paired, "CHUNK_VALUES", 120)
    chunked = np.vstack(list(_paired.resample_chunks(50, 40, 3)))
    assert whole.shape == chunked.shape == (40, 50)
    assert (whole == chunked).all()


@given(st.integers(0, 10_000), st.integers(2, 300), st.sampled_from([0.0, 0.05, 0.5]))
@settings(max_examples=40, deadline=None)
def test_mae_test_is_scipys_one_sample_t_test(seed, n, margin):
    rng = np.random.default_rng(seed)
    ec, ep = rng.normal(0, 1.1, n), rng.normal(0, 1.0, n)
    res = _paired.mae_test(ec, ep, margin, 0.05)
    d = np.abs(ec) - np.abs(ep)
    ref = sps.ttest_1samp(d, margin, alternative="greater")
    assert np.isclose(res.p_value, ref.pvalue)
    assert np.isclose(res.bound, ref.confidence_interval(0.95).low)
    assert np.isclose(res.p_proof, sps.ttest_1samp(d, margin, alternative="less").pvalue)


@given(st.integers(0, 10_000), st.integers(1, 400), st.floats(0.5, 0.99), st.floats(10, 400))
@settings(max_examples=50, deadline=None)
def test_quantile_vs_limit_is_scipys_quantile_test(seed, n, q, limit):
    rng = np.random.default_rng(seed)
    x = np.round(rng.gamma(3, 50, n))  # ties included
    t = _latency.quantile_vs_limit(x, limit, q, 0.05)
    greater = sps.quantile_test(x, q=limit, p=q, alternative="greater")
    assert np.isclose(t.p_value, greater.pvalue)
    low = greater.confidence_interval(0.95).low
    high = sps.quantile_test(x, q=limit, p=q, alternative="less").confidence_interval(0.95).high
    # scipy says NaN where too few values give no bound; the gate says -inf / inf (no bound)
    assert t.lower == (-np.inf if np.isnan(low) else low)
    assert t.upper == (np.inf if np.isnan(high) else high)
    assert t.n_over == int((x > limit).sum())
    assert np.isclose(t.p_proof, sps.quantile_test(x, q=limit, p=q, alternative="less").pvalue)


def test_bootstrap_quantiles_follow_a_direct_resampling_loop():
    rng = np.random.default_rng(5)
    x = rng.gamma(3, 50, 400)
    fast = _latency.bootstrap_quantiles(x, 0.95, 4000, np.random.default_rng(1))
    loop_rng = np.random.default_rng(2)
    direct = np.array([np.quantile(x[loop_rng.integers(0, 400, 400)], 0.95, method="inverted_cdf")
                       for _ in range(4000)])
    assert set(np.unique(fast)) <= set(x)
    assert sps.ks_2samp(fast, direct).pvalue > 0.01
    for qq in (0.05, 0.5, 0.95):
        assert abs(np.quantile(fast, qq) - np.quantile(direct, qq)) < 0.03 * np.quantile(direct, qq)


def test_ratio_test_of_identical_samples_and_of_a_slower_one():
    rng = np.random.default_rng(6)
    x = rng.gamma(3, 50, 2000)
    same = _latency.ratio_test(x, x, 1.1, 0.05, 1000, 0, 0.95)
    assert same.ratio == 1.0 and same.p_value > 0.5
    slow = _latency.ratio_test(1.3 * x, x, 1.1, 0.05, 1000, 0, 0.95)
    assert np.isclose(slow.ratio, 1.3) and slow.p_value < 0.01 and slow.lower > 1.1
    cost = _latency.ratio_test(0.5 * x, x, 1.1, 0.05, 500, 0, None)
    assert np.isclose(cost.ratio, 0.5) and cost.p_value > 0.99


@given(scored())
@settings(max_examples=30, deadline=None)
def test_swapping_the_models_mirrors_the_one_sided_p_values(data):
    a, b, y = data
    ab, ba = _paired.delong(a, b, y, 0.0, 0.05), _paired.delong(b, a, y, 0.0, 0.05)
    assert np.isclose(ab.delta, -ba.delta)
    if np.isfinite(ab.p_value) and 0 < ab.p_value < 1:
        assert np.isclose(ab.p_value + ba.p_value, 1.0)
    ca, cb = (a > 0.5).astype(int) == y, (b > 0.5).astype(int) == y
    x, z = _paired.accuracy_test(ca.astype(int), cb.astype(int), 0.0, 0.05), \
        _paired.accuracy_test(cb.astype(int), ca.astype(int), 0.0, 0.05)
    assert np.isclose(x.p_value + z.p_value, 1.0)
