"""Awkward series get a correct result or a clear AimonError, and are never changed."""
import copy
import warnings

import numpy as np
import pandas as pd
import pytest

import aimon
from aimon.errors import AimonError, DataDroppedWarning, SchemaError


def hourly(days=14, seed=0):
    idx = pd.date_range("2026-01-05", periods=24 * days, freq="h")
    y = 10 + 5 * np.sin(2 * np.pi * np.asarray(idx.hour) / 24)
    return pd.Series(y + np.random.default_rng(seed).normal(0, 0.5, len(idx)), index=idx, name="lat")


def call(fn, obj, expect=None):
    """Run ``fn(obj)``; the input must be unchanged; only AimonErrors may escape."""
    before = copy.deepcopy(obj)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataDroppedWarning)
            out = fn(obj)
    except AimonError as e:
        out = e
    except Exception as e:
        raise AssertionError(f"{type(e).__name__} instead of an AimonError: {e}") from e
    finally:
        if isinstance(obj, pd.DataFrame):
            pd.testing.assert_frame_equal(obj, before)
        elif isinstance(obj, pd.Series):
            pd.testing.assert_series_equal(obj, before)
    if expect is not None:
        assert isinstance(out, expect), out
    return out


def test_shorter_than_two_periods_falls_back_and_says_so():
    s = hourly(1)
    m = call(lambda x: aimon.fit_thresholds(x, seasonal="daily"), s, aimon.ThresholdModel)
    assert m.periods_ == [] and any("non-seasonal" in n for n in m.notes_)
    auto = call(aimon.fit_thresholds, s, aimon.ThresholdModel)
    assert auto.periods_ == [] and "needs more than two full periods" in auto.seasonality_["reason"].iloc[0]
    assert np.isfinite(auto.predict(s.index[-1:] + pd.Timedelta("1h"))).all().all()


def test_irregular_timestamps_are_averaged_and_counted():
    s = hourly(14)
    jitter = pd.to_timedelta(np.random.default_rng(1).integers(0, 50, len(s)), unit="min")
    irr = pd.Series(s.to_numpy(), index=s.index + jitter, name="lat")
    irr = pd.concat([irr, irr.iloc[:5]])                   # duplicates, out of order
    m = call(lambda x: aimon.fit_thresholds(x, freq="1h"), irr, aimon.ThresholdModel)
    assert m.counts_["off_grid"] > 0 and m.counts_["averaged"] >= 5 and m.freq_ == "h"
    assert any("averaged" in n for n in m.notes_)
    log = m.detect(irr)
    assert len(log.index) == len(m.train_index_)


def test_constant_series():
    idx = pd.date_range("2026-01-01", periods=24 * 10, freq="h")
    s = pd.Series(5.0, index=idx)
    m = call(aimon.fit_thresholds, s, aimon.ThresholdModel)
    assert m.periods_ == [] and np.isfinite(m.bands_.iloc[3:]).all().all()
    assert any("constant" in n for n in m.notes_)
    new = pd.Series(5.0, index=idx + pd.Timedelta("10D"))
    new.iloc[50:53] = 6.0
    log = m.detect(new)
    assert log.n_alerts == 1 and np.isfinite(log.score).all()


def test_nan_runs_and_all_nan():
    s = hourly(14)
    s.iloc[100:160] = np.nan
    m = call(aimon.fit_thresholds, s, aimon.ThresholdModel)
    assert m.counts_["missing_values"] == 60 and m.periods_ == [24]
    assert np.isnan(m.detect().score[100:160]).all()
    e = call(aimon.fit_thresholds, s * np.nan, AimonError)
    assert "no finite values" in str(e)


def test_level_shift_in_training_does_not_blind_the_model():
    s = hourly(21, seed=3)
    s.iloc[24 * 7:] += 20
    m = call(aimon.fit_thresholds, s.iloc[:24 * 14], aimon.ThresholdModel)
    new = s.iloc[24 * 14:].copy()
    new.iloc[60:64] += 8
    log = m.detect(new)
    assert log.n_alerts == 1 and new.index[60] <= log.table["fired"].iloc[0] <= new.index[63]


def test_negative_values_of_a_nonnegative_metric():
    s = hourly(14).clip(lower=0)
    m = aimon.fit_thresholds(s)
    bad = s.copy()
    bad.iloc[10:13] = -1.0
    with pytest.warns(DataDroppedWarning, match="negative"):
        log = m.detect(bad)
    assert log.counts["negative_values"] == 3 and np.isnan(log.score[10:13]).all()
    with pytest.warns(DataDroppedWarning, match="negative"):
        m2 = aimon.fit_thresholds(bad, nonnegative=True)
    assert m2.counts_["negative_values"] == 3
    assert not aimon.fit_thresholds(bad).nonnegative_       # decided from the data: may be negative


def test_frequency_that_does_not_divide_a_day():
    idx = pd.date_range("2026-01-01", periods=3000, freq="7min")
    s = pd.Series(np.random.default_rng(0).normal(size=3000), index=idx)
    m = call(aimon.fit_thresholds, s, aimon.ThresholdModel)
    assert m.periods_ == [] and "does not divide a day" in m.seasonality_["reason"].iloc[0]
    e = call(lambda x: aimon.fit_thresholds(x, seasonal="daily"), s, AimonError)
    assert "divides a day" in str(e) and "freq=" in str(e)
    ok = call(lambda x: aimon.fit_thresholds(x, freq="10min"), s, aimon.ThresholdModel)
    assert ok.freq_ == "10min"


@pytest.mark.parametrize("obj, match", [
    ([1, 2, 3], "Series"),
    (pd.Series([1.0, 2.0, 3.0]), "DatetimeIndex"),
    (pd.Series(["a", "b", "c"], index=pd.date_range("2026-01-01", periods=3, freq="h")), "text"),
    (pd.DataFrame({"x": [1.0]}, index=pd.date_range("2026-01-01", periods=1)), "column"),
])
def test_wrong_kinds_of_input(obj, match):
    e = call(aimon.fit_thresholds, obj, SchemaError)
    assert match in str(e)


@pytest.mark.parametrize("params, match", [
    ({"method": "prophet"}, "method="), ({"direction": "sideways"}, "direction="),
    ({"quantile": 1.5}, "quantile="), ({"width": 0}, "width="), ({"freq": "often"}, "freq="),
    ({"policy": "strict"}, "AlertPolicy"), ({"level_window": "soon"}, "level_window="),
    ({"seasonal": "monthly"}, "seasonal="), ({"seasonal": [0]}, "seasonal="), ({"seasonal": 2.5}, "seasonal="),
])
def test_bad_parameters(params, match):
    e = call(lambda x: aimon.fit_thresholds(x, **params), hourly(3), AimonError)
    assert match in str(e)


def test_misuse_of_the_model():
    s = hourly(3)
    with pytest.raises(AimonError, match="not fitted"):
        aimon.ThresholdModel().detect(s)
    m = aimon.fit_thresholds(s)
    with pytest.raises(SchemaError, match="tz"):
        m.detect(s.tz_localize("UTC"))
    with pytest.raises(SchemaError, match="column"):
        aimon.fit_thresholds(pd.DataFrame({"a": s}), column="b")
    with pytest.raises(AimonError, match="parameter"):
        m.set_params(colour="red")
    with pytest.raises(AimonError, match="JSON"):
        aimon.ThresholdModel.from_json("{not json")
    with pytest.raises(AimonError, match="format"):
        aimon.ThresholdModel.from_json('{"a": 1}')
    with pytest.raises(AimonError, match="target_alerts_per_day"):
        m.tune(-1)
    with pytest.raises(SchemaError, match="timestamps"):
        m.predict([1.5, "x"])


def test_infinite_values_and_unparseable_timestamps_are_counted():
    s = hourly(14)
    s.iloc[5] = np.inf
    s.iloc[6] = -np.inf
    idx = s.index.to_series()
    idx.iloc[7] = pd.NaT
    s.index = pd.DatetimeIndex(idx)
    with pytest.warns(DataDroppedWarning, match="left out"):
        m = aimon.fit_thresholds(s)
    assert m.counts_["invalid_values"] == 2 and m.counts_["no_timestamp"] == 1
    assert np.isnan(m.train_values_[5:7]).all() and np.isfinite(m.bands_.iloc[24:]).all().all()


def test_integer_period_with_a_step_that_does_not_divide_a_day():
    idx = pd.date_range("2026-01-01", periods=700, freq="7min")
    y = np.sin(2 * np.pi * np.arange(700) / 20) + np.random.default_rng(2).normal(0, 0.05, 700)
    s = pd.Series(y, index=idx)
    m = call(lambda x: aimon.fit_thresholds(x, seasonal=20, method="stl"), s, aimon.ThresholdModel)
    assert m.periods_ == [20]
    true = np.sin(2 * np.pi * np.arange(20) / 20)
    ph = aimon.thresholds._grid.phase(idx[:20], 7 * 60 * 10**9, 20)
    assert np.corrcoef(m.state_.profile[ph], true)[0, 1] > 0.98


def test_daily_step_has_a_weekly_cycle_and_no_daily_one():
    idx = pd.date_range("2025-01-06", periods=120, freq="D")
    y = 100 + 20 * (np.asarray(idx.day_of_week) >= 5) + np.random.default_rng(0).normal(0, 3, 120)
    s = pd.Series(y, index=idx)
    s.iloc[100] += 60                                  # one extreme day: fires at once (fire_at)
    auto = aimon.fit_thresholds(s.iloc[:90])
    assert auto.periods_ == [7]
    log = auto.detect(s.iloc[90:])
    assert log.table["fired"].tolist() == [s.index[100]]
    m = call(lambda x: aimon.fit_thresholds(x, seasonal=("daily", "weekly")), s.iloc[:90], aimon.ThresholdModel)
    assert m.periods_ == [7] and any("no daily cycle" in n for n in m.notes_)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from([0.0, 1.0, 1.0, 5.0, np.nan]), st.floats(-1e3, 1e3)),
                min_size=1, max_size=400),
       st.sampled_from(["5min", "1h", "7min"]), st.sampled_from(["mstl", "rolling_quantile", "stl"]),
       st.sampled_from(["up", "down", "both"]))
def test_any_series_gives_a_result_or_an_aimon_error(values, freq, method, direction):
    idx = pd.date_range("2026-01-01", periods=len(values), freq=freq)
    s = pd.Series(values, index=idx)
    cut = max(1, len(values) * 2 // 3)
    m = call(lambda x: aimon.fit_thresholds(x, method=method, direction=direction), s.iloc[:cut])
    if isinstance(m, AimonError):
        assert np.isfinite(s.iloc[:cut].to_numpy()).sum() < 3 or "no finite values" in str(m)
        return
    log = call(lambda x: m.detect(x), s.iloc[cut:]) if cut < len(values) else m.detect()
    assert not isinstance(log, AimonError), log
    ok = np.isfinite(log.values) & np.isfinite(log.expected)
    assert np.isfinite(log.score[ok]).all()           # every judged point has a finite score
    assert np.isnan(log.score[~np.isfinite(log.values)]).all()   # missing points are never judged
    t = log.table
    assert (t["fired"] >= t["start"]).all() and (t["end"] >= t["start"]).all()
    b = m.predict(idx[-1:] + pd.Timedelta("1D"))
    assert np.isfinite(b.to_numpy()).all()


def test_detect_on_only_missing_values_judges_nothing():
    """A fitted model asked to judge a stretch with no finite value answers with an AlertLog of zero
    judged points (found by the random-series test: it raised 'Nothing to learn from')."""
    idx = pd.date_range("2026-01-01", periods=5, freq="5min")
    s = pd.Series([0.0, 0.0, 0.0, np.nan, np.nan], index=idx)
    log = aimon.fit_thresholds(s.iloc[:3]).detect(s.iloc[3:])
    assert log.n_alerts == 0 and int(np.isfinite(log.score).sum()) == 0 and len(log.table) == 0


@pytest.mark.parametrize("seasonal", ["auto", "weekly"])
def test_exactly_two_weeks_of_history_fits(seasonal):
    # MSTL refuses a period of half the series and statsmodels then failed with an
    # UnboundLocalError (NAB's Twitter_volume_IBM, 14 days at 5 minutes, weekly cycle only)
    idx = pd.date_range("2026-01-05", periods=2 * 2016, freq="5min")
    weekend = np.asarray(idx.day_of_week >= 5, float)
    s = pd.Series(100 + 40 * weekend + np.random.default_rng(0).normal(0, 5, len(idx)), index=idx)
    model = aimon.fit_thresholds(s, seasonal=seasonal)
    assert 2016 not in model.periods_
    if seasonal == "weekly":
        assert any("not more than two periods" in n for n in model.notes_)
    else:
        assert "more than two full periods" in model.seasonality_.set_index("candidate").loc["weekly", "reason"]
    assert 2016 in aimon.fit_thresholds(pd.concat([s, s.iloc[:1].set_axis(idx[-1:] + idx.freq)])).periods_
