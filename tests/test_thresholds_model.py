"""Baselines, bands, walk-forward detection, tuning and persistence, against slow references."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
import naive_thresholds as naive
from aimon.thresholds import _grid, bands, baselines, seasonality


def hourly(days=21, noise=0.5, seed=0, weekly=0.0, start="2026-01-05", tz=None):
    idx = pd.date_range(start, periods=24 * days, freq="h", tz=tz)
    hour = np.asarray(idx.hour)
    y = 10 + 5 * np.sin(2 * np.pi * hour / 24) + weekly * (np.asarray(idx.day_of_week) >= 5)
    return pd.Series(y + np.random.default_rng(seed).normal(0, noise, len(idx)), index=idx, name="lat")


# ---------------------------------------------------------------- building blocks vs references
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3000), st.one_of(st.floats(-50, 50), st.just(np.nan))), min_size=2,
                max_size=60))
def test_grid_means_like_resample(points):
    t = pd.Timestamp("2026-01-01 03:00") + pd.to_timedelta([p[0] for p in points], unit="min")
    s = pd.Series([p[1] for p in points], index=t)
    if not np.isfinite(s.to_numpy()).any():
        return
    g = _grid.to_grid(s, freq="15min")
    ref = naive.grid_means(s, "15min")
    got = pd.Series(g.values, index=g.index)
    ref = ref.reindex(got.index)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-12, equal_nan=True)
    assert np.isfinite(got.iloc[0])     # the grid starts at the first slot with a value


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([0.0, 1.0, 1.0, 2.0]), st.floats(-5, 5), st.just(np.nan)),
                min_size=1, max_size=50), st.integers(1, 12))
def test_trailing_level_is_the_median_of_the_points_before(d, window):
    d = np.array(d)
    got = bands.trailing_level(np.zeros(0), d, window)
    np.testing.assert_allclose(got, naive.trailing_median(d, window), equal_nan=True)
    split = len(d) // 2
    got2 = bands.trailing_level(d[:split], d[split:], window)    # the same with a warm-up history
    np.testing.assert_allclose(got2, naive.trailing_median(d, window)[split:], equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=3, max_size=80), st.integers(1, 9))
def test_profile_is_the_centred_median_per_phase(vals, length):
    v = np.array(vals)
    ph = np.arange(len(v)) % length
    got = baselines.profile(v, ph, length, np.ones(len(v), bool))
    ref = naive.phase_medians(v, ph, length)
    if length > 1:
        present = np.isin(np.arange(length), ph)
        ref = np.where(present, ref - np.median(ref[present]), 0.0)     # phases never seen: 0
        np.testing.assert_allclose(got, ref, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.floats(-10, 10), st.just(np.nan)), min_size=8, max_size=80), st.integers(1, 5))
def test_acf_matches_loop(vals, lag):
    x = np.array(vals)
    if np.isfinite(x).sum() < 4 or not np.nanvar(x) > 0:
        return
    got = seasonality.acf_at(x, lag)
    ok = np.isfinite(x[:-lag]) & np.isfinite(x[lag:])
    if ok.sum() < 3:
        assert np.isnan(got)
    else:
        assert got == pytest.approx(naive.acf(x, lag), rel=1e-9, abs=1e-12)


def test_robust_scale_is_the_normal_mad():
    from scipy.stats import median_abs_deviation

    r = np.random.default_rng(3).standard_t(3, 500)
    got = bands.robust_scale(r, np.zeros(500, np.int64), 1, [])
    assert got[0] == pytest.approx(median_abs_deviation(r, scale="normal"))


# ---------------------------------------------------------------- seasonality and baselines
def test_seasonality_decisions_are_reported():
    m = aimon.fit_thresholds(hourly(21, weekly=3.0), method="stl")
    t = m.seasonality_.set_index("candidate")
    assert bool(t.loc["daily", "chosen"]) and bool(t.loc["weekly", "chosen"])
    assert m.periods_ == [24]                      # stl models one period, and says so
    assert any("one period" in n for n in m.notes_)
    assert aimon.fit_thresholds(hourly(21, weekly=3.0)).periods_ == [24, 168]
    noise = pd.Series(np.random.default_rng(0).normal(size=24 * 21), index=hourly(21).index)
    assert aimon.fit_thresholds(noise).periods_ == []
    short = aimon.fit_thresholds(hourly(10))
    assert short.periods_ == [24]
    assert "needs more than two full periods" in short.seasonality_.set_index("candidate").loc["weekly", "reason"]


@pytest.mark.parametrize("method", ["mstl", "stl", "holt_winters", "rolling_quantile"])
def test_each_method_recovers_the_daily_shape(method):
    s = hourly(21, noise=0.3)
    m = aimon.fit_thresholds(s, method=method, seasonal="daily")
    true = 5 * np.sin(2 * np.pi * np.arange(24) / 24)
    assert np.corrcoef(m.state_.profile, true)[0, 1] > 0.98
    pred = m.predict(pd.date_range("2026-03-02", periods=48, freq="h"))
    assert np.abs(pred["expected"].to_numpy() - (10 + np.tile(true, 2))).max() < 1.0


def test_fast_mstl_is_close_to_statsmodels_defaults():
    from statsmodels.tsa.seasonal import MSTL

    s = hourly(28, noise=0.5, weekly=2.0)
    ours = baselines.seasonal_component(s.to_numpy(), [24, 168], "mstl")
    ref = MSTL(s.to_numpy(), periods=[24, 168]).fit().seasonal.sum(axis=1)
    assert np.corrcoef(ours, ref)[0, 1] > 0.97


# ---------------------------------------------------------------- bands
def test_band_width_follows_the_time_of_day():
    idx = pd.date_range("2026-01-05", periods=24 * 28, freq="h")
    sd = np.where(np.asarray(idx.hour) == 10, 3.0, 0.5)
    s = pd.Series(10 + np.random.default_rng(1).normal(0, 1, len(idx)) * sd, index=idx)
    m = aimon.fit_thresholds(s, seasonal="daily", method="rolling_quantile")
    p = m.predict(pd.DatetimeIndex(["2026-03-01 03:00", "2026-03-01 10:00"]))
    half = (p["upper"] - p["expected"]).to_numpy()
    assert half[1] / half[0] > 2.5


def _reference_z(y, window):
    """Standardised residuals from first principles: trailing median level, normal MAD scale."""
    from scipy.stats import median_abs_deviation

    r = y - naive.trailing_median(y, window)
    r_after = y - naive.trailing_median(y[::-1], window)[::-1]
    scale = median_abs_deviation(r[np.isfinite(r)], scale="normal")
    z = r / scale
    lag = np.isfinite(r_after) & (2 * np.abs(r_after) < np.abs(r)) & (np.abs(z) > 3)
    return z, lag


def test_multiplier_is_the_empirical_quantile_of_training_residuals():
    idx = pd.date_range("2026-01-05", periods=600, freq="h")
    y = np.random.default_rng(5).standard_t(2, 600)
    y[300:] += 30                                   # a level shift: its lag is not noise
    s = pd.Series(y, index=idx)
    z, lag = _reference_z(y, 24)
    assert lag.sum() >= 3
    for direction, pick in (("up", lambda v: v), ("both", np.abs), ("down", lambda v: -v)):
        m = aimon.fit_thresholds(s, seasonal=None, direction=direction, quantile=0.99, min_multiplier=0.1,
                                 sustain=None)
        zz = pick(z[np.isfinite(z) & ~lag])
        assert m.multiplier_ == pytest.approx(np.quantile(zz, 0.99), rel=1e-9)
        np.testing.assert_allclose(m._train_z, z, rtol=1e-9, equal_nan=True)
    assert aimon.fit_thresholds(s.iloc[:300], seasonal=None, direction="up", quantile=0.99,
                                min_multiplier=0.1).multiplier_ > 2.33   # heavier than Gaussian 99%


def test_bands_of_training_and_nonnegative_lower_band():
    s = hourly(14, noise=2.0) - 8     # dips close to zero but never below
    s = s.clip(lower=0)
    m = aimon.fit_thresholds(s)
    b = m.bands_
    assert list(b.columns) == ["expected", "lower", "upper"] and b.index.equals(m.train_index_)
    assert (b["lower"].dropna() >= 0).all() and m.nonnegative_
    assert b["expected"].iloc[:3].isna().all()      # the level needs 3 earlier points
    assert (b["upper"] >= b["expected"]).iloc[3:].all()


# ---------------------------------------------------------------- detection
@pytest.mark.filterwarnings("ignore::aimon.errors.DataDroppedWarning")
def test_walk_forward_never_looks_ahead():
    s = hourly(35, noise=0.5, seed=2)
    m = aimon.fit_thresholds(s.iloc[:24 * 5], refit="2D")
    a = m.detect(s.iloc[24 * 5:])
    changed = s.copy()
    changed.iloc[24 * 20:] += np.random.default_rng(0).normal(0, 50, len(s) - 24 * 20)
    b = m.detect(changed.iloc[24 * 5:])
    k = 24 * 15
    np.testing.assert_array_equal(a.score[:k], b.score[:k])
    np.testing.assert_array_equal(a.expected[:k], b.expected[:k])
    assert a.counts["refits"] >= 5
    assert not np.array_equal(a.score[k:], b.score[k:])


def test_spike_alerts_once_and_level_shift_is_absorbed():
    s = hourly(40, noise=0.3, seed=4)
    s.iloc[24 * 15 + 10:24 * 15 + 14] += 6               # a 4-hour incident
    s.iloc[24 * 25:] += 4                                # a lasting level shift
    m = aimon.fit_thresholds(s.iloc[:24 * 10], policy=aimon.AlertPolicy(cooldown="2h"))
    log = m.detect(s.iloc[24 * 10:])
    t = log.table
    fired = t["fired"].tolist()
    assert len(fired) == 2
    assert s.index[24 * 15 + 10] <= fired[0] <= s.index[24 * 15 + 13]
    assert s.index[24 * 25] <= fired[1] <= s.index[24 * 25 + 4]
    # absorbed: within half a level window (12 h) plus the closing hysteresis
    assert t["end"].iloc[1] <= s.index[24 * 25] + pd.Timedelta("14h")


def test_direction_up_ignores_drops():
    s = hourly(20, noise=0.3)
    s.iloc[24 * 15:24 * 15 + 5] -= 8
    up = aimon.fit_thresholds(s.iloc[:24 * 10], direction="up").detect(s.iloc[24 * 10:])
    down = aimon.fit_thresholds(s.iloc[:24 * 10], direction="down").detect(s.iloc[24 * 10:])
    assert up.n_alerts == 0 and down.n_alerts == 1
    assert down.table["direction"].tolist() == ["down"]


def test_slow_drift_is_caught_by_the_sustained_score():
    s = hourly(30, noise=0.5, seed=7)
    s.iloc[24 * 20:24 * 23] += np.linspace(0, 4, 72)            # a leak: steady growth over three days
    s.iloc[24 * 23:] += 4
    on = aimon.fit_thresholds(s.iloc[:24 * 14], direction="up").detect(s.iloc[24 * 14:])
    off = aimon.fit_thresholds(s.iloc[:24 * 14], direction="up", sustain=None).detect(s.iloc[24 * 14:])
    assert on.n_alerts >= 1 and s.index[24 * 20] <= on.table["fired"].iloc[0] <= s.index[24 * 23]
    assert off.n_alerts == 0      # no single point leaves the band: the level keeps up


def test_missing_points_are_not_judged_and_counted():
    s = hourly(20, noise=0.3)
    s.iloc[24 * 15:24 * 15 + 6] = np.nan
    s = s.drop(s.index[24 * 16:24 * 16 + 3])              # a gap in the timestamps too
    m = aimon.fit_thresholds(s.iloc[:24 * 10])
    log = m.detect(s.iloc[24 * 10:])
    assert log.counts["empty_slots"] == 3 and log.counts["missing_values"] == 6
    assert np.isnan(log.score[24 * 5:24 * 5 + 6]).all() and log.n_alerts == 0


def test_tune_meets_the_alert_budget():
    s = pd.Series(np.random.default_rng(11).standard_t(2, 24 * 30), index=hourly(30).index)
    # likelihood=None: every point outside the band counts, so the width alone sets the alert rate
    m = aimon.fit_thresholds(s, seasonal=None, likelihood=None, policy=aimon.AlertPolicy(min_duration=1, cooldown=0))
    loose = m.set_params(width=0.3).detect()
    assert loose.n_alerts / loose.days > 0.5
    tuned = m.tune(target_alerts_per_day=0.5)
    log = tuned.detect()
    assert log.n_alerts / log.days <= 0.5
    sweep = tuned.tuning_
    assert sweep["width"].iloc[-1] == tuned.width and (sweep["alerts_per_day"].iloc[:-1] > 0.5).all()
    hist = m.tune(target_alerts_per_day=1.0, history=s)          # the training series itself, walk-forward
    judged = m.detect(s)
    assert np.isfinite(judged.score).mean() > 0.9
    rate = judged.rethreshold(width=hist.width).n_alerts / judged.days
    assert rate <= 1.0 and hist.tuning_["alerts_per_day"].iloc[-1] == pytest.approx(rate)
    if len(hist.tuning_) > 1:
        assert (hist.tuning_["alerts_per_day"].iloc[:-1] > 1.0).all()


def test_json_round_trip_is_exact():
    s = hourly(21, weekly=2.0, tz="Europe/Paris")
    s.iloc[30:33] = np.nan
    m = aimon.fit_thresholds(s, direction="up", policy=aimon.AlertPolicy(min_duration="2h", max_alerts=3))
    text = m.to_json()
    assert "NaN" not in text and json.loads(text)["format"].startswith("aimon.ThresholdModel")
    r = aimon.ThresholdModel.from_json(text)
    assert r.get_params() == m.get_params()
    pd.testing.assert_frame_equal(r.bands_, m.bands_)
    pd.testing.assert_frame_equal(r.seasonality_, m.seasonality_)
    new = hourly(7, seed=9, start="2026-01-26", tz="Europe/Paris")
    pd.testing.assert_frame_equal(r.detect(new).scores, m.detect(new).scores)
    pd.testing.assert_frame_equal(r.predict(new.index), m.predict(new.index))
    assert r.to_json() == text


def test_accessors_and_no_mutation():
    s = hourly(14)
    frame = pd.DataFrame({"lat": s, "other": 1.0})
    before_s, before_f = s.copy(), frame.copy()
    a = s.aimon.fit_thresholds(method="rolling_quantile")
    b = frame.aimon.fit_thresholds("lat", method="rolling_quantile")
    c = aimon.fit_thresholds(frame, column="lat", method="rolling_quantile")
    pd.testing.assert_frame_equal(a.bands_, b.bands_)
    pd.testing.assert_frame_equal(a.bands_, c.bands_)
    a.detect(s)
    a.tune(1.0, history=s)
    pd.testing.assert_series_equal(s, before_s)
    pd.testing.assert_frame_equal(frame, before_f)
    assert "lat" in a._repr_html_() and "ThresholdModel" in repr(a)


def test_refit_schedule_every_and_while_short():
    from aimon.thresholds.walkforward import refit_starts

    assert refit_starts(100, 1000, 30) == [0, 30, 60, 90]
    # history of 100 points: refit when it reaches 150, 225, 338, 507 points (x1.5 each time),
    # i.e. at new points 50, 125, 238, 407, or 400 points after the last refit if that is sooner
    assert refit_starts(500, 100, 400) == [0, 50, 125, 238, 407]
    assert refit_starts(500, 100, 60) == [0, 50, 110, 170, 230, 290, 350, 410, 470]
    assert refit_starts(10, 100, 0) == [0]


def test_model_plot_and_training_log():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = hourly(14)
    s.iloc[24 * 10] += 8          # one point: a longer incident in training sets the multiplier itself
    m = aimon.fit_thresholds(s, method="rolling_quantile")
    ax = m.plot()
    assert ax.get_title() == f"lat: {m.detect().n_alerts} alerts" and m.detect().n_alerts >= 1
    assert len(ax.lines) >= 2 and len(ax.collections) >= 1       # series, expected, band, points
    plt.close("all")


def test_model_html_escapes_the_metric_name():
    s = hourly(7).rename("<b>p95</b> & co")
    m = aimon.fit_thresholds(s, method="rolling_quantile")
    text = m._repr_html_()
    assert "<b>p95</b>" not in text and "&lt;b&gt;p95&lt;/b&gt; &amp; co" in text
    assert "<b>p95</b>" not in m.detect()._repr_html_()
    assert "ThresholdModel(" in aimon.ThresholdModel()._repr_html_()


def test_a_short_spike_does_not_hold_the_sustained_score_up_after_it_ends():
    idx = pd.date_range("2026-01-01", periods=24 * 12 * 10, freq="5min")
    rng = np.random.default_rng(4)
    s = pd.Series(100 + rng.normal(0, 2, len(idx)), index=idx)
    s.iloc[2500:2503] += 80                               # 15 minutes, far outside the band
    log = aimon.fit_thresholds(s.iloc[:2000], seasonal=None, direction="up").detect(s.iloc[2000:])
    t = log.table
    assert len(t) == 1 and t["start"].iloc[0] == idx[2500]
    assert t["end"].iloc[0] <= idx[2503]                  # closes when the values are back (no 4 h tail)
    after = log.scores.loc[idx[2504]:idx[2560], "score"]
    assert (after < 1).all()
