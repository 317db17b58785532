"""The alert-policy kernel against a slow re-reading of its rules, and the AlertLog built on it."""
import html

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
import naive_thresholds as naive
from aimon._kernels.alerting import scan
from aimon.errors import AimonError

ONES = np.ones(11)

scores = st.lists(st.one_of(st.sampled_from([0.0, 0.5, 0.8, 1.0, 1.5, 3.0, np.nan]),
                            st.floats(-1, 4, allow_nan=False)), min_size=0, max_size=120)


@settings(max_examples=300, deadline=None)
@given(scores, st.sampled_from([1.0, 1.2]), st.sampled_from([0.5, 0.8, 1.0]), st.integers(1, 4),
       st.integers(0, 6), st.integers(0, 3), st.integers(1, 30), st.sampled_from([np.inf, 2.0, 3.0]),
       st.integers(0, 3))
def test_scan_matches_the_rules(score, open_at, close_at, min_points, cooldown, max_alerts, per, fire_at, gate):
    x = np.array(score, dtype=np.float64)
    # gate 0: every point confirmed; otherwise an irregular pattern of unconfirmed points
    conf = np.array([1.0 if gate == 0 or (7 * i + gate) % 3 else 0.0 for i in range(len(x))])
    out = scan(x, open_at, close_at, min_points, cooldown, max_alerts, per, fire_at, conf)
    got = [(a, b, c, bool(d)) for a, b, c, d in zip(*[a.tolist() for a in out])]
    assert got == naive.policy_episodes(list(x), open_at, close_at, min_points, cooldown, max_alerts, per, fire_at,
                                        confirmed=list(conf))


def test_scan_examples():
    x = np.array([0, 2, 2, 2, 0.9, 0.5, 2, 2, np.nan, 2, 0.1])
    s, f, e, _ = scan(x, 1.0, 0.8, 2, 0, 0, 1, np.inf, ONES)
    assert (s.tolist(), f.tolist(), e.tolist()) == ([1, 6], [2, 7], [4, 9])   # NaN keeps it open
    s, f, e, _ = scan(x, 1.0, 0.8, 2, 3, 0, 1, np.inf, ONES)                                  # cooldown 3 after end 4
    assert f.tolist() == [2]                                                   # 7 is in cooldown, NaN resets
    assert naive.policy_episodes(list(x), 1.0, 0.8, 2, 3, 0, 1) == [(1, 2, 4, False)]
    s, f, e, sup = scan(np.array([2.0, 0, 2, 0, 2, 0]), 1.0, 1.0, 1, 0, 2, 10, np.inf, ONES)
    assert sup.tolist() == [0, 0, 1]
    s, f, e, _ = scan(np.array([0, 1.5, 0, 2.5, 0]), 1.0, 0.75, 3, 0, 0, 1, 2.0, ONES)   # extreme: at once
    assert (s.tolist(), f.tolist(), e.tolist()) == ([3], [3], [3])


def test_policy_parameters_are_checked():
    with pytest.raises(AimonError, match="close_at"):
        aimon.AlertPolicy(open_at=1.0, close_at=1.5)
    with pytest.raises(AimonError, match="max_alerts"):
        aimon.AlertPolicy(max_alerts=0)
    with pytest.raises(AimonError, match="cooldown"):
        aimon.AlertPolicy(cooldown="soon")
    with pytest.raises(AimonError, match="fire_at"):
        aimon.AlertPolicy(fire_at=0.5)
    p = aimon.AlertPolicy(min_duration="15min", cooldown="1h", max_alerts=2, per="6h")
    assert p.points(5 * 60 * 10**9) == (3, 12, 2, 72)
    assert aimon.AlertPolicy(**p.to_dict()) == p
    q = aimon.AlertPolicy(fire_at=float("inf"))
    assert aimon.AlertPolicy(**q.to_dict()) == q


def _log(values, **kw):
    idx = pd.date_range("2026-01-01", periods=len(values), freq="h")
    z = np.asarray(values, float)
    return aimon.AlertLog(idx, z * 10 + 100, np.full(len(z), 100.0), z, multiplier=2.0, width=1.0,
                          direction=kw.pop("direction", "both"), policy=kw.pop("policy", aimon.AlertPolicy(cooldown=0, fire_at=np.inf)),
                          step_ns=3600 * 10**9, scale=np.full(len(z), 10.0), name=kw.pop("name", "lat"), **kw)


def test_alertlog_table_per_day_and_flags():
    z = np.zeros(72)
    z[5:9] = [3, 5, 4, 1]          # up episode, fires at 6 (2 points >= 1 at multiplier 2)
    z[30:33] = [-6, -6, -6]        # down episode
    log = _log(z)
    t = log.table
    assert t["fired"].tolist() == [log.index[6], log.index[31]]
    assert t["start"].tolist() == [log.index[5], log.index[30]]
    assert t["end"].tolist() == [log.index[7], log.index[32]]           # 1 / 2 = 0.5 < close 0.75
    assert t["duration"].tolist() == [pd.Timedelta("3h"), pd.Timedelta("3h")]
    assert t["direction"].tolist() == ["up", "down"]
    assert t["peak_score"].tolist() == [2.5, 3.0] and t["peak_value"].tolist() == [150.0, 40.0]
    assert t["severity"].tolist() == ["critical", "critical"]
    assert log.per_day.tolist() == [1, 1, 0]
    assert log.flags.sum() == 2 and log.flags.iloc[6] == 1
    up = _log(z, direction="up")
    assert up.table["direction"].tolist() == ["up"]
    assert log.rethreshold(width=3.0).n_alerts == 1          # -6 / (2 * 3) = 1 on three points
    assert log.rethreshold(width=3.01).n_alerts == 0
    assert log.rethreshold(policy=aimon.AlertPolicy(min_duration=4, cooldown=0, fire_at=np.inf)).n_alerts == 0
    at_once = log.rethreshold(policy=aimon.AlertPolicy(min_duration=4, cooldown=0, fire_at=2.5))
    assert at_once.table["fired"].tolist() == [log.index[6], log.index[30]]      # scores 2.5 and 3
    b = log.bands
    np.testing.assert_allclose(b["upper"] - b["expected"], 20.0)


def test_alertlog_html_escapes_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    z = np.zeros(30)
    z[3:6] = 5
    log = _log(z, name="<script>alert(1)</script>")
    text = log._repr_html_()
    assert "<script>" not in text and html.escape("<script>") in text
    ax = log.plot()
    assert ax.get_title().endswith("1 alerts")
    assert len(ax.patches) >= 1   # the episode span
    import matplotlib.pyplot as plt

    plt.close("all")
