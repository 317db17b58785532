"""Drift engine against the libraries a user would otherwise use, in one process, numbers checked.

(a) aimon.stats.ks / wasserstein on 1e6 vs 1e6 values against scipy;
(b) whole-dataset drift, 100k x (20 numeric + 5 categorical), against Evidently's DataDriftPreset;
(c) 100 daily windows of that data against NannyML's UnivariateDriftCalculator (fit + calculate);
(d) 10M rows x 100 columns whole-dataset drift (time and peak memory), shrunk when memory is short;
(e) the energy distance per window (drift_over_time, 720 hourly windows against a 200k reference)
    from binary searches and prefix sums, against the merge with the reference and scipy per window;
plus the first-call compile time of the drift path with an empty numba cache.

Evidently needs pandas < 3, so `make bench` runs this file in .venv-bench (see the Makefile).
Run: `.venv-bench/bin/python benchmarks/bench_drift.py [a b c d compile]`.
"""
# bench-venv: anchors (the Makefile runs this script with .venv-bench/bin/python)
from _timing import best_of, interleaved  # noqa: E402  first: sets the anchors' telemetry opt-outs (benchmarks/ is on sys.path)
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

import aimon




def report(name, t_aimon, t_anchor, anchor, target):
    print(f"{name}: aimon {t_aimon:.3f} s, {anchor} {t_anchor:.3f} s -> {t_anchor / t_aimon:.1f}x faster "
          f"(target >= {target}x)", flush=True)


# ---------------------------------------------------------------------------- (a)
def bench_a(n=1_000_000):
    import scipy.stats as ss

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=n), rng.normal(0.01, 1.0, n)
    aimon.stats.ks(a[:100], b[:100]), aimon.stats.wasserstein(a[:100], b[:100])
    aimon.stats.ks(a, b)  # compile the large-sample p-value kernel too
    t_ours, t_ref, ours, ref = interleaved(lambda: aimon.stats.ks(a, b), lambda: ss.ks_2samp(a, b))
    np.testing.assert_allclose([ours.statistic, ours.p_value], [ref.statistic, ref.pvalue], rtol=1e-9)
    report(f"(a) KS statistic + p-value, {n:.0e} vs {n:.0e}", t_ours, t_ref, "scipy.stats.ks_2samp", 15)
    t_ours, t_ref, ours, ref = interleaved(lambda: aimon.stats.wasserstein(a, b),
                                           lambda: ss.wasserstein_distance(a, b))
    np.testing.assert_allclose(ours, ref, rtol=1e-9)
    report(f"(a) Wasserstein-1, {n:.0e} vs {n:.0e}", t_ours, t_ref, "scipy.stats.wasserstein_distance", 10)


# ---------------------------------------------------------------------------- data for (b), (c)
def tabular(n, seed, shift=0.0, start="2026-01-01", days=100):
    rng = np.random.default_rng(seed)
    data = {f"num_{i}": rng.normal(shift if i < 5 else 0.0, 1.0 + 0.1 * i, n) for i in range(20)}
    for i in range(5):
        p = np.arange(1, 4 + i, dtype=float)
        data[f"cat_{i}"] = rng.choice([f"v{k}" for k in range(p.size)], n, p=p / p.sum())
    df = pd.DataFrame(data)
    df["timestamp"] = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.integers(0, days * 86400, n)), unit="s")
    return df


def evidently_values(snapshot):
    out = {}
    for m in snapshot.dict()["metrics"]:
        name = m["metric_name"]
        if name.startswith("ValueDrift(column="):
            col = name[len("ValueDrift(column="):].split(",")[0]
            out[col] = (float(m["value"]), name.split("method=")[1].split(",")[0])
    return out


def bench_b(n=100_000):
    from evidently import Report
    from evidently.presets import DataDriftPreset

    ref = tabular(n, 1).drop(columns="timestamp")
    cur = tabular(n, 2, shift=0.15).drop(columns="timestamp")
    aimon.drift(cur.iloc[:2000], ref.iloc[:2000])  # compile / load the numba cache outside the timing
    t_ours, ours = best_of(lambda: aimon.drift(cur, ref))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ref, snap = best_of(lambda: Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref), 1)
    ev = evidently_values(snap)
    t = ours.table.set_index("column")
    for col, (value, method) in ev.items():
        if method.startswith("Wasserstein"):  # Evidently: W1 / std(reference), as aimon's default
            np.testing.assert_allclose(t.loc[col, "statistic"], value, rtol=1e-9)
        elif method.startswith("Jensen"):  # Evidently: natural-log JS distance; aimon: base 2
            np.testing.assert_allclose(t.loc[col, "statistic"], value / np.sqrt(np.log(2)), rtol=1e-9)
        else:
            raise AssertionError(f"unexpected Evidently method {method} for {col}")
    assert len(ev) == 25
    report(f"(b) drift() {n:,} rows x 25 columns (profile included)", t_ours, t_ref, "Evidently DataDriftPreset", 30)
    print(f"    numbers agree to 1e-9 on all 25 columns; aimon flags {len(ours.drifted_columns)}, Evidently "
          f"{sum(v >= 0.1 for v, _ in ev.values())}", flush=True)


def bench_c(n=100_000):
    import nannyml as nml

    ref = tabular(n, 3, start="2025-09-01")
    cur = tabular(n, 4, shift=0.1)
    cols = [c for c in cur.columns if c != "timestamp"]
    num = [c for c in cols if c.startswith("num_")]
    # NannyML 0.13 reads 'calculation_method' from the top level of computation_params (not from the
    # method's own entry, as documented), so give it both ways: exact KS, no 10,000-bin estimate
    params = {"kolmogorov_smirnov": {"calculation_method": "exact"}, "calculation_method": "exact"}

    def nannyml_run():
        calc = nml.UnivariateDriftCalculator(
            column_names=cols, timestamp_column_name="timestamp", continuous_methods=["kolmogorov_smirnov"],
            categorical_methods=["jensen_shannon"], chunk_period="D", computation_params=params)
        calc.fit(ref)
        return calc.calculate(cur).filter(period="analysis").to_df()

    def aimon_run():
        return aimon.drift_over_time(cur, ref.drop(columns="timestamp"), freq="1D", timestamp="timestamp",
                                     method={"numeric": "ks", "categorical": "jensenshannon"})

    aimon_run()
    t_ours, ours = best_of(aimon_run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ref, theirs = best_of(nannyml_run, 1)
    wide = ours.to_frame("statistic")
    windows = wide.index.tz_localize(None) if wide.index.tz is not None else wide.index
    starts = pd.DatetimeIndex(theirs[("chunk", "chunk", "start_date")])
    assert len(starts) == len(wide) == 100, (len(starts), len(wide))
    np.testing.assert_array_equal(starts, windows)
    for c in cols:
        method = "kolmogorov_smirnov" if c in num else "jensen_shannon"
        np.testing.assert_allclose(wide[c].to_numpy(), theirs[(c, method, "value")].to_numpy(), rtol=1e-9)
    report(f"(c) drift_over_time 100 daily windows, {n:,} rows x 25 columns", t_ours, t_ref,
           "NannyML UnivariateDriftCalculator (fit + calculate, KS exact + JS)", 15)
    print("    per-window statistics agree to 1e-9 (KS, Jensen-Shannon) on all 25 columns x 100 windows",
          flush=True)


def _available_gb():
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) / 2 ** 20
    return 0.0


def bench_d(rows=10_000_000, cols=100):
    import resource

    # the frame, plus the profile's sorted copy of the reference half, plus one batch of working copies
    need = rows * cols * 8 * 2 / 2 ** 30
    avail = _available_gb()
    while need > 0.85 * avail and rows > 500_000:
        rows //= 2
        need = rows * cols * 8 * 2 / 2 ** 30
    if rows < 10_000_000:
        print(f"(d) shrunk to {rows:,} rows x {cols} columns: {avail:.1f} GiB available, the full size needs "
              f"~{10_000_000 * cols * 8 * 2 / 2 ** 30:.0f} GiB", flush=True)
    rng = np.random.default_rng(5)
    data = np.empty((rows, cols))
    for j in range(cols):
        data[:, j] = rng.normal(0.02 * (j % 7), 1.0, rows)
    df = pd.DataFrame(data, columns=[f"f{j}" for j in range(cols)], copy=False)
    del data
    half = rows // 2
    ref, cur = df.iloc[:half], df.iloc[half:]
    aimon.drift(cur.iloc[:1000], ref.iloc[:1000])
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    data_bytes = rows * cols * 8
    t0 = time.perf_counter()
    rep = aimon.drift(cur, ref)
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"(d) drift() on {rows:,} rows x {cols} columns ({half:,} reference vs {rows - half:,} current): "
          f"{elapsed:.1f} s (target < 60 s for 10M rows); peak RSS {peak / 2 ** 30:.1f} GiB = "
          f"{peak / data_bytes:.2f}x the data ({data_bytes / 2 ** 30:.1f} GiB; target < 2x; "
          f"before the call {base / 2 ** 30:.1f} GiB); {len(rep.drifted_columns)} columns flagged", flush=True)


# ---------------------------------------------------------------------------- (e)
def bench_e(rows=500_000, n_ref=200_000):
    import scipy.stats as ss

    from aimon.datadrift import _evaluate

    rng = np.random.default_rng(6)
    ref = pd.DataFrame({"x": rng.normal(size=n_ref)})
    idx = pd.date_range("2026-01-01", periods=rows, freq=pd.Timedelta(days=30) / rows)
    cur = pd.DataFrame({"x": rng.normal(0.05, 1.0, rows)}, index=idx)
    prof = aimon.profile(ref)

    def run():
        return aimon.drift_over_time(cur, prof, freq="1h", method={"numeric": "energy"}).to_frame()["x"].to_numpy()

    def merged():
        saved = _evaluate.MERGE_METHODS
        _evaluate.MERGE_METHODS = saved + ("energy",)
        try:
            return run()
        finally:
            _evaluate.MERGE_METHODS = saved

    run(), merged()
    t_ours, t_merge, ours, theirs = interleaved(run, merged, 3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    x, sd = ref["x"].to_numpy(), np.std(ref["x"].to_numpy())
    groups = list(cur["x"].resample("1h"))[::24]  # scipy takes ~25 ms a window: check one a day
    want = [ss.energy_distance(x, g.to_numpy()) / sd for _, g in groups]
    np.testing.assert_allclose(ours[::24], want, rtol=1e-9)
    report(f"(e) energy distance per window, {len(ours)} hourly windows of {rows:,} rows vs a {n_ref:,} reference",
           t_ours, t_merge, "merging each window with the reference", 1)
    print("    all windows agree with the merge path to 1e-9, one a day with scipy.stats.energy_distance", flush=True)


def bench_compile():
    code = ("import time, numpy as np, pandas as pd, aimon; t = time.perf_counter(); "
            "idx = pd.date_range('2026-01-01', periods=3000, freq='min'); "
            "df = pd.DataFrame({'x': np.random.default_rng(0).normal(size=3000), 'c': ['a', 'b', 'c'] * 1000}, index=idx); "
            "ref = df.iloc[:1000]; aimon.drift(df, ref); aimon.drift(df, ref, method={'numeric': 'ks'}); "
            "aimon.drift_over_time(df, ref, freq='1h'); aimon.stats.ks(np.arange(20000.), np.arange(30000.)); "
            "print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout.strip())
        warm = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout.strip())
    print(f"compile: first drift/drift_over_time/ks calls with an empty numba cache {cold:.1f} s (target < 20 s), "
          f"with the cache filled {warm:.1f} s", flush=True)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["compile", "a", "b", "c", "d", "e"]
    for part in parts:
        {"a": bench_a, "b": bench_b, "c": bench_c, "d": bench_d, "e": bench_e, "compile": bench_compile}[part]()
