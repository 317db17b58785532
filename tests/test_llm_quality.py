"""Hallucination and feedback rates of quality(), against plain pandas on random logs."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
from aimon.errors import SchemaError


def _log(seed, n, tz):
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2026-03-01", tz=tz) + pd.to_timedelta(rng.uniform(0, 3 * 86400, n), unit="s")
    hall = np.where(rng.uniform(size=n) < 0.3, (rng.uniform(size=n) < 0.2).astype(float), np.nan)
    fb = pd.Categorical(np.where(rng.uniform(size=n) < 0.4, rng.choice(["up", "down"], n), None),
                        categories=["up", "down"])
    return pd.DataFrame({"timestamp": ts, "hallucination": hall, "feedback": fb,
                         "fallback": rng.uniform(size=n) < 0.1, "model_version": rng.choice(["a", "b"], n)})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 60), tz=st.sampled_from([None, "UTC", "Europe/Berlin"]),
       freq=st.sampled_from(["6h", "1D"]))
def test_llm_rates_match_pandas(seed, n, tz, freq):
    df = _log(seed, n, tz)
    before = copy.deepcopy(df)
    q = aimon.quality(df, freq)
    pd.testing.assert_frame_equal(df, before)
    g = df.set_index("timestamp").sort_index()
    if n == 0:
        assert len(q) == 0
        return
    rs = g.resample(freq)
    np.testing.assert_array_equal(q["evaluated"], rs["hallucination"].count())
    np.testing.assert_allclose(q["hallucination_rate"], rs["hallucination"].mean(), rtol=1e-12, equal_nan=True)
    neg = (g["feedback"] == "down").astype(float).where(g["feedback"].notna())
    np.testing.assert_array_equal(q["feedback_count"], neg.resample(freq).count())
    np.testing.assert_allclose(q["negative_feedback_share"], neg.resample(freq).mean(), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(q["fallback_rate"], g["fallback"].astype(float).resample(freq).mean(),
                               rtol=1e-12, equal_nan=True)
    assert "accuracy" not in q and "labelled" not in q  # no label column: no label metrics


@pytest.mark.parametrize("values, negative", [
    ([1, -1, np.nan], [0.0, 1.0, np.nan]),
    ([True, False, None], [0.0, 1.0, np.nan]),
    (["Thumbs_Up", "bad", None], [0.0, 1.0, np.nan]),
])
def test_feedback_encodings(values, negative):
    idx = pd.date_range("2026-01-01", periods=3, freq="min")
    df = pd.DataFrame({"feedback": pd.Series(values, index=idx, dtype=object if None in values else None)})
    q = aimon.quality(df, "1D")
    assert q["feedback_count"].iloc[0] == 2
    assert q["negative_feedback_share"].iloc[0] == np.nanmean(negative)


@pytest.mark.parametrize("col, values, keyword", [
    ("feedback", ["meh", "up", None], "feedback=None"),
    ("feedback", [3.0, 5.0, 1.0], "map"),
    ("hallucination", [0.5, 1.0, 0.0], "hallucination=None"),
])
def test_bad_llm_signals_name_the_column_and_fix(col, values, keyword):
    df = pd.DataFrame({col: values}, index=pd.date_range("2026-01-01", periods=3, freq="min"))
    with pytest.raises(SchemaError) as err:
        aimon.quality(df, "1D")
    assert repr(col) in str(err.value) and keyword.lower() in str(err.value).lower()


def test_chatbot_hallucination_increase_is_visible():
    df = aimon.datasets.load_chatbot()
    ev = df.attrs["events"]
    inc = ev[ev["kind"] == "hallucination_increase"].iloc[0]
    q = aimon.quality(df, "1D", by="model_version")
    model = [m for m in df["model_version"].cat.categories if m in inc["columns"] or m in inc["description"]]
    sub = q[q["model_version"] == (model[0] if model else "sage-large-1")]
    during = sub.loc[(sub.index >= inc["start"].floor("D")) & (sub.index < inc["end"]), "hallucination_rate"].mean()
    before = sub.loc[sub.index < inc["start"].floor("D"), "hallucination_rate"].mean()
    assert during > 2 * before


def test_score_of_a_log_without_label_or_prediction_is_the_confidence_itself():
    import aimon
    df = aimon.datasets.load_chatbot()
    q = aimon.quality(df, "1D")
    day = df[df.index < q.index[1]]
    assert q["low_confidence_share"].iloc[0] == (day["score"] < 0.6).mean()
    assert q["mean_confidence"].iloc[0] == pytest.approx(day["score"].mean(), rel=1e-12)
    seg = aimon.segments(df, "low_confidence_share", by="model_version")
    for row in seg.table.itertuples():
        inside = df[df["model_version"] == row.segment]
        assert row.cur == pytest.approx((inside["score"] < 0.6).mean(), rel=1e-12)
