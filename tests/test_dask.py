"""aimon.dask: every call on a Dask DataFrame equals the pandas call on the same rows.

The reference here is the pandas call itself (tested against independent references in the
other test modules) on the in-memory frame; the Dask side gets the rows cut into random
partitions (unknown divisions), a time index or a column, ties, NaN, NaT and time zones. The
synchronous scheduler keeps these fast; tests/test_dask_cluster.py runs on a real local cluster.
"""
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import aimon  # noqa: E402
import aimon.io  # noqa: E402
import aimon.dask as ad  # noqa: E402
from aimon.errors import AimonError, SchemaError  # noqa: E402

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _sync_scheduler():
    # dask turns object columns into pyarrow strings by default; keep the frames' own dtypes so
    # that results can be compared with the pandas call on them column for column
    with dask.config.set({"scheduler": "sync", "dataframe.convert-string": False}):
        yield


def split(df, cuts):
    """A Dask frame of ``df`` cut at positions ``cuts`` (unknown divisions, as from files)."""
    bounds = [0, *sorted(set(int(c) for c in cuts if 0 < c < len(df))), len(df)]
    pieces = [df.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])] or [df.iloc[:0]]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=df.iloc[:0], verify_meta=False)


def log(seed, n, span="3D", tz=None, nat=0, column=False, ties=False):
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-01 05:17", tz=tz)
    offsets = np.sort(rng.integers(0, pd.Timedelta(span).value // 10**9, n)) * 10**9
    if ties:
        offsets = (offsets // 3600_000_000_000) * 3600_000_000_000
    t = start + pd.to_timedelta(offsets)
    lat = rng.lognormal(4, 0.5, n)
    lat[rng.random(n) < 0.1] = np.nan
    df = pd.DataFrame({"latency_ms": lat, "error": (rng.random(n) < 0.05).astype(np.int64),
                       "label": np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 2, n)),
                       "score": rng.random(n), "x": rng.normal(size=n),
                       "c": rng.choice(["a", "b", "c"], n)})
    if column:
        df.insert(0, "timestamp", t)
        if nat:
            df.loc[rng.choice(n, nat, replace=False), "timestamp"] = pd.NaT
    else:
        df.index = pd.DatetimeIndex(t, name="timestamp")
    return df


def same_table(a, b):
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs == b.attrs


def both(fn_dask, fn_pandas):
    """Results and warnings (category, text) of the Dask and pandas calls."""
    out = []
    for fn in (fn_dask, fn_pandas):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = fn()
        out.append((res, sorted((w.category.__name__, str(w.message)) for w in caught)))
    return out


cuts = st.lists(st.integers(0, 400), max_size=6)
freqs = st.sampled_from(["1min", "7min", "1h", "5h", "1D", "W", "ME"])


@SETTINGS
@given(seed=st.integers(0, 10**6), n=st.integers(1, 400), cut=cuts, freq=freqs,
       column=st.booleans(), tz=st.sampled_from([None, "Europe/Berlin"]), ties=st.booleans())
def test_ops_and_slo_equal_pandas_on_random_partitions(seed, n, cut, freq, column, tz, ties):
    df = log(seed, n, tz=tz, column=column, nat=min(3, n - 1) if column else 0, ties=ties)
    ddf = split(df, cut)
    (a, wa), (b, wb) = both(lambda: ad.ops(ddf, freq), lambda: aimon.ops(df, freq))
    same_table(a, b)
    assert wa == wb
    (a, wa), (b, wb) = both(lambda: ad.slo(ddf, latency_ms=80, freq=freq), lambda: aimon.slo(df, latency_ms=80, freq=freq))
    same_table(a, b)
    assert wa == wb


@SETTINGS
@given(seed=st.integers(0, 10**6), n=st.integers(1, 300), cut=cuts, freq=st.sampled_from(["1h", "1D", "W"]),
       by=st.sampled_from(["c", ["c", "k"], "k"]))
def test_segments_by_equal_pandas(seed, n, cut, freq, by):
    """Segments missing from some chunks still get every window, in the pandas call's order."""
    df = log(seed, n, column=True, nat=min(2, n - 1))
    rng = np.random.default_rng(seed)
    df["c"] = np.where(np.arange(n) < n // 2, "a", rng.choice(["b", None], n))  # 'a' only early, NaN keys
    df["k"] = pd.Categorical(rng.choice(["x", "y"], n), categories=["y", "x", "z"])
    ddf = split(df, cut)
    same_table(ad.ops(ddf, freq, by=by), aimon.ops(df, freq, by=by))
    same_table(ad.slo(ddf, latency_ms=80, freq=freq, by=by), aimon.slo(df, latency_ms=80, freq=freq, by=by))
    same_table(ad.quality(ddf, freq, by=by), aimon.quality(df, freq, by=by))


@SETTINGS
@given(seed=st.integers(0, 10**6), n=st.integers(2, 300), cut=cuts, freq=st.sampled_from(["2h", "1D"]))
def test_quality_and_drift_over_time_equal_pandas(seed, n, cut, freq):
    df = log(seed, n)
    ddf = split(df, cut)
    same_table(ad.quality(ddf, freq), aimon.quality(df, freq))
    ref = log(seed + 1, 200)
    prof = aimon.profile(ref, columns=["x", "c", "latency_ms"])
    a = ad.drift_over_time(ddf, prof, freq=freq)
    b = aimon.drift_over_time(df, prof, freq=freq)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.accounting == b.accounting
    pd.testing.assert_frame_equal(a.skipped, b.skipped)


@pytest.mark.parametrize("freq", ["W", "ME", "1D"])
def test_slo_trailing_windows_reach_back_across_many_chunks(freq):
    """90 days in 6 partitions: each chunk reads the 3 days before it for the burn-rate windows."""
    df = log(4, 3000, span="90D", column=True)
    ddf = split(df, [500, 1000, 1500, 2000, 2500])
    same_table(ad.slo(ddf, latency_ms=80, freq=freq), aimon.slo(df, latency_ms=80, freq=freq))
    same_table(ad.slo(ddf, latency_ms=80, freq=freq, by="c"), aimon.slo(df, latency_ms=80, freq=freq, by="c"))


@pytest.mark.parametrize("labels", ["multiclass", "regression", "strings"])
def test_quality_decides_the_task_on_the_whole_log(labels):
    df = log(3, 600)
    rng = np.random.default_rng(0)
    if labels == "multiclass":  # the first partition alone looks binary (0/1 only)
        y = np.r_[rng.integers(0, 2, 300), rng.integers(0, 4, 300)].astype(float)
        df["label"], df["prediction"] = y, np.roll(y, 1)
    elif labels == "regression":
        df["label"], df["prediction"] = rng.normal(size=600), rng.normal(size=600)
    else:
        df["label"] = rng.choice(["cat", "dog", "eel"], 600)
        df["prediction"] = rng.choice(["cat", "dog", "eel"], 600)
    df = df.drop(columns="score")
    ddf = split(df, [300, 450])
    a, b = ad.quality(ddf, "6h"), aimon.quality(df, "6h")
    assert a.attrs["aimon"]["task"] == b.attrs["aimon"]["task"]
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)  # class order may sum differently


def test_late_rows_overlapping_partitions_are_read_together():
    df = log(5, 500, column=True)
    late = df.copy()
    late.iloc[[240, 260]] = late.iloc[[260, 240]].to_numpy()  # two rows written to the other file
    ddf = split(late, [250])
    same_table(ad.ops(ddf, "1h"), aimon.ops(late, "1h"))


def test_unsorted_partitions_are_refused_with_the_fix():
    df = log(6, 500).sample(frac=1, random_state=0)
    with pytest.raises(AimonError, match="not in time order.*sort"):
        ad.ops(split(df, range(50, 500, 50)), "1h")


def test_object_timestamps_in_one_file_are_refused():
    df = log(7, 200, column=True)
    text = df.iloc[100:].assign(timestamp=df["timestamp"].iloc[100:].astype(str))
    parts = [dask.delayed(df.iloc[:100]), dask.delayed(text)]
    ddf = dd.from_delayed(parts, meta=df.iloc[:0], verify_meta=False)
    with pytest.raises(SchemaError, match=r"'timestamp'.*(object|str) in partition 1.*to_datetime"):
        ad.ops(ddf, "1h")


def test_mixed_time_zones_are_refused():
    a, b = log(8, 50, tz="UTC"), log(9, 50, tz="Asia/Tokyo")
    ddf = dd.from_delayed([dask.delayed(a), dask.delayed(b)], meta=a.iloc[:0], verify_meta=False)
    with pytest.raises(SchemaError, match="different time zones"):
        ad.ops(ddf, "1h")


def test_empty_and_timeless_logs():
    df = log(10, 20, column=True)
    same_table(ad.ops(split(df.iloc[:0], []), "1h"), aimon.ops(df.iloc[:0], "1h"))
    no_time = df.assign(timestamp=pd.NaT)
    with pytest.raises(SchemaError, match="none of the 20 values"):
        ad.ops(split(no_time, [10]), "1h")


def test_known_divisions_and_parquet_files(tmp_path):
    df = log(11, 3000, span="10D")
    for i, (_, part) in enumerate(df.groupby(df.index.date)):
        part.to_parquet(tmp_path / f"day{i:02d}.parquet")
    ddf = dd.read_parquet(str(tmp_path / "*.parquet"))
    same_table(ddf.aimon.ops("1min"), aimon.ops(df, "1min"))
    known = dd.from_pandas(df, npartitions=5)
    assert known.known_divisions
    same_table(known.aimon.ops("3h"), aimon.ops(df, "3h"))


def test_wide_parquet_files_read_with_a_projection(tmp_path):
    """Reading a few of many columns makes dask fuse small files into fewer partitions (how many
    depends on the columns): the chunk plan must come from the partitions it cuts."""
    df = aimon.datasets.load_credit_scoring().reset_index()
    df.attrs = {}
    for day, part in df.groupby(df["timestamp"].dt.date):
        part.to_parquet(tmp_path / f"{day}.parquet", index=False)
    ddf = dd.read_parquet(str(tmp_path / "*.parquet"))
    fused = ddf[["timestamp", "label", "score", "prediction"]]
    assert len(fused.to_delayed()) < len(fused[["timestamp"]].to_delayed())
    same_table(ddf.aimon.quality("1D"), aimon.quality(df, "1D"))
    # a categorical segment whose files know only their own categories (model_version rolls out late)
    by = ["model_version", "channel"]
    same_table(ddf.aimon.ops("1D", by=by), aimon.ops(ddf.compute(), "1D", by=by))


def test_profile_merges_partitions_exactly_within_the_budget():
    df = log(12, 2000)
    df.loc[df.index[::7], "c"] = None
    df.loc[df.index[::5], "x"] = np.inf
    a, b = ad.profile(split(df, [3, 700, 1500])), aimon.profile(df)
    assert a.sketched == {} and a.names == b.names and a.n_rows == b.n_rows
    for n in b.names:
        ca, cb = a[n], b[n]
        assert (ca.kind, ca.dtype, ca.n_rows, ca.n_missing, ca.n_invalid) == (cb.kind, cb.dtype, cb.n_rows,
                                                                              cb.n_missing, cb.n_invalid)
        if cb.kind == "numeric":
            assert np.array_equal(ca.values, cb.values) and np.array_equal(ca.edges, cb.edges)
            assert np.array_equal(ca.counts, cb.counts) and ca.mean == cb.mean and ca.std == cb.std
        else:
            assert ca.categories == cb.categories and np.array_equal(ca.counts, cb.counts)
    ra, rb = ad.drift(split(log(13, 300), [100]), a), aimon.drift(log(13, 300), b)
    pd.testing.assert_frame_equal(ra.table, rb.table)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(3000, 8000), cut=st.lists(st.integers(1, 3000), max_size=5))
def test_profile_sketch_stays_within_its_stated_error(seed, n, cut):
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_t(3, n), 2)  # heavy tails and ties
    df = pd.DataFrame({"x": x})
    with pytest.warns(aimon.errors.AimonWarning, match="quantile sketch"):
        a = ad.profile(split(df, cut), max_values=1000)
    note = a.sketched["x"]
    assert note["points"] == 1000 and note["values"] == n
    exact = np.sort(x)
    grid = np.unique(np.r_[exact, a["x"].values])  # the sup of |F_sketch - F| is reached at these points
    f_exact = np.searchsorted(exact, grid, side="right") / n
    f_sketch = np.searchsorted(a["x"].values, grid, side="right") / a["x"].values.size
    assert np.abs(f_exact - f_sketch).max() <= note["ks_error"]
    assert a["x"].mean == pytest.approx(x.mean(), rel=1e-12) and a["x"].std == pytest.approx(x.std(), rel=1e-12)
    ref = rng.normal(size=500)
    w_exact = aimon.stats.wasserstein(ref, x)
    w_sketch = aimon.stats.wasserstein(ref, a["x"].values)
    assert abs(w_exact - w_sketch) <= note["w1_error"]
    ks_exact = aimon.stats.ks(ref, x).statistic
    assert abs(ks_exact - aimon.stats.ks(ref, a["x"].values).statistic) <= note["ks_error"]


def test_changepoints_scan_in_time_order_per_segment():
    df = log(14, 3000, column=True)
    df["model_version"] = np.where(np.arange(3000) % 3 == 0, "v2", "v1")
    df.loc[df.index[1500:], "latency_ms"] += 200
    ddf = split(df, [700, 1400, 2900])
    for by in (None, "model_version"):
        a = ad.changepoints(ddf, "latency_ms", method="cusum", by=by)
        b = aimon.changepoints(df, "latency_ms", method="cusum", by=by)
        pd.testing.assert_frame_equal(a.table, b.table)
        assert a.skipped == b.skipped


def test_segments_rank_the_same_slices():
    df = log(21, 3000, span="6D")
    df["region"] = np.where(np.arange(3000) % 4 == 0, "north", "south")
    df.loc[(df.index >= "2026-03-04") & (df["region"] == "north"), "latency_ms"] *= 3
    ddf = split(df, [500, 1800])
    a = ad.segments(ddf, "latency_p95", by=["region", "c"], reference="2026-03-04")
    b = aimon.segments(df, "latency_p95", by=["region", "c"], reference="2026-03-04")
    pd.testing.assert_frame_equal(a.table, b.table)
    early, late = df[df.index < "2026-03-04"], df[df.index >= "2026-03-04"]
    a = split(late, [700]).aimon.segments("error_rate", by="region", reference=split(early, [300]))
    pd.testing.assert_frame_equal(a.table, aimon.segments(late, "error_rate", by="region", reference=early).table)


def test_gathering_calls_refuse_beyond_their_budget():
    ddf = split(log(15, 2000), [1000])
    with pytest.raises(AimonError, match="max_values"):
        ad.changepoints(ddf, "latency_ms", max_values=1000)
    with pytest.raises(AimonError, match="drift_over_time"):
        ad.drift(ddf, log(16, 100), max_values=1000)
    with pytest.raises(AimonError, match="max_values"):
        ad.segments(ddf, "latency_p95", by="c", max_values=1000)


def test_bad_input_is_an_aimon_error():
    df = log(17, 50)
    with pytest.raises(SchemaError, match="Dask DataFrame"):
        ad.ops(df, "1h")
    with pytest.raises(SchemaError, match="by="):
        ad.ops(split(df, []), "1h", by="nope")
    with pytest.raises(SchemaError, match="freq"):
        ad.ops(split(df, [20]), "nonsense")
    with pytest.raises(SchemaError, match="timestamp"):
        ad.ops(split(df.reset_index(drop=True), [20]), "1h")


def test_accessor_registered_on_dask_import_and_import_aimon_stays_light():
    code = ("import sys, aimon; assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')], 'heavy'; "
            "import dask.dataframe as dd; assert hasattr(dd.DataFrame, 'aimon'); "
            "import pandas as pd; print(type(dd.from_pandas(pd.DataFrame({'a': [1]}), npartitions=1).aimon).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "DaskAimonAccessor"
    code = "import dask.dataframe as dd, aimon; print(hasattr(dd.DataFrame, 'aimon'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_read_log_pushes_columns_and_time_range_down(tmp_path):
    df = log(19, 3000, span="6D", tz="UTC", column=True)
    for i, (_, part) in enumerate(df.groupby(df["timestamp"].dt.date)):
        part.to_parquet(tmp_path / f"day{i}.parquet", index=False, row_group_size=200)
    got = aimon.io.read_log(str(tmp_path / "*.parquet"), columns=["latency_ms"], start="2026-03-02 12:00",
                            end=pd.Timestamp("2026-03-04", tz="Europe/Berlin"))
    t = df["timestamp"]
    want = df.loc[(t >= pd.Timestamp("2026-03-02 12:00", tz="UTC")) & (t < pd.Timestamp("2026-03-04", tz="Europe/Berlin")),
                  ["timestamp", "latency_ms"]].reset_index(drop=True)
    assert list(got.columns) == ["latency_ms", "timestamp"]
    pd.testing.assert_frame_equal(got[want.columns].reset_index(drop=True), want, check_dtype=False)
    indexed = log(20, 500, span="2D")
    indexed.to_parquet(tmp_path / "indexed.parquet")
    back = aimon.io.read_log(tmp_path / "indexed.parquet", start="2026-03-02")
    pd.testing.assert_frame_equal(back, indexed[indexed.index >= "2026-03-02"], check_freq=False)
    with pytest.raises(AimonError, match="no parquet file"):
        aimon.io.read_log(str(tmp_path / "nothing-*.parquet"))
    with pytest.raises(SchemaError, match="not in the files"):
        aimon.io.read_log(tmp_path / "day0.parquet", columns=["nope"])
    df.assign(timestamp=df["timestamp"].astype(str)).to_parquet(tmp_path / "text.parquet", index=False)
    with pytest.raises(SchemaError, match="not as a timestamp"):
        aimon.io.read_log(tmp_path / "text.parquet", start="2026-03-02")
