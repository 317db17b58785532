"""Awkward inputs get a correct answer or a clear AimonError, and the input is never changed."""
import copy
import warnings

import numpy as np
import pandas as pd
import pytest

import aimon
import naive
from aimon.errors import AimonError, DataDroppedWarning, SchemaError

T = pd.date_range("2024-01-01 00:05", periods=6, freq="20min")

PUBLIC = {
    "ops": lambda df, **kw: aimon.ops(df, "1h", **kw),
    "slo": lambda df, **kw: aimon.slo(df, latency_ms=300, freq="1h", **kw),
    "slo_availability": lambda df, **kw: aimon.slo(df, latency_ms=None, freq="1h", **kw),
    "with_roles": lambda df, **kw: aimon.with_roles(df, **kw),
    "roles": lambda df, **kw: aimon.infer_roles(df, **kw),
    "accessor_roles": lambda df, **kw: df.aimon.roles,
    "window_stats": lambda df, **kw: df[df.columns[0]].aimon.window_stats("1h"),
}


def run(name, df, expect=None, **kw):
    """Call a public function; check the input is unchanged whatever happens; return result or error."""
    before = copy.deepcopy(df)
    attrs = copy.deepcopy(df.attrs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataDroppedWarning)
            out = PUBLIC[name](df, **kw)
    except AimonError as e:
        out = e
    except Exception as e:  # anything else is a bug: no bare KeyError / numba / pandas traceback
        raise AssertionError(f"{name} raised {type(e).__name__} instead of an AimonError: {e}") from e
    finally:
        pd.testing.assert_frame_equal(df, before)
        assert df.attrs == attrs
    if expect is not None:
        assert isinstance(out, expect), (name, out)
    return out


def frame(**cols):
    return pd.DataFrame(cols, index=T[: len(next(iter(cols.values())))])


@pytest.mark.parametrize("name", list(PUBLIC))
@pytest.mark.parametrize("case", ["empty", "one_row", "all_nan", "nan_inf", "numeric_text", "html_names",
                                  "unsorted_dupes", "gap", "mixed_tz_text", "some_bad_ts", "attrs"])
def test_public_functions_leave_input_unchanged(name, case):
    df = {
        "empty": pd.DataFrame({"latency_ms": pd.Series([], dtype=float), "error": pd.Series([], dtype=bool)},
                              index=pd.DatetimeIndex([], dtype="datetime64[us]")),
        "one_row": frame(latency_ms=[12.0], error=[False]),
        "all_nan": frame(latency_ms=[np.nan] * 4, error=[True, False, False, True]),
        "nan_inf": frame(latency_ms=[1.0, np.nan, np.inf, -np.inf, 5.0, 400.0], error=[0, 0, 1, 0, 0, 1]),
        "numeric_text": frame(latency_ms=np.array(["1.5", "20", None, "300.25"], dtype=object),
                              error=["0", "1", "0", "0"]),
        "html_names": frame(**{"<b>lat</b>": [1.0, 2.0], "latency_ms": [3.0, 4.0], "error": [0, 1]}),
        "unsorted_dupes": pd.DataFrame({"latency_ms": [3.0, 1.0, 2.0, 2.0], "error": [0, 1, 0, 0]},
                                       index=T[[3, 0, 3, 1]]),
        "gap": pd.DataFrame({"latency_ms": [1.0, 2.0], "error": [0, 0]}, index=pd.DatetimeIndex([T[0], T[0] + pd.Timedelta("5h")])),
        "mixed_tz_text": pd.DataFrame({"latency_ms": [1.0, 2.0, 3.0], "error": [0, 0, 1],
                                       "timestamp": ["2024-01-01 10:00+01:00", "2024-01-01 10:00-05:00",
                                                     "2024-01-01T12:00Z"]}),
        "some_bad_ts": pd.DataFrame({"latency_ms": [1.0, 2.0, 3.0], "error": [0, 1, 0],
                                     "timestamp": ["2024-01-01 10:00", "yesterday-ish", None]}),
        "attrs": frame(latency_ms=[1.0, 2.0], error=[0, 1]),
    }[case]
    if case == "attrs":
        df.attrs["source"] = {"nested": [1, 2]}
        df = aimon.with_roles(df, latency="latency_ms")
    if name == "window_stats" and not isinstance(df.index, pd.DatetimeIndex):
        df = df.set_index("timestamp")
        out = run(name, df, expect=SchemaError)  # a Series needs a DatetimeIndex: a clear error
        assert "DatetimeIndex" in str(out)
        return
    out = run(name, df)
    assert not isinstance(out, AimonError) or case == "numeric_text" and name == "window_stats", out


def _ops_ref(df, freq="1h", ts=None):
    times = pd.DatetimeIndex(df[ts]) if ts else df.index
    cols = {"latency": df["latency_ms"].tolist()}
    if "error" in df:
        cols["error"] = df["error"].tolist()
    return naive.ops(times, cols, freq)


def _assert_ops(got, ref):
    assert list(got.index) == list(ref.index)
    for c in ref.columns:
        np.testing.assert_allclose(got[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float), rtol=1e-12,
                                   atol=1e-12, equal_nan=True, err_msg=c)


def test_empty_frame():
    df = pd.DataFrame({"timestamp": pd.DatetimeIndex([]), "latency_ms": pd.Series([], dtype=float)})
    got = run("ops", df)
    assert len(got) == 0 and "latency_p95" in got.columns and got.attrs["aimon"]["rows"] == 0
    got = run("ops", df, by="latency_ms")
    assert len(got) == 0 and got.columns[0] == "latency_ms"
    assert len(run("slo", df)) == 0
    with pytest.raises(SchemaError, match="timestamp='your_column'"):
        aimon.ops(pd.DataFrame(), "1h")


def test_one_row():
    df = pd.DataFrame({"latency_ms": [42.0]}, index=pd.DatetimeIndex(["2024-05-05 13:37"], tz="Asia/Kolkata"))
    got = run("ops", df)
    assert got.index.tolist() == [pd.Timestamp("2024-05-05 13:00", tz="Asia/Kolkata")]
    assert got["requests"].tolist() == [1]
    assert got[["latency_mean", "latency_p50", "latency_p99", "latency_max"]].to_numpy().tolist() == [[42.0] * 4]


def test_all_nan_latency_is_counted_and_warned():
    df = pd.DataFrame({"latency_ms": [np.nan] * 3}, index=T[:3])
    with pytest.warns(DataDroppedWarning, match="latency"):
        got = aimon.ops(df, "1h")
    assert got["latency_missing"].tolist() == [3] and np.isnan(got["latency_p50"]).all()
    assert got.attrs["aimon"]["excluded"] == {"latency_missing": 3}


def test_nan_and_inf_mixed_in():
    df = pd.DataFrame({"latency_ms": [1.0, np.nan, np.inf, -np.inf, 5.0, 3.0]}, index=T)
    with pytest.warns(DataDroppedWarning):
        got = aimon.ops(df, "1h")
    _assert_ops(got, _ops_ref(df))
    assert got.attrs["aimon"]["excluded"] == {"latency_missing": 1, "latency_invalid": 2}


@pytest.mark.parametrize("dtype", [object, pd.StringDtype()])  # "str" means numpy str (None -> "None") on pandas 2
def test_latency_as_numeric_text(dtype):
    text = pd.DataFrame({"latency_ms": pd.array(["1.5", "20", None, "300.25", " 7 ", "2e1"], dtype=dtype)},
                        index=T)
    numbers = pd.DataFrame({"latency_ms": [1.5, 20, np.nan, 300.25, 7, 20]}, index=T)
    got = run("ops", text)
    with pytest.warns(DataDroppedWarning, match="1 latency missing"):
        pd.testing.assert_frame_equal(got, aimon.ops(numbers, "1h"))
    assert got.attrs["aimon"]["excluded"] == {"latency_missing": 1}


def test_latency_as_non_numeric_text():
    df = pd.DataFrame({"latency_ms": ["fast", "slow", None]}, index=T[:3])
    for name in ("ops", "slo"):
        err = run(name, df, expect=SchemaError)
        assert "'latency_ms'" in str(err) and "latency=" in str(err) and "pd.to_numeric" in str(err)
    # some text among numbers: the text is left out and counted, not fatal
    df = pd.DataFrame({"latency_ms": ["12", "n/a", "30"]}, index=T[:3])
    with pytest.warns(DataDroppedWarning, match="latency invalid"):
        got = aimon.ops(df, "1h")
    assert got["latency_missing"].tolist() == [1] and got["latency_max"].tolist() == [30.0]


def test_no_timestamp():
    df = pd.DataFrame({"latency_ms": [1.0, 2.0], "when_it_happened": ["a", "b"]})
    for name in ("ops", "slo", "slo_availability"):
        err = run(name, df, expect=SchemaError)
        assert "'timestamp'" in str(err) and "timestamp=" in str(err) and "'when_it_happened'" in str(err)
    err = run("ops", pd.DataFrame({"ts": [1700000000, 1700000060], "latency_ms": [1.0, 2.0]}), expect=SchemaError)
    assert "'ts'" in str(err) and "unit=" in str(err)


def test_unparseable_timestamps_some_dropped_all_refused():
    df = pd.DataFrame({"ts": ["2024-01-01 10:00", "not a time", None, "2024-01-01 10:30"],
                       "latency_ms": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(DataDroppedWarning, match="2 of 4 rows"):
        got = aimon.ops(df, "1h")
    assert got["requests"].tolist() == [2] and got["latency_max"].tolist() == [4.0]
    meta = got.attrs["aimon"]
    assert meta["rows"] == 4 and meta["rows_with_timestamp"] == 2 and meta["dropped"]["no_timestamp"] == 2
    bad = pd.DataFrame({"ts": ["never", "nope"], "latency_ms": [1.0, 2.0]})
    for name in ("ops", "slo"):
        err = run(name, bad, expect=SchemaError)
        assert "'ts'" in str(err) and "timestamp=" in str(err)


@pytest.mark.parametrize("values", [
    ["2024-01-01 10:00+01:00", "2024-01-01 10:00-05:00", "2024-01-01T12:00Z"],
    [pd.Timestamp("2024-01-01 10:00", tz="Europe/Paris"), pd.Timestamp("2024-01-01 10:00", tz="America/New_York"),
     pd.Timestamp("2024-01-01 12:00", tz="UTC")],
])
def test_mixed_time_zones_become_utc(values):
    df = pd.DataFrame({"timestamp": values, "latency_ms": [1.0, 2.0, 3.0]})
    got = run("ops", df)
    utc = pd.DatetimeIndex([pd.Timestamp(v).tz_convert("UTC") for v in values])
    _assert_ops(got, naive.ops(utc, {"latency": [1.0, 2.0, 3.0]}, "1h"))
    assert got["requests"].sum() == 3 and "UTC" in got.attrs["aimon"]["dropped"]["note"]


def test_unsorted_and_duplicate_timestamps():
    rng = np.random.default_rng(0)
    idx = T[rng.integers(0, 6, 40)]
    df = pd.DataFrame({"latency_ms": rng.gamma(2, 50, 40).round(0), "error": rng.random(40) < 0.2}, index=idx)
    got = run("ops", df)
    _assert_ops(got, _ops_ref(df))
    pd.testing.assert_frame_equal(got, aimon.ops(df.sort_index(kind="stable"), "1h"))
    s_got = run("slo", df)
    s_sorted = aimon.slo(df.sort_index(kind="stable"), latency_ms=300, freq="1h")
    pd.testing.assert_frame_equal(s_got, s_sorted)


def test_window_with_no_requests():
    df = pd.DataFrame({"latency_ms": [1.0, 2.0], "error": [False, True]},
                      index=pd.to_datetime(["2024-01-01 00:10", "2024-01-01 03:10"]))
    got = run("ops", df)
    assert got["requests"].tolist() == [1, 0, 0, 1]
    assert got["throughput_rps"].tolist() == [1 / 3600, 0.0, 0.0, 1 / 3600]
    assert np.isnan(got["latency_p50"].iloc[1]) and np.isnan(got["error_rate"].iloc[2])
    s = run("slo", df)
    assert s["requests"].tolist() == [1, 0, 0, 1] and s["slo_met"].tolist() == [True, True, True, False]
    ws = df["latency_ms"].aimon.window_stats("1h")
    assert ws["count"].tolist() == [1, 0, 0, 1] and np.isnan(ws["mean"].iloc[1])


def test_html_in_column_names():
    evil = "<img src=x onerror=alert(1)>"
    df = pd.DataFrame({evil: [5.0, 6.0]}, index=T[:2])
    got = run("ops", df, latency=evil)
    assert got["latency_max"].tolist() == [6.0]
    err = run("ops", df, expect=SchemaError, latency="<missing>")
    assert "'<missing>'" in str(err) and repr(evil) in str(err)
    tagged = run("with_roles", df, latency=evil)
    html = tagged.aimon.roles._repr_html_()
    assert evil not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("freq", ["bogus", "5 parsecs", "", "0min", "-1h", None])
def test_invalid_freq(freq):
    df = pd.DataFrame({"latency_ms": [1.0]}, index=T[:1])
    for call in (lambda: aimon.ops(df, freq), lambda: aimon.slo(df, latency_ms=3, freq=freq),
                 lambda: df["latency_ms"].aimon.window_stats(freq)):
        with pytest.raises(SchemaError, match="freq="):
            call()


def test_other_wrong_kinds_of_column():
    t = T[:4]
    cases = [
        (pd.DataFrame({"latency_ms": t}, index=t), {}, "'latency_ms'", "latency="),
        (pd.DataFrame({"error": [-1, 0, 0, 1]}, index=t), {}, "'error'", "error="),
        (pd.DataFrame({"error": ["yes", "no", "no", "yes"]}, index=t), {}, "'error'", "error="),
        (pd.DataFrame({"latency_ms": [1.0] * 4}, index=t), {"by": "region"}, "'region'", "by="),
    ]
    for df, kw, col, keyword in cases:
        err = run("ops", df, expect=SchemaError, **kw)
        assert col in str(err) and keyword in str(err)
    with pytest.raises(SchemaError, match="burn_alerts"):
        aimon.slo(pd.DataFrame({"latency_ms": [1.0]}, index=t[:1]), latency_ms=3, burn_alerts=[("x", "soon", "1h", 1)])
    with pytest.raises(SchemaError, match="quantiles="):
        pd.Series([1.0], index=t[:1]).aimon.window_stats("1h", quantiles="p95")
    with pytest.raises(SchemaError, match="DatetimeIndex"):
        pd.Series([1.0, 2.0]).aimon.window_stats("1h")


def test_error_flags_text_bool_and_status():
    t = T[:4]
    obj = pd.DataFrame({"error": np.array([True, None, False, True], dtype=object)}, index=t)
    got = run("ops", obj)
    # T[:3] fall in the first hour, T[3] in the second: errors {True, unknown, False} and {True}
    assert got["errors"].tolist() == [1, 1] and np.allclose(got["error_rate"], [1 / 2, 1.0])
    assert got.attrs["aimon"]["excluded"] == {"error_unknown": 1}
    codes = pd.DataFrame({"status_code": ["200", "500", "503", "404"]}, index=t)
    assert run("ops", codes)["errors"].tolist() == [2, 0]  # 500 and 503 in the first hour, 404 is no error


def test_every_problem_is_reported_at_once():
    df = pd.DataFrame({"timestamp": [1, 2], "latency_ms": ["a", "b"], "ttft_ms": ["x", "y"], "error": [-1, 0]})
    with pytest.raises(SchemaError) as err:
        aimon.ops(df, "1h")
    text = str(err.value)
    assert len(err.value.problems) == 4
    for col, keyword in (("timestamp", "timestamp="), ("latency_ms", "latency="), ("ttft_ms", "ttft="),
                         ("error", "error=")):
        assert repr(col) in text and keyword in text
    assert "Columns present" in text
    with pytest.raises(SchemaError) as err:
        aimon.slo(df, latency_ms=100)
    assert len(err.value.problems) == 3
    with pytest.raises(SchemaError) as err:
        aimon.quality(pd.DataFrame({"x": [1.0]}), "1h")
    assert "'timestamp' role" in str(err.value) and "'label' role" in str(err.value)
