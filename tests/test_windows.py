"""Window boundaries, row preparation and the window kernel against pandas / numpy references."""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import naive
from aimon._log import prepare, windows
from aimon.errors import DataDroppedWarning, SchemaError
from aimon.roles import INDEX, Roles

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FREQ_SPAN = {
    "1min": 2 * 3600, "7min": 6 * 3600, "90min": 2 * 86400, "1h": 3 * 86400, "3h": 4 * 86400,
    "1D": 6 * 86400, "2D": 9 * 86400, "W": 40 * 86400, "W-WED": 40 * 86400,
    "ME": 150 * 86400, "MS": 150 * 86400,
}


def _log(times):
    df = pd.DataFrame({"x": np.arange(len(times))}, index=times)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        return prepare(df, Roles(timestamp=INDEX))


@pytest.mark.parametrize("freq", list(FREQ_SPAN))
@SETTINGS
@given(data=st.data())
def test_window_bounds_reproduce_resample_membership(freq, data):
    times = data.draw(naive.times_strategy(st, min_size=1, max_size=40, span_s=FREQ_SPAN[freq]))
    log = _log(times)
    win = windows(log.times, freq)
    groups = naive.resample_groups(times, freq)
    assert list(win.labels) == [label for label, _ in groups]
    naive.assert_index_equal(pd.DatetimeIndex(win.labels), pd.DataFrame(index=times).resample(freq).size().index,
                                  check_names=False, check_freq=False)
    b = win.bounds(log.i8)
    assert len(b) == len(groups) + 1 and b[0] == 0 and b[-1] == len(times)
    for k, (label, pos) in enumerate(groups):
        assert sorted(log.order[b[k]:b[k + 1]].tolist()) == pos, (k, label)
        start, end = naive.window_span(label, freq)
        assert all(start <= times[i] < end for i in pos)
    np.testing.assert_allclose(win.seconds, [naive.window_seconds(label, freq) for label, _ in groups],
                               rtol=1e-12)


@pytest.mark.parametrize("freq", ["1D", "W", "ME"])
def test_daily_weekly_monthly_windows_across_dst(freq):
    tz = "America/New_York"
    times = pd.date_range("2024-02-25", "2024-04-10", freq="37min", tz=tz)
    times = times.append(pd.DatetimeIndex(["2024-03-10 23:59:59", "2024-03-31 23:00", "2024-03-17 23:30"]).tz_localize(tz))
    log = _log(times)
    win = windows(log.times, freq)
    b = win.bounds(log.i8)
    for k, (label, pos) in enumerate(naive.resample_groups(times, freq)):
        assert win.labels[k] == label
        assert sorted(log.order[b[k]:b[k + 1]].tolist()) == pos
    if freq == "1D":
        secs = dict(zip(win.labels, win.seconds))
        assert secs[pd.Timestamp("2024-03-10", tz=tz)] == 23 * 3600
        assert secs[pd.Timestamp("2024-03-11", tz=tz)] == 24 * 3600


def test_windows_of_no_rows_and_bad_freq():
    empty = pd.DatetimeIndex([], dtype="datetime64[us]")
    win = windows(empty, "1h")
    assert len(win.labels) == 0 and win.bounds(empty.asi8).tolist() == [0]
    for bad in ("nonsense", "5 parsecs", "", None, "0min", "-1h", 5):
        with pytest.raises(SchemaError, match="freq="):
            windows(pd.DatetimeIndex(["2024-01-01"]), bad)


@SETTINGS
@given(times=naive.times_strategy(st, max_size=25, span_s=600), nat=st.lists(st.booleans(), max_size=25))
def test_prepare_sorts_stably_and_counts_nat(times, nat):
    nat = (nat + [False] * len(times))[:len(times)]
    if len(times) and all(nat):
        nat[0] = False
    t = pd.DatetimeIndex([pd.NaT if m else x for x, m in zip(times, nat)]).as_unit(times.unit) \
        if len(times) else times
    df = pd.DataFrame({"v": np.arange(len(t))}, index=t)
    before = df.copy(deep=True)
    n_nat = sum(nat)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        log = prepare(df, Roles(timestamp=INDEX))
    dropped_warnings = [w for w in rec if issubclass(w.category, DataDroppedWarning)]
    assert len(dropped_warnings) == (1 if n_nat else 0)
    expected = sorted((i for i in range(len(t)) if not nat[i]), key=lambda i: (t[i], i))
    assert log.order.tolist() == expected
    assert list(log.times) == [t[i] for i in expected]
    assert log.n_rows == len(t)
    assert log.dropped.get("no_timestamp", 0) == n_nat
    pd.testing.assert_frame_equal(df, before)


def test_prepare_all_nat_is_a_schema_error():
    df = pd.DataFrame({"ts": ["garbage", "not a time"], "latency_ms": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="ts"):
        prepare(df, Roles(timestamp="ts"))


# ---------------------------------------------------------------- kernel
@st.composite
def _kernel_case(draw):
    n = draw(st.integers(0, 40))
    elem = st.one_of(st.sampled_from([0.0, 1.0, 1.0, 7.5, -3.0, np.nan]),
                     st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
    values = np.array(draw(st.lists(elem, min_size=n, max_size=n)), dtype=np.float64)
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=8)))
    bounds = np.array([0] + cuts + [n], dtype=np.int64)
    qs = np.array(draw(st.lists(st.one_of(st.sampled_from([0.0, 0.5, 0.95, 0.99, 1.0]), st.floats(0, 1)),
                                min_size=1, max_size=4)), dtype=np.float64)
    return values, bounds, np.sort(qs)  # the kernel's contract: ascending quantiles


@settings(max_examples=60, deadline=None)
@given(case=_kernel_case())
def test_window_summary_equals_numpy(case):
    from aimon._kernels.windows import window_summary

    values, bounds, qs = case
    out = window_summary(values, bounds, qs)
    assert out.shape == (len(bounds) - 1, 4 + len(qs))
    for k in range(len(bounds) - 1):
        w = values[bounds[k]:bounds[k + 1]]
        w = w[~np.isnan(w)]
        assert out[k, 0] == len(w)
        if len(w) == 0:
            assert out[k, 1] == 0 and np.isnan(out[k, 2:]).all()
            continue
        scale = np.abs(w).sum()
        np.testing.assert_allclose(out[k, 1], np.sum(w), rtol=1e-12, atol=1e-12 * scale)
        np.testing.assert_allclose(out[k, 2], np.mean(w), rtol=1e-12, atol=1e-12 * scale / len(w))
        assert out[k, 3] == np.max(w)
        np.testing.assert_allclose(out[k, 4:], np.quantile(w, qs), rtol=1e-12, atol=1e-12 * np.abs(w).max())


def test_window_summary_single_value_and_all_ties():
    from aimon._kernels.windows import window_summary

    out = window_summary(np.array([4.0, 2.0, 2.0, 2.0]), np.array([0, 1, 1, 4]), np.array([0.0, 0.5, 1.0]))
    np.testing.assert_array_equal(out[0], [1, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0])
    assert out[1, 0] == 0 and np.isnan(out[1, 2:]).all()
    np.testing.assert_array_equal(out[2], [3, 6.0, 2.0, 2.0, 2.0, 2.0, 2.0])


def test_parallel_and_serial_kernels_agree_with_numpy():
    from aimon._kernels.windows import _summary_parallel, _summary_serial

    rng = np.random.default_rng(7)
    values = np.round(rng.lognormal(3, 1, 5000), 1)
    values[rng.uniform(size=values.size) < 0.05] = np.nan
    bounds = np.unique(np.concatenate([[0, values.size], rng.integers(0, values.size, 60)])).astype(np.int64)
    qs = np.array([0.0, 0.5, 0.95, 0.99, 1.0])
    par = _summary_parallel(values, bounds, qs)
    ser = _summary_serial(values, bounds, qs)
    np.testing.assert_array_equal(par, ser)
    for w in range(len(bounds) - 1):
        chunk = values[bounds[w]:bounds[w + 1]]
        chunk = chunk[~np.isnan(chunk)]
        assert par[w, 0] == chunk.size
        if chunk.size:
            np.testing.assert_allclose(par[w, 4:], np.quantile(chunk, qs), rtol=1e-12)
            np.testing.assert_allclose(par[w, 2], chunk.mean(), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1024, 6000),
       kind=st.sampled_from(["lognormal", "rounded", "normal", "mixed_scales", "few_values", "constant",
                             "signed_zeros", "huge_span", "inf"]),
       qs=st.lists(st.floats(0, 1), min_size=1, max_size=6))
def test_histogram_selection_equals_numpy_quantile_on_large_windows(seed, size, kind, qs):
    """Windows of >= 1024 values take the histogram path of the selection kernel."""
    from aimon._kernels.select import quantiles

    rng = np.random.default_rng(seed)
    x = {
        "lognormal": lambda: rng.lognormal(4, 1, size),
        "rounded": lambda: np.round(rng.lognormal(4, 0.5, size), 1),
        "normal": lambda: rng.normal(0, 1, size),
        "mixed_scales": lambda: rng.normal(0, 1, size) * 10.0 ** rng.integers(-300, 300, size),
        "few_values": lambda: rng.integers(-2, 3, size).astype(float),
        "constant": lambda: np.full(size, 7.5),
        "signed_zeros": lambda: rng.choice([-0.0, 0.0, 5e-324, -5e-324, 1.0], size),
        "huge_span": lambda: rng.choice([-1.7e308, 1.7e308, 0.0, 1e-308], size),
        "inf": lambda: np.where(rng.uniform(size=size) < 0.01, np.inf, rng.normal(size=size)),
    }[kind]()
    qs = np.sort(np.asarray(qs))
    out = np.empty(len(qs))
    work = x.copy()
    quantiles(work, size, qs, out, 0)
    with np.errstate(invalid="ignore", over="ignore"):
        want = np.quantile(x, qs)
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=0, equal_nan=True)
    np.testing.assert_array_equal(np.sort(work), np.sort(x))  # only reordered


@settings(max_examples=60, deadline=None)
@given(case=_kernel_case())
def test_window_sum_count_equals_numpy(case):
    from aimon.metrics._table import sum_count

    values, bounds, _ = case
    sums, counts = sum_count(values, bounds)
    for k in range(len(bounds) - 1):
        w = values[bounds[k]:bounds[k + 1]]
        w = w[~np.isnan(w)]
        assert counts[k] == w.size
        np.testing.assert_allclose(sums[k], w.sum(), rtol=1e-12, atol=1e-12 * np.abs(w).sum())


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.one_of(st.sampled_from([0.0, -0.0, 1.0, 1.0, 5e-324, -np.inf, np.inf]),
                                 st.floats(-1e300, 1e300, allow_nan=False)), min_size=1, max_size=300),
       data=st.data())
def test_select_places_the_kth_value(values, data):
    """Branchless quickselect: x[k] is the k-th smallest, nothing larger before, nothing smaller after."""
    from aimon._kernels.select import select

    x = np.array(values)
    k = data.draw(st.integers(0, x.size - 1))
    work = x.copy()
    select(work, 0, x.size, k)
    assert work[k] == np.sort(x)[k]
    assert (work[:k] <= work[k]).all() and (work[k + 1:] >= work[k]).all()
    np.testing.assert_array_equal(np.sort(work), np.sort(x))


@SETTINGS
@given(st.lists(st.integers(0, 60), min_size=0, max_size=30), st.integers(0, 2 ** 32 - 1))
def test_window_count_and_sum_drivers_equal_numpy(sizes, seed):
    """Both twins (prange and range) of the per-window count and sum kernels against numpy on each slice."""
    from aimon._kernels import windows as kw

    rng = np.random.default_rng(seed)
    bounds = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    codes = rng.choice([0, 1, 200, 499, 500, 503, -7], bounds[-1]).astype(np.int64)
    x = rng.normal(size=bounds[-1])
    x[rng.random(x.size) < 0.2] = np.nan
    want_n = [np.count_nonzero(codes[a:b] >= 500) for a, b in zip(bounds[:-1], bounds[1:])]
    want_s = [np.nansum(x[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    want_c = [np.count_nonzero(~np.isnan(x[a:b])) for a, b in zip(bounds[:-1], bounds[1:])]
    flags = (codes == 1).view(np.uint8)
    for count, sc in ((kw._count_at_least_parallel, kw._sum_count_parallel),
                      (kw._count_at_least_serial, kw._sum_count_serial)):
        np.testing.assert_array_equal(count(codes, bounds, np.int64(500)), want_n)
        np.testing.assert_array_equal(count(flags, bounds, np.uint8(1)),
                                      [np.count_nonzero(codes[a:b] == 1) for a, b in zip(bounds[:-1], bounds[1:])])
        s, c = sc(x, bounds)
        np.testing.assert_allclose(s, want_s, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(c, want_c)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sizes=st.lists(st.integers(0, 1100), min_size=1, max_size=6),
       nan_share=st.sampled_from([0.0, 0.0, 0.01, 0.3, 1.0]), kind=st.sampled_from(["lognormal", "rounded", "few"]),
       qs=st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_copy_that_partitions_equals_numpy_on_midsize_windows(seed, sizes, nan_share, kind, qs):
    """Windows below the histogram size: the copy splits the values around a median-of-three pivot
    (NaN at the pivot positions fall back to a plain copy) and the selection works inside the
    parts; count, sum, max and numpy's quantiles per window, both drivers."""
    from aimon._kernels.windows import _summary_parallel, _summary_serial

    rng = np.random.default_rng(seed)
    n = sum(sizes)
    values = {"lognormal": rng.lognormal(3, 1, n), "rounded": np.round(rng.lognormal(3, 1, n), 0),
              "few": rng.choice([-1.0, 0.0, 2.5], n)}[kind]
    values[rng.uniform(size=n) < nan_share] = np.nan
    bounds = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    qs = np.sort(np.array(qs))
    out = _summary_serial(values, bounds, qs)
    np.testing.assert_array_equal(_summary_parallel(values, bounds, qs), out)
    for w in range(len(sizes)):
        chunk = values[bounds[w]:bounds[w + 1]]
        chunk = chunk[~np.isnan(chunk)]
        assert out[w, 0] == chunk.size
        if chunk.size:
            np.testing.assert_allclose(out[w, 1], chunk.sum(), rtol=1e-12)
            assert out[w, 3] == chunk.max()
            np.testing.assert_allclose(out[w, 4:], np.quantile(chunk, qs), rtol=1e-12, atol=1e-300)
        else:
            assert out[w, 1] == 0 and np.isnan(out[w, 2:]).all()
