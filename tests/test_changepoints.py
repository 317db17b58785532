"""changepoints(): the detector run on the column in time order, per segment, with timestamps."""
import copy
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

import aimon
from aimon import detectors
from aimon.errors import AimonError, AimonWarning, DataDroppedWarning, SchemaError

matplotlib.use("Agg")


def log(n=3000, seed=0, shuffle=True):
    rng = np.random.default_rng(seed)
    t = pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC")
    seg = np.where(rng.random(n) < 0.5, "a", "b")
    lat = 100 + rng.normal(0, 10, n) + np.where((np.arange(n) > n // 2) & (seg == "a"), 25.0, 0.0)
    lat[rng.random(n) < 0.02] = np.nan
    label = (rng.random(n) < 0.3).astype(float)
    wrong = rng.random(n) < np.where(np.arange(n) > n // 2, 0.4, 0.1)
    pred = np.where(wrong, 1 - label, label)
    label[rng.random(n) < 0.1] = np.nan  # not arrived yet
    status = np.where(rng.random(n) < np.where(np.arange(n) > n // 2, 0.2, 0.01), 503, 200)
    df = pd.DataFrame({"latency_ms": lat, "model_version": seg, "prediction": pred, "label": label,
                       "status_code": status}, index=t)
    return df.sample(frac=1.0, random_state=1) if shuffle else df


def direct(df, column, cls, **params):
    """Reference: sort by time, drop NaN, scan with the detector, map back to timestamps."""
    s = df.sort_index(kind="stable")[column]
    s = s[np.isfinite(s.to_numpy(dtype=float))]
    res = cls(**params).scan(s.to_numpy(dtype=float))
    return list(s.index[res.indices])


@pytest.mark.parametrize("method", ["adwin", "page_hinkley", "cusum", "kswin"])
def test_times_are_those_of_the_detector_on_the_sorted_column(method):
    df = log()
    cls = detectors.get(method)
    params = dict(cls.test_params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        res = aimon.changepoints(df, "latency_ms", method=method, standardize=False, **params)
    assert list(res.table["time"]) == direct(df, "latency_ms", cls, **params)
    assert res.skipped == {"missing": int(df["latency_ms"].isna().sum())}
    np.testing.assert_array_equal(df["latency_ms"].iloc[res.table["row"]].index, res.table["time"])


def test_standardized_by_default_for_scale_dependent_detectors():
    df = log(shuffle=False)
    with pytest.warns(DataDroppedWarning, match="missing"):
        res = df.aimon.changepoints("latency_ms", method="page_hinkley")
    x = df["latency_ms"].dropna().to_numpy()
    ref = x[: min(1000, len(x) // 5)]
    want = detectors.PageHinkley.standardized(ref).scan(x).indices
    assert list(res.table["time"]) == list(df["latency_ms"].dropna().index[want])
    assert res.detectors[None].scale == pytest.approx(np.std(ref, ddof=1))
    ref_frame = df.iloc[:500]
    with pytest.warns(DataDroppedWarning):
        res2 = df.aimon.changepoints("latency_ms", method="cusum", reference=ref_frame, h=8.0)
    want2 = detectors.CUSUM.standardized(ref_frame["latency_ms"].dropna(), h=8.0).scan(x).indices
    assert list(res2.table["time"]) == list(df["latency_ms"].dropna().index[want2])


def test_segments_get_their_own_detector():
    df = log()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        res = df.aimon.changepoints("latency_ms", method="cusum", by="model_version", standardize=False, h=60.0)
    assert list(res.table.columns[:2]) == ["model_version", "time"]
    for seg in ("a", "b"):
        got = list(res.table.loc[res.table["model_version"] == seg, "time"])
        assert got == direct(df[df["model_version"] == seg], "latency_ms", detectors.CUSUM, h=60.0)
    assert (res.table["model_version"] == "a").sum() >= 1
    assert set(res.detectors) == {("a",), ("b",)}


def test_derived_error_streams_and_late_labels():
    df = log()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = aimon.changepoints(df, "misclassified", method="ddm")
    assert any(issubclass(w.category, DataDroppedWarning) for w in caught)
    s = df.sort_index(kind="stable")
    s = s[s["label"].notna()]
    want = detectors.DDM().scan((s["prediction"] != s["label"]).to_numpy(dtype=float))
    assert list(res.table["time"]) == list(s.index[want.indices])
    assert list(res.warnings["time"]) == list(s.index[want.warnings])
    assert res.skipped["unlabelled"] == int(df["label"].isna().sum())
    err = aimon.changepoints(df, "status_code", method="hddm_a")  # the error role: codes >= 500
    flags = (df.sort_index(kind="stable")["status_code"] >= 500).to_numpy(dtype=float)
    assert list(err.table["row"].map(lambda r: df.index[r])) == list(
        df.sort_index(kind="stable").index[detectors.HDDM_A().scan(flags).indices])
    assert len(err) >= 1 and (err.table["time"] > df.index.min() + pd.Timedelta(minutes=1400)).all()


def test_cooldown_in_values_and_time():
    df = log(shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        raw = aimon.changepoints(df, "latency_ms", method="kswin", seed=1)
        by_n = aimon.changepoints(df, "latency_ms", method="kswin", seed=1, cooldown=500)
        by_t = aimon.changepoints(df, "latency_ms", method="kswin", seed=1, cooldown="12h")
    assert len(raw) > len(by_n) >= 1
    assert set(by_n.table["time"]) <= set(raw.table["time"])
    assert (by_t.table["time"].diff().dropna() > pd.Timedelta("12h")).all()
    with pytest.raises(SchemaError, match="cooldown"):
        aimon.changepoints(df, "latency_ms", method="kswin", cooldown="soon")


def test_result_plot_html_and_no_mutation():
    df = log().rename(columns={"latency_ms": "<b>lat</b>"})
    df.attrs["events"] = pd.DataFrame({"event_id": [1], "kind": ["concept_drift"],
                                       "start": [df.index.min()], "end": [df.index.max()]})
    before, attrs = copy.deepcopy(df), copy.deepcopy(df.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        res = aimon.changepoints(df, "<b>lat</b>", method="cusum", by="model_version")
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs.keys() == attrs.keys()
    html = res._repr_html_()
    assert "<b>lat</b>" not in html and "&lt;b&gt;lat&lt;/b&gt;" in html
    ax = res.plot()
    assert isinstance(ax, matplotlib.axes.Axes) and len(ax.lines) >= 2
    assert "cusum" in repr(res)


def test_bad_inputs():
    df = log()
    with pytest.raises(SchemaError, match="does not exist"):
        aimon.changepoints(df, "nope")
    with pytest.raises(AimonError, match="binary error stream"):
        aimon.changepoints(df, "latency_ms", method="ddm")
    with pytest.raises(AimonError, match="not a detector"):
        aimon.changepoints(df, "latency_ms", method="magic")
    with pytest.raises(SchemaError, match="timestamp"):
        aimon.changepoints(df.reset_index(drop=True), "latency_ms")
    with pytest.raises(SchemaError, match="label"):
        aimon.changepoints(df.drop(columns="label"), "misclassified", method="ddm")
    text = df.assign(latency_ms="fast")
    with pytest.raises(SchemaError, match="text"):
        aimon.changepoints(text, "latency_ms")
    with pytest.warns(AimonWarning, match="only 0 usable values"):
        empty = aimon.changepoints(df.iloc[:0], "latency_ms", method="adwin")
    assert len(empty) == 0 and list(empty.table.columns) == ["time", "row", "statistic", "mean_before", "mean_after"]
    with pytest.warns(AimonWarning, match="needs"), pytest.warns(DataDroppedWarning, match="unlabelled"):
        short = aimon.changepoints(df.sort_index().iloc[:20], "misclassified", method="ddm")
    assert len(short) == 0 and short.notes
