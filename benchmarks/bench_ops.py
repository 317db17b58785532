"""ops("1min") on 10M simulated rows over 30 days (43,200 windows) vs the pandas code a user would
otherwise write: resample computing the same columns (count, latency mean/p50/p95/p99/max, error
sum and mean).

Both run in this process on the same frame, called alternately (best of 3 each); the numbers are
checked to agree to 1e-9 before the ratio is printed. Target: >= 4x.
Run with `make bench` or `python benchmarks/bench_ops.py [rows]`.
"""
from _timing import interleaved  # noqa: E402  first: sets the anchors' telemetry opt-outs (benchmarks/ is on sys.path)
import sys
import time

import numpy as np
import pandas as pd

import aimon


def pandas_ops(df):
    lat = df["latency_ms"].resample("1min")
    q = lat.quantile([0.5, 0.95, 0.99]).unstack()
    err = (df["status_code"] >= 500).astype(np.float64).resample("1min")
    return pd.DataFrame({"requests": lat.size(), "latency_mean": lat.mean(), "latency_p50": q[0.5],
                         "latency_p95": q[0.95], "latency_p99": q[0.99], "latency_max": lat.max(),
                         "errors": err.sum(), "error_rate": err.mean()})


def main(rows=10_000_000, days=30):
    t0 = time.perf_counter()
    df = aimon.datasets.simulate(days=days, rps=rows / 86_400 / days, seed=0, scenario="credit_scoring",
                                 events=False)
    df = df[["latency_ms", "status_code"]]
    print(f"simulated {len(df):,} rows over {days} days in {time.perf_counter() - t0:.1f} s", flush=True)
    aimon.ops(df.iloc[:1000], "1min")  # compile (or load the numba cache) outside the timing
    t_aimon, t_pandas, ours, ref = interleaved(lambda: aimon.ops(df, "1min"), lambda: pandas_ops(df), 3)
    assert len(ours) == len(ref), (len(ours), len(ref))
    for col in ref.columns:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-9,
                                   equal_nan=True, err_msg=col)
    print(f"ops('1min') on {len(df):,} rows, {len(ref):,} windows (latency + errors): aimon {t_aimon:.3f} s, "
          f"pandas resample {t_pandas:.3f} s -> {t_pandas / t_aimon:.1f}x faster (target >= 4x); "
          "numbers agree to 1e-9", flush=True)


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
