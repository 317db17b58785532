"""ops(resources=...), correlate/explain(resources=...) against pandas (resample, merge_asof) on random frames."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

import aimon
from aimon.errors import SchemaError

pytestmark = pytest.mark.filterwarnings("ignore::aimon.errors.DataDroppedWarning")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = pd.Timestamp("2026-03-02 08:00", tz="UTC")


def random_log(rng, n, hours=3.0):
    t = START + pd.to_timedelta(np.sort(rng.uniform(0, hours * 3600, n)), unit="s")
    df = pd.DataFrame({"latency_ms": rng.gamma(2.0, 100.0, n), "cost_usd": rng.uniform(0, 0.01, n),
                       "value_usd": rng.choice([0.0, 0.02, 0.05], n)}, index=pd.DatetimeIndex(t, name="timestamp"))
    df.loc[df.index[:: max(n // 7, 1)], "cost_usd"] = np.nan
    return df


def random_resources(rng, hours=3.5, step=60, drop=0.1, offset=None, unit="ns"):
    offset = rng.uniform(-1800, 600) if offset is None else offset
    t = (START + pd.to_timedelta(offset + step * np.arange(int(hours * 3600 / step)), unit="s")).as_unit(unit)
    t = t[rng.random(len(t)) > drop]
    n = len(t)
    res = pd.DataFrame({"gpu_util": np.round(rng.uniform(0, 100, n), 1), "mem_gb": rng.normal(30, 3, n),
                        "gpus": rng.integers(1, 5, n).astype(float)}, index=t)
    res.loc[res.index[:: 9], "gpu_util"] = np.nan
    return res


def reference(df, res, freq, price, idle_util=0.2, idle_rate=0.5):
    """The same quantities with plain pandas: resample for windows, merge_asof for the samples."""
    requests = df.resample(freq).size()
    idx = requests.index
    end = idx[-1] + pd.tseries.frequencies.to_offset(freq)
    inside = res[(res.index >= idx[0]) & (res.index < end)]
    out = pd.DataFrame(index=idx)
    for c in res.columns:
        out[f"{c}_mean"] = inside[c].resample(freq).mean().reindex(idx)
        out[f"{c}_max"] = inside[c].resample(freq).max().reindex(idx)
    samples = inside[res.columns[0]].resample(freq).size().reindex(idx, fill_value=0)
    step = float(np.median(np.diff(res.index.as_unit("ns").asi8)) / 1e9)
    # requests during each sample: merge each request to the latest sample at or before it
    req = pd.DataFrame({"t": df.index})
    smp = pd.DataFrame({"t": res.index.as_unit("ns"), "sample": np.arange(len(res))})
    req["t"] = req["t"].dt.as_unit("ns")
    m = pd.merge_asof(req, smp, on="t", direction="backward")
    last = (m["sample"] == len(res) - 1) & (m["t"] >= res.index[-1] + pd.Timedelta(seconds=step))
    counts = m.loc[m["sample"].notna() & ~last, "sample"].astype(int).value_counts().reindex(range(len(res)), fill_value=0)
    per_sample = pd.Series(counts.to_numpy(), index=res.index)[(res.index >= idx[0]) & (res.index < end)]
    util = inside["gpu_util"]
    idle = ((util < idle_util * 100) & (per_sample < idle_rate * per_sample.mean())).astype(float).where(util.notna())
    out["idle_share"] = idle.resample(freq).mean().reindex(idx)
    gh = (inside["gpus"] * step / 3600).resample(freq).sum().reindex(idx)
    gh[samples.to_numpy() == 0] = np.nan
    out["gpu_hours"] = gh
    out["requests_per_gpu_hour"] = requests / gh.replace(0, np.nan)
    token = df["cost_usd"].resample(freq).sum().reindex(idx)
    compute = gh * price
    out["compute_cost"] = compute
    out["compute_cost_per_request"] = compute / requests.replace(0, np.nan)
    out["total_cost_per_request"] = (token + compute) / requests.replace(0, np.nan)
    value = df["value_usd"].resample(freq).sum().reindex(idx)
    out["roi"] = (value - (token + compute)) / (token + compute).replace(0, np.nan)
    return out, samples


@SETTINGS
@given(seed=st.integers(0, 100_000), n=st.integers(1, 300), freq=st.sampled_from(["5min", "15min", "1h"]),
       step=st.sampled_from([15, 60]), unit=st.sampled_from(["ns", "us", "s"]))
def test_resource_columns_equal_pandas(seed, n, freq, step, unit):
    rng = np.random.default_rng(seed)
    df, res = random_log(rng, n), random_resources(rng, step=step, unit=unit)
    before_df, before_res = copy.deepcopy(df), copy.deepcopy(res)
    got = aimon.ops(df, freq, resources=res, gpu_hourly_usd=2.5)
    pd.testing.assert_frame_equal(df, before_df)
    pd.testing.assert_frame_equal(res, before_res)
    ref, samples = reference(df, res, freq, 2.5)
    assert (got["resource_samples"].to_numpy() == samples.to_numpy()).all()
    for c in ref.columns:
        np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), rtol=1e-9, atol=1e-12,
                                   equal_nan=True, err_msg=c)
    note = got.attrs["aimon_resources"]
    assert note["utilisation_column"] == "gpu_util" and note["gpu_count_column"] == "gpus"
    assert note["samples"] + note["samples_outside_windows"] == len(res)
    plain = aimon.ops(df, freq)  # the model's own columns are untouched by resources=
    own = [c for c in plain.columns if c not in ("value", "value_per_request", "roi")]
    pd.testing.assert_frame_equal(got[own], plain[own])


def test_value_role_alone_gives_roi_against_token_cost():
    df = random_log(np.random.default_rng(1), 200)
    got = df.aimon.ops("30min")
    cost = df["cost_usd"].resample("30min").sum()
    value = df["value_usd"].resample("30min").sum()
    np.testing.assert_allclose(got["roi"], (value - cost) / cost, rtol=1e-12)
    assert aimon.infer_roles(df)["value"] == "value_usd"


def test_segments_get_the_whole_window_values():
    rng = np.random.default_rng(2)
    df = random_log(rng, 300).assign(model_version=rng.choice(["a", "b"], 300))
    res = random_resources(rng)
    whole = aimon.ops(df, "15min", resources=res)
    seg = aimon.ops(df, "15min", by="model_version", resources=res)
    for _, part in seg.groupby("model_version"):
        np.testing.assert_allclose(part["gpu_util_mean"], whole["gpu_util_mean"].reindex(part.index), equal_nan=True)


def test_correlate_names_a_resource_series():
    rng = np.random.default_rng(3)
    df, res = random_log(rng, 2000, hours=3), random_resources(rng, offset=0)
    c = df.aimon.correlate("gpu_util", "latency_p95", freq="10min", resources=res, adjust=False)
    x = res["gpu_util"].resample("10min").mean()
    y = aimon.ops(df, "10min")["latency_p95"]
    both = pd.concat([x, y], axis=1).dropna()
    want = stats.pearsonr(both.iloc[:, 0], both.iloc[:, 1])
    row = c.table.iloc[0]
    assert row["n"] == len(both)
    assert row["r"] == pytest.approx(want.statistic, rel=1e-10)
    assert row["p_value"] == pytest.approx(want.pvalue, rel=1e-8)
    assert df.aimon.correlate("idle_share", "latency_p95", freq="10min", resources=res).table["n"].iloc[0] > 3


def test_explain_ranks_resource_series_joined_as_of_each_request():
    rng = np.random.default_rng(4)
    df, res = random_log(rng, 3000, hours=3), random_resources(rng, offset=0, drop=0.0)
    late = res.index >= START + pd.Timedelta("2h")  # the GPU saturates in the last hour, requests slow down
    res["gpu_util"] = np.where(late, rng.uniform(90, 100, len(res)), rng.uniform(20, 60, len(res)))
    df["latency_ms"] = df["latency_ms"] * np.where(df.index >= START + pd.Timedelta("2h"), 5.0, 1.0)
    from aimon.metrics.resources import attach

    joined = attach(df, res, df.index)
    step = 60
    for pos in rng.choice(len(df), 50, replace=False):  # slow obvious as-of lookup
        t = df.index[pos]
        earlier = res.index[res.index <= t]
        want = res.loc[earlier[-1], "mem_gb"] if len(earlier) and (t - earlier[-1]).total_seconds() <= 2 * step \
            else np.nan
        assert joined["mem_gb"].iloc[pos] == want or (np.isnan(want) and np.isnan(joined["mem_gb"].iloc[pos]))
    ex = df.aimon.explain("latency_p95", reference=START + pd.Timedelta("1h"), freq="30min", resources=res)
    assert {"gpu_util", "mem_gb"} <= set(ex.table["feature"])
    assert ex.top(k=1)["feature"].iloc[0] == "gpu_util"


def test_bad_resource_inputs_are_clear():
    df = random_log(np.random.default_rng(5), 50)
    res = random_resources(np.random.default_rng(5))
    with pytest.raises(SchemaError, match="DatetimeIndex"):
        aimon.ops(df, resources=res.reset_index())
    with pytest.raises(SchemaError, match="tz_localize"):
        aimon.ops(df, resources=res.tz_localize(None))
    with pytest.raises(SchemaError, match="gpu_hourly_usd"):
        aimon.ops(df, resources=res, gpu_hourly_usd=-1)
    with pytest.raises(SchemaError, match="resources="):
        aimon.ops(df, gpu_hourly_usd=2.0)
    with pytest.raises(SchemaError, match="numeric"):
        aimon.ops(df, resources=pd.DataFrame({"a": ["x"]}, index=res.index[:1]))
