"""Explorer responsiveness: time to re-render after a slider move, on 30 days of 5-minute windows.

Target: <= 200 ms per move. The anchor is what a notebook user does without the app: call
`aimon.correlate(...)` again and redraw the three figures. Both run here on the same log and the
tables are checked to agree. Run with `make bench` or `python benchmarks/bench_widgets.py`.
"""
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import aimon  # noqa: E402


def timed(fn, repeat=5):
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main():
    df = aimon.datasets.simulate(days=30, rps=0.5, seed=3, scenario="credit_scoring")
    print(f"log: {len(df):,} requests over 30 days; 5-minute windows: {30 * 288:,}")
    t0 = time.perf_counter()
    app = aimon.explore(df, correlation={"x": "requests", "y": "latency_p95", "freq": "5min", "max_lag": 12})
    print(f"explorer built (window tables computed once) in {time.perf_counter() - t0:.2f} s")
    view = app.tabs["Correlation"]
    lags = [6, 12, 18, 24, 9]
    slider = timed(lambda i: setattr(view.max_lag, "value", lags[i]))
    methods = ["spearman", "pearson"] * 3
    toggle = timed(lambda i: setattr(view.method, "value", methods[i]))

    def from_scratch(i):
        c = aimon.correlate(df, "requests", "latency_p95", freq="5min", lags=range(-lags[i], lags[i] + 1))
        fig, axes = plt.subplots(3, 1, figsize=(11, 8))
        for ax, kind in zip(axes, ("overlay", "scatter", "lags")):
            c.plot(kind=kind, ax=ax)
        fig.savefig(__import__("io").BytesIO(), format="png", dpi=72)
        plt.close(fig)

    scratch = timed(from_scratch)
    view.max_lag.value, view.method.value = 9, "pearson"
    want = aimon.correlate(df, "requests", "latency_p95", freq="5min", lags=range(-9, 10)).table
    pd.testing.assert_frame_equal(view.state.result().table, want)
    print(f"correlation tab, lag slider: {slider * 1e3:.0f} ms per move (target <= 200 ms); method toggle "
          f"{toggle * 1e3:.0f} ms; recomputing and redrawing from scratch {scratch * 1e3:.0f} ms "
          f"-> {scratch / slider:.1f}x faster; tables agree")


if __name__ == "__main__":
    main()
