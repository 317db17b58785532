"""A stranger's own log (issue 11): units, label encodings, invalid values, roles not found.

The frame of the issue: ``ts`` as text, ``duration`` in seconds, ``http_status``, ``y_hat`` 0/1,
``y`` 'yes'/'no', ``p``. Every call gives the right numbers or an AimonError naming the keyword.
"""
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

import aimon
from aimon.errors import AimonWarning, SchemaError


def stranger(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    p = np.clip(np.where(y, 0.7, 0.3) + rng.normal(0, 0.2, n), 0, 1)
    ts = pd.date_range("2026-03-01", periods=n, freq="5min")
    return pd.DataFrame({"ts": ts.strftime("%Y-%m-%d %H:%M:%S"), "duration": rng.gamma(2, 0.015, n),
                         "http_status": rng.choice([200, 200, 200, 503], n), "y_hat": (p > 0.5).astype(int),
                         "y": np.where(y, "yes", "no"), "p": p, "age": rng.integers(18, 80, n)})


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AimonWarning)
        return fn(*args, **kwargs)


# ---------------------------------------------------------------- roles of the stranger's frame
def test_stranger_roles_and_one_warning_with_suggestions():
    df = stranger()
    r = df.aimon.roles
    assert (r["timestamp"], r["label"], r["prediction"]) == ("ts", "y", "y_hat")
    assert r["latency"] is None and "p" in r.held_out and "p" not in r["features"]
    assert r["features"] == ["duration", "http_status", "age"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = df.aimon.ops("1h")
    msgs = [str(w.message) for w in caught if issubclass(w.category, AimonWarning)]
    assert len(msgs) == 1  # every role doubt of the call in one warning
    assert "latency='duration'" in msgs[0] and "error='http_status'" in msgs[0]
    assert list(t.columns) == ["requests", "throughput_rps"]
    # roles declared absent are not suggested again
    with warnings.catch_warnings():
        warnings.simplefilter("error", AimonWarning)
        df.aimon.ops("1h", latency=None, error=None)


def test_y_is_the_label_only_next_to_a_model_output():
    xy = pd.DataFrame({"x": [1.0, 2.0], "y": [2.0, 4.1]})
    assert xy.aimon.roles["label"] is None and xy.aimon.roles["features"] == ["x", "y"]
    r = xy.assign(y_hat=[2.0, 4.0]).aimon.roles
    assert (r["label"], r["prediction"], r["features"]) == ("y", "y_hat", ["x"])
    assert xy.assign(score=[0.2, 0.9]).aimon.roles["label"] == "y"
    assert xy.assign(score=[0.2, 0.9]).aimon.roles.table.query("role == 'label'")["column"].item() == "y"


def test_missing_timestamp_error_suggests_the_column():
    df = stranger().rename(columns={"ts": "created_at"})
    with pytest.raises(SchemaError, match=r"timestamp='created_at'"):
        df.aimon.ops("1h")


def test_unknown_keyword_suggests_the_role():
    with pytest.raises(SchemaError, match=r"latency_unit="):
        stranger().aimon.ops("1h", latency_units="s")


# ---------------------------------------------------------------- units
def test_seconds_from_the_name_and_from_the_keyword_give_ms():
    df = stranger()
    secs = df["duration"].to_numpy()
    ref = np.quantile(secs * 1000, [0.5, 0.95], method="linear")
    a = quiet(df.rename(columns={"duration": "latency_s"}).aimon.ops, "100D")
    b = quiet(df.aimon.ops, "100D", latency="duration", latency_unit="s")
    c = quiet(df.aimon.with_roles(latency="duration", latency_unit="s").aimon.ops, "100D")
    for t in (a, b, c):
        np.testing.assert_allclose(t[["latency_p50", "latency_p95"]].iloc[0], ref, rtol=1e-12)
    us = quiet(df.assign(lat_us=secs * 1e6).aimon.ops, "100D", latency="lat_us")
    np.testing.assert_allclose(us["latency_p95"].iloc[0], ref[1], rtol=1e-9)
    r = df.aimon.with_roles(latency="duration", latency_unit="s").aimon.roles
    assert r.unit("latency") == "s" and "[s]" in repr(r) and "in s" in r.table.set_index("role").loc["latency", "meaning"]


def test_seconds_read_as_ms_warn_and_slo_counts_slow_requests():
    df = stranger()
    with pytest.warns(AimonWarning, match=r"latency_unit='s'"):
        df.aimon.ops("1h", latency="duration", error="http_status")
    with warnings.catch_warnings():
        warnings.simplefilter("error", AimonWarning)
        s = df.aimon.slo(latency_ms=30, latency="duration", latency_unit="s", error="http_status", freq="100D")
    slow = df["duration"] * 1000 > 30
    failed = df["http_status"] >= 500
    assert s["bad"].iloc[0] == int((slow | failed).sum())
    with pytest.raises(SchemaError, match=r"latency_unit='minutes'"):
        df.aimon.ops("1h", latency="duration", latency_unit="minutes")


# ---------------------------------------------------------------- invalid values
def test_negative_latency_tokens_and_cost_are_counted_not_used():
    t = pd.date_range("2026-01-01", periods=6, freq="10min")
    df = pd.DataFrame({"latency_ms": [10.0, -5, 30, 40, -1, 60], "input_tokens": [5, -3, 5, 5, 5, 5],
                       "cost_usd": [0.1, 0.1, -0.2, 0.1, 0.1, 0.1]}, index=t)
    with pytest.warns(aimon.errors.DataDroppedWarning, match=r"2 latency invalid"):
        out = df.aimon.ops("1h")
    ex = out.attrs["aimon"]["excluded"]
    assert (ex["latency_invalid"], ex["input_tokens_invalid"], ex["cost_invalid"]) == (2, 1, 1)
    assert out["latency_mean"].iloc[0] == pytest.approx(np.mean([10, 30, 40, 60]))
    assert out["latency_missing"].iloc[0] == 2
    assert out["input_tokens"].iloc[0] == 25 and out["cost"].iloc[0] == pytest.approx(0.5)


def test_scores_outside_unit_interval_need_a_scale():
    df = stranger()
    pct = df.assign(p=df["p"] * 100)
    with pytest.raises(SchemaError, match=r"score_scale='percent'"):
        pct.aimon.quality("1D", score="p", pos_label="yes", prediction=None)
    ref = quiet(df.aimon.quality, "1D", score="p", pos_label="yes", prediction=None)
    got = quiet(pct.aimon.quality, "1D", score="p", pos_label="yes", prediction=None, score_scale="percent")
    pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-12)
    logit = df.assign(p=np.log(df["p"].clip(1e-9, 1 - 1e-9) / (1 - df["p"].clip(1e-9, 1 - 1e-9))))
    got = quiet(logit.aimon.quality, "1D", score="p", pos_label="yes", prediction=None, score_scale="logit")
    np.testing.assert_allclose(got["roc_auc"], ref["roc_auc"], rtol=1e-9)
    with pytest.raises(SchemaError, match="score_scale"):
        df.aimon.quality("1D", score="p", score_scale="odds")


# ---------------------------------------------------------------- label encodings
def test_text_labels_against_01_predictions_are_refused_unless_pos_label():
    df = stranger()
    with pytest.raises(SchemaError, match=r"share no value.*pos_label"):
        df.aimon.quality("1D")
    q = quiet(df.aimon.quality, "100D", score="p", pos_label="yes")
    y = (df["y"] == "yes").astype(int)
    assert q["accuracy"].iloc[0] == pytest.approx(skm.accuracy_score(y, df["y_hat"]))
    assert q["roc_auc"].iloc[0] == pytest.approx(skm.roc_auc_score(y, df["p"]))
    # 'Yes'/'No' against 'yes'/'no': the same classes written differently, refused too
    with pytest.raises(SchemaError, match=r"written differently.*str.lower"):
        df.assign(y_hat=np.where(df["y_hat"] == 1, "Yes", "No")).aimon.quality("1D")


ENCODINGS = [("yes", "no", None), (True, False, None), ("fraud", "legit", None), ("churn", "stay", None),
             ("1", "0", None), ("approved", "declined", None), ("B", "A", "B"), ("A", "B", "A"), (0, 1, 0)]


@settings(max_examples=30, deadline=None)
@given(enc=st.sampled_from(ENCODINGS), data=st.data())
def test_binary_metrics_match_sklearn_with_pos_label(enc, data):
    pos, neg, given_pos = enc
    n = data.draw(st.integers(4, 40))
    y = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    yhat = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    s = data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]), min_size=n, max_size=n))
    lab = [pos if v else neg for v in y]
    pre = [pos if v else neg for v in yhat]
    df = pd.DataFrame({"label": lab, "prediction": pre, "score": s},
                      index=pd.date_range("2026-01-01", periods=n, freq="min"))
    # with one class seen, only a common name ('yes', 'churn', 'no', ...) tells which class it is
    q = quiet(df.aimon.quality, "1D", pos_label=given_pos if len(set(lab) | set(pre)) == 2 else pos)
    assert q.attrs["aimon"]["task"] == "binary"
    kw = {"pos_label": pos, "zero_division": np.nan}
    ref = {"accuracy": skm.accuracy_score(lab, pre), "precision": skm.precision_score(lab, pre, **kw),
           "recall": skm.recall_score(lab, pre, **kw), "f1": skm.f1_score(lab, pre, **kw)}
    if len(set(y)) == 2:
        ref["roc_auc"] = skm.roc_auc_score(np.array(y), s)
    for k, v in ref.items():
        np.testing.assert_allclose(q[k].iloc[0], v, rtol=1e-12, err_msg=k)


def test_positive_class_that_cannot_be_told_asks_for_pos_label():
    df = pd.DataFrame({"label": ["A", "B", "A"], "prediction": ["A", "A", "B"]},
                      index=pd.date_range("2026-01-01", periods=3, freq="min"))
    with pytest.raises(SchemaError, match=r"pos_label="):
        df.aimon.quality("1D")
    with pytest.raises(SchemaError, match=r"pos_label='C' is not one of the classes"):
        df.aimon.quality("1D", pos_label="C")


def test_pos_label_given_as_text_finds_a_numeric_class():
    """`aimon report --pos-label 0` passes text; it names the class 0 of a 0/1 column."""
    df = pd.DataFrame({"label": [0, 1, 0, 0], "prediction": [0, 1, 1, 0]},
                      index=pd.date_range("2026-01-01", periods=4, freq="min"))
    q = quiet(df.aimon.quality, "1D", pos_label="0")
    assert q["recall"].iloc[0] == pytest.approx(skm.recall_score(df["label"], df["prediction"], pos_label=0))


def test_misclassified_stream_compares_text_classes_and_refuses_mismatches():
    df = stranger().set_index("ts")
    df.index = pd.to_datetime(df.index)
    same = df.assign(y_hat=np.where(df["y_hat"] == 1, "yes", "no"))
    res = quiet(aimon.changepoints, same, "misclassified", method="ddm")
    assert res.column == "misclassified"
    from aimon.detectors.changepoints import _stream
    values, skipped = _stream(same, "misclassified", same.aimon.roles, np.arange(len(same)), None)
    np.testing.assert_array_equal(values, (same["y"] != same["y_hat"]).to_numpy(dtype=float))
    with pytest.raises(SchemaError, match="share no class"):
        aimon.changepoints(df, "misclassified", method="ddm")


def test_drift_says_which_output_like_columns_it_leaves_out():
    df = stranger().set_index("ts")
    df.index = pd.to_datetime(df.index)
    with pytest.warns(AimonWarning, match=r"'p' \(looks like a model output"):
        rep = df.iloc[300:].aimon.drift(df.iloc[:300])
    assert "p" in rep.skipped["column"].tolist() and "p" not in rep.table["column"].tolist()
    assert {"y", "y_hat"}.isdisjoint(rep.table["column"])  # label and prediction are roles, not inputs
