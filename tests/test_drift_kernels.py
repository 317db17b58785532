"""The windowed ECDF kernel (binary searches + prefix sums) against scipy and the merge pass."""
import numpy as np
import scipy.stats as ss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimon._kernels import ecdfwindow, twosample

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.integers(1, 80), st.integers(1, 40), st.integers(0, 2 ** 32 - 1),
       st.sampled_from(["continuous", "ties", "offset"]))
def test_ecdf_window_equals_scipy_and_merge(N, n, seed, kind):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=N), rng.normal(rng.choice([0.0, 0.7]), 1, size=n)
    if kind == "ties":
        x, y = np.round(x * 2), np.round(y * 2)
    elif kind == "offset":
        x, y = x * 1e3 + 1e9, y * 1e3 + 1e9
    x.sort()
    y.sort()
    centre = np.median(x)
    hi, lo = ecdfwindow.prefix_sums(x - centre)
    out = np.zeros(3)
    ecdfwindow.ecdf_window(x - centre, hi, lo, y - centre, out)
    merged = np.zeros(twosample.N_OUT)
    twosample.merge_stats(x, y, merged)
    np.testing.assert_allclose(out[:2], merged[:2], rtol=0, atol=1e-15)
    np.testing.assert_allclose(max(out[0], out[1]), ss.ks_2samp(x, y).statistic, rtol=0, atol=1e-15)
    w = ss.wasserstein_distance(x, y)
    np.testing.assert_allclose(out[2], w, rtol=1e-9, atol=1e-12 * np.abs(x).max())


def test_prefix_sums_are_compensated():
    x = np.r_[1e16, np.ones(1000), -1e16]
    hi, lo = ecdfwindow.prefix_sums(x)
    assert (hi[-1] - hi[0]) + (lo[-1] - lo[0]) == 1000.0
