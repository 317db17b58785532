"""aimon.quality on awkward input: a correct table or a clear SchemaError, never a bare traceback."""
import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import aimon
from aimon.errors import AimonError, SchemaError
from naive_quality import quality_ref, run_quality

T = pd.date_range("2026-01-01 00:30", periods=8, freq="5h")


def schema_error(df, *args, **kwargs):
    """The SchemaError quality() raises (and the input is unchanged afterwards)."""
    before = copy.deepcopy(df)
    with pytest.raises(SchemaError) as err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aimon.quality(df, *args, **kwargs)
    assert isinstance(err.value, AimonError) and isinstance(err.value, ValueError)
    pd.testing.assert_frame_equal(df, before)
    return str(err.value)


def assert_matches(out, ref, ignore=()):
    assert list(out.index) == list(ref.index)
    assert set(out.columns) - set(ignore) == set(ref.columns)
    for col in ref.columns:
        assert_allclose(out[col].to_numpy(dtype=np.float64), ref[col].to_numpy(dtype=np.float64),
                        rtol=1e-12, atol=1e-14, err_msg=col)


def binary_log(n=8, **extra):
    df = pd.DataFrame({"timestamp": T[:n], "label": [1, 0, 1, np.nan, 0, 1, 1, 0][:n],
                       "score": [0.9, 0.35, 0.5, 0.7, 0.1, 0.5, 0.2, 0.8][:n], **extra})
    df.attrs = {"owner": "tests"}
    return df


# ---------------------------------------------------------------- sizes
def test_empty_frame_gives_an_empty_table():
    df = binary_log().iloc[:0]
    out = run_quality(df, "1D")
    assert len(out) == 0
    assert {"requests", "labelled", "label_coverage", "accuracy", "roc_auc", "ece"} <= set(out.columns)
    assert out.attrs["aimon"]["rows"] == 0 and out.attrs["aimon"]["unlabelled"] == 0


def test_frame_without_columns_names_the_timestamp_keyword():
    msg = schema_error(pd.DataFrame(), "1D")
    assert "'timestamp'" in msg and "timestamp=" in msg


def test_one_row():
    for label in (1.0, np.nan):
        df = pd.DataFrame({"timestamp": T[:1], "label": [label], "score": [0.8]})
        out = run_quality(df, "1h")
        assert_matches(out, quality_ref(df, "1h", "binary", score="score"))
        assert out["requests"].tolist() == [1] and np.isnan(out["roc_auc"].iloc[0])


def test_labels_all_missing_binary():
    df = binary_log(label=np.nan)
    out = run_quality(df, "1D")
    assert out["labelled"].sum() == 0 and out["unlabelled"].sum() == len(df)
    assert (out["label_coverage"] == 0).all() and (out["positives"] == 0).all()
    for col in ("accuracy", "precision", "recall", "f1", "roc_auc", "brier", "ece"):
        assert out[col].isna().all(), col
    assert out.attrs["aimon"]["unlabelled"] == len(df)
    assert_matches(out, quality_ref(df, "1D", "binary", score="score"))


def test_labels_all_missing_multiclass_and_regression():
    mc = pd.DataFrame({"timestamp": T, "label": [None] * 8, "prediction": list("abcabcab")})
    out = run_quality(mc, "1D")
    assert out.attrs["aimon"]["task"] == "multiclass"
    assert out["accuracy"].isna().all() and (out["label_coverage"] == 0).all()
    reg = pd.DataFrame({"timestamp": T, "label": np.nan, "prediction": np.linspace(0.25, 3.5, 8)})
    out = run_quality(reg, "1D")
    assert out.attrs["aimon"]["task"] == "regression"
    assert out[["mae", "rmse", "bias", "mape"]].isna().all().all()
    assert out["unlabelled"].sum() == 8 and (out["mape_excluded"] == 0).all()


def test_a_single_class_present():
    df = binary_log(label=1)
    out = run_quality(df, "1D")
    assert out["roc_auc"].isna().all()
    assert_matches(out, quality_ref(df, "1D", "binary", score="score"))
    none_positive = binary_log(label=0, score=[0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4])
    out = run_quality(none_positive, "1D")
    assert out[["precision", "recall", "f1", "roc_auc"]].isna().all().all()
    assert (out["accuracy"] == 1).all()


# ---------------------------------------------------------------- scores
@pytest.mark.parametrize("bad", [1.7, -0.2, 100.0])
def test_scores_outside_unit_interval_name_the_column(bad):
    df = binary_log().rename(columns={"score": "p_default"})
    df.loc[2, "p_default"] = bad
    msg = schema_error(df, "1D", score="p_default")
    assert "'p_default'" in msg and "[0, 1]" in msg and "score=" in msg


def test_score_text_names_the_column_and_keyword():
    df = binary_log(score=["high", "low"] * 4)
    msg = schema_error(df, "1D")
    assert "'score'" in msg and "'high'" in msg and "score=" in msg


def test_partly_unreadable_scores_are_counted_not_lost():
    df = binary_log(score=["0.9", "n/a", 0.5, np.inf, 0.1, "0.5", 0.2, None])
    out = run_quality(df, "1D")
    assert out.attrs["aimon"]["excluded"]["score_missing"] == 3
    clean = df.assign(score=[0.9, np.nan, 0.5, np.nan, 0.1, 0.5, 0.2, np.nan])
    assert_matches(out, quality_ref(clean, "1D", "binary", score="score"))


def test_no_label_prediction_or_score_column():
    df = pd.DataFrame({"timestamp": T, "latency_ms": np.arange(8.0)})
    msg = schema_error(df, "1D")
    assert "'label'" in msg and "label=" in msg and "latency_ms" in msg


def test_multiclass_without_prediction_names_the_keyword():
    df = pd.DataFrame({"timestamp": T, "label": list("abcabcab"), "score": np.linspace(0, 1, 8)})
    msg = schema_error(df, "1D")
    assert "'prediction'" in msg and "prediction=" in msg


def test_regression_prediction_text():
    df = pd.DataFrame({"timestamp": T, "label": np.linspace(0.5, 4, 8), "prediction": ["x"] * 8})
    msg = schema_error(df, "1D", task="regression")
    assert "'prediction'" in msg and "prediction=" in msg


# ---------------------------------------------------------------- keywords
@pytest.mark.parametrize("name", ["confidence_threshold", "decision_threshold"])
@pytest.mark.parametrize("value", [1.5, -0.1, np.nan, "0.5", None])
def test_threshold_out_of_range(name, value):
    msg = schema_error(binary_log(), "1D", **{name: value})
    assert f"{name}=" in msg and "between 0 and 1" in msg


def test_thresholds_at_the_ends_are_allowed():
    out = run_quality(binary_log(), "1D", confidence_threshold=1.0, decision_threshold=0.0)
    assert (out["low_confidence_share"] == 1).all()  # every confidence is < 1 here
    assert (out["predicted_positives"] == out["labelled"]).all()


def test_unknown_role_keyword_bad_freq_and_missing_override():
    assert "lable" in schema_error(binary_log(), "1D", lable="label")
    assert "freq=" in schema_error(binary_log(), "fortnightly")
    msg = schema_error(binary_log(), "1D", label="y_true")
    assert "'y_true'" in msg and "label=" in msg


def test_timestamps_that_cannot_be_read():
    df = binary_log(timestamp=["yesterday"] * 8)
    msg = schema_error(df, "1D")
    assert "'timestamp'" in msg and "timestamp=" in msg
    msg = schema_error(binary_log(timestamp=np.arange(8)), "1D")
    assert "numbers" in msg and "timestamp=" in msg


# ---------------------------------------------------------------- names and types
def test_column_names_with_html():
    lab, sc, seg = "<b>label</b>", "<script>alert('p')</script>", "<i>version</i>"
    df = pd.DataFrame({"timestamp": T, lab: [1, 0, 1, np.nan, 0, 1, 1, 0],
                       sc: [0.9, 0.35, 0.5, 0.7, 0.1, 0.5, 0.2, 0.8], seg: ["a&b", "<c>"] * 4})
    out = run_quality(df, "1D", label=lab, score=sc)
    assert_matches(out, quality_ref(df, "1D", "binary", label=lab, score=sc))
    by_seg = run_quality(df, "1D", label=lab, score=sc, by=seg)
    assert set(by_seg[seg]) == {"a&b", "<c>"}
    part = df[df[seg] == "<c>"]
    assert_matches(by_seg[by_seg[seg] == "<c>"],
                   quality_ref(part, "1D", "binary", label=lab, score=sc, grid=df["timestamp"]), ignore=(seg,))
    bad = df.assign(**{sc: df[sc] * 3})
    assert repr(sc) in schema_error(bad, "1D", label=lab, score=sc)


def test_labels_of_mixed_types_zero_one_and_bools_are_binary():
    df = pd.DataFrame({"timestamp": T[:6], "label": pd.array([True, 0, 1, None, False, 1.0], dtype=object),
                       "score": [0.9, 0.2, 0.4, 0.5, 0.6, 0.8]})
    out = run_quality(df, "1D")
    assert out.attrs["aimon"]["task"] == "binary"
    assert_matches(out, quality_ref(df, "1D", "binary", score="score"))


def test_labels_of_mixed_types_are_classes_compared_by_equality():
    labels = [0, "1", 1.0, "cat", None, True, "cat", 2]
    preds = [0, 1, "1", "cat", "dog", 1, "dog", 2.0]
    df = pd.DataFrame({"timestamp": T, "label": pd.array(labels, dtype=object),
                       "prediction": pd.array(preds, dtype=object)})
    out = run_quality(df, "1D")
    assert out.attrs["aimon"]["task"] == "multiclass"
    for day, sub in df.groupby(df["timestamp"].dt.floor("1D")):
        pairs = [(y, p) for y, p in zip(sub["label"], sub["prediction"]) if y is not None and p is not None]
        classes = []
        for v in [v for pair in pairs for v in pair]:
            if not any(v == c for c in classes):
                classes.append(v)
        prec, rec = [], []
        for c in classes:
            tp = sum(1 for y, p in pairs if y == c and p == c)
            n_pred = sum(1 for _, p in pairs if p == c)
            n_true = sum(1 for y, _ in pairs if y == c)
            if n_pred:
                prec.append(tp / n_pred)
            if n_true:
                rec.append(tp / n_true)
        row = out.loc[day]
        assert_allclose(row["accuracy"], sum(y == p for y, p in pairs) / len(pairs), rtol=1e-12)
        assert_allclose(row["precision"], np.mean(prec), rtol=1e-12)
        assert_allclose(row["recall"], np.mean(rec), rtol=1e-12)
