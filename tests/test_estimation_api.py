"""aimon.estimate_performance end to end: windows, realized values against scikit-learn, bands,
alerts, concept drift, the result object, and bad input (a clear error or a NaN with its reason)."""
import copy
import html
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

import aimon
from aimon.errors import AimonError, SchemaError


def make_log(n, seed, start="2026-01-01", squeeze=1.0, drift=False, freq="7min", centre=0.45):
    """A binary classifier's log: score = model's belief, label drawn from score**1.3 (miscalibrated);
    ``drift`` changes P(label | score) (concept drift)."""
    rng = np.random.default_rng(seed)
    s = (centre + squeeze * (rng.beta(2, 3, n) - 0.45)).round(3)
    truth = 1 - s ** 1.3 if drift else s ** 1.3
    y = (rng.random(n) < truth).astype(float)
    t = pd.date_range(start, periods=n, freq=freq)
    return pd.DataFrame({"timestamp": t, "score": s, "label": y})


REF = make_log(6000, 1)


def test_realized_values_match_sklearn_and_the_input_is_unchanged():
    cur = make_log(3000, 2, start="2026-02-01")
    before, ref_before = copy.deepcopy(cur), copy.deepcopy(REF)
    est = aimon.estimate_performance(cur, reference=REF, metrics=["roc_auc", "accuracy", "f1"], freq="1D")
    pd.testing.assert_frame_equal(cur, before)
    pd.testing.assert_frame_equal(REF, ref_before)
    t = est.table
    days = cur.set_index("timestamp").resample("1D")
    assert list(t.index) == list(days.size().index)
    for day, g in days:
        row = t.loc[day]
        pred = (g["score"] >= 0.5).astype(float)
        assert row["rows"] == len(g) and row["labelled"] == len(g)
        assert_allclose(row["roc_auc_realized"], roc_auc_score(g["label"], g["score"]), rtol=1e-12)
        assert_allclose(row["accuracy_realized"], accuracy_score(g["label"], pred), rtol=1e-12)
        assert_allclose(row["f1_realized"], f1_score(g["label"], pred), rtol=1e-12)
        assert_allclose(row["accuracy_error"], row["accuracy_realized"] - row["accuracy_estimate"])
    assert est.calibration.method == "isotonic"


def test_estimate_uses_the_isotonic_calibration_of_the_reference():
    cur = make_log(2000, 3, start="2026-02-01")
    est = aimon.estimate_performance(cur, reference=REF, metrics="accuracy", chunk_size=500, calibration="isotonic")
    p = IsotonicRegression(out_of_bounds="clip").fit(REF["score"], REF["label"]).predict(cur["score"])
    d = (cur["score"] >= 0.5).to_numpy()
    want = [np.mean(np.where(d, p, 1 - p)[i:i + 500]) for i in range(0, 2000, 500)]
    assert_allclose(est.table["accuracy_estimate"], want, rtol=1e-12)
    assert list(est.table.index) == [0, 1, 2, 3] and (est.table["rows"] == 500).all()
    assert (est.table["start"] == cur["timestamp"].iloc[::500].to_numpy()).all()


def test_bands_cover_when_nothing_changed_and_concept_drift_is_flagged():
    same = make_log(20000, 4, start="2026-02-01", freq="1min")
    est = aimon.estimate_performance(same, reference=REF, metrics=["roc_auc", "accuracy"], chunk_size=1000)
    t = est.table
    for m in ("roc_auc", "accuracy"):
        inside = (t[f"{m}_realized"] >= t[f"{m}_lower"]) & (t[f"{m}_realized"] <= t[f"{m}_upper"])
        assert inside.mean() >= 0.8
    drifted = make_log(5000, 5, start="2026-03-01", drift=True, freq="1min")
    est = aimon.estimate_performance(drifted, reference=REF, metrics="roc_auc", chunk_size=1000)
    assert est.table["concept_drift"].all()
    assert "changepoints" in est.summary() and "retraining_signal" in est.summary()


def test_alert_when_the_band_falls_below_the_reference_range():
    worse = make_log(4000, 6, start="2026-03-01", squeeze=0.1, centre=0.59)  # inputs drift to where P(y) ~ 1/2
    est = aimon.estimate_performance(worse, reference=REF, metrics="accuracy", chunk_size=1000)
    rr = est.reference_range["accuracy"]
    t = est.table
    assert rr["windows"] > 2 and rr["lower"] < rr["upper"]
    assert_allclose(t["accuracy_alert"], t["accuracy_upper"] < rr["lower"])
    assert t["alert"].any()


def test_labels_that_have_not_arrived_and_the_accessor():
    cur = make_log(3000, 7, start="2026-02-01")
    cur.loc[cur.index[-1000:], "label"] = np.nan  # the last day's labels are still on their way
    a = cur.aimon.estimate_performance(reference=REF, freq="1D")
    b = aimon.estimate_performance(cur, reference=REF, freq="1D")
    pd.testing.assert_frame_equal(a.table, b.table)
    last = a.table.iloc[-1]
    assert np.isnan(last["roc_auc_realized"]) and not last["concept_drift"]
    assert "labels arrived" in last["note"] and np.isfinite(last["roc_auc_estimate"])
    no_labels = cur.drop(columns="label")
    c = aimon.estimate_performance(no_labels, reference=REF, freq="1D")
    assert_allclose(c.table["roc_auc_estimate"], a.table["roc_auc_estimate"])
    assert c.table["roc_auc_realized"].isna().all()


def test_result_plot_and_escaped_html():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cur = make_log(2000, 8, start="2026-02-01").rename(columns={"score": "<b>p&q"})
    ref = REF.rename(columns={"score": "<b>p&q"})
    est = aimon.estimate_performance(cur, reference=ref, score="<b>p&q", freq="1D")
    ax = est.plot()
    assert ax.get_title().startswith("Estimated roc_auc")
    assert est.plot(metric="accuracy", ax=ax) is ax
    plt.close("all")
    with pytest.raises(SchemaError, match="f1"):
        est.plot(metric="f1")
    page = est._repr_html_()
    assert "<b>p&q" not in page and "roc_auc_estimate" in page
    assert html.escape(est.calibration.reason) in page


def test_platt_for_a_small_reference_and_none_for_a_calibrated_one():
    small = make_log(400, 9)
    est = aimon.estimate_performance(make_log(500, 10), reference=small, chunk_size=250)
    assert est.calibration.method == "platt"
    rng = np.random.default_rng(0)
    ref = REF.assign(label=(rng.random(len(REF)) < REF["score"]).astype(float))
    est = aimon.estimate_performance(make_log(500, 10), reference=ref, chunk_size=250)
    assert est.calibration.method == "none"


def error(cls, df, reference, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(cls) as err:
            aimon.estimate_performance(df, reference=reference, **kw)
    assert isinstance(err.value, AimonError)
    return str(err.value)


def test_bad_inputs_give_clear_errors():
    cur = make_log(300, 11)
    assert "score=" in error(SchemaError, cur.drop(columns="score"), REF)
    assert "[0, 1]" in error(SchemaError, cur.assign(score=cur["score"] * 100), REF)
    assert "label=" in error(SchemaError, cur, REF.drop(columns="label"))
    assert "no labels" in error(SchemaError, cur, REF.assign(label=np.nan))
    assert "same class" in error(AimonError, cur, REF.assign(label=1.0))
    assert "not both" in error(SchemaError, cur, REF, freq="1D", chunk_size=10)
    assert "chunk_size" in error(SchemaError, cur, REF, chunk_size=0)
    assert "choose from" in error(SchemaError, cur, REF, metrics=["auc"])
    assert "level" in error(SchemaError, cur, REF, level=1.5)
    assert "calibration" in error(SchemaError, cur, REF, calibration="beta")
    assert "DataFrame" in error(SchemaError, cur["score"], REF)
    assert "freq" in error(SchemaError, cur, REF, freq="fortnight")
    regression = REF.assign(label=np.linspace(0, 50, len(REF)))
    msg = error(SchemaError, cur, regression)
    assert "Regression models are not covered" in msg and "pos_label=" in msg and "'label'" in msg
    names = {1: "default", 0: "repaid"}                              # both logs in words, one pos_label
    words, cur_words = (d.assign(label=d["label"].map(names)) for d in (REF, cur))
    est = aimon.estimate_performance(cur_words, reference=words, pos_label="default", metrics="accuracy",
                                     chunk_size=100)
    base = aimon.estimate_performance(cur, reference=REF, metrics="accuracy", chunk_size=100)
    assert_allclose(est.table["accuracy_estimate"], base.table["accuracy_estimate"])


def test_one_row_windows_empty_windows_and_missing_scores_are_explained():
    cur = make_log(5, 12, freq="13h")
    cur.loc[2, "score"] = np.nan
    with pytest.warns(aimon.errors.DataDroppedWarning, match="1 score missing"):
        est = aimon.estimate_performance(cur, reference=REF, metrics=["roc_auc", "accuracy"], freq="1D")
    t = est.table
    assert est.excluded == {"score_missing": 1}
    assert t["rows"].sum() == 4
    one = t[t["rows"] == 1]
    assert len(one) and one["roc_auc_estimate"].isna().all() and one["accuracy_estimate"].notna().all()
    assert one["note"].str.contains("one row").all()
    empty = t[t["rows"] == 0]
    assert empty["accuracy_estimate"].isna().all() and empty["note"].str.contains("no scored rows").all()


def test_reference_range_is_mean_plus_minus_3_sd_over_complete_reference_chunks():
    ref = make_log(6500, 13)
    est = aimon.estimate_performance(make_log(2000, 14), reference=ref, metrics="accuracy", chunk_size=1000)
    pred = (ref["score"] >= 0.5).astype(float)
    vals = np.array([accuracy_score(ref["label"][i:i + 1000], pred[i:i + 1000]) for i in range(0, 6000, 1000)])
    rr = est.reference_range["accuracy"]
    assert rr["windows"] == 6
    assert_allclose([rr["lower"], rr["upper"]], [vals.mean() - 3 * vals.std(ddof=1), vals.mean() + 3 * vals.std(ddof=1)])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 9), st.integers(0, 2**31 - 1))
def test_random_small_logs_with_nan_and_ties_against_a_slow_reference(n, chunk, seed):
    """Chunks of rows that have a score; estimates from sklearn's isotonic fit; realized values
    from sklearn on the labelled rows of each chunk."""
    rng = np.random.default_rng(seed)
    cur = pd.DataFrame({"timestamp": pd.date_range("2026-02-01", periods=n, freq="1h"),
                        "score": rng.integers(0, 5, n) / 4.0,  # heavy ties, 0 and 1 included
                        "label": (rng.random(n) < 0.5).astype(float)})
    cur.loc[rng.random(n) < 0.2, "score"] = np.nan
    cur.loc[rng.random(n) < 0.3, "label"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = aimon.estimate_performance(cur, reference=REF, metrics=["accuracy", "roc_auc", "precision"],
                                         chunk_size=chunk, calibration="isotonic", min_label_coverage=0.0)
    scored = cur[cur["score"].notna()].reset_index(drop=True)
    assert est.excluded.get("score_missing", 0) == n - len(scored)
    iso = IsotonicRegression(out_of_bounds="clip").fit(REF["score"], REF["label"])
    t = est.table
    assert len(t) == -(-len(scored) // chunk)
    for k, start in enumerate(range(0, len(scored), chunk)):
        c = scored.iloc[start:start + chunk]
        p = iso.predict(c["score"])
        d = (c["score"] >= 0.5).to_numpy()
        assert_allclose(t["accuracy_estimate"].iloc[k], np.mean(np.where(d, p, 1 - p)), rtol=1e-9)
        want_prec = p[d].mean() if d.any() else np.nan
        assert_allclose(t["precision_estimate"].iloc[k], want_prec, rtol=1e-9, equal_nan=True)
        lab = c[c["label"].notna()]
        real_acc = accuracy_score(lab["label"], lab["score"] >= 0.5) if len(lab) else np.nan
        assert_allclose(t["accuracy_realized"].iloc[k], real_acc, equal_nan=True)
        two = len(lab) and lab["label"].nunique() == 2
        real_auc = roc_auc_score(lab["label"], lab["score"]) if two else np.nan
        assert_allclose(t["roc_auc_realized"].iloc[k], real_auc, equal_nan=True)
        assert t["labelled"].iloc[k] == len(lab)
        if np.isnan(t["roc_auc_estimate"].iloc[k]):
            assert t["note"].iloc[k]


def test_reference_given_as_a_time_splits_the_log():
    log = pd.concat([REF, make_log(3000, 15, start="2026-02-01")], ignore_index=True)
    a = aimon.estimate_performance(log, reference="2026-02-01", metrics="accuracy", chunk_size=1000)
    b = aimon.estimate_performance(log.iloc[len(REF):], reference=REF, metrics="accuracy", chunk_size=1000)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert "neither" in error(SchemaError, log, "not a time")
