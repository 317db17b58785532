"""ops("1min") on 10M simulated rows vs the pandas code a user would otherwise write.

Both run in this process on the same frame; the numbers are checked to agree before the ratio
is printed. Run with `make bench` or `python benchmarks/bench_ops.py [rows]`.
"""
from _timing import best_of  # noqa: E402  first: sets the anchors' telemetry opt-outs (benchmarks/ is on sys.path)
import sys
import time

import numpy as np
import pandas as pd

import aimon




def pandas_ops(df):
    r = df["latency_ms"].resample("1min")
    q = r.quantile([0.5, 0.95, 0.99]).unstack()
    return pd.DataFrame({"requests": r.count(), "latency_mean": r.mean(), "latency_p50": q[0.5],
                         "latency_p95": q[0.95], "latency_p99": q[0.99]})


def main(rows=10_000_000):
    days = 1
    rps = rows / 86_400 / days
    t0 = time.perf_counter()
    df = aimon.datasets.simulate(days=days, rps=rps, seed=0, scenario="credit_scoring", events=False)
    print(f"simulated {len(df):,} rows in {time.perf_counter() - t0:.1f} s")
    df = df[["latency_ms"]]
    aimon.ops(df.iloc[:1000], "1min")  # compile (or load the numba cache) outside the timing
    t_aimon, ours = best_of(lambda: aimon.ops(df, "1min"))
    t_pandas, ref = best_of(lambda: pandas_ops(df))
    for col in ref.columns:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-9, equal_nan=True)
    print(f"ops('1min') on {len(df):,} rows: aimon {t_aimon:.3f} s, pandas resample {t_pandas:.3f} s "
          f"-> {t_pandas / t_aimon:.1f}x faster (target >= 2.5x); {len(ref)} windows, numbers agree to 1e-9")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000)
