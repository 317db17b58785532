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


_SPECIAL = st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2e-308, 1.0, 1.0, -1.0, 1e300, -1e300])


@SETTINGS
@given(st.lists(st.one_of(_SPECIAL, st.floats(-1e6, 1e6)), min_size=1, max_size=60),
       st.lists(st.one_of(_SPECIAL, st.floats(-1e6, 1e6)), min_size=1, max_size=60))
def test_branchless_gaps_equal_scipy_and_the_merge_pass(a, b):
    """The branch-free ECDF pass (KS, Kuiper, W1, energy) against scipy and the full merge pass,
    with ties, signed zeros, subnormals and huge values."""
    x, y = np.sort(np.array(a)), np.sort(np.array(b))
    out = np.zeros(twosample.N_OUT)
    twosample.gaps(x, y, out)
    merged = np.zeros(twosample.N_OUT)
    twosample.merge_stats(x, y, merged)
    np.testing.assert_array_equal(out[:2], merged[:2])
    np.testing.assert_allclose(max(out[0], out[1]), ss.ks_2samp(x, y).statistic, rtol=1e-12)
    with np.errstate(over="ignore", invalid="ignore"):
        w = ss.wasserstein_distance(x, y)
        e = ss.energy_distance(x, y)
    if np.isfinite(w):
        np.testing.assert_allclose(out[2], w, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(out[2], merged[2], rtol=1e-12, atol=1e-300)
    if np.isfinite(e) and np.isfinite(out[3]):
        np.testing.assert_allclose(np.sqrt(2 * out[3]), e, rtol=1e-9, atol=1e-150)


@SETTINGS
@given(st.lists(st.one_of(_SPECIAL, st.floats(allow_nan=True)), max_size=40), st.integers(0, 1))
def test_sort_both_equals_numpy_and_leaves_inputs_alone(a, threaded):
    from aimon.datadrift import _sort

    x = np.array(a, dtype=np.float64)
    y = x[::-1].copy()
    before = (x.copy(), y.copy())
    old = _sort.THREAD_MIN
    _sort.THREAD_MIN = 0 if threaded else old  # the threaded path on small inputs too
    try:
        xs, ys = _sort.sort_both(x, y)
    finally:
        _sort.THREAD_MIN = old
    for got, src in ((xs, before[0]), (ys, before[1])):
        want = np.sort(src)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(y, before[1])


@SETTINGS
@given(st.integers(1, 80), st.integers(1, 40), st.integers(0, 2 ** 32 - 1),
       st.sampled_from(["continuous", "ties", "heavy_ties", "signed_zeros"]))
def test_rank_window_equals_the_merge_pass(N, n, seed, kind):
    """Midrank sum, tie term and CvM U from binary searches + the tie prefix, against the merge pass
    (itself checked against scipy in test_stats_twosample)."""
    from aimon._kernels import rankwindow

    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=N), rng.normal(rng.choice([0.0, 0.7]), 1, size=n)
    if kind == "ties":
        x, y = np.round(x * 2), np.round(y * 2)
    elif kind == "heavy_ties":
        x, y = rng.integers(0, 3, N).astype(float), rng.integers(0, 4, n).astype(float)
    elif kind == "signed_zeros":
        x, y = rng.choice([-0.0, 0.0, 5e-324, 1.0], N), rng.choice([-0.0, 0.0, -5e-324], n)
    x.sort()
    y.sort()
    out = np.zeros(3)
    rankwindow.rank_window(x, rankwindow.tie_prefix(x), y, out)
    merged = np.zeros(twosample.N_OUT)
    twosample.merge_stats(x, y, merged)
    want = merged[[twosample.RANK_SUM, twosample.TIES, twosample.CVM_U]]
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-9)
    u = ss.mannwhitneyu(x, y, alternative="two-sided").statistic
    np.testing.assert_allclose(out[0] - N * (N + 1) / 2, u, rtol=1e-12, atol=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([5, 37, 400, 9_999, 10_001, 250_000]),
       st.lists(st.tuples(st.floats(0, 1), st.integers(1, 12_000)), min_size=1, max_size=12))
def test_vectorised_ks_pvalues_equal_the_scalar_rule(n1, windows):
    """Many windows' KS p-values in one call (exact kernel, vectorised kstwo.sf, Smirnov tail)
    equal the one-window function, which test_stats_twosample checks against scipy."""
    from aimon.datadrift import _pvalues

    d = np.array([w[0] for w in windows])
    n2 = np.array([w[1] for w in windows])
    n2 = np.where(np.maximum(n1, n2) <= 10_000, np.minimum(n2, 60), n2)  # keep the exact path quick
    d = np.round(d * n1 * n2) / (n1 * n2)  # statistics on the lattice of attainable values
    got = _pvalues.ks_pvalues(d, n1, n2)
    want = [_pvalues.ks_pvalue(float(a), n1, int(b)) for a, b in zip(d, n2)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@SETTINGS
@given(st.integers(1, 80), st.integers(1, 40), st.integers(0, 2 ** 32 - 1),
       st.sampled_from(["continuous", "ties", "heavy_ties", "offset", "resampled", "signed_zeros"]))
def test_energy_window_equals_scipy_and_the_merge_pass(N, n, seed, kind):
    """integral (F - G)^2 from the cross term (binary searches + prefix sums of the reference) and
    the two mean absolute differences, against scipy.stats.energy_distance and the merge pass."""
    from aimon._kernels import energywindow

    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=N), rng.normal(rng.choice([0.0, 0.05, 0.7]), 1, size=n)
    if kind == "ties":
        x, y = np.round(x * 2), np.round(y * 2)
    elif kind == "heavy_ties":
        x, y = rng.integers(0, 3, N).astype(float), rng.integers(0, 4, n).astype(float)
    elif kind == "offset":
        x, y = x * 1e3 + 1e9, y * 1e3 + 1e9
    elif kind == "resampled":  # the window drawn from the reference: F close to G
        y = rng.choice(x, n)
    elif kind == "signed_zeros":
        x, y = rng.choice([-0.0, 0.0, 5e-324, 1.0], N), rng.choice([-0.0, 0.0, -5e-324], n)
    x.sort()
    y.sort()
    centre = np.median(x)
    hi, lo = ecdfwindow.prefix_sums(x - centre)
    l2 = energywindow.energy_window(x - centre, hi, lo, energywindow.mean_abs_diff(x - centre), y - centre)
    merged = np.zeros(twosample.N_OUT)
    twosample.merge_stats(x, y, merged)
    scale = max(np.abs(x - centre).max(), np.abs(y - centre).max(), 1e-300)
    np.testing.assert_allclose(l2, merged[twosample.L2], rtol=1e-10, atol=1e-13 * scale)
    # near 0 the square root magnifies the L2 rounding (checked above) to about sqrt(2e-13 * scale)
    np.testing.assert_allclose(np.sqrt(2 * l2), ss.energy_distance(x, y), rtol=1e-9, atol=np.sqrt(2e-13 * scale))
    np.testing.assert_allclose(energywindow.mean_abs_diff(x), np.abs(x[:, None] - x[None, :]).mean(), rtol=1e-12,
                               atol=1e-15 * max(np.abs(x).max(), 1e-300))
