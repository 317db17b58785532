"""Explorer responsiveness: time to re-render after a slider move, on 30 days of 5-minute windows.

Target: <= 200 ms per move (issue: the explorer widgets). Each tab is timed against what a
notebook user does without the app — call the function again and redraw — on the same log, and
the results are checked to agree:
- correlation tab (lag slider, method toggle) vs `aimon.correlate(...)` + three figures;
- threshold tuner (width and min-duration sliders) vs refitting `fit_thresholds(...)` and
  judging walk-forward again;
- drift tab (window slider) vs `drift(window_rows, reference)` + its plot.
Run with `make bench` or `python benchmarks/bench_widgets.py`.
"""
import _timing  # noqa: F401,E402  first: sets the anchors' telemetry opt-outs (benchmarks/ is on sys.path)
import io
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


def redraw(fig):
    fig.savefig(io.BytesIO(), format="png", dpi=72)
    plt.close(fig)


def correlation_tab(df):
    t0 = time.perf_counter()
    view = aimon.widgets.CorrelationExplorer(df, x="requests", y="latency_p95", freq="5min", max_lag=12)
    built = time.perf_counter() - t0
    lags = [6, 12, 18, 24, 9]
    slider = timed(lambda i: setattr(view.max_lag, "value", lags[i]))
    methods = ["spearman", "pearson"] * 3
    toggle = timed(lambda i: setattr(view.method, "value", methods[i]))

    def from_scratch(i):
        c = aimon.correlate(df, "requests", "latency_p95", freq="5min", lags=range(-lags[i], lags[i] + 1))
        fig, axes = plt.subplots(3, 1, figsize=(11, 8))
        for ax, kind in zip(axes, ("overlay", "scatter", "lags")):
            c.plot(kind=kind, ax=ax)
        redraw(fig)

    scratch = timed(from_scratch)
    view.max_lag.value, view.method.value = 9, "pearson"
    want = aimon.correlate(df, "requests", "latency_p95", freq="5min", lags=range(-9, 10)).table
    pd.testing.assert_frame_equal(view.state.result().table, want)
    print(f"correlation tab (built in {built:.1f} s): lag slider {slider * 1e3:.0f} ms per move, method toggle "
          f"{toggle * 1e3:.0f} ms (target <= 200 ms); correlate + redraw from scratch {scratch * 1e3:.0f} ms "
          f"-> {scratch / slider:.1f}x; tables agree")


def tuner_tab(df):
    t0 = time.perf_counter()
    tuner = aimon.widgets.ThresholdTuner(df, metric="latency_p95", freq="5min")
    built = time.perf_counter() - t0
    widths = [1.5, 0.8, 2.0, 1.2, 1.0]
    slider = timed(lambda i: setattr(tuner.width, "value", widths[i]))
    durations = [3, 1, 4, 2, 2]
    mind = timed(lambda i: setattr(tuner.min_duration, "value", durations[i]))
    series = aimon.ops(df, "5min")["latency_p95"]

    def from_scratch(i):
        model = aimon.fit_thresholds(series, direction="up", width=widths[i])
        log = model.detect(series)
        fig, ax = plt.subplots(figsize=(11, 3.2))
        log.plot(ax=ax)
        redraw(fig)
        return log

    scratch = timed(from_scratch, repeat=3)
    tuner.width.value, tuner.min_duration.value = 1.2, 2
    want = aimon.fit_thresholds(series, direction="up").detect(series).rethreshold(
        width=1.2, policy=aimon.AlertPolicy(min_duration=2, cooldown="120min"))
    pd.testing.assert_frame_equal(tuner.state.alerts().table, want.table)
    print(f"threshold tuner (fit + walk-forward once: {built:.1f} s): width slider {slider * 1e3:.0f} ms, "
          f"min-duration slider {mind * 1e3:.0f} ms per move (target <= 200 ms); refit + detect + redraw "
          f"{scratch * 1e3:.0f} ms -> {scratch / slider:.1f}x; alert tables agree")


def drift_tab(df):
    t0 = time.perf_counter()
    view = aimon.widgets.DriftExplorer(df)
    built = time.perf_counter() - t0
    n = len(view.state.windows)
    picks = [1, n // 2, n - 1, 3, n // 3]
    slider = timed(lambda i: setattr(view.window, "value", picks[i]))
    ref = df[df.index < df.attrs["reference_end"]]

    def from_scratch(i):
        view.state.set(window=picks[i])
        rows = view.state.window_rows()
        rep = aimon.drift(rows, ref)
        fig, ax = plt.subplots(figsize=(6, 3))
        rep.plot(ax=ax, columns=[view.state.settings()["column"]])
        redraw(fig)
        return rep

    scratch = timed(from_scratch, repeat=3)
    view.window.value = picks[1]
    rep = aimon.drift(view.state.window_rows(), ref)
    worst = view.state.worst()
    merged = worst.merge(rep.table[["column", "statistic"]], on="column", suffixes=("", "_ref"))
    np.testing.assert_allclose(merged["statistic"], merged["statistic_ref"], rtol=1e-9)
    print(f"drift tab (profile + timeline once: {built:.1f} s): window slider {slider * 1e3:.0f} ms per move "
          f"(target <= 200 ms); drift() against the reference + redraw {scratch * 1e3:.0f} ms "
          f"-> {scratch / slider:.1f}x; statistics agree")


FIRST_VIEW = """
import time
t0 = time.perf_counter()
import aimon
df = aimon.datasets.load_credit_scoring()
t1 = time.perf_counter()
app = df.aimon.explore()
app.widget._repr_mimebundle_()
t2 = time.perf_counter()
app.widget.selected_index = 1
t3 = time.perf_counter()
print(f"{t1 - t0:.2f} {t2 - t1:.2f} {t3 - t2:.2f}")
"""


def first_view():
    """From a fresh interpreter to the first explorer tab, with an empty numba cache (cold) and
    with the cache that run left (warm); target <= 5 s cold. Each run is its own process."""
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "MPLBACKEND": "Agg"}
        for label in ("cold", "warm"):
            out = subprocess.run([sys.executable, "-c", FIRST_VIEW], env=env, capture_output=True, text=True,
                                 check=True).stdout.split()
            imp, view, tab = map(float, out[-3:])
            print(f"first view ({label} numba cache): import + load {imp:.1f} s, explore() first tab {view:.1f} s "
                  f"(target <= 5 s cold), Thresholds tab when selected {tab:.1f} s")


def main():
    first_view()
    df = aimon.datasets.simulate(days=30, rps=0.5, seed=3, scenario="credit_scoring")
    print(f"log: {len(df):,} requests over 30 days; 5-minute windows: {30 * 288:,}")
    correlation_tab(df)
    tuner_tab(df)
    drift_tab(df)


if __name__ == "__main__":
    main()
