"""Every detector kernel against a slow reference of the published definition (tests/naive_detectors.py).

CUSUM has no River counterpart and KSWIN's own draws (splitmix64) differ from River's, so these
references are their only check; the others are also checked against River.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import naive_detectors as naive
from aimon import detectors
from aimon._kernels import detect_kswin
from detector_streams import streams

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def finite(x):
    return x[np.isfinite(x)]


@SETTINGS
@given(x=streams(), k=st.sampled_from([0.0, 0.25, 1.0]), h=st.sampled_from([0.5, 3.0, 8.0]),
       warm=st.integers(1, 40), target=st.sampled_from([None, 0.0, 1.5]))
def test_cusum_matches_reference(x, k, h, warm, target):
    got = detectors.CUSUM(k=k, h=h, min_instances=warm, target=target).scan(finite(x)).indices
    assert got.tolist() == naive.cusum(finite(x).tolist(), k, h, warm, target)


@SETTINGS
@given(x=streams(), delta=st.sampled_from([0.0, 0.05, 0.5]), threshold=st.sampled_from([1.0, 5.0]),
       alpha=st.sampled_from([1.0, 0.999]), mode=st.sampled_from(["both", "up", "down"]))
def test_page_hinkley_matches_reference(x, delta, threshold, alpha, mode):
    det = detectors.PageHinkley(min_instances=10, delta=delta, threshold=threshold, alpha=alpha, mode=mode)
    assert det.scan(finite(x)).indices.tolist() == naive.page_hinkley(finite(x).tolist(), 10, delta, threshold,
                                                                      alpha, mode)


@SETTINGS
@given(x=streams(binary=True), warm=st.integers(0, 40), thr=st.sampled_from([1.0, 2.0, 3.0]))
def test_ddm_matches_reference(x, warm, thr):
    det = detectors.DDM(warm_start=warm, warning_threshold=min(thr, 2.0), drift_threshold=thr)
    assert det.scan(finite(x)).indices.tolist() == naive.ddm(finite(x).tolist(), warm, thr)


@SETTINGS
@given(x=st.one_of(streams(max_n=1500), streams(binary=True, max_n=1500)),  # 0/1 error streams too
       delta=st.sampled_from([0.002, 0.05, 0.3]), clock=st.sampled_from([1, 4, 32, 100]),
       mb=st.sampled_from([2, 5]), mwl=st.sampled_from([1, 5]), grace=st.sampled_from([0, 10]))
def test_adwin_matches_reference(x, delta, clock, mb, mwl, grace):
    det = detectors.ADWIN(delta=delta, clock=clock, max_buckets=mb, min_window_length=mwl, grace_period=grace)
    want = naive.adwin(finite(x).tolist(), delta, clock, mb, mwl, grace)
    assert det.scan(finite(x)).indices.tolist() == want


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=streams(max_n=400), seed=st.integers(0, 2 ** 40), alpha=st.sampled_from([0.005, 0.1]),
       sizes=st.sampled_from([(100, 30), (20, 10), (31, 7)]))
def test_kswin_matches_reference_with_the_same_draws(x, seed, alpha, sizes):
    """The kernel's integer KS test equals scipy's p-value test, with identical splitmix64 draws."""
    w, r = sizes
    det = detectors.KSWIN(alpha=alpha, window_size=w, stat_size=r, seed=seed)
    assert det.scan(finite(x)).indices.tolist() == naive.kswin(finite(x).tolist(), alpha, w, r, seed)


def test_draws_are_distinct_and_cover_the_range():
    rng = np.array([5], dtype=np.uint64)
    mark = np.zeros(70, dtype=np.int64)
    out = np.empty(30, dtype=np.int64)
    counts = np.zeros(70)
    for _ in range(3000):
        detect_kswin.draw(rng, 70, 30, mark, out)
        assert len(set(out.tolist())) == 30 and out.min() >= 0 and out.max() < 70
        counts[out] += 1
    assert not mark.any()
    np.testing.assert_allclose(counts / 3000, 30 / 70, atol=0.05)  # every position equally likely


@pytest.mark.parametrize("a, b", [([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), ([1.0, 1.0, 2.0], [2.0, 2.0, 2.0]),
                                  ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]), ([1.0, 3.0, 5.0], [2.0, 4.0, 6.0])])
def test_ks_count_equals_scipy_statistic(a, b):
    from scipy.stats import ks_2samp

    k = detect_kswin.ks_count(np.sort(np.array(a)), np.sort(np.array(b)))
    assert k / len(a) == pytest.approx(ks_2samp(a, b).statistic)


@pytest.mark.filterwarnings("ignore:ks_2samp:RuntimeWarning")  # scipy's fallback to the asymptotic p-value
@pytest.mark.parametrize("alpha, r", [(0.005, 30), (0.05, 10), (0.5, 5), (1e-9, 5)])
def test_k_crit_is_the_p_value_threshold(alpha, r):
    from scipy.stats import ks_2samp

    from aimon.detectors.kswin import k_crit

    k = k_crit(alpha, r)
    base = np.arange(r, dtype=float)
    p = [ks_2samp(base, base + j).pvalue for j in range(1, r + 1)]
    assert all(pj > alpha or j / r <= 0.1 for j, pj in zip(range(1, k), p))
    assert k == r + 1 or p[k - 1] <= alpha


@SETTINGS
@given(x=streams(binary=True, max_n=600), warm=st.integers(0, 40), levels=st.sampled_from([(0.95, 0.9), (0.99, 0.97)]))
def test_eddm_matches_reference(x, warm, levels):
    det = detectors.EDDM(warm_start=warm, alpha=levels[0], beta=levels[1])
    assert det.scan(finite(x)).indices.tolist() == naive.eddm(finite(x).tolist(), warm, *levels)


@SETTINGS
@given(x=streams(binary=True), conf=st.sampled_from([0.001, 0.05]), two=st.booleans())
def test_hddm_a_matches_reference(x, conf, two):
    det = detectors.HDDM_A(drift_confidence=conf, warning_confidence=min(conf * 5, 0.5), two_sided_test=two)
    assert det.scan(finite(x)).indices.tolist() == naive.hddm_a(finite(x).tolist(), conf, two)


@SETTINGS
@given(x=streams(binary=True), conf=st.sampled_from([0.001, 0.05]), lam=st.sampled_from([0.05, 0.3]),
       two=st.booleans())
def test_hddm_w_matches_reference(x, conf, lam, two):
    det = detectors.HDDM_W(drift_confidence=conf, warning_confidence=min(conf * 5, 0.5), lambda_val=lam,
                           two_sided_test=two)
    assert det.scan(finite(x)).indices.tolist() == naive.hddm_w(finite(x).tolist(), conf, lam, two)
