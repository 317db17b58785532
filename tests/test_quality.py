"""aimon.quality against scikit-learn and slow loops (tests/naive_quality.py) on random logs."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.metrics import roc_auc_score

import aimon
from aimon.errors import SchemaError
from naive_quality import quality_ref, run_quality

BASE = pd.Timestamp("2026-01-05")
TZS = [None, "UTC", "America/New_York", "Asia/Kolkata"]
FREQS = ["6h", "12h", "1D"]
SETTINGS = settings(max_examples=60, deadline=None)


def assert_matches(out, ref, ignore=()):
    """Same windows, same columns (beyond ``ignore``), every value within 1e-12."""
    if len(ref) == 0:
        assert len(out) == 0
        return
    assert list(out.index) == list(ref.index)
    assert set(out.columns) - set(ignore) == set(ref.columns)
    for col in ref.columns:
        assert_allclose(out[col].to_numpy(dtype=np.float64), ref[col].to_numpy(dtype=np.float64),
                        rtol=1e-12, atol=1e-14, err_msg=col)


@st.composite
def times(draw, n):
    """n unsorted timestamps within 3 days (quarter-hour steps: ties and empty windows happen)."""
    steps = draw(st.lists(st.integers(0, 3 * 24 * 4), min_size=n, max_size=n))
    t = pd.DatetimeIndex(BASE + pd.to_timedelta(np.array(steps, dtype=np.int64) * 15, unit="min"))
    tz = draw(st.sampled_from(TZS))
    return t.tz_localize(tz) if tz else t


def frame(draw, columns, n):
    """A log with the timestamp either as a column or as the DatetimeIndex; returns (df, time)."""
    t = draw(times(n))
    if draw(st.booleans()):
        df = pd.DataFrame(columns, index=t)
        time = None
    else:
        df = pd.DataFrame({"timestamp": t, **columns})
        time = "timestamp"
    df.attrs = {"source": {"name": "test log"}}
    return df, time


def scores(draw, n, nan=True):
    decimals = draw(st.sampled_from([1, 2]))
    grid = st.integers(0, 10 ** decimals).map(lambda v, d=decimals: round(v / 10 ** d, d))
    values = st.one_of(grid, st.just(np.nan)) if nan else grid
    return draw(st.lists(values, min_size=n, max_size=n))


# ---------------------------------------------------------------- binary
@st.composite
def binary_log(draw):
    n = draw(st.integers(0, 30))
    p_pos = draw(st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]))  # unequal classes, single-class logs
    y = [np.nan if draw(st.integers(0, 4)) == 0 else float(draw(st.floats(0, 1)) < p_pos) for _ in range(n)]
    kind = draw(st.sampled_from(["float", "bool_object", "boolean", "int"]))
    if kind == "int":
        y = [0.0 if np.isnan(v) else v for v in y]
        label = pd.array([int(v) for v in y], dtype="int64")
    elif kind == "bool_object":
        label = pd.array([None if np.isnan(v) else bool(v) for v in y], dtype=object)
    elif kind == "boolean":
        label = pd.array([None if np.isnan(v) else bool(v) for v in y], dtype="boolean")
    else:
        label = np.array(y)
    cols = {"label": label}
    mode = draw(st.sampled_from(["score", "prediction", "both"]))
    if mode in ("score", "both"):
        cols["score"] = scores(draw, n)
    if mode in ("prediction", "both"):
        cols["prediction"] = [np.nan if draw(st.integers(0, 9)) == 0 else float(draw(st.booleans()))
                              for _ in range(n)]
    if draw(st.booleans()):
        cols["fallback"] = [draw(st.sampled_from([0.0, 1.0, np.nan])) for _ in range(n)]
    df, time = frame(draw, cols, n)
    return df, time, mode, "fallback" in cols


@SETTINGS
@given(binary_log(), st.sampled_from(FREQS), st.sampled_from([0.5, 0.6, 0.75, 0.9]),
       st.sampled_from([0.3, 0.5, 0.7]))
def test_binary_matches_sklearn_and_loops(log, freq, conf_thr, dec_thr):
    df, time, mode, has_fb = log
    out = run_quality(df, freq, confidence_threshold=conf_thr, decision_threshold=dec_thr)
    ref = quality_ref(df, freq, "binary", time=time,
                      prediction="prediction" if mode != "score" else None,
                      score="score" if mode != "prediction" else None,
                      fallback="fallback" if has_fb else None,
                      confidence_threshold=conf_thr, decision_threshold=dec_thr)
    assert out.attrs["aimon"]["task"] == "binary"
    assert_matches(out, ref)
    n_unlabelled = int(df["label"].isna().sum())
    assert out.attrs["aimon"]["unlabelled"] == n_unlabelled
    assert int(out["unlabelled"].sum()) == n_unlabelled
    if mode != "prediction":
        assert out.attrs["aimon"]["excluded"].get("score_missing", 0) == int(df["score"].isna().sum())
    if mode != "score":
        assert out.attrs["aimon"]["excluded"].get("prediction_missing", 0) == int(df["prediction"].isna().sum())


@st.composite
def string_binary_log(draw):
    n = draw(st.integers(0, 30))
    lab = [draw(st.sampled_from(["spam", "ham", "ham", None])) for _ in range(n)]
    cols = {"label": lab}
    with_pred = draw(st.booleans())
    if with_pred:
        cols["prediction"] = [draw(st.sampled_from(["spam", "ham"])) for _ in range(n)]
    else:
        cols["score"] = scores(draw, n, nan=False)
    df, time = frame(draw, cols, n)
    return df, time, with_pred


@SETTINGS
@given(string_binary_log(), st.sampled_from(FREQS))
def test_string_labels_with_pos_label(log, freq):
    df, time, with_pred = log
    out = run_quality(df, freq, pos_label="spam")
    ref = quality_ref(df, freq, "binary", time=time, pos_label="spam",
                      prediction="prediction" if with_pred else None, score=None if with_pred else "score")
    assert out.attrs["aimon"]["task"] == "binary"
    assert_matches(out, ref)


# ---------------------------------------------------------------- multiclass
@st.composite
def multiclass_log(draw):
    n = draw(st.integers(0, 30))
    strings = draw(st.booleans())
    classes = ["cat", "dog", "bird", "fish"] if strings else [0, 1, 2, 3, 4]
    weights = st.sampled_from(classes[:draw(st.integers(1, len(classes)))])  # sometimes one class
    lab = [None if draw(st.integers(0, 4)) == 0 else draw(weights) for _ in range(n)]
    pred = [None if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(classes)) for _ in range(n)]
    if not strings:
        lab = [np.nan if v is None else v for v in lab]
        pred = [np.nan if v is None else v for v in pred]
    cols = {"label": lab, "prediction": pred}
    with_score = draw(st.booleans())
    if with_score:
        cols["score"] = scores(draw, n)
    df, time = frame(draw, cols, n)
    return df, time, strings, with_score


@SETTINGS
@given(multiclass_log(), st.sampled_from(FREQS), st.sampled_from([0.4, 0.6]))
def test_multiclass_matches_sklearn_macro(log, freq, conf_thr):
    df, time, strings, with_score = log
    # text classes: inferred as multiclass from three classes on; two (or one) are a binary task
    classes = set(df["label"].dropna()) | set(df["prediction"].dropna())
    auto = strings and len(classes) > 2
    out = run_quality(df, freq, task="auto" if auto else "multiclass", confidence_threshold=conf_thr)
    ref = quality_ref(df, freq, "multiclass", time=time, prediction="prediction",
                      score="score" if with_score else None, confidence_threshold=conf_thr)
    assert out.attrs["aimon"]["task"] == "multiclass"
    assert_matches(out, ref)
    assert out.attrs["aimon"]["excluded"].get("prediction_missing", 0) == int(df["prediction"].isna().sum())


# ---------------------------------------------------------------- regression
@st.composite
def regression_log(draw):
    n = draw(st.integers(0, 30))
    value = st.integers(-30, 30).map(lambda v: v / 10)
    lab = [np.nan if draw(st.integers(0, 4)) == 0 else draw(st.one_of(value, st.just(0.0))) for _ in range(n)]
    pred = [np.nan if draw(st.integers(0, 9)) == 0 else draw(value) for _ in range(n)]
    df, time = frame(draw, {"label": lab, "prediction": pred}, n)
    return df, time


@SETTINGS
@given(regression_log(), st.sampled_from(FREQS))
def test_regression_matches_sklearn(log, freq):
    df, time = log
    out = run_quality(df, freq, task="regression")
    ref = quality_ref(df, freq, "regression", time=time, prediction="prediction")
    assert out.attrs["aimon"]["task"] == "regression"
    assert_matches(out, ref)
    if len(df):
        both = df["label"].notna() & df["prediction"].notna()
        assert int(out["mape_excluded"].sum()) == int((both & (df["label"] == 0)).sum())


def test_regression_detected_from_float_labels():
    t = pd.date_range("2026-01-01", periods=6, freq="3h")
    df = pd.DataFrame({"timestamp": t, "label": [1.5, 0.0, -2.25, np.nan, 4.0, 3.0],
                       "prediction": [1.0, 0.5, -2.0, 7.0, 5.0, 3.0]})
    out = run_quality(df, "1D")
    assert out.attrs["aimon"]["task"] == "regression"
    assert_matches(out, quality_ref(df, "1D", "regression", prediction="prediction"))


# ---------------------------------------------------------------- segments
@st.composite
def segmented_log(draw):
    n = draw(st.integers(0, 30))
    y = [draw(st.sampled_from([0.0, 1.0, 1.0, np.nan])) for _ in range(n)]
    cols = {"label": y, "score": scores(draw, n),
            "model_version": [draw(st.sampled_from(["v1", "v2", "v3"])) for _ in range(n)]}
    df, time = frame(draw, cols, n)
    return df, time


@SETTINGS
@given(segmented_log(), st.sampled_from(FREQS))
def test_each_segment_equals_metric_on_its_rows(log, freq):
    df, time = log
    out = run_quality(df, freq, by="model_version")
    if len(df) == 0:
        assert len(out) == 0 and {"model_version", "requests", "roc_auc", "ece"} <= set(out.columns)
        return
    grid = df.index if time is None else df[time]
    assert sorted(set(out["model_version"])) == sorted(set(df["model_version"]))
    for version in sorted(set(df["model_version"])):
        sub = df[df["model_version"] == version]
        ref = quality_ref(sub, freq, "binary", time=time, score="score", grid=grid)
        assert_matches(out[out["model_version"] == version], ref, ignore=("model_version",))
    assert int(out["requests"].sum()) == len(df)


# ---------------------------------------------------------------- ROC AUC kernel
@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 20), st.booleans()), max_size=25), min_size=1, max_size=5))
def test_window_auc_kernel_equals_roc_auc_score(windows):
    from aimon._kernels.ranking import window_auc

    s = np.array([v / 20 for w in windows for v, _ in w], dtype=np.float64)
    y = np.array([float(p) for w in windows for _, p in w], dtype=np.float64)
    bounds = np.concatenate([[0], np.cumsum([len(w) for w in windows])]).astype(np.int64)
    got = window_auc(s, y, bounds)
    for k, w in enumerate(windows):
        ys = [int(p) for _, p in w]
        want = roc_auc_score(ys, [v / 20 for v, _ in w]) if len(set(ys)) == 2 else np.nan
        assert_allclose(got[k], want, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- fixed cases
def test_ece_and_confidence_by_hand():
    # one window; scores on bin edges (0.3, 0.7, 1.0) and a tie at the confidence threshold.
    t = pd.date_range("2026-01-01", periods=6, freq="1h")
    df = pd.DataFrame({"timestamp": t, "label": [1, 0, 1, 1, 0, 0],
                       "score": [0.3, 0.3, 0.7, 1.0, 0.35, 0.6]})
    out = run_quality(df, "1D", confidence_threshold=0.7)
    # bins: [0.3, 0.4): scores .3 .3 .35, outcomes 1 0 0 -> |1/3 - 0.95/3|
    #       [0.6, 0.7): .6 outcome 0 -> .6 ; [0.7, 0.8): .7 outcome 1 -> .3 ; [0.9, 1]: 1.0 outcome 1 -> 0
    want = 3 / 6 * abs(1 / 3 - 0.95 / 3) + 1 / 6 * 0.6 + 1 / 6 * 0.3
    assert_allclose(out["ece"].iloc[0], want, rtol=1e-12)
    conf = [0.7, 0.7, 0.7, 1.0, 0.65, 0.6]
    assert_allclose(out["mean_confidence"].iloc[0], sum(conf) / 6, rtol=1e-12)
    assert out["low_confidence_share"].iloc[0] == 2 / 6
    # prediction = score >= 0.5: [0, 0, 1, 1, 0, 1]; labels [1, 0, 1, 1, 0, 0]
    assert out["accuracy"].iloc[0] == 4 / 6
    assert out["precision"].iloc[0] == 2 / 3 and out["recall"].iloc[0] == 2 / 3


def test_single_class_window_gives_nan_where_undefined():
    t = pd.to_datetime(["2026-01-01 01:00", "2026-01-01 02:00", "2026-01-02 01:00", "2026-01-02 05:00"])
    df = pd.DataFrame({"timestamp": t, "label": [1, 1, 0, 0], "score": [0.2, 0.9, 0.1, 0.3]})
    out = run_quality(df, "1D")
    day1, day2 = out.iloc[0], out.iloc[1]
    assert np.isnan(day1["roc_auc"]) and np.isnan(day2["roc_auc"])
    assert day1["recall"] == 0.5 and day1["precision"] == 1.0
    # day 2: no actual and no predicted positives
    assert day2["positives"] == 0 and day2["predicted_positives"] == 0
    assert np.isnan(day2["precision"]) and np.isnan(day2["recall"]) and np.isnan(day2["f1"])
    assert day2["accuracy"] == 1.0


def test_unsorted_tz_aware_windows_follow_resample():
    t = pd.DatetimeIndex(["2026-03-02 23:30", "2026-03-01 00:10", "2026-03-02 00:00"]).tz_localize("Europe/Berlin")
    df = pd.DataFrame({"label": [1, 0, 1], "score": [0.8, 0.4, 0.1]}, index=t)
    out = run_quality(df, "1D")
    expected = pd.Series(1, index=t.sort_values()).resample("1D").size()
    assert list(out.index) == list(expected.index)
    assert list(out["requests"]) == list(expected)
    assert str(out.index.tz) == "Europe/Berlin"


def test_pos_label_with_int_labels_flips_the_positive_class():
    t = pd.date_range("2026-01-01", periods=5, freq="1h")
    df = pd.DataFrame({"timestamp": t, "label": [0, 0, 1, 0, 1], "prediction": [0, 1, 1, 0, 0]})
    out = run_quality(df, "1D", pos_label=0)
    ref = quality_ref(df, "1D", "binary", prediction="prediction", pos_label=0)
    assert_matches(out, ref)
    assert out["positives"].iloc[0] == 3


# ---------------------------------------------------------------- task detection
T6 = pd.date_range("2026-01-01", periods=6, freq="1h")


@pytest.mark.parametrize("label, prediction, expected", [
    ([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1], "binary"),
    ([0.0, 1.0, np.nan, 0.0, 1.0, np.nan], [0, 1, 0, 0, 1, 1], "binary"),
    ([True, False, True, True, False, False], [True, False, False, True, True, True], "binary"),
    (pd.array([True, None, False, True, None, False], dtype=object), [1, 0, 0, 1, 1, 1], "binary"),
    (pd.array([True, None, False, True, None, False], dtype="boolean"), [1, 0, 0, 1, 1, 1], "binary"),
    (["a", "b", "c", "a", None, "b"], ["a", "b", "b", "a", "c", "b"], "multiclass"),
    ([0, 1, 2, 3, 2, 1], [0, 1, 2, 2, 2, 1], "multiclass"),
    ([0.0, 2.0, np.nan, 1.0, 2.0, 1.0], [0, 1, 2, 2, 2, 1], "multiclass"),
    ([0.5, 1.25, 3.0, np.nan, 2.0, 1.0], [0.4, 1.0, 3.5, 2.0, 2.1, 0.9], "regression"),
    ([0, 10, 20, 30, 40, 50] * 1, [1, 11, 21, 31, 41, 51], "multiclass"),
    ([np.nan] * 6, [0.4, 1.0, 3.5, 2.0, 2.1, 0.9], "regression"),
    ([np.nan] * 6, ["a", "b", "b", "a", "c", "b"], "multiclass"),
    ([np.nan] * 6, [0, 1, 1, 0, 1, 1], "binary"),
])
def test_task_detection(label, prediction, expected):
    df = pd.DataFrame({"timestamp": T6, "label": label, "prediction": prediction})
    assert run_quality(df, "1D").attrs["aimon"]["task"] == expected


def test_many_distinct_integers_are_regression():
    t = pd.date_range("2026-01-01", periods=30, freq="1h")
    df = pd.DataFrame({"timestamp": t, "label": np.arange(30), "prediction": np.arange(30) + 1})
    out = run_quality(df, "1D")
    assert out.attrs["aimon"]["task"] == "regression"
    assert_matches(out, quality_ref(df, "1D", "regression", prediction="prediction"))


def test_score_only_is_binary_and_explicit_task_wins():
    df = pd.DataFrame({"timestamp": T6, "label": [0, 1, 2, 1, 0, 2], "prediction": [0, 1, 2, 2, 0, 1]})
    assert run_quality(df, "1D").attrs["aimon"]["task"] == "multiclass"
    out = run_quality(df, "1D", task="regression")
    assert out.attrs["aimon"]["task"] == "regression"
    assert_matches(out, quality_ref(df, "1D", "regression", prediction="prediction"))
    only_score = pd.DataFrame({"timestamp": T6, "score": [0.1, 0.9, 0.5, 0.4, 0.8, 0.7]})
    out = run_quality(only_score, "1D")   # no label, no prediction: the score is a confidence as it is
    assert out.attrs["aimon"]["task"] == "binary"
    assert_allclose(out["mean_confidence"].iloc[0], np.mean([0.1, 0.9, 0.5, 0.4, 0.8, 0.7]), rtol=1e-12)
    out = run_quality(only_score, "1D", task="binary")   # the score is P(positive): folded
    assert_allclose(out["mean_confidence"].iloc[0], np.mean([0.9, 0.9, 0.5, 0.6, 0.8, 0.7]), rtol=1e-12)
    assert "labelled" not in out and "accuracy" not in out  # no label column: no label metrics


def test_unknown_task_is_a_schema_error():
    df = pd.DataFrame({"timestamp": T6, "label": [0, 1, 1, 0, 1, 0], "prediction": [0, 1, 0, 0, 1, 1]})
    with pytest.raises(SchemaError, match="task="):
        aimon.quality(df, "1D", task="classification")
    with pytest.raises(SchemaError, match="pos_label="):
        aimon.quality(df.assign(label=list("abbaba"), prediction=list("ababab")), "1D", task="binary")
