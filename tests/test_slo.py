"""aimon.slo against the slow per-row loops in naive.py."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aimon
import naive
from aimon.errors import SchemaError
from aimon.metrics.slo import BURN_ALERTS

pytestmark = pytest.mark.filterwarnings("ignore::aimon.errors.DataDroppedWarning")
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INT_COLS = {"requests", "good", "bad", "excluded"}
SHORT_ALERTS = (("fast", "2h", "15min", 2.0), ("slow", "1D", "3h", 1.0))


def assert_slo(got, ref, alerts):
    bool_cols = {"slo_met", *(a[0] for a in alerts)}
    assert set(got.columns) == set(ref.columns), (sorted(got.columns), sorted(ref.columns))
    assert len(got) == len(ref)
    for c in ref.columns:
        if c in INT_COLS:
            assert pd.api.types.is_integer_dtype(got[c].dtype), c
            np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(dtype=np.int64), err_msg=c)
        elif c in bool_cols:
            assert pd.api.types.is_bool_dtype(got[c].dtype), c
            np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(dtype=bool), err_msg=c)
        else:
            np.testing.assert_allclose(got[c].to_numpy(dtype=np.float64), ref[c].to_numpy(dtype=np.float64),
                                       rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=c)


def _inputs(df):
    times, cols = naive.log_parts(df)
    return times, cols.get("latency"), cols.get("error")


@pytest.mark.parametrize("freq,span,alerts", [("1h", 2 * 86400, BURN_ALERTS), ("30min", 86400, SHORT_ALERTS),
                                              ("1D", 6 * 86400, SHORT_ALERTS), ("W", 30 * 86400, SHORT_ALERTS),
                                              ("ME", 100 * 86400, SHORT_ALERTS)])
@FEW
@given(data=st.data(), latency_ms=st.sampled_from([None, 1.0, 2.5, 100, 1000.0]),
       quantile=st.sampled_from([0.5, 0.9, 0.95, 0.999]))
def test_slo_equals_reference(freq, span, alerts, data, latency_ms, quantile):
    df = data.draw(naive.log_strategy(st, max_size=25, span_s=span, segment=False))
    before = copy.deepcopy(df)
    got = aimon.slo(df, latency_ms=latency_ms, quantile=quantile, freq=freq, burn_alerts=alerts)
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == before.attrs
    times, lat, err = _inputs(df)
    assert_slo(got, naive.slo(times, lat, err, latency_ms, quantile, freq, alerts), alerts)
    assert got.attrs["aimon"]["objective"] == quantile and got.attrs["aimon"]["latency_ms"] == latency_ms
    np.testing.assert_allclose(got.attrs["aimon"]["error_budget"], 1 - quantile, rtol=1e-12)
    pd.testing.assert_frame_equal(df.aimon.slo(latency_ms=latency_ms, quantile=quantile, freq=freq,
                                               burn_alerts=alerts), got)


@SETTINGS
@given(df=naive.log_strategy(st, max_size=25, span_s=86400, segment=True))
def test_slo_latency_only_and_by_segment(df):
    df = df.drop(columns=[c for c in ("error", "status_code") if c in df.columns])
    got = aimon.slo(df, latency_ms=50, quantile=0.9, freq="2h", by="model_version", burn_alerts=SHORT_ALERTS)
    times, lat, _ = _inputs(df)
    labels = list(pd.DataFrame(index=times).resample("2h").size().index)
    keys = sorted(df["model_version"].unique())
    assert len(got) == len(keys) * len(labels)
    for i, key in enumerate(keys):
        part = got.iloc[i * len(labels):(i + 1) * len(labels)]
        assert (part["model_version"] == key).all()
        mask = (df["model_version"] == key).to_numpy()
        ref = naive.slo(times[mask], [x for x, m in zip(lat, mask) if m], None, 50, 0.9, "2h", SHORT_ALERTS,
                        labels=labels)
        assert_slo(part.drop(columns="model_version"), ref, SHORT_ALERTS)


def test_slo_by_hand():
    t = pd.to_datetime(["2024-01-01 00:00", "2024-01-01 00:10", "2024-01-01 00:20", "2024-01-01 00:30",
                        "2024-01-01 01:05", "2024-01-01 02:59"])
    df = pd.DataFrame({"latency_ms": [100.0, 400.0, np.nan, 50.0, 20.0, 20.0],
                       "error": [0.0, 0.0, 0.0, 1.0, np.nan, 0.0]}, index=t)
    got = aimon.slo(df, latency_ms=300, quantile=0.5, freq="1h", burn_alerts=(("a", "2h", "1h", 1.0),))
    # window 0: good, slow (bad), unknown latency (excluded), failed (bad); window 1: error unknown
    assert got["good"].tolist() == [1, 0, 1]
    assert got["bad"].tolist() == [2, 0, 0]
    assert got["excluded"].tolist() == [1, 1, 0]
    np.testing.assert_allclose(got["compliance"], [1 / 3, np.nan, 1.0], equal_nan=True)
    np.testing.assert_allclose(got["burn_rate"], [(2 / 3) / 0.5, np.nan, 0.0], equal_nan=True)
    np.testing.assert_allclose(got["budget_consumed"], [2 / (0.5 * 3), 2 / (0.5 * 3), 2 / (0.5 * 4)])
    np.testing.assert_allclose(got["budget_remaining"], 1 - got["budget_consumed"])
    assert got["slo_met"].tolist() == [False, True, True]
    # trailing 2h ending at 01:00, 02:00, 03:00: [-1h, 1h) -> 2 bad of 3; [0h, 2h) -> same; [1h, 3h) -> 0 of 1
    np.testing.assert_allclose(got["burn_rate_2h"], [(2 / 3) / 0.5, (2 / 3) / 0.5, 0.0])
    np.testing.assert_allclose(got["burn_rate_1h"], [(2 / 3) / 0.5, np.nan, 0.0], equal_nan=True)
    assert got["a"].tolist() == [True, False, False]


def test_slo_weekly_trailing_window_ends_after_the_labelled_sunday():
    # 'W' windows are labelled by their Sunday and hold all of it: the week's end is Monday 00:00
    t = pd.to_datetime(["2024-01-07 23:00", "2024-01-07 23:30", "2024-01-08 00:30"])
    df = pd.DataFrame({"timestamp": t, "error": [True, True, False]})
    got = aimon.slo(df, quantile=0.9, freq="W", burn_alerts=(("p", "1h", "1h", 5.0),))
    assert got.index.tolist() == [pd.Timestamp("2024-01-07"), pd.Timestamp("2024-01-14")]
    assert got["bad"].tolist() == [2, 0]
    np.testing.assert_allclose(got["burn_rate_1h"], [1 / 0.1, np.nan], equal_nan=True)
    assert got["p"].tolist() == [True, False]


@pytest.mark.parametrize("quantile", [0, 1, 1.5, -0.1, np.nan, "0.95", None, True])
def test_slo_rejects_bad_quantile(quantile):
    df = pd.DataFrame({"latency_ms": [1.0]}, index=pd.to_datetime(["2024-01-01"]))
    with pytest.raises(SchemaError, match="quantile="):
        aimon.slo(df, latency_ms=10, quantile=quantile)


@pytest.mark.parametrize("latency_ms", [0, -5, np.nan, "300", True, [300]])
def test_slo_rejects_bad_latency_target(latency_ms):
    df = pd.DataFrame({"latency_ms": [1.0]}, index=pd.to_datetime(["2024-01-01"]))
    with pytest.raises(SchemaError, match="latency_ms="):
        aimon.slo(df, latency_ms=latency_ms)


def test_slo_accepts_numpy_numbers():
    df = pd.DataFrame({"latency_ms": [1.0, 500.0]}, index=pd.to_datetime(["2024-01-01 00:00", "2024-01-01 00:01"]))
    a = aimon.slo(df, latency_ms=np.int64(300), quantile=np.float32(0.5))
    b = aimon.slo(df, latency_ms=300, quantile=0.5)
    np.testing.assert_allclose(a["compliance"], b["compliance"])
    assert a["bad"].tolist() == [1]


def test_slo_needs_the_role_it_judges():
    t = pd.to_datetime(["2024-01-01"])
    with pytest.raises(SchemaError, match="latency='your_column'") as e:
        aimon.slo(pd.DataFrame({"error": [False]}, index=t), latency_ms=300)
    assert "'error'" in str(e.value)  # lists the columns present
    with pytest.raises(SchemaError, match="error='your_column'"):
        aimon.slo(pd.DataFrame({"latency_ms": [1.0]}, index=t), latency_ms=None)
