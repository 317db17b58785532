"""correlate(): coefficients, p-values and intervals against scipy, lags and segments by hand."""
import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st_
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
import naive_analysis as naive
from aimon.analysis.correlate import corr_stats, effective_n
from aimon.errors import AimonError, DataDroppedWarning, SchemaError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# small integer-valued samples give ties; sizes from 3 up
pairs = st.integers(3, 40).flatmap(lambda n: st.tuples(
    st.lists(st.integers(-5, 5).map(float), min_size=n, max_size=n),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False, width=32), min_size=n, max_size=n)))


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@SETTINGS
@given(ab=pairs)
def test_unadjusted_coefficient_p_value_and_interval_equal_scipy(method, ab):
    a, b = (np.asarray(v, float) for v in ab)
    got = corr_stats(a, b, method, adjust=False)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        assert np.isnan(got["r"]) and "does not vary" in got["note"]
        return
    ref = (st_.pearsonr if method == "pearson" else st_.spearmanr)(a, b)
    assert got["r"] == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
    if abs(ref.statistic) < 1 - 1e-9:
        assert got["p_value"] == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-12)
        if method == "pearson":   # scipy gives Fisher's interval for Pearson only
            ci = ref.confidence_interval(0.95)
            assert (got["ci_low"], got["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-12)


@SETTINGS
@given(pairs)
def test_effective_n_equals_the_formula(ab):
    a, b = (np.asarray(v, float) for v in ab)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return
    assert effective_n(a, b) == pytest.approx(naive.effective_n(a, b), rel=1e-9)


def test_adjusted_p_value_uses_t_with_n_eff():
    rng = np.random.default_rng(1)
    common = np.cumsum(rng.normal(size=300))        # random walks: strongly autocorrelated
    a, b = common + rng.normal(size=300), np.cumsum(rng.normal(size=300))
    got = corr_stats(a, b, "pearson", adjust=True)
    n_eff = naive.effective_n(a, b)
    r = st_.pearsonr(a, b).statistic
    t = r * np.sqrt((n_eff - 2) / (1 - r * r))
    assert got["n_eff"] == pytest.approx(n_eff, rel=1e-9) and n_eff < 60
    assert got["p_value"] == pytest.approx(2 * st_.t.sf(abs(t), n_eff - 2), rel=1e-9)
    assert got["p_value"] > st_.pearsonr(a, b).pvalue   # autocorrelation makes it less significant
    z = np.arctanh(r)
    half = st_.norm.ppf(0.975) / np.sqrt(n_eff - 3)
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((np.tanh(z - half), np.tanh(z + half)), rel=1e-9)


def log(n_hours=48, seed=0):
    rng = np.random.default_rng(seed)
    t = pd.date_range("2026-01-01", periods=n_hours * 20, freq="3min")
    load = np.repeat(rng.gamma(2.0, 1.0, n_hours), 20)
    return pd.DataFrame({"latency_ms": 50 + 30 * load + rng.normal(0, 5, len(t)),
                         "size_kb": np.round(rng.normal(10, 2, len(t)), 1),
                         "model_version": np.where(np.arange(len(t)) % 3 == 0, "b", "a"),
                         "error": rng.random(len(t)) < 0.05}, index=t)


@pytest.mark.parametrize("lag", [-3, 0, 2])
def test_lags_pair_x_now_with_y_later(lag):
    df = log()
    hourly = df["latency_ms"].resample("1h").mean()
    other = pd.DataFrame({"v": hourly.shift(lag).to_numpy()}, index=hourly.index)  # v[t] = latency[t - lag]
    both = df.join(other.reindex(df.index, method="ffill"))
    c = aimon.correlate(both, "latency_ms", "v", freq="1h", lags=range(-4, 5))
    best = c.best.iloc[0]
    assert int(best["lag"]) == lag and best["r"] == pytest.approx(1.0)
    for row in c.table.itertuples():
        ref = naive.lagged_pairs(list(hourly.to_numpy()), list(other["v"].to_numpy()), row.lag)
        assert row.n == len(ref)
        a, b = np.array(ref).T
        assert row.r == pytest.approx(st_.pearsonr(a, b).statistic, rel=1e-9)


def test_names_resolve_to_columns_ops_and_quality_metrics():
    df = log()
    c = aimon.correlate(df, "size_kb", "latency_p95", freq="2h")
    ops = aimon.ops(df, "2h")
    x = df["size_kb"].resample("2h").mean()
    ref = st_.pearsonr(x.to_numpy(), ops["latency_p95"].to_numpy())
    assert c.table["r"].iloc[0] == pytest.approx(ref.statistic, rel=1e-9)
    pd.testing.assert_series_equal(c.series["x"], x.rename("x").rename_axis("window"), check_freq=False)
    q = log().assign(label=[0, 1] * 480, prediction=[0, 1, 1, 0] * 240)
    c = aimon.correlate(q, "correct", "error_rate", freq="4h")
    quality = aimon.quality(q, "4h")
    np.testing.assert_allclose(c.series["x"].to_numpy(), quality["accuracy"].to_numpy())


def test_by_segment_equals_each_subset():
    df = log()
    c = aimon.correlate(df, "latency_mean", "error_rate", freq="2h", lags=[0, 1], by="model_version")
    for version in ("a", "b"):
        sub = df[df["model_version"] == version]
        ops = aimon.ops(sub, "2h")
        for lag in (0, 1):
            a, b = np.array(naive.lagged_pairs(list(ops["latency_mean"]), list(ops["error_rate"]), lag)).T
            row = c.table[(c.table["model_version"] == version) & (c.table["lag"] == lag)].iloc[0]
            assert row["r"] == pytest.approx(st_.pearsonr(a, b).statistic, rel=1e-9)
            assert row["n"] == len(a)
    assert c.best["model_version"].tolist() == ["a", "b"]


def call(df, *args, **kw):
    before, attrs = copy.deepcopy(df), copy.deepcopy(df.attrs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataDroppedWarning)
            return aimon.correlate(df, *args, **kw)
    finally:
        pd.testing.assert_frame_equal(df, before)
        assert df.attrs == attrs


def test_bad_inputs_give_results_with_reasons_or_clear_errors():
    df = log().assign(const=1.0, empty=np.nan, text="x")
    c = call(df, "const", "latency_ms", freq="1h")
    assert np.isnan(c.table["r"].iloc[0]) and "does not vary" in c.table["note"].iloc[0]
    c = call(df, "empty", "latency_ms", freq="1h")
    assert c.table["n"].iloc[0] == 0 and "at least 3" in c.table["note"].iloc[0]
    c = call(df.iloc[:20], "latency_ms", "size_kb", freq="1h")          # one window
    assert c.table["n"].iloc[0] == 1 and np.isnan(c.table["r"].iloc[0])
    c = call(df, "latency_ms", "latency_ms", freq="1h")                  # x == y
    assert c.table["r"].iloc[0] == 1.0 and c.table["p_value"].iloc[0] == 0.0
    with pytest.raises(SchemaError, match="neither a column.*latency_p95"):
        call(df, "nope", "latency_ms", freq="1h")
    with pytest.raises(SchemaError, match="'text' is"):
        call(df, "text", "latency_ms", freq="1h")
    with pytest.raises(SchemaError, match="lags="):
        call(df, "size_kb", "latency_ms", lags=[0.5])
    with pytest.raises(SchemaError, match="method="):
        call(df, "size_kb", "latency_ms", method="kendall")
    with pytest.raises(SchemaError, match="freq="):
        call(df, "size_kb", "latency_ms", freq="soon")


def test_result_renders():
    c = call(log().rename(columns={"size_kb": "<b>size</b>"}), "<b>size</b>", "latency_p95", freq="1h",
             lags=range(-1, 2))
    assert "<b>size</b>" not in c._repr_html_() and "&lt;b&gt;size&lt;/b&gt;" in c._repr_html_()
    assert "best lag" in repr(c)
    import matplotlib.pyplot as plt

    for kind in ("lags", "overlay", "scatter"):
        assert c.plot(kind=kind) is not None
    with pytest.raises(AimonError, match="kind="):
        c.plot(kind="pie")
    plt.close("all")


@SETTINGS
@given(pairs, st.lists(st.integers(0, 39), max_size=8))
def test_effective_n_keeps_time_gaps(ab, holes):
    a, b = (np.asarray(v, float) for v in ab)
    a[[h for h in holes if h < len(a)]] = np.nan
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
        return
    assert effective_n(a, b) == pytest.approx(naive.effective_n(a, b), rel=1e-9)
    got = corr_stats(a, b, "pearson")
    assert got["n"] == ok.sum() and got["n_eff"] == pytest.approx(naive.effective_n(a, b), rel=1e-9)
    assert got["r"] == pytest.approx(st_.pearsonr(a[ok], b[ok]).statistic, rel=1e-9, abs=1e-12)
