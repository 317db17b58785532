"""evaluate_alerts against explicit loops (always) and against NAB's scorer (when nab-dev is present)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
import naive_thresholds as naive
from aimon.errors import AimonError, SchemaError

NAB = next((p for p in (Path(__file__).resolve().parents[1] / ".." / "shared" / "nab-dev",
                         Path(__file__).resolve().parents[1] / ".." / ".." / "shared" / "nab-dev")
            if (p / "nab_score.py").exists()), Path(__file__).resolve().parents[1] / ".." / "shared" / "nab-dev")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=80), st.lists(st.tuples(st.integers(0, 79), st.integers(0, 12)),
                                                                  max_size=4),
       st.one_of(st.none(), st.integers(0, 40)), st.sampled_from([None, "Europe/Paris"]))
def test_matches_explicit_loops(flags, wins, start, tz):
    idx = pd.date_range("2026-03-01", periods=len(flags), freq="15min", tz=tz)
    f = pd.Series(np.array(flags, dtype=int), index=idx)
    windows = [(idx[0] + pd.Timedelta(minutes=15 * a), idx[0] + pd.Timedelta(minutes=15 * (a + w))) for a, w in wins]
    t0 = None if start is None else idx[0] + pd.Timedelta(minutes=15 * start)
    got = aimon.evaluate_alerts(f, windows, start=t0).iloc[0]
    ref = naive.window_eval(idx, flags, windows, start=t0)
    for k in ("detected", "windows", "false_episodes", "episodes", "true_episodes"):
        assert got[k] == ref[k], k
    tp, fp, n = ref["detected"], ref["false_episodes"], ref["windows"]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / n if n else 0.0
    assert got["precision"] == pytest.approx(p) and got["recall"] == pytest.approx(r)
    assert got["f1"] == pytest.approx(2 * p * r / (p + r) if p + r else 0.0)
    if ref["delays"]:
        assert got["mean_delay"] == pd.Series(ref["delays"]).mean()
    else:
        assert pd.isna(got["mean_delay"])
    days = int(np.count_nonzero(idx >= t0) if t0 is not None else len(idx)) * 15 / 1440
    if len(flags) > 1 and days:
        assert got["false_alerts_per_day"] == pytest.approx(fp / days)
    else:   # one point: no step, so no length of time to divide by
        assert np.isnan(got["false_alerts_per_day"])


def test_event_table_filters_and_alertlog_input():
    df = aimon.datasets.load_chatbot()
    ev = df.attrs["events"]
    idx = pd.date_range(ev["start"].min().floor("D"), periods=96 * 8, freq="15min")
    flags = pd.Series(0, index=idx)
    spikes = ev[ev["kind"] == "latency_spike"]
    flags.iloc[flags.index.searchsorted(spikes["start"].iloc[0])] = 1
    r = aimon.evaluate_alerts(flags, ev, kinds="latency_spike").iloc[0]
    assert (r["windows"], r["detected"]) == (int((spikes["start"] <= idx[-1]).sum()), 1)
    by_col = aimon.evaluate_alerts(flags, ev, columns="ttft_ms").iloc[0]
    assert by_col["windows"] == int(ev["columns"].str.contains("ttft_ms").sum())
    per = aimon.evaluate_alerts(flags, ev, kinds="latency_spike", per_event=True)
    assert per["detected"].tolist()[0] and per["delay"].iloc[0] <= pd.Timedelta("15min")


def test_bad_inputs():
    idx = pd.date_range("2026-01-01", periods=5, freq="h")
    with pytest.raises(SchemaError, match="AlertLog"):
        aimon.evaluate_alerts([0, 1], [])
    with pytest.raises(SchemaError, match="start"):
        aimon.evaluate_alerts(pd.Series(0, index=idx), pd.DataFrame({"begin": [idx[0]]}))
    with pytest.raises(SchemaError, match="tz"):
        aimon.evaluate_alerts(pd.Series(0, index=idx), [(idx[0].tz_localize("UTC"), idx[1].tz_localize("UTC"))])
    with pytest.raises(AimonError, match="before it starts"):
        aimon.evaluate_alerts(pd.Series(0, index=idx), [(idx[2], idx[1])])


@pytest.mark.skipif(not (NAB / "nab_score.py").exists(), reason="../shared/nab-dev is not present")
def test_agrees_with_nab_window_metrics():
    ns = naive.nab_score_module(NAB)
    corpus = ns.load_corpus(str(NAB))
    rng = np.random.default_rng(4)
    for rel in list(corpus)[::3]:
        s = corpus[rel]
        idx = pd.DatetimeIndex(s.timestamps)
        for density in (0.001, 0.01, 0.05):
            f = (rng.random(s.n) < density).astype(int)
            ref = ns.window_metrics(s, f)
            wins = [(idx[a], idx[b]) for a, b in s.windows]
            got = aimon.evaluate_alerts(pd.Series(f, index=idx), wins, start=idx[s.probation]).iloc[0]
            assert got["windows"] == ref["windows"] and got["detected"] == ref["TP"], rel
            assert got["false_episodes"] == ref["FP_episodes"] and got["false_flags"] == ref["FP_flags"], rel
            assert got["episodes"] == ref["episodes"] and got["true_episodes"] == ref["true_episodes"], rel
            summ = ns.summarise_window_metrics([ref])
            assert got["precision"] == pytest.approx(summ["precision_episode"])
            assert got["recall"] == pytest.approx(summ["recall"]) and got["f1"] == pytest.approx(summ["F1_episode"])


def test_offset_shifts_every_alert_before_matching():
    idx = pd.date_range("2026-01-01", periods=12, freq="15min")
    flags = pd.Series([0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0], index=idx)   # window labels (starts)
    events = [(idx[2] + pd.Timedelta("8min"), idx[4])]                  # starts inside window 2
    plain = aimon.evaluate_alerts(flags, events).iloc[0]
    shifted = aimon.evaluate_alerts(flags, events, offset="15min").iloc[0]
    by_hand = aimon.evaluate_alerts(flags.set_axis(idx + pd.Timedelta("15min")), events).iloc[0]
    assert plain["detected"] == 0 and plain["false_episodes"] == 2
    assert shifted["detected"] == 1 and shifted["false_episodes"] == 1
    assert shifted.drop("days").equals(by_hand.drop("days"))
    with pytest.raises(aimon.SchemaError, match="offset="):
        aimon.evaluate_alerts(flags, events, offset="soon")
