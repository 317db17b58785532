"""aimon.dask on a real local cluster: two worker processes, numba kernels compiled and cached
there, and a worker killed in the middle of a computation (a correct answer or a clear error,
never a partial one)."""
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import aimon  # noqa: E402
import aimon.dask as ad  # noqa: E402
from aimon.errors import AimonError  # noqa: E402


def _cluster(**config):
    with dask.config.set({"distributed.scheduler.allowed-failures": 3, **config}):
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           dashboard_address="127.0.0.1:0", host="127.0.0.1", memory_limit="1GiB")
        client = distributed.Client(cluster)
    return cluster, client


@pytest.fixture(scope="module")
def client():
    cluster, client = _cluster()
    yield client
    client.close()
    cluster.close()


def frame(n=10_000, seed=0):
    rng = np.random.default_rng(seed)
    t = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.sort(rng.integers(0, 4 * 86400, n)), unit="s")
    return pd.DataFrame({"latency_ms": rng.lognormal(4, 0.6, n), "error": rng.random(n) < 0.03,
                         "x": rng.normal(size=n), "c": rng.choice(list("abc"), n)},
                        index=pd.DatetimeIndex(t, name="timestamp"))


def _slow(part, seconds):
    time.sleep(seconds)
    return part


def slow_frame(df, pieces, seconds):
    cuts = np.linspace(0, len(df), pieces + 1).astype(int)
    parts = [dask.delayed(_slow)(df.iloc[a:b], seconds) for a, b in zip(cuts[:-1], cuts[1:])]
    return dd.from_delayed(parts, meta=df.iloc[:0], verify_meta=False)


def test_calls_on_the_cluster_equal_pandas(client):
    df = frame().reset_index()  # the time as a column, as parquet logs often have it
    ddf = dd.from_pandas(df, npartitions=6, sort=False)
    pd.testing.assert_frame_equal(ddf.aimon.ops("1min"), aimon.ops(df, "1min"))
    prof = ddf[ddf.timestamp < "2026-03-02"].aimon.profile()
    a = ddf.aimon.drift_over_time(prof, freq="6h")
    b = aimon.drift_over_time(df, aimon.profile(df[df.timestamp < "2026-03-02"]), freq="6h")
    pd.testing.assert_frame_equal(a.table, b.table)


def _numba_cache_state():
    import numba

    from aimon._kernels import windows as kw

    kernels = [kw.summarize, kw._summary_serial, kw._summary_parallel]
    cache_dir = numba.config.CACHE_DIR or os.path.join(os.path.dirname(kw.__file__), "__pycache__")
    index_files = [f for _, _, files in os.walk(cache_dir) for f in files
                   if f.startswith("windows.") and f.endswith(".nbi")]
    return {"pid": os.getpid(), "compiled": any(len(k.signatures) for k in kernels),
            "cache_dir": cache_dir, "writable": os.access(cache_dir, os.W_OK), "cached_files": bool(index_files)}


def test_numba_kernels_run_and_cache_in_the_worker_processes(client):
    ad.ops(dd.from_pandas(frame(2000), npartitions=2), "1h")
    states = client.run(_numba_cache_state)
    assert len(states) == 2
    assert all(s["pid"] != os.getpid() for s in states.values())  # really other processes
    assert any(s["compiled"] for s in states.values())
    assert all(s["writable"] and s["cached_files"] for s in states.values()), states


def _kill_one_worker(client, delay, when):
    """Kill (SIGKILL) the worker process that is running one of the slow partition tasks."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if any("_slow" in str(k) for k in keys)]
        if busy:
            time.sleep(delay)  # well inside the task
            os.kill(pids[busy[0]], signal.SIGKILL)
            when.append(time.monotonic())
            return
        time.sleep(0.02)


def test_a_worker_killed_mid_computation_gives_the_full_answer(client):
    df = frame(8000, seed=1)
    ddf = slow_frame(df, pieces=6, seconds=0.3)
    killed = []
    killer = threading.Thread(target=_kill_one_worker, args=(client, 0.1, killed))
    killer.start()
    got = ad.ops(ddf, "10min")  # the nanny restarts the worker, the scheduler recomputes its tasks
    done = time.monotonic()
    killer.join()
    assert killed and killed[0] < done  # the worker really died during the call
    pd.testing.assert_frame_equal(got, aimon.ops(df, "10min"))
    client.wait_for_workers(2, timeout=30)


def test_a_worker_lost_beyond_the_allowed_failures_is_a_clear_error():
    cluster, client = _cluster(**{"distributed.scheduler.allowed-failures": 0})
    try:
        df = frame(2000, seed=2)
        ddf = slow_frame(df, pieces=2, seconds=0.8)
        killer = threading.Thread(target=_kill_one_worker, args=(client, 0.2, []))
        killer.start()
        with pytest.raises(AimonError, match="no partial result"):
            ad.ops(ddf, "10min")
        killer.join()
    finally:
        client.close()
        cluster.close()
