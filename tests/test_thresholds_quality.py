"""Default settings meet the quality targets on real and bundled incidents (regression guard).

The full comparison with baselines is benchmarks/bench_thresholds.py; this only checks that
the defaults have not silently regressed below the issue's targets.
"""
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aimon
import naive_thresholds as naive

NAB = next((p for p in (Path(__file__).resolve().parents[1] / ".." / "shared" / "nab-dev",
                         Path(__file__).resolve().parents[1] / ".." / ".." / "shared" / "nab-dev")
            if (p / "nab_score.py").exists()), Path(__file__).resolve().parents[1] / ".." / "shared" / "nab-dev")


@pytest.mark.skipif(not (NAB / "nab_score.py").exists(), reason="../shared/nab-dev is not present")
def test_nab_standard_score_with_defaults_walk_forward():
    ns = naive.nab_score_module(NAB)
    corpus = ns.load_corpus(str(NAB))
    flags = {}
    for rel, s in corpus.items():
        series = pd.Series(s.values, index=pd.DatetimeIndex(s.timestamps))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", aimon.errors.DataDroppedWarning)
            log = aimon.fit_thresholds(series.iloc[:s.probation]).detect(series.iloc[s.probation:])
        f = np.zeros(s.n)
        fired = log.flags.index[log.flags.to_numpy() > 0]
        f[np.searchsorted(series.index.as_unit("ns").asi8, fired.as_unit("ns").asi8)] = 1
        assert f[:s.probation].sum() == 0            # nothing is judged on the data it was fitted on
        flags[rel] = f
    res = ns.evaluate(corpus, flags, threshold=0.5)["ALL"]
    # issue 17's targets (measured 74.5 and episode F1 0.553 with benchmarks/bench_thresholds.py)
    assert res["NAB_standard"] >= 70 and res["F1_episode"] >= 0.5, (res["NAB_standard"], res["F1_episode"])


@pytest.mark.parametrize("name", ["credit_scoring", "chatbot"])
def test_bundled_latency_incidents(name):
    df = getattr(aimon.datasets, f"load_{name}")()
    s = df.aimon.ops("15min")["latency_p95"]
    cut = s.index[0] + pd.Timedelta("3D")
    log = aimon.fit_thresholds(s[s.index < cut], direction="up").detect(s[s.index >= cut])
    flags = log.flags
    flags.index = flags.index + pd.Timedelta("15min")     # raised when the window closes
    r = aimon.evaluate_alerts(flags, df.attrs["events"], kinds=["latency_spike", "latency_degradation"],
                              tolerance="15min").iloc[0]
    assert r["windows"] == 3 and r["recall"] >= 0.9 and r["false_alerts_per_day"] <= 1.0, r.to_dict()


@pytest.mark.skipif(not (NAB / "nab_score.py").exists(), reason="../shared/nab-dev is not present")
@pytest.mark.parametrize("name", ["nyc_taxi", "ambient_temperature_system_failure"])
def test_widening_matches_real_out_of_sample_spread(name):
    # rolling origins: fit on 28 days, judge the next 7 without refits; the spread of the new
    # points' residuals over the in-sample ones is what the widening sqrt((k+1)/(k-1)) predicts
    # for the weekly profile (k = 4 cycles): measured 1.30 (taxi) and 1.26 (temperature) vs 1.29
    from scipy.stats import median_abs_deviation as mad

    ns = naive.nab_score_module(NAB)
    s = ns.load_corpus(str(NAB))[f"realKnownCause/{name}.csv"]
    series = pd.Series(s.values, index=pd.DatetimeIndex(s.timestamps))
    ratios, predicted = [], []
    t = series.index[0] + pd.Timedelta("28D")
    while t + pd.Timedelta("7D") < series.index[-1]:
        train = series[(series.index >= t - pd.Timedelta("28D")) & (series.index < t)]
        model = aimon.fit_thresholds(train)
        if len(model.periods_) == 2:
            c = model.state_.inflation
            new = model.detect(series[(series.index >= t) & (series.index < t + pd.Timedelta("7D"))], refit=None).z
            ratios.append(mad(new * c, scale="normal", nan_policy="omit")
                          / mad(model._train_z * c, scale="normal", nan_policy="omit"))
            predicted.append(c)
        t += pd.Timedelta("7D")
    assert len(ratios) >= 20
    assert np.median(ratios) == pytest.approx(np.median(predicted), rel=0.1)
    assert np.median(ratios) > 1.15                      # unwidened bands would be clearly too narrow
