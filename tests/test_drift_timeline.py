"""drift_over_time: each window's numbers against scipy on pandas' own resample groups."""
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
import aimon
from aimon.errors import AimonError, DataDroppedWarning, SchemaError

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference(seed=0, n=600):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(list("abc"), n)})


@st.composite
def logs(draw):
    n = draw(st.integers(0, 120))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    secs = np.sort(rng.integers(0, 5 * 86400, n))
    idx = pd.DatetimeIndex(pd.Timestamp("2026-03-01", tz=draw(st.sampled_from([None, "UTC"])))
                           + pd.to_timedelta(secs, unit="s"), name="ts")
    x = rng.normal(draw(st.sampled_from([0.0, 1.0])), 1, n)
    x[rng.random(n) < 0.1] = np.nan
    c = rng.choice(["a", "b", "c", "d", None], n, p=[0.3, 0.3, 0.2, 0.1, 0.1])
    df = pd.DataFrame({"x": x, "c": c}, index=idx)
    if draw(st.booleans()):  # unsorted input rows
        df = df.iloc[rng.permutation(n)]
    return df


@SETTINGS
@given(logs(), st.sampled_from(["6h", "1D", "2D"]))
def test_windows_equal_scipy_on_resample_groups(df, freq):
    ref = reference()
    tl = df.aimon.drift_over_time(ref, freq=freq, method={"numeric": "ks"})
    tl_w = df.aimon.drift_over_time(aimon.profile(ref), freq=freq)
    t = tl.table.set_index(["window", "column"])
    tw = tl_w.table.set_index(["window", "column"])
    groups = list(df.sort_index().resample(freq))
    assert len(t) == 2 * len(groups)
    for label, g in groups:
        x = g["x"].dropna().to_numpy()
        rx, rc = t.loc[(label, "x")], t.loc[(label, "c")]
        assert rx["n_cur"] == x.size and rc["n_cur"] == g["c"].notna().sum()
        np.testing.assert_allclose(rx["missing_cur"], g["x"].isna().mean() if len(g) else np.nan)
        if x.size:
            ks = ss.ks_2samp(ref["x"], x)
            np.testing.assert_allclose([rx["statistic"], rx["p_value"]], [ks.statistic, ks.pvalue],
                                       rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(tw.loc[(label, "x")]["statistic"],
                                       ss.wasserstein_distance(ref["x"], x) / np.std(ref["x"].to_numpy()),
                                       rtol=1e-9)
        else:
            assert np.isnan(rx["statistic"]) and not rx["value_drifted"] and rx["note"]
        cur = g["c"].dropna().tolist()
        if cur:
            r, c, _ = naive_drift.category_hist(list(ref["c"]), cur)
            np.testing.assert_allclose(rc["statistic"], jensenshannon(r, c, base=2), rtol=1e-9, atol=1e-12)
            assert rc["unseen"] == cur.count("d")
        else:
            assert np.isnan(rc["statistic"]) and not rc["value_drifted"]


def test_threshold_grows_for_small_windows_and_table_shapes():
    rng = np.random.default_rng(3)
    ref = reference(n=5000)
    idx = pd.DatetimeIndex(np.sort(pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 3 * 86400, 3000), unit="s")))
    idx = idx[(idx.hour >= 8) | (rng.random(idx.size) < 0.05)]  # quiet nights
    df = pd.DataFrame({"x": rng.normal(size=idx.size), "c": rng.choice(list("abc"), idx.size)}, index=idx)
    tl = df.aimon.drift_over_time(ref, freq="1h", min_effect=0)
    t = tl.table[tl.table.column == "x"]
    small, big = t.n_cur.idxmin(), t.n_cur.idxmax()
    assert t.loc[small, "threshold"] > t.loc[big, "threshold"]
    wide = tl.to_frame()
    assert list(wide.columns) == ["x", "c"] and len(wide) == t["window"].nunique()
    assert isinstance(wide.index[0], pd.Timestamp)
    for col in ("window", "column", "statistic", "threshold", "drifted"):
        assert col in tl.table.columns
    assert tl.table["drifted"].dtype == bool
    ax = tl.plot()
    assert isinstance(ax, matplotlib.axes.Axes)
    import matplotlib.pyplot as plt

    plt.close("all")
    assert "<table>" in tl._repr_html_()


def test_timestamp_column_unsorted_rows_and_dropped_timestamps():
    rng = np.random.default_rng(4)
    n = 400
    ts = pd.Series(pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 2 * 86400, n), unit="s"))
    ts[:5] = pd.NaT
    df = pd.DataFrame({"when": ts, "x": rng.normal(size=n)})
    with pytest.warns(DataDroppedWarning):
        tl = aimon.drift_over_time(df, reference(), freq="1D", timestamp="when", columns=["x"])
    assert tl.table["n_cur"].sum() == n - 5 and tl.accounting["dropped"] == {"no_timestamp": 5}


def test_timeline_errors():
    df = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="timestamp"):
        aimon.drift_over_time(df, reference(), freq="1D")
    df.index = pd.date_range("2026-01-01", periods=2, freq="h")
    with pytest.raises(SchemaError, match="freq"):
        aimon.drift_over_time(df, reference(), freq="fortnightly")
    with pytest.raises(AimonError, match="alpha"):
        aimon.drift_over_time(df, reference(), alpha=2)
    with pytest.raises(AimonError, match="method"):
        aimon.drift_over_time(df, reference(), method="nope")


def test_timeline_does_not_mutate_input():
    df = pd.DataFrame({"x": [3.0, 1.0, np.nan]}, index=pd.DatetimeIndex(["2026-01-02", "2026-01-01", "2026-01-03"]))
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df.aimon.drift_over_time(reference(), freq="1D")
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("method", ["mannwhitney", "cramervonmises"])
def test_rank_statistics_per_window_equal_scipy(method):
    """Small windows against a larger reference take the binary-search path (no merge with the
    reference); each window's statistic and p-value equal scipy's on the resample groups."""
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"x": np.round(rng.normal(size=3000), 1)})
    n = 400
    idx = pd.date_range("2026-03-01", periods=n, freq="15min")
    df = pd.DataFrame({"x": np.round(rng.normal(0.3, 1, n), 1)}, index=idx)
    tl = df.aimon.drift_over_time(ref, freq="6h", method={"numeric": method})
    t = tl.table.set_index("window")
    for label, g in df.resample("6h"):
        x = g["x"].to_numpy()
        row = t.loc[label]
        if method == "mannwhitney":
            res = ss.mannwhitneyu(ref["x"], x, alternative="two-sided")
            stat = res.statistic / (len(ref) * x.size)
        else:
            res = ss.cramervonmises_2samp(ref["x"], x)
            stat = res.statistic
        np.testing.assert_allclose(row["statistic"], stat, rtol=1e-9)
        if method == "cramervonmises" and res.pvalue < 1e-5:
            # scipy's CvM tail stops its series early and is wrong down here (3.5e-9 where the tail
            # is 4.7e-64; tests/test_pvalue_tails.py checks ours against 60-digit mpmath): the window
            # path must equal the one-sample-pair function instead
            from aimon import stats

            np.testing.assert_allclose(row["p_value"], stats.cramervonmises(ref["x"], x).p_value, rtol=1e-9)
        else:
            np.testing.assert_allclose(row["p_value"], res.pvalue, rtol=1e-9 if method == "mannwhitney" else 1e-6)


@SETTINGS
@given(logs(), st.sampled_from(["6h", "1D"]), st.booleans())
def test_energy_per_window_equals_scipy_and_the_merge_path(df, freq, ties):
    """Small windows against a larger reference take the binary-search path for the energy
    distance (no merge with the reference); each window equals scipy's energy_distance / sd on the
    resample groups, and the merge path run on the same windows."""
    from aimon.datadrift import _evaluate

    ref = reference(n=3000)
    if ties:
        ref["x"], df = np.round(ref["x"], 1), df.assign(x=np.round(df["x"], 1))
    prof = aimon.profile(ref)
    tl = df.aimon.drift_over_time(prof, freq=freq, method={"numeric": "energy"})
    t = tl.table.set_index(["window", "column"])
    sd = np.std(ref["x"].to_numpy())
    groups = list(df.sort_index().resample(freq))
    for label, g in groups:
        x = g["x"].dropna().to_numpy()
        stat = t.loc[(label, "x")]["statistic"]
        if x.size:
            np.testing.assert_allclose(stat, ss.energy_distance(ref["x"], x) / sd, rtol=1e-9, atol=1e-7)
        else:
            assert np.isnan(stat)
    if groups:
        cp = prof.columns["x"]
        bounds = np.r_[0, np.cumsum([len(g) for _, g in groups])]
        s = df.sort_index()["x"]
        prepared = [_evaluate.numeric_windows(cp, s, bounds)]
        items = [(cp, s, "energy")]
        k = len(groups)
        fast = _evaluate._window_rows(items, prepared, k)[:, 3]
        merged = _evaluate._merge_rows(items, prepared, k)[:, 3]
        np.testing.assert_allclose(fast[np.diff(prepared[0][1]) > 0], merged[np.diff(prepared[0][1]) > 0],
                                   rtol=1e-10, atol=1e-14)
