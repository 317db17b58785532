"""aimon.ops and Series.aimon.window_stats against pandas resample and the slow loops in naive.py."""
import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
import naive
from aimon.errors import DataDroppedWarning, SchemaError

pytestmark = pytest.mark.filterwarnings("ignore::aimon.errors.DataDroppedWarning")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=25)  # for tests parametrized over several frequencies
INT_COLS = {"requests", "errors", "latency_missing", "ttft_missing"}


def assert_table(got: pd.DataFrame, ref: pd.DataFrame):
    assert set(got.columns) == set(ref.columns), (sorted(got.columns), sorted(ref.columns))
    assert len(got) == len(ref)
    for c in ref.columns:
        if c in INT_COLS:
            assert pd.api.types.is_integer_dtype(got[c].dtype), (c, got[c].dtype)
            np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(dtype=np.int64), err_msg=c)
        else:
            np.testing.assert_allclose(got[c].to_numpy(dtype=np.float64), ref[c].to_numpy(dtype=np.float64),
                                       rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=c)


def unchanged(df, before):
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == before.attrs


def resample_index(times, freq):
    times = pd.DatetimeIndex(times)
    return pd.DataFrame(index=times[times.notna()]).resample(freq).size().index


@pytest.mark.parametrize("freq,span", [("1min", 3 * 3600), ("90min", 2 * 86400), ("1h", 3 * 86400),
                                       ("1D", 5 * 86400), ("W", 40 * 86400), ("ME", 120 * 86400)])
@FEW
@given(data=st.data())
def test_ops_equals_reference(freq, span, data):
    df = data.draw(naive.log_strategy(st, max_size=30, span_s=span, segment=False))
    before = copy.deepcopy(df)
    got = aimon.ops(df, freq)
    unchanged(df, before)
    times, cols = naive.log_parts(df)
    assert_table(got, naive.ops(times, cols, freq))
    naive.assert_index_equal(got.index, resample_index(times, freq), check_names=False, check_freq=False)
    # the accessor is the same function
    pd.testing.assert_frame_equal(df.aimon.ops(freq), got)


@SETTINGS
@given(df=naive.log_strategy(st, min_size=1, max_size=30, span_s=2 * 86400, segment=False),
       freq=st.sampled_from(["15min", "1h", "1D"]))
def test_ops_equals_pandas_resample(df, freq):
    """The same numbers straight from pandas: resample().size/sum/count/mean/max/quantile."""
    frame = df if isinstance(df.index, pd.DatetimeIndex) else df.set_index("timestamp")
    frame = frame.replace([np.inf, -np.inf], np.nan)
    got = aimon.ops(df, freq)
    r = frame.resample(freq)
    seconds = pd.Timedelta(freq).total_seconds() if freq != "1D" else None
    np.testing.assert_array_equal(got["requests"], r.size())
    if seconds is not None:
        np.testing.assert_allclose(got["throughput_rps"], r.size() / seconds, rtol=1e-12)
    if "error" in frame:
        e = frame["error"].astype(float).resample(freq)
    else:
        e = (frame["status_code"] >= 500).astype(float).resample(freq)
    np.testing.assert_array_equal(got["errors"], e.sum())
    np.testing.assert_allclose(got["error_rate"], e.sum() / e.count(), rtol=1e-12, equal_nan=True)
    lat = frame["latency_ms"].resample(freq)
    np.testing.assert_array_equal(got["latency_missing"], r.size() - lat.count())
    for col, ref in [("latency_mean", lat.mean()), ("latency_max", lat.max()), ("latency_p50", lat.quantile(0.5)),
                     ("latency_p95", lat.quantile(0.95)), ("latency_p99", lat.quantile(0.99)),
                     ("ttft_p95", frame["ttft_ms"].resample(freq).quantile(0.95))]:
        np.testing.assert_allclose(got[col], ref, rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=col)
    for col, src in [("input_tokens", "input_tokens"), ("cost", "cost_usd")]:
        s = frame[src].resample(freq)
        np.testing.assert_allclose(got[col], s.sum(), rtol=1e-12, atol=1e-12, err_msg=col)
        np.testing.assert_allclose(got[f"{col}_per_request"], s.mean(), rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("freq,span", [("1h", 2 * 86400), ("1D", 6 * 86400), ("W", 30 * 86400)])
@FEW
@given(data=st.data())
def test_ops_by_segment_equals_ops_of_each_subset(freq, span, data):
    df = data.draw(naive.log_strategy(st, max_size=30, span_s=span, segment=True))
    if data.draw(st.booleans(), label="missing segment") and len(df):
        df = df.copy()
        df["model_version"] = df["model_version"].where(np.arange(len(df)) % 3 != 0, None)
    before = copy.deepcopy(df)
    got = aimon.ops(df, freq, by="model_version")
    unchanged(df, before)
    times, cols = naive.log_parts(df)
    labels = list(resample_index(times, freq))
    seg = df["model_version"]
    keys = sorted(seg.dropna().unique()) + ([np.nan] if seg.isna().any() else [])
    assert got.columns[0] == "model_version"
    assert len(got) == len(keys) * len(labels)
    for i, key in enumerate(keys):
        part = got.iloc[i * len(labels):(i + 1) * len(labels)]
        assert (part["model_version"].isna().all() if key is np.nan else (part["model_version"] == key).all())
        naive.assert_index_equal(part.index, pd.DatetimeIndex(labels), check_names=False, check_freq=False)
        mask = (seg.isna() if key is np.nan else seg == key).to_numpy()
        sub_cols = {k: [v for v, m in zip(vals, mask) if m] for k, vals in cols.items()}
        assert_table(part.drop(columns="model_version"), naive.ops(times[mask], sub_cols, freq, labels=labels))
        # the subset on its own gives the same rows over its own (narrower) range of windows
        alone = aimon.ops(df[mask], freq)
        pd.testing.assert_frame_equal(part.drop(columns="model_version").loc[alone.index], alone,
                                      check_freq=False)
    assert got["requests"].sum() == len(df)


@SETTINGS
@given(df=naive.log_strategy(st, max_size=25, span_s=86400, segment=False), nat=st.integers(0, 3))
def test_ops_row_accounting(df, nat):
    df = df.reset_index(names="timestamp") if isinstance(df.index, pd.DatetimeIndex) else df.copy()
    n_nat = min(nat, max(len(df) - 1, 0))
    if n_nat:
        df["timestamp"] = df["timestamp"].where(np.arange(len(df)) >= n_nat, pd.NaT)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        got = aimon.ops(df, "1h")
    meta = got.attrs["aimon"]
    assert meta["rows"] == len(df)
    assert meta["rows_with_timestamp"] == len(df) - n_nat
    assert meta["dropped"].get("no_timestamp", 0) == n_nat
    assert meta["freq"] == "1h"
    ok = df["timestamp"].notna().to_numpy()
    lat = df["latency_ms"].to_numpy()[ok]
    expected = {"latency_missing": int(np.isnan(lat).sum()), "latency_invalid": int(np.isinf(lat).sum()),
                "cost_missing": int(df["cost_usd"][ok].isna().sum())}
    for k, v in expected.items():
        assert meta["excluded"].get(k, 0) == v, k
    assert got["requests"].sum() == len(df) - n_nat
    assert got["latency_missing"].sum() == expected["latency_missing"] + expected["latency_invalid"]
    dropped_warned = any(issubclass(w.category, DataDroppedWarning) for w in rec)
    assert dropped_warned == bool(n_nat or meta["excluded"])


def test_status_codes_and_empty_windows_by_hand():
    t = pd.to_datetime(["2024-01-01 00:10", "2024-01-01 00:20", "2024-01-01 00:50", "2024-01-01 03:05"])
    df = pd.DataFrame({"ts": t, "status_code": [200, 500, 404, 503], "latency_ms": [10.0, 30.0, 20.0, np.inf]})
    got = aimon.ops(df, "1h")
    assert got.index.tolist() == list(pd.date_range("2024-01-01", periods=4, freq="h"))
    assert got["requests"].tolist() == [3, 0, 0, 1]
    assert got["errors"].tolist() == [1, 0, 0, 1]
    np.testing.assert_allclose(got["throughput_rps"], [3 / 3600, 0, 0, 1 / 3600], rtol=1e-12)
    np.testing.assert_allclose(got["error_rate"], [1 / 3, np.nan, np.nan, 1.0], equal_nan=True)
    np.testing.assert_allclose(got["latency_p50"], [20.0, np.nan, np.nan, np.nan], equal_nan=True)
    np.testing.assert_allclose(got["latency_p95"], [29.0, np.nan, np.nan, np.nan], rtol=1e-12, equal_nan=True)
    assert got["latency_missing"].tolist() == [0, 0, 0, 1]


def test_ops_overrides_and_segments_list():
    t = pd.date_range("2024-01-01", periods=6, freq="20min", tz="UTC")
    df = pd.DataFrame({"when": t, "t_ms": [1.0, 2, 3, 4, 5, 6], "failed": [0, 1, 0, 0, 0, 1],
                       "region": ["eu", "us"] * 3, "tier": ["x", "x", "y", "y", "x", "x"]})
    before = copy.deepcopy(df)
    got = df.aimon.ops("1h", timestamp="when", latency="t_ms", error="failed", by=["region", "tier"])
    unchanged(df, before)
    assert list(got.columns[:2]) == ["region", "tier"]
    for (region, tier), part in got.groupby(["region", "tier"], sort=False):
        sub = df[(df.region == region) & (df.tier == tier)]
        ref = naive.ops(sub["when"], {"latency": sub["t_ms"].tolist(), "error": sub["failed"].tolist()}, "1h",
                        labels=list(resample_index(df["when"], "1h")))
        assert_table(part.drop(columns=["region", "tier"]), ref)


# ---------------------------------------------------------------- Series.aimon.window_stats
@SETTINGS
@given(times=naive.times_strategy(st, max_size=30, span_s=2 * 86400),
       data=st.data(), freq=st.sampled_from(["30min", "1h", "1D", "W"]),
       qs=st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0]), min_size=1, max_size=3, unique=True))
def test_window_stats_equals_resample(times, data, freq, qs):
    values = data.draw(naive.values_strategy(st, len(times), "latency"))
    s = pd.Series(np.asarray(values, dtype=np.float64), index=times, name="lat")
    before = s.copy(deep=True)
    got = s.aimon.window_stats(freq, quantiles=qs)
    pd.testing.assert_series_equal(s, before)
    clean = s.replace([np.inf, -np.inf], np.nan).resample(freq)
    naive.assert_index_equal(got.index, resample_index(times, freq), check_names=False, check_freq=False)
    np.testing.assert_array_equal(got["count"], clean.count())
    np.testing.assert_array_equal(got["missing"], clean.size() - clean.count())
    np.testing.assert_allclose(got["mean"], clean.mean(), rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(got["max"], clean.max(), rtol=1e-12, equal_nan=True)
    for q in qs:
        ref = [naive.summary(s.iloc[pos].to_numpy(), (q,))[q] for _, pos in naive.resample_groups(times, freq)]
        np.testing.assert_allclose(got[f"p{q * 100:g}"], ref, rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(got[f"p{q * 100:g}"], clean.quantile(q), rtol=1e-12, atol=1e-12, equal_nan=True)
    assert got.attrs["aimon"]["excluded"].get("missing", 0) == int(s.isna().sum())
    assert got.attrs["aimon"]["excluded"].get("invalid", 0) == int(np.isinf(s).sum())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 300), st.sampled_from(["bool", "int8", "uint16", "int32", "int64", "uint64", "float"]),
       st.booleans(), st.booleans(), st.integers(0, 2 ** 32 - 1))
def test_error_counts_of_every_integer_dtype_equal_pandas(n, dtype, codes, by, seed):
    """Boolean and integer error columns are counted as they are (no float copy): the same errors
    and error rates as pandas on the flags, 0/1 columns and status codes alike, with segments."""
    rng = np.random.default_rng(seed)
    t = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 4 * 3600, n)), unit="s")
    raw = rng.choice([200, 404, 500, 503], n) if codes and dtype not in ("bool", "int8") else rng.integers(0, 2, n)
    err = raw.astype(bool if dtype == "bool" else np.float64 if dtype == "float" else dtype)
    df = pd.DataFrame({"e": err, "g": rng.choice(["a", "b"], n)}, index=t)
    flags = (raw >= 500) if raw.max(initial=0) > 1 else raw.astype(bool)
    got = df.aimon.ops("1h", error="e", by="g" if by else None)
    frame = pd.DataFrame({"f": flags.astype(float), "g": df["g"]}, index=t)
    for key, sub in (frame.groupby("g") if by else [(None, frame)]):
        e = sub["f"].resample("1h")
        mine = got[got["g"] == key] if by else got
        mine = mine.loc[e.sum().index] if len(e.sum()) else mine.iloc[:0]
        np.testing.assert_array_equal(mine["errors"].to_numpy(), e.sum().to_numpy())
        np.testing.assert_allclose(mine["error_rate"].to_numpy(), (e.sum() / e.count()).to_numpy(), rtol=1e-12,
                                   equal_nan=True)


def test_negative_integer_error_column_is_refused():
    t = pd.date_range("2026-01-01", periods=4, freq="min")
    df = pd.DataFrame({"failed": np.array([0, 1, -1, 0], dtype=np.int16)}, index=t)
    with pytest.raises(SchemaError, match="failed"):
        df.aimon.ops("1h", error="failed")


def test_ops_reads_float_and_integer_columns_without_changing_them():
    """The latency column is read as a view and the status codes as they are: the frame is left
    exactly as it was, also with NaN, negative latencies and segments."""
    rng = np.random.default_rng(4)
    n = 3000
    t = pd.date_range("2026-01-01", periods=n, freq="10s")
    lat = rng.lognormal(3, 1, n)
    lat[::97] = np.nan
    lat[::131] = -1.0
    df = pd.DataFrame({"latency_ms": lat, "status_code": rng.choice([200, 503], n), "g": rng.choice(["a", "b"], n)},
                      index=t)
    before = df.copy(deep=True)
    got = df.aimon.ops("1h")
    df.aimon.ops("1h", by="g")
    pd.testing.assert_frame_equal(df, before)
    ok = df["latency_ms"].where(df["latency_ms"] >= 0)
    np.testing.assert_allclose(got["latency_p99"], ok.resample("1h").quantile(0.99), rtol=1e-12)
    np.testing.assert_array_equal(got["errors"], (df["status_code"] >= 500).resample("1h").sum())
