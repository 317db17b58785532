"""drift()/DriftReport: every method's statistic against scipy on the same columns, verdict rules,
calibrated thresholds at extreme sizes, BH against statsmodels, HTML and plots."""
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

import naive_drift
from scipy_compat import anderson_ksamp_midrank
import aimon
from aimon.datadrift import calibrate
from aimon.datadrift._pvalues import benjamini_hochberg

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frames(seed=0, n_ref=800, n_cur=300, shift=0.0):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"x": rng.normal(size=n_ref), "k": rng.integers(0, 6, n_ref).astype(float),
                        "c": rng.choice(list("abcd"), n_ref, p=[0.4, 0.3, 0.2, 0.1])})
    cur = pd.DataFrame({"x": rng.normal(shift, 1, n_cur), "k": rng.integers(0, 7, n_cur).astype(float),
                        "c": rng.choice(list("abcde"), n_cur, p=[0.3, 0.3, 0.2, 0.1, 0.1])})
    return ref, cur


def row(report, column):
    return report.table.set_index("column").loc[column]


NUMERIC_REFS = {
    "ks": lambda a, b: (ss.ks_2samp(a, b).statistic, ss.ks_2samp(a, b).pvalue),
    "wasserstein": lambda a, b: (ss.wasserstein_distance(a, b) / a.std(), np.nan),
    "energy": lambda a, b: (ss.energy_distance(a, b) / a.std(), np.nan),
    "kuiper": lambda a, b: (naive_drift.kuiper(a, b), np.nan),
    "cramervonmises": lambda a, b: (ss.cramervonmises_2samp(a, b).statistic, ss.cramervonmises_2samp(a, b).pvalue),
    "mannwhitney": lambda a, b: (ss.mannwhitneyu(a, b).statistic / (a.size * b.size), ss.mannwhitneyu(a, b).pvalue),
}


@SETTINGS
@given(seed=st.integers(0, 10_000), shift=st.sampled_from([0.0, 0.3, 1.0]),
       method=st.sampled_from(sorted(NUMERIC_REFS)), n_cur=st.integers(25, 200))
def test_numeric_methods_equal_scipy(seed, shift, method, n_cur):
    ref, cur = frames(seed, n_cur=n_cur, shift=shift)
    rep = cur.aimon.drift(ref, columns=["x", "k"], method=method)
    for col in ("x", "k"):  # k is heavily tied
        r = row(rep, col)
        stat, p = NUMERIC_REFS[method](ref[col].to_numpy(), cur[col].to_numpy())
        np.testing.assert_allclose(r["statistic"], stat, rtol=1e-9, atol=1e-14)
        # scipy's CvM p-value (1 - CDF, series cut at terms < 1e-7) is off by up to ~1e-7 in the
        # far tail, where aimon integrates the tail itself (see test_pvalue_tails.py)
        cvm = method == "cramervonmises"
        np.testing.assert_allclose(r["p_value"], p, rtol=1e-6 if cvm else 1e-9, atol=1e-6 if cvm and p < 1e-5 else 1e-12)
        np.testing.assert_allclose(r["effect_size"], ss.wasserstein_distance(ref[col], cur[col]) / np.std(ref[col].to_numpy()),
                                   rtol=1e-9)


def test_anderson_method_equals_scipy():
    ref, cur = frames(3, shift=0.2)
    rep = cur.aimon.drift(ref, columns=["x"], method="anderson")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = anderson_ksamp_midrank([ref["x"].to_numpy(), cur["x"].to_numpy()])
    np.testing.assert_allclose(row(rep, "x")[["statistic", "p_value"]].to_numpy(float),
                               [res.statistic, res.pvalue], rtol=1e-9)


@pytest.mark.parametrize("method", ["jensenshannon", "psi", "kl", "hellinger", "tv", "chi2", "gtest"])
def test_categorical_methods_equal_references(method):
    ref, cur = frames(4)
    rep = cur.aimon.drift(ref, columns=["c"], method=method)
    r, c, labels = naive_drift.category_hist(list(ref["c"]), list(cur["c"]))
    expected = {
        "jensenshannon": (jensenshannon(r, c, base=2), np.nan), "psi": (naive_drift.psi(r, c), np.nan),
        "kl": (naive_drift.kl(r, c), np.nan), "hellinger": (naive_drift.hellinger(r, c), np.nan),
        "tv": (naive_drift.tv(r, c), np.nan),
        "chi2": tuple(ss.chi2_contingency(np.vstack([r, c]), correction=False)[:2]),
        "gtest": tuple(ss.chi2_contingency(np.vstack([r, c]), correction=False, lambda_="log-likelihood")[:2]),
    }[method]
    got = row(rep, "c")
    np.testing.assert_allclose(got[["statistic", "p_value"]].to_numpy(float), expected, rtol=1e-9)
    assert got["unseen"] == (cur["c"] == "e").sum() and rep.unseen_categories == {"c": ["e"]}
    assert "unseen" in got["note"]
    np.testing.assert_allclose(got["effect_size"], naive_drift.tv(r, c), rtol=1e-9)


def test_numeric_binned_methods_use_reference_quantile_bins():
    ref, cur = frames(5, shift=0.5)
    r, c = naive_drift.numeric_hist(ref["x"].to_numpy(), cur["x"].to_numpy(), 10)
    rep = cur.aimon.drift(ref, columns=["x"], method="psi")
    np.testing.assert_allclose(row(rep, "x")["statistic"], naive_drift.psi(r, c), rtol=1e-9)
    rep = cur.aimon.drift(ref, columns=["x"], method="jensenshannon", bins=10)
    np.testing.assert_allclose(row(rep, "x")["statistic"], jensenshannon(r, c, base=2), rtol=1e-9)


def test_tiny_shift_on_a_million_rows_is_not_flagged_but_half_sigma_on_500_is():
    rng = np.random.default_rng(0)
    n = 1_000_000
    ref = pd.DataFrame({"x": rng.normal(size=n)})
    cur = pd.DataFrame({"x": rng.normal(0.01, 1.0, n)})
    assert ss.mannwhitneyu(ref["x"], cur["x"]).pvalue < 1e-9
    assert ss.ttest_ind(ref["x"], cur["x"]).pvalue < 1e-9
    assert ss.ks_2samp(ref["x"], cur["x"]).pvalue < 1e-6
    assert not row(cur.aimon.drift(ref), "x")["drifted"]
    assert not row(cur.aimon.drift(ref, method="ks"), "x")["drifted"]  # p tiny, effect below the floor
    small_ref = pd.DataFrame({"x": rng.normal(size=500)})
    small_cur = pd.DataFrame({"x": rng.normal(0.5, 1.0, 500)})
    assert row(small_cur.aimon.drift(small_ref), "x")["drifted"]
    assert row(small_cur.aimon.drift(small_ref, method="ks"), "x")["drifted"]


def test_calibrated_threshold_false_alarm_rate_on_null_windows():
    """Windows drawn from the reference distribution itself: with min_effect=0 only the null
    quantile decides, and it should flag about 1 - null_quantile of them (here 0.001)."""
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"x": rng.normal(size=20_000), "c": rng.choice(list("abc"), 20_000)})
    idx = pd.date_range("2026-01-01", periods=300 * 400, freq="min")
    df = pd.DataFrame({"x": rng.normal(size=idx.size), "c": rng.choice(list("abc"), idx.size)}, index=idx)
    tl = df.aimon.drift_over_time(ref, freq="400min", min_effect=0)
    rate = tl.table.groupby("column")["drifted"].mean()
    assert (rate <= 0.02).all(), rate
    shifted = df.assign(x=df["x"] + 0.3)
    assert shifted.aimon.drift_over_time(ref, freq="400min", min_effect=0).table.query("column == 'x'")["drifted"].mean() > 0.9


def test_threshold_scaling_follows_sample_size():
    q = 0.05
    t1 = calibrate.scale_null(q, "wasserstein", 500, 500, 1e12)
    t4 = calibrate.scale_null(q, "wasserstein", 500, 2000, 1e12)
    np.testing.assert_allclose([t1 / t4], [2.0], rtol=1e-3)  # sqrt rate
    np.testing.assert_allclose([calibrate.scale_null(q, "psi", 500, 500, 1e12) /
                                calibrate.scale_null(q, "psi", 500, 2000, 1e12)], [4.0], rtol=1e-3)


@SETTINGS
@given(st.lists(st.one_of(st.floats(0, 1), st.just(np.nan)), min_size=1, max_size=30))
def test_benjamini_hochberg_equals_statsmodels(p):
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    ok = ~np.isnan(p)
    ours = benjamini_hochberg(p)
    assert np.isnan(ours[~ok]).all()
    if ok.any():
        np.testing.assert_allclose(ours[ok], multipletests(p[ok], method="fdr_bh")[1], rtol=1e-12)


def test_p_values_are_corrected_across_columns_and_fixed_thresholds_work():
    ref, cur = frames(6, shift=0.3)
    rep = cur.aimon.drift(ref, columns=["x", "k"], method="ks", min_effect=0)
    t = rep.table.set_index("column")
    np.testing.assert_allclose(t["p_adjusted"].to_numpy(), benjamini_hochberg(t["p_value"].to_numpy()))
    raw = cur.aimon.drift(ref, columns=["x", "k"], method="ks", correction=None, min_effect=0).table
    np.testing.assert_array_equal(raw["p_adjusted"], raw["p_value"])
    fixed = cur.aimon.drift(ref, columns=["x"], threshold=0.01).table.iloc[0]
    assert fixed["threshold"] == 0.01 and fixed["drifted"] == (fixed["statistic"] > 0.01)
    per_column = cur.aimon.drift(ref, method={"x": "ks", "c": "chi2"}).table.set_index("column")["method"]
    assert per_column.to_dict() == {"x": "ks", "c": "chi2", "k": "wasserstein"} or \
        per_column.to_dict() == {"x": "ks", "k": "wasserstein", "c": "chi2"}


def test_report_table_summary_html_and_plot():
    ref, cur = frames(7, shift=1.0)
    ref = ref.rename(columns={"x": "<script>x</script>"})
    cur = cur.rename(columns={"x": "<script>x</script>"})
    rep = cur.aimon.drift(ref)
    t = rep.table
    for col in ("column", "kind", "method", "statistic", "p_value", "threshold", "drifted", "effect_size",
                "n_ref", "n_cur", "missing_ref", "missing_cur"):
        assert col in t.columns
    assert t["drifted"].dtype == bool and t.iloc[0]["column"] == "<script>x</script>"  # worst first
    assert "<script>" not in rep._repr_html_()
    assert "<script>x</script>: wasserstein" in rep.summary()
    axes = rep.plot()
    assert all(isinstance(a, matplotlib.axes.Axes) for a in np.ravel(axes))
    assert isinstance(rep.plot(ax=axes[0]), matplotlib.axes.Axes)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_html_stays_small_for_100_columns():
    rng = np.random.default_rng(8)
    ref = pd.DataFrame(rng.normal(size=(2000, 100)), columns=[f"f{i}" for i in range(100)])
    cur = pd.DataFrame(rng.normal(size=(500, 100)), columns=ref.columns)
    assert len(cur.aimon.drift(ref)._repr_html_().encode()) < 200_000


def test_drift_does_not_mutate_inputs():
    ref, cur = frames(9)
    ref.attrs["x"] = 1
    r0, c0 = ref.copy(), cur.copy()
    cur.aimon.drift(ref)
    aimon.drift(cur, aimon.profile(ref), method={"numeric": "ks", "categorical": "chi2"})
    pd.testing.assert_frame_equal(ref, r0)
    pd.testing.assert_frame_equal(cur, c0)
    assert ref.attrs == {"x": 1}
