"""aimon on Dask: ops("1min") and drift_over_time("1D") over a parquet log larger than a worker.

The script writes a simulated inference log as parquet (20 days by default, one file per 6 hours, in time
order; nothing is committed), starts a LocalCluster of 2 worker processes whose memory limit is
below the size of the log, and times

* ``ddf.aimon.ops("1min")`` and ``ddf.aimon.drift_over_time(profile, freq="1D")``: rows/s and
  the peak memory (RSS) of each worker;
* the pandas path (``aimon.io.read_log`` + ``aimon.ops`` / ``aimon.drift_over_time``) on the
  largest part of the log it is given (``--pandas-rows``), checking that the Dask answers on
  those windows are equal;
* the Dask code a user would write without aimon: ``resample`` count/mean/max plus a groupby
  median for ops, a groupby-apply of scipy's KS test per day for drift; numbers checked.

Run: ``python benchmarks/bench_dask.py`` (14M rows, 1 GiB per worker: what ``make bench`` runs) or
``python benchmarks/bench_dask.py --full`` (100M rows over 60 days, 2 GiB per worker, pandas on 25M
rows). A day is one window of drift_over_time("1D"): its feature columns must fit one worker.
"""
import argparse
import os
import resource
import shutil
import tempfile
import time

import numpy as np
import pandas as pd

DAYS = 20
EXTRA_FEATURES = 6  # x3..x8: a realistic row width (the log is ~82 bytes a row in memory)
FILES_PER_DAY = 4


def write_log(folder, rows, days=DAYS, seed=0):
    """A simulated log as parquet, one file per 6 hours; returns the files and bytes in memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files, nbytes = [], 0
    n_files = days * FILES_PER_DAY
    start = pd.Timestamp("2026-03-01")
    span = pd.Timedelta(days=1) / FILES_PER_DAY
    for k in range(n_files):
        rng = np.random.default_rng([seed, k])
        n = rows // n_files + (1 if k < rows % n_files else 0)
        offsets = np.sort(rng.integers(0, span.value, n))
        t = (start + k * span).value + offsets
        day = k // FILES_PER_DAY
        lat = rng.lognormal(4.0 + 0.3 * (day >= days * 0.7), 0.5, n)
        lat[rng.random(n) < 0.01] = np.nan
        x1 = rng.normal(0.5 * (day >= days * 0.6), 1.0, n)
        table = pa.table({
            "timestamp": pa.array(t.astype("datetime64[ns]")),
            "latency_ms": lat,
            "error": rng.random(n) < 0.02,
            "x1": x1,
            "x2": rng.gamma(2.0, 1.0, n),
            **{f"x{j}": rng.normal(size=n) for j in range(3, 3 + EXTRA_FEATURES)},
            "segment": pa.array(rng.choice(["web", "app", "api"], n)).dictionary_encode(),
        })
        path = os.path.join(folder, f"log-{k:03d}.parquet")
        pq.write_table(table, path, row_group_size=500_000)
        files.append(path)
        nbytes += n * (8 + 8 + 1 + 8 * (2 + EXTRA_FEATURES) + 1)
    return files, nbytes


def peak_rss(client):
    """Peak resident memory (MiB) of each worker process since it started."""
    def rss():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux

    return sorted(round(v) for v in client.run(rss).values())


def warm_up():
    """In a worker: compile or load aimon's numba kernels outside the timings."""
    import warnings

    import aimon

    t = pd.date_range("2026-03-01", periods=500, freq="min")
    df = pd.DataFrame({"latency_ms": np.arange(500.0), "error": False, "x1": np.sin(np.arange(500.0)),
                       "segment": np.where(np.arange(500) % 3, "web", "app")}, index=t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aimon.ops(df, "1min")
        aimon.drift_over_time(df, df.iloc[:100], freq="1h")
    return True


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def obvious_ops(files):
    """What a user writes with plain Dask: resample aggregates and a shuffled groupby median."""
    import dask
    import dask.dataframe as dd

    ddf = dd.read_parquet(files, columns=["latency_ms"], index="timestamp", calculate_divisions=True)
    r = ddf["latency_ms"].resample("1min")
    flat = dd.read_parquet(files, columns=["timestamp", "latency_ms"])
    median = flat.groupby(flat["timestamp"].dt.floor("1min"))["latency_ms"].median()
    count, mean, mx, p50 = dask.compute(r.count(), r.mean(), r.max(), median)
    return pd.DataFrame({"count": count, "mean": mean, "max": mx, "p50": p50.sort_index()})


def obvious_drift(files, ref_x1):
    """Per day, scipy's KS statistic of x1 against the reference, by a groupby-apply."""
    import dask.dataframe as dd
    from scipy.stats import ks_2samp

    flat = dd.read_parquet(files, columns=["timestamp", "x1"])
    day = flat["timestamp"].dt.floor("1D").rename("day")
    out = flat.groupby(day)["x1"].apply(lambda s: ks_2samp(ref_x1, s.to_numpy()).statistic, meta=("x1", "f8"))
    return out.compute().sort_index()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=float, default=14e6, help="rows of the log (default 14M)")
    ap.add_argument("--full", action="store_true",
                    help="100M rows over 60 days, 2 GiB per worker, pandas on 25M rows")
    ap.add_argument("--days", type=int, default=None, help="days of traffic (default 20; 60 with --full)")
    ap.add_argument("--memory-limit", default=None, help="per worker, e.g. '1GiB' (default: below the log size)")
    ap.add_argument("--pandas-rows", type=float, default=None, help="rows given to the pandas path")
    ap.add_argument("--skip-obvious", action="store_true", help="leave out the plain-Dask comparison")
    args = ap.parse_args()
    rows = int(100e6 if args.full else args.rows)
    days = args.days or (60 if args.full else DAYS)
    pandas_rows = int(args.pandas_rows or (25e6 if args.full else rows))

    import warnings

    import dask
    import dask.dataframe as dd
    import distributed

    import aimon
    import aimon.io

    warnings.simplefilter("ignore", aimon.errors.DataDroppedWarning)  # 1% of latencies are missing on purpose

    folder = tempfile.mkdtemp(prefix="aimon-bench-dask-")
    try:
        t_write, (files, nbytes) = timed(lambda: write_log(folder, rows, days))
        limit = args.memory_limit or ("2GiB" if args.full else "1GiB")
        fits = nbytes < dask.utils.parse_bytes(limit)
        print(f"wrote {rows:,} rows over {days} days ({nbytes / 2**30:.2f} GiB in memory) as {len(files)} parquet files in "
              f"{t_write:.1f} s; 2 workers x 1 thread, memory limit {limit} each"
              + (" (NOTE: the log fits one worker's limit at this size)" if fits else " (the log does not fit one worker)"))
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=limit,
                                           dashboard_address="127.0.0.1:0", host="127.0.0.1", silence_logs=40)
        client = distributed.Client(cluster)
        try:
            ddf = dd.read_parquet(files)
            client.run(warm_up)
            t_ops, ops_d = timed(lambda: ddf.aimon.ops("1min"))
            rss_ops = peak_rss(client)
            print(f"dask  ops('1min'):             {t_ops:7.1f} s  {rows / t_ops / 1e6:6.2f} M rows/s  "
                  f"peak worker RSS {rss_ops} MiB")
            t_prof, prof = timed(lambda: ddf[ddf["timestamp"] < "2026-03-02"].aimon.profile())  # day 1
            client.restart()
            client.run(warm_up)
            t_dot, dot_d = timed(lambda: ddf.aimon.drift_over_time(prof, freq="1D"))
            rss_dot = peak_rss(client)
            print(f"dask  drift_over_time('1D'):   {t_dot:7.1f} s  {rows / t_dot / 1e6:6.2f} M rows/s  "
                  f"peak worker RSS {rss_dot} MiB  (reference profile of day 1: {t_prof:.1f} s, "
                  f"exact: {not prof.sketched})")
            drifted = dot_d.to_frame("drifted")
            print(f"      drifted days per column: {drifted.sum().astype(int).to_dict()}")

            # pandas on the largest part of the log it is given: the first files
            n_files = max(1, min(len(files), round(len(files) * pandas_rows / rows)))
            sub = files[:n_files]
            t_read, df = timed(lambda: aimon.io.read_log(sub))
            n_sub = len(df)
            aimon.ops(df.iloc[:1000], "1min")
            t_ops_p, ops_p = timed(lambda: aimon.ops(df, "1min"))
            t_dot_p, dot_p = timed(lambda: aimon.drift_over_time(df, prof, freq="1D"))
            del df
            complete = ops_p.index[:-1]  # the last window may continue in the next file
            pd.testing.assert_frame_equal(ops_d.loc[complete], ops_p.loc[complete], check_freq=False)
            whole = dot_p.table["window"].unique()[:-1]
            pd.testing.assert_frame_equal(dot_d.table[dot_d.table["window"].isin(whole)].reset_index(drop=True),
                                          dot_p.table[dot_p.table["window"].isin(whole)].reset_index(drop=True))
            print(f"pandas on {n_sub:,} rows (read_log {t_read:.1f} s): ops {t_ops_p:.1f} s "
                  f"({n_sub / t_ops_p / 1e6:.2f} M rows/s), drift_over_time {t_dot_p:.1f} s "
                  f"({n_sub / t_dot_p / 1e6:.2f} M rows/s); Dask results equal on those windows")
            print(f"      rows/s ratio pandas / dask (2 workers), the call alone: ops {(n_sub / t_ops_p) / (rows / t_ops):.2f}, "
                  f"drift_over_time {(n_sub / t_dot_p) / (rows / t_dot):.2f}; reading included (dask reads as it "
                  f"computes): ops {(n_sub / (t_read + t_ops_p)) / (rows / t_ops):.2f}, "
                  f"drift_over_time {(n_sub / (t_read + t_dot_p)) / (rows / t_dot):.2f}")

            if not args.skip_obvious:
                client.restart()
                client.run(warm_up)
                t_obv, obv = timed(lambda: obvious_ops(files))
                got = ops_d.loc[obv.index]
                np.testing.assert_array_equal(obv["count"].to_numpy(), (got["requests"] - got["latency_missing"]).to_numpy())
                for a, b in (("mean", "latency_mean"), ("max", "latency_max"), ("p50", "latency_p50")):
                    np.testing.assert_allclose(obv[a].to_numpy(float), got[b].to_numpy(float), rtol=1e-9, equal_nan=True)
                print(f"plain dask ops (resample count/mean/max + groupby median; no p95/p99): {t_obv:.1f} s "
                      f"-> aimon {t_obv / t_ops:.1f}x faster, numbers agree")
                ref_x1 = prof["x1"].values
                t_ks, ks_obv = timed(lambda: obvious_drift(files, ref_x1))
                t_ks_a, ks_a = timed(lambda: ddf.aimon.drift_over_time(prof, freq="1D", columns=["x1"], method="ks"))
                ours = ks_a.to_frame("statistic")["x1"]
                np.testing.assert_allclose(ours.to_numpy(), ks_obv.loc[ours.index].to_numpy(), rtol=1e-12)
                print(f"plain dask daily KS of x1 (groupby-apply scipy.ks_2samp): {t_ks:.1f} s vs aimon "
                      f"{t_ks_a:.1f} s -> {t_ks / t_ks_a:.1f}x, statistics agree")
        finally:
            client.close()
            cluster.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
