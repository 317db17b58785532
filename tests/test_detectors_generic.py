"""One suite over every registered detector: streaming state, NaN, bad inputs, no mutation."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimon import detectors
from aimon.errors import AimonError
from detector_streams import shifted, streams

NAMES = sorted(detectors.REGISTRY)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make(name, **kw):
    cls = detectors.REGISTRY[name]
    return cls(**{**cls.test_params, **kw})


def test_registry_has_every_detector_of_the_issue():
    assert set(NAMES) == {"adwin", "page_hinkley", "cusum", "ddm", "eddm", "hddm_a", "hddm_w", "kswin"}
    assert detectors.get("PH") is detectors.PageHinkley and detectors.get("HDDM-A") is detectors.HDDM_A
    with pytest.raises(AimonError, match="Choose one of"):
        detectors.get("nope")


@pytest.mark.parametrize("name", NAMES)
def test_finds_a_clear_change_once(name):
    cls = detectors.REGISTRY[name]
    x = shifted(cls.binary)
    res = make(name).scan(x)
    after = res.indices[res.indices >= 1500]
    assert len(after) >= 1 and after[0] < 1800, res
    assert res.ready and res.n == len(x) and res.skipped == 0
    assert len(res.statistic) == len(res)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_chunks_continue_the_stream(name, data):
    cls = detectors.REGISTRY[name]
    x = data.draw(streams(binary=cls.binary))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(x)), max_size=4)))
    whole = make(name).scan(x)
    det = make(name)
    parts = [det.scan(x[a:b]) for a, b in zip([0, *cuts], [*cuts, len(x)])]
    got = np.concatenate([p.stream_indices for p in parts])
    np.testing.assert_array_equal(got, whole.stream_indices)
    np.testing.assert_array_equal(got, whole.indices)
    np.testing.assert_allclose(np.concatenate([p.statistic for p in parts]), whole.statistic)
    assert sum(p.skipped for p in parts) == whole.skipped == int(np.isnan(x).sum())
    starts = np.cumsum([0, *[p.n for p in parts[:-1]]])
    for p, s in zip(parts, starts):
        np.testing.assert_array_equal(p.indices + s, p.stream_indices)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_nan_and_inf_are_skipped_and_counted(name, data):
    cls = detectors.REGISTRY[name]
    x = data.draw(streams(binary=cls.binary, nan=False))
    holes = data.draw(st.lists(st.integers(0, len(x)), max_size=6))
    y = x.copy()
    for h in sorted(holes, reverse=True):
        y = np.insert(y, h, [np.nan, np.inf][h % 2])
    clean = make(name).scan(x)
    dirty = make(name).scan(y)
    finite = np.flatnonzero(np.isfinite(y))
    np.testing.assert_array_equal(dirty.indices, finite[clean.indices])
    assert dirty.skipped == len(holes)


@pytest.mark.parametrize("name", NAMES)
def test_empty_and_short_streams(name):
    det = make(name)
    res = det.scan(np.array([]))
    assert len(res) == 0 and res.n == 0 and not res.ready
    short = det.scan(np.zeros(det.warmup - 1)) if det.warmup > 1 else det.scan(np.zeros(0))
    assert len(short) == 0 and not short.ready
    assert det.scan([0.0]).ready == (det.warmup <= max(det.warmup - 1, 0) + 1)
    all_nan = make(name).scan(np.full(10, np.nan))
    assert len(all_nan) == 0 and all_nan.skipped == 10 and not all_nan.ready


@pytest.mark.parametrize("name", NAMES)
def test_input_is_not_mutated_and_types_are_accepted(name):
    cls = detectors.REGISTRY[name]
    x = shifted(cls.binary, n=600, at=300)
    s = pd.Series(x, index=pd.date_range("2024-01-01", periods=len(x), freq="min"))
    kept = copy.deepcopy(s)
    a = make(name).scan(s)
    pd.testing.assert_series_equal(s, kept)
    b = make(name).scan(list(x))
    c = make(name).scan(x.astype(np.float32).astype(np.float64))
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.indices, c.indices)
    with_na = pd.Series(pd.array(np.round(x).astype(int), dtype="Int64"))
    with_na[3] = pd.NA
    assert make(name).scan(with_na).skipped == 1
    obj = pd.Series(list(x[:50]) + [None], dtype=object)
    assert make(name).scan(obj).skipped == 1
    if cls.binary:
        assert make(name).scan(x.astype(bool)).indices.tolist() == a.indices.tolist()


@pytest.mark.parametrize("name", NAMES)
def test_bad_inputs_get_clear_errors(name):
    det = make(name)
    with pytest.raises(AimonError, match="not numbers"):
        det.scan(pd.Series(["a", "b", "1"]))
    with pytest.raises(AimonError, match="1-D"):
        det.scan(np.zeros((3, 2)))
    with pytest.raises(AimonError, match="expected numbers"):
        det.scan(pd.date_range("2024-01-01", periods=3).to_numpy())
    with pytest.raises(AimonError, match="unknown parameter"):
        type(det)(not_a_parameter=1)
    if det.binary:
        with pytest.raises(AimonError, match="binary error stream"):
            det.scan([0.0, 1.0, 0.5, 2.0])
        with pytest.raises(AimonError, match="drop scale"):
            type(det)(scale=2.0)


@pytest.mark.parametrize("cls, params", [
    (detectors.ADWIN, {"delta": 2.0}), (detectors.ADWIN, {"clock": 0}), (detectors.ADWIN, {"max_buckets": 1}),
    (detectors.PageHinkley, {"mode": "sideways"}), (detectors.PageHinkley, {"threshold": -1}),
    (detectors.PageHinkley, {"alpha": 0}), (detectors.CUSUM, {"h": np.nan}), (detectors.CUSUM, {"target": "a"}),
    (detectors.DDM, {"warm_start": 2.5}), (detectors.EDDM, {"alpha": 0.5, "beta": 0.9}),
    (detectors.HDDM_A, {"drift_confidence": 0}), (detectors.HDDM_W, {"lambda_val": 1.5}),
    (detectors.KSWIN, {"stat_size": 80}), (detectors.KSWIN, {"sampling": "numpy"}), (detectors.KSWIN, {"seed": -1}),
    (detectors.PageHinkley, {"scale": 0.0}), (detectors.CUSUM, {"scale": "big"}),
    (detectors.PageHinkley, {"mode": ["up"]}), (detectors.HDDM_W, {"two_sided_test": "yes"}),
    (detectors.ADWIN, {"clock": True}), (detectors.KSWIN, {"window_size": 10.5}),
])
def test_invalid_parameters_are_refused(cls, params):
    with pytest.raises(AimonError, match=next(iter(params))):
        cls(**params)


@pytest.mark.parametrize("name", NAMES)
def test_reset_starts_a_new_stream(name):
    cls = detectors.REGISTRY[name]
    x = shifted(cls.binary, n=1000, at=500)
    det = make(name)
    first = det.scan(x)
    det.reset()
    again = det.scan(x)
    np.testing.assert_array_equal(first.stream_indices, again.stream_indices)
    assert name in repr(first) and "<b>" in first._repr_html_()
    assert list(first.table.columns) == ["index", "stream_index", "statistic"]


@pytest.mark.parametrize("name", [n for n in NAMES if detectors.REGISTRY[n].scaled is not None])
@pytest.mark.parametrize("factor", [1 / 1024, 64.0])
def test_standardized_thresholds_follow_the_scale_of_the_data(name, factor):
    cls = detectors.REGISTRY[name]
    x = shifted(False, n=4000, at=2000, seed=3)
    base = cls.standardized(x[:1000]).scan(x)
    scaled = cls.standardized(x[:1000] * factor).scan(x * factor)  # powers of two: exact
    np.testing.assert_array_equal(base.indices, scaled.indices)
    np.testing.assert_allclose(scaled.statistic, base.statistic * factor)
    assert len(base) >= 1


def test_river_defaults_ignore_scale_but_standardized_ones_do_not():
    rng = np.random.default_rng(1)
    x = np.r_[rng.normal(100, 5, 20000), rng.normal(105, 5, 20000)]
    assert len(detectors.PageHinkley().scan(x)) > 20  # River's defaults fire again and again
    std = detectors.PageHinkley.standardized(x[:5000]).scan(x)
    assert len(std) <= 2 and ((std.indices >= 20000) & (std.indices < 20300)).sum() == 1
    with pytest.raises(AimonError, match="constant"):
        detectors.CUSUM.standardized(np.ones(10))
    assert detectors.DDM.standardized([0, 1]).scale is None  # binary detectors standardise by themselves
