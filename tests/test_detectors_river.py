"""Same stream, same parameters: the same detection positions as River's detectors (test-only)."""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimon import detectors
from detector_streams import streams

river_drift = pytest.importorskip("river.drift")
from river.drift import binary as river_binary  # noqa: E402

HDDMA = getattr(river_binary, "HDDMA", getattr(river_binary, "HDDM_A", None))
HDDMW = getattr(river_binary, "HDDMW", getattr(river_binary, "HDDM_W", None))

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# (aimon class, River factory, parameter sets: River's defaults first)
CASES = {
    "adwin": (detectors.ADWIN, river_drift.ADWIN,
              [{}, {"delta": 0.05, "clock": 1}, {"delta": 0.01, "clock": 7, "max_buckets": 2, "min_window_length": 2,
                                                  "grace_period": 3}]),
    "page_hinkley": (detectors.PageHinkley, river_drift.PageHinkley,
                     [{}, {"min_instances": 10, "delta": 0.01, "threshold": 4.0},
                      {"min_instances": 5, "threshold": 2.0, "alpha": 0.99, "mode": "up"},
                      {"threshold": 3.0, "mode": "down"}]),
    "ddm": (detectors.DDM, river_binary.DDM, [{}, {"warm_start": 5, "warning_threshold": 1.0, "drift_threshold": 1.5}]),
    "eddm": (detectors.EDDM, river_binary.EDDM, [{}, {"warm_start": 5, "alpha": 0.97, "beta": 0.95}]),
    "hddm_a": (detectors.HDDM_A, HDDMA,
               [{}, {"drift_confidence": 0.05, "warning_confidence": 0.1, "two_sided_test": True}]),
    "hddm_w": (detectors.HDDM_W, HDDMW,
               [{}, {"drift_confidence": 0.05, "warning_confidence": 0.1, "lambda_val": 0.2, "two_sided_test": True}]),
    "kswin": (detectors.KSWIN, river_drift.KSWIN,
              [{"seed": 1}, {"seed": 7, "alpha": 0.05, "window_size": 30, "stat_size": 10}]),
}


def river_scan(det, x):
    """Positions where River reports a change, and where its warning zones start."""
    drifts, warns, was = [], [], False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, v in enumerate(x):
            det.update(float(v))
            if det.drift_detected:
                drifts.append(i)
            now = bool(getattr(det, "warning_detected", False)) and not det.drift_detected
            if now and not was:
                warns.append(i)
            was = now
    return drifts, warns


def ours(name, params, x):
    cls = CASES[name][0]
    if name == "kswin":
        params = {**params, "sampling": "python"}
    return cls(**params).scan(x)


@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_same_detections_as_river(name, data):
    cls, river_cls, param_sets = CASES[name]
    params = data.draw(st.sampled_from(param_sets))
    x = data.draw(streams(binary=cls.binary, max_n=600 if name == "kswin" else 1500))
    finite = x[np.isfinite(x)]
    want, want_warn = river_scan(river_cls(**params), finite)
    got = ours(name, params, x)
    pos = np.flatnonzero(np.isfinite(x))
    assert got.indices.tolist() == pos[want].tolist()
    if cls.binary and name != "eddm":
        assert got.warnings.tolist() == pos[want_warn].tolist()


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_detections_as_river_on_long_drifting_streams(name):
    cls, river_cls, param_sets = CASES[name]
    rng = np.random.default_rng(11)
    n = 3600 if name == "kswin" else 30000
    level = np.repeat(rng.normal(0, 1, 12), n // 12)
    if cls.binary:
        x = (rng.random(n) < 1 / (1 + np.exp(-(level - 1.5)))).astype(float)
    else:
        x = level * 3 + rng.normal(0, 1, n)
    for params in param_sets:
        want, _ = river_scan(river_cls(**params), x)
        got = ours(name, params, x)
        assert got.indices.tolist() == want, params
        assert len(want) > 0 or name == "kswin"


def test_river_concept_drift_stream_detections_match():
    """River's ConceptDriftStream (SEA concepts): errors of the first concept's rule, scanned by both."""
    from river.datasets import synth

    stream = synth.ConceptDriftStream(stream=synth.SEA(seed=1, variant=0), drift_stream=synth.SEA(seed=2, variant=3),
                                      seed=1, position=3000, width=50)
    errors = np.array([float((x[0] + x[1] > 8) != y) for x, y in stream.take(6000)])
    assert errors[:3000].mean() < 0.01 < 0.1 < errors[3100:].mean()
    for name in ("ddm", "eddm", "hddm_a", "hddm_w", "adwin"):
        cls, river_cls, param_sets = CASES[name]
        want, _ = river_scan(river_cls(**param_sets[0]), errors)
        assert ours(name, param_sets[0], errors).indices.tolist() == want
    assert any(3000 <= i < 3400 for i in ours("ddm", {}, errors).indices)
