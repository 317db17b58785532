"""Bad or unusual input to the statistics, drift, explain and detectors (issue 11, item 6): each
case gets a clear AimonError naming the argument and the fix, a warning, or the correct result
(checked against scipy or the slow references in naive_drift.py)."""
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
import naive_drift
from aimon import stats
from aimon.detectors import ADWIN
from aimon.errors import AimonError, AimonWarning


@pytest.fixture(scope="module")
def log():
    return aimon.datasets.load_credit_scoring()


# ----------------------------------------------------------------------------- tracebacks
def test_drift_against_an_empty_reference_says_so(log):
    with pytest.raises(AimonError, match="reference has no rows"):
        log.iloc[:100].aimon.drift(log.iloc[:0])
    with pytest.raises(AimonError, match="reference has no rows"):
        log.iloc[:100].aimon.drift_over_time(log.iloc[:0], freq="1h")


def test_explain_without_reference_names_the_keyword(log):
    with pytest.raises(AimonError, match=r"reference=.*reference_end"):
        log.aimon.explain("accuracy", freq="1h")
    with pytest.raises(AimonError, match=r"reference="):
        aimon.explain(log, "accuracy")


@pytest.mark.parametrize("a, b", [([0.5, 1.5, 2.5], np.arange(1000.)), (np.arange(2000.) + 0.5, [7.25] * 1 + [3.1]),
                                  (np.linspace(0, 1, 8), np.linspace(0.5, 3, 3000))])
def test_mannwhitney_exact_on_long_samples_equals_scipy(a, b):
    ours = stats.mannwhitney(a, b)
    ref = ss.mannwhitneyu(a, b, method="exact")
    assert ours.statistic == ref.statistic
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=0)


@settings(max_examples=40, deadline=None)
@given(n1=st.integers(1, 8), n2=st.integers(1, 60), shift=st.floats(-3, 3), seed=st.integers(0, 2**16),
       swap=st.booleans())
def test_mannwhitney_exact_branch_equals_scipy(n1, n2, shift, seed, swap):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n1), rng.normal(size=n2) + shift
    if swap:
        a, b = b, a
    ours = stats.mannwhitney(a, b)
    ref = ss.mannwhitneyu(a, b, method="exact")
    assert ours.statistic == ref.statistic
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)


BINNED = [stats.psi, stats.jensenshannon, stats.kl, stats.hellinger, stats.tv, stats.chi2, stats.gtest]


@pytest.mark.parametrize("fn", BINNED)
@pytest.mark.parametrize("ref, cur", [([True, True], [True, False]), ([False, True, True], [False] * 3),
                                      (np.array([True, True]), pd.Series([True, False, False]))])
def test_binned_statistics_on_booleans_equal_the_category_reference(fn, ref, cur):
    r, c, labels = naive_drift.category_hist(list(ref), list(cur))
    got_r, got_c, got_labels, unseen = stats.histograms(ref, cur)
    order = [list(got_labels).index(lab) for lab in labels]
    assert got_r[order].tolist() == list(r) and got_c[order].tolist() == list(c)
    assert unseen == sum(1 for v in cur if v not in list(ref))
    out = fn(ref, cur)
    value = out.statistic if hasattr(out, "statistic") else out
    strings = fn([str(v) for v in ref], [str(v) for v in cur])  # the same categories, as text
    assert value == pytest.approx(strings.statistic if hasattr(strings, "statistic") else strings, rel=1e-12)


def test_histograms_count_unseen_booleans():
    r, c, labels, unseen = stats.histograms([True] * 3, [True, False, False])
    assert list(labels) == [True, False] and r.tolist() == [3.0, 0.0] and c.tolist() == [1.0, 2.0]
    assert unseen == 2


@pytest.mark.parametrize("eps", ["x", None, -1.0, 0.0, np.nan, np.inf, True, 2.0])
def test_eps_must_be_a_small_positive_number(eps):
    with pytest.raises(AimonError, match="eps="):
        stats.psi([1.0, 2.0, 3.0], [1.0, 2.0], eps=eps)


@pytest.mark.parametrize("fn", [stats.chi2, stats.ks, stats.psi, stats.missing_share, stats.mannwhitney])
@pytest.mark.parametrize("bad, match", [(None, "is None"), (3.0, "single value"), ("abc", "single value"),
                                        (np.zeros((3, 2)), "2-D"), (pd.DataFrame({"x": [1.0]}), "DataFrame")])
def test_not_a_sample_is_refused_with_the_argument_named(fn, bad, match):
    with pytest.raises(AimonError, match=f"reference sample.*{match}|{match}.*reference"):
        fn(bad, [1.0, 2.0])
    with pytest.raises(AimonError, match="current"):
        fn([1.0, 2.0], bad)


def test_missing_share_of_a_2d_array_is_refused():
    with pytest.raises(AimonError, match=r"2-D .*arr\[:, 0\]"):
        stats.missing_share(np.zeros((3, 2)), [1.0])


@pytest.mark.parametrize("bad", [None, 3.0, "abc", pd.DataFrame({"error": [0, 1]})])
def test_detector_scan_of_no_stream_says_what_to_pass(bad):
    with pytest.raises(AimonError, match="1-D stream"):
        ADWIN().scan(bad)


# ----------------------------------------------------------------------------- silent oddities
@pytest.mark.parametrize("fn", [stats.ks, stats.wasserstein, stats.energy, stats.kuiper, stats.cramervonmises])
def test_2d_arrays_are_not_flattened(fn):
    with pytest.raises(AimonError, match="2-D"):
        fn(np.arange(60.).reshape(30, 2), np.arange(30.))


@pytest.mark.parametrize("fn", [stats.psi, stats.jensenshannon, stats.tv, stats.chi2])
def test_float_bins_is_a_number_of_bins(fn):
    x, y = np.arange(100.0), np.arange(100.0) + 7
    assert fn(x, y, bins=10.0) == fn(x, y, bins=10)
    r, c = naive_drift.numeric_hist(x, y, 10)
    _, _, _, _ = stats.histograms(x, y, bins=10.0)
    assert stats.histograms(x, y, bins=10.0)[0].tolist() == list(r)
    with pytest.raises(AimonError, match="whole number"):
        fn(x, y, bins=10.5)
    assert fn(x, y, bins=[50.0]) == fn(x, y, bins=np.array([50.0]))  # a sequence is edges


def test_none_in_a_numeric_list_is_a_missing_value():
    cur = [1.0, 2.0, 2.5, 7.0]
    with_none, with_nan = [1.0, None, 3.0, 4.0, 5.0], [1.0, np.nan, 3.0, 4.0, 5.0]
    assert stats.psi(with_none, cur, bins=3) == stats.psi(with_nan, cur, bins=3)
    r, c = naive_drift.numeric_hist([1.0, 3.0, 4.0, 5.0], cur, 3)
    assert stats.psi(with_none, cur, bins=3) == pytest.approx(naive_drift.psi(r, c), rel=1e-12)
    assert stats.ks(with_none, cur) == stats.ks(with_nan, cur)
    assert stats.histograms(with_none, cur, bins=3)[2][0].startswith("<")  # numeric bins, not categories


@pytest.mark.parametrize("scale", [1.0, 1e150, 1e300])
def test_wasserstein_normalized_does_not_overflow(scale):
    a = np.array([1.0, -1.0, 1.0, 0.5])
    b = np.array([1.0, 1.0, 0.0, -0.25])
    expected = ss.wasserstein_distance(a, b) / np.std(a)
    assert stats.wasserstein(a * scale, b * scale, normalize=True) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("fn", BINNED)
def test_numbers_are_not_compared_as_categories(fn):
    with pytest.raises(AimonError, match=r"numbers .*categories.*pd.to_numeric"):
        fn([1.0, 2.0], ["a"])
    with pytest.raises(AimonError, match=r"categories .*numbers"):
        fn(["a", "b"], np.array([1, 2]))


def test_a_tiny_reference_is_warned_about(log):
    with pytest.warns(AimonWarning, match="only 1 row"):
        log.iloc[100:200].aimon.drift(log.iloc[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", AimonWarning)
        aimon.profile(log.iloc[:200], columns=["loan_amount"])  # a normal reference: no warning


@pytest.mark.parametrize("values", [
    ["2024-01-01 00:00", "2024-01-01 01:00+02:00", "2024-01-01 02:00"],
    ["2024-01-01T00:00Z", "2024-01-01 01:00"],
    [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01 01:00", tz="UTC")],
])
def test_naive_and_aware_timestamps_mixed_are_warned_about(values):
    df = pd.DataFrame({"ts": values, "latency_ms": np.arange(len(values), dtype=float)})
    with pytest.warns(AimonWarning, match=r"'ts' mixes .* without a time zone"):
        table = df.aimon.ops("1h")
    assert table["requests"].sum() == len(values)  # still counted, in UTC


@pytest.mark.parametrize("values", [
    ["2024-01-01 00:00+01:00", "2024-01-01 01:00+02:00"],  # offsets differ (DST), all aware
    ["2024-01-01 00:00", "2024-01-01 01:00"],
])
def test_uniform_timestamps_are_not_warned_about(values):
    df = pd.DataFrame({"ts": values, "latency_ms": [1.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", AimonWarning)
        df.aimon.ops("1h")


# ----------------------------------------------------------------------------- any input
_ELEMENTS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.none(),
                      st.booleans(), st.sampled_from(["a", "b", ""]))
_SAMPLES = st.one_of(
    st.lists(_ELEMENTS, max_size=8),
    st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=12),
    st.builds(lambda n: np.arange(float(n * 2)).reshape(n, 2), st.integers(1, 3)),
    st.sampled_from([None, 3.0, "x", np.array([]), pd.Series([], dtype=float)]),
)
_STATS = [stats.ks, stats.kuiper, stats.wasserstein, stats.energy, stats.cramervonmises, stats.anderson,
          stats.mannwhitney, stats.missing_share, stats.histograms] + BINNED


@settings(max_examples=150, deadline=None)
@given(fn=st.sampled_from(_STATS), ref=_SAMPLES, cur=_SAMPLES)
def test_any_input_gives_a_result_or_an_aimon_error(fn, ref, cur):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(ref, cur)
        except AimonError:
            pass


def test_drift_effect_sizes_do_not_overflow_at_huge_magnitudes():
    rng = np.random.default_rng(0)
    ref, cur = pd.DataFrame({"x": rng.normal(size=300)}), pd.DataFrame({"x": rng.normal(size=300) + 1})
    plain = aimon.drift(cur, ref).table.iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        huge = aimon.drift(cur * 1e300, ref * 1e300).table.iloc[0]
    assert huge["statistic"] == pytest.approx(plain["statistic"], rel=1e-9)
    expected = ss.wasserstein_distance(ref["x"], cur["x"]) / np.std(ref["x"].to_numpy())
    assert huge["effect_size"] == pytest.approx(expected, rel=1e-9)
    assert huge["drifted"] == plain["drifted"]
