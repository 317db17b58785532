"""ops("5min", resources=...) vs the pandas code a user would otherwise write (resample + merge_asof).

A simulated chatbot log (default ~2.4M requests over 14 days) and its per-minute resource series;
both ways compute the resource means/maxima, idle share, GPU-hours and requests per GPU-hour per
window, beside the latency percentiles and cost that ops() always gives; the numbers are checked to
agree, then the ratio is printed (and the resource part's own share of the ops() time).
Run with `make bench` or `python benchmarks/bench_resources.py [rps]`.
"""
import sys
import time

import numpy as np
import pandas as pd

import aimon
from _timing import best_of  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


def pandas_resources(df, res, freq="5min"):
    requests = df.resample(freq).size()
    idx = requests.index
    end = idx[-1] + pd.tseries.frequencies.to_offset(freq)
    inside = res[(res.index >= idx[0]) & (res.index < end)]
    out = inside.resample(freq).agg(["mean", "max"]).reindex(idx)
    out.columns = [f"{c}_{s}" for c, s in out.columns]
    step = float(np.median(np.diff(res.index.as_unit("ns").asi8)) / 1e9)
    req = pd.DataFrame({"t": df.index.as_unit("ns")})
    smp = pd.DataFrame({"t": res.index.as_unit("ns"), "sample": np.arange(len(res))})
    m = pd.merge_asof(req, smp, on="t", direction="backward",
                      tolerance=pd.Timedelta(seconds=step) - pd.Timedelta(1, "ns"))
    counts = m["sample"].dropna().astype(int).value_counts().reindex(range(len(res)), fill_value=0)
    per_sample = pd.Series(counts.to_numpy(), index=res.index)[(res.index >= idx[0]) & (res.index < end)]
    util = inside["gpu_util"]
    idle = ((util < 20) & (per_sample < 0.5 * per_sample.mean())).astype(float).where(util.notna())
    out["idle_share"] = idle.resample(freq).mean().reindex(idx)
    out["gpu_hours"] = (inside["replicas"] * step / 3600).resample(freq).sum().reindex(idx)
    out["requests_per_gpu_hour"] = requests / out["gpu_hours"]
    r = df["latency_ms"].resample(freq)
    q = r.quantile([0.5, 0.95, 0.99]).unstack()
    out["latency_mean"], out["latency_p50"], out["latency_p95"], out["latency_p99"] = r.mean(), q[0.5], q[0.95], q[0.99]
    out["cost"] = df["cost_usd"].resample(freq).sum()
    return out


def main(rps=2.0):
    t0 = time.perf_counter()
    df = aimon.datasets.simulate(days=14, rps=rps, seed=0, scenario="chatbot")
    res = aimon.datasets.simulate_resources(df)
    print(f"simulated {len(df):,} requests and {len(res):,} resource samples in {time.perf_counter() - t0:.1f} s")
    log = df[["latency_ms", "cost_usd"]]
    aimon.ops(log.iloc[:1000], "5min", resources=res)  # compile (or load the numba cache) outside the timing
    t_aimon, ours = best_of(lambda: aimon.ops(log, "5min", resources=res))
    t_pandas, ref = best_of(lambda: pandas_resources(log, res))
    for col in ref.columns:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-9, equal_nan=True,
                                   err_msg=col)
    t_plain, _ = best_of(lambda: aimon.ops(log, "5min"))
    print(f"ops('5min', resources=) on {len(log):,} rows + {len(res):,} samples: aimon {t_aimon:.3f} s, "
          f"pandas resample + merge_asof {t_pandas:.3f} s -> {t_pandas / t_aimon:.1f}x; "
          f"{len(ref)} windows, {len(ref.columns)} columns agree to 1e-9; the resource columns add "
          f"{t_aimon - t_plain:.3f} s to ops()")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
