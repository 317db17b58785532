"""Roles: inference from conventional names, overrides, persistence in attrs, errors, display."""
import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimon
from aimon.errors import SchemaError
from aimon.roles import INDEX, Roles, infer_roles

# the names documented in DESIGN.md / docs/roles.md, most preferred first
DOCUMENTED = {
    "latency": ["latency_ms", "latency", "duration_ms", "response_time_ms", "latency_s", "elapsed_seconds"],
    "ttft": ["ttft_ms", "ttft", "time_to_first_token_ms"],
    "error": ["error", "is_error", "status_code"],
    "prediction": ["prediction", "pred", "y_pred", "predicted", "y_hat", "yhat"],
    "score": ["score", "proba", "probability", "y_score", "y_proba"],
    "label": ["label", "y_true", "target", "ground_truth"],
    "input_tokens": ["input_tokens", "prompt_tokens"],
    "output_tokens": ["output_tokens", "completion_tokens"],
    "cost": ["cost_usd", "cost"],
    "fallback": ["fallback", "fallback_to_human", "handoff"],
    "segment": ["model_version"],
    "request_id": ["request_id"],
}
T = pd.date_range("2024-01-01", periods=3, freq="min")


def _case_variant(draw, name):
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return "".join(c.upper() if f else c for c, f in zip(name, flips))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_inference_from_conventional_names_any_case(data):
    roles = data.draw(st.lists(st.sampled_from(sorted(DOCUMENTED)), unique=True, min_size=1, max_size=6))
    cols, expected = {}, {}
    for role in roles:
        names = data.draw(st.lists(st.sampled_from(DOCUMENTED[role]), unique=True, min_size=1, max_size=2))
        variants = [_case_variant(data.draw, n) for n in names]
        for v in variants:
            cols[v] = [1.0, 2.0, 3.0]
        best = min(names, key=DOCUMENTED[role].index)
        expected[role] = variants[names.index(best)]
    cols["feature_x"] = [0.1, 0.2, 0.3]
    ts_name = _case_variant(data.draw, data.draw(st.sampled_from(["timestamp", "ts", "time", "request_time"])))
    df = pd.DataFrame({ts_name: T, **cols})
    before = copy.deepcopy(df)
    r = df.aimon.roles
    pd.testing.assert_frame_equal(df, before)
    assert r["timestamp"] == ts_name
    for role in DOCUMENTED:
        assert r[role] == expected.get(role), role
    used = set(expected.values()) | {ts_name}
    # a second prediction/score column is not a model input: held out of the features, and shown
    outputs = {n.lower() for n in DOCUMENTED["prediction"] + DOCUMENTED["score"]}
    assert r["features"] == [c for c in df.columns if c not in used and c.lower() not in outputs]
    assert r.held_out == [c for c in df.columns if c not in used and c.lower() in outputs]


def test_datetime_index_and_single_datetime_column():
    assert infer_roles(pd.DataFrame({"latency_ms": [1.0, 2, 3]}, index=T))["timestamp"] == INDEX
    # the index wins over a 'timestamp' column, as documented
    assert infer_roles(pd.DataFrame({"timestamp": T, "x": [1, 2, 3]}, index=T))["timestamp"] == INDEX
    one = pd.DataFrame({"created": T.tz_localize("Europe/Paris"), "x": [1, 2, 3]})
    assert infer_roles(one)["timestamp"] == "created"
    # a label_time column is not mistaken for the request time
    assert infer_roles(pd.DataFrame({"created": T, "label_time": T}))["timestamp"] == "created"
    # two candidate datetime columns: ambiguous, so no guess; the error says how to choose
    two = pd.DataFrame({"created": T, "sent": T, "latency_ms": [1.0, 2, 3]})
    assert infer_roles(two)["timestamp"] is None
    with pytest.raises(SchemaError, match="timestamp='your_column'") as e:
        two.aimon.ops("1h")
    assert "'created'" in str(e.value) and "'sent'" in str(e.value)
    got = two.aimon.ops("1h", timestamp="sent")
    assert got["requests"].tolist() == [3]


def test_per_call_override_matches_renamed_frame():
    df = pd.DataFrame({"t_ms": [5.0, 1.0, 9.0], "latency_ms": [100.0, 100.0, 100.0], "bad": [0, 1, 0]}, index=T)
    before = copy.deepcopy(df)
    got = df.aimon.ops("1h", latency="t_ms", error="bad")
    pd.testing.assert_frame_equal(df, before)
    renamed = pd.DataFrame({"latency_ms": [5.0, 1.0, 9.0], "error": [0, 1, 0]}, index=T)
    pd.testing.assert_frame_equal(got, aimon.ops(renamed, "1h"))
    assert got["latency_p50"].tolist() == [5.0] and got["errors"].tolist() == [1]


def test_role_none_declares_absence():
    df = pd.DataFrame({"latency_ms": [1.0, 2.0, 3.0], "error": [0, 0, 1]}, index=T)
    r = infer_roles(df, error=None)
    assert r["error"] is None and r["latency"] == "latency_ms"
    assert "error" in r["features"]  # no longer a role: an ordinary column
    got = df.aimon.ops("1h", error=None, latency=None)
    assert list(got.columns) == ["requests", "throughput_rps"]


def test_with_roles_returns_new_frame_and_persists():
    df = pd.DataFrame({"t_ms": [5.0, 1.0, 9.0], "fail": [False, True, False]}, index=T)
    df.attrs["owner"] = "team-a"
    before = copy.deepcopy(df)
    tagged = df.aimon.with_roles(latency="t_ms", error="fail")
    assert tagged is not df
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == before.attrs == {"owner": "team-a"}
    assert tagged.attrs["owner"] == "team-a"
    assert tagged.attrs["aimon_roles"] == {"latency": "t_ms", "error": "fail"}
    pd.testing.assert_frame_equal(tagged, df)
    # pandas >= 3 builds a new accessor on every access: the roles live in attrs
    if int(pd.__version__.split(".")[0]) >= 3:  # pandas 2 caches accessors; pandas 3 builds one per access
        assert tagged.aimon is not tagged.aimon
    assert tagged.aimon.roles["latency"] == "t_ms" and tagged.aimon.roles["error"] == "fail"
    assert df.aimon.roles["latency"] is None
    got = tagged.aimon.ops("1h")
    assert got["latency_max"].tolist() == [9.0] and got["errors"].tolist() == [1]
    # a per-call override beats the stored role; with_roles again merges
    assert tagged.aimon.ops("1h", error=None).columns.tolist()[2] == "latency_mean"
    again = tagged.aimon.with_roles(error=None)
    assert again.aimon.roles["error"] is None and again.aimon.roles["latency"] == "t_ms"
    assert tagged.attrs["aimon_roles"] == {"latency": "t_ms", "error": "fail"}
    # aimon.with_roles is the same function
    assert aimon.with_roles(df, latency="t_ms").attrs["aimon_roles"] == {"latency": "t_ms"}


@pytest.mark.parametrize("call", [
    lambda df: df.aimon.ops("1h", latncy="t_ms"),
    lambda df: df.aimon.slo(latency_ms=5, latncy="t_ms"),
    lambda df: df.aimon.with_roles(latncy="t_ms"),
    lambda df: infer_roles(df, latncy="t_ms"),
])
def test_unknown_role_keyword(call):
    df = pd.DataFrame({"t_ms": [1.0, 2, 3]}, index=T)
    before = copy.deepcopy(df)
    with pytest.raises(SchemaError, match="latncy") as e:
        call(df)
    assert "latency" in str(e.value)  # lists the known roles
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == {}


@pytest.mark.parametrize("call", [
    lambda df: df.aimon.ops("1h", latency="t_msec"),
    lambda df: df.aimon.slo(latency_ms=5, latency="t_msec"),
    lambda df: df.aimon.with_roles(latency="t_msec"),
])
def test_override_to_missing_column(call):
    df = pd.DataFrame({"t_ms": [1.0, 2, 3], "other": [1, 2, 3]}, index=T)
    with pytest.raises(SchemaError) as e:
        call(df)
    msg = str(e.value)
    assert "'t_msec'" in msg and "latency=" in msg
    assert "'t_ms'" in msg and "'other'" in msg  # the columns that do exist
    assert e.value.columns == ["t_ms", "other"]


def test_features_exclude_roles_and_datetimes():
    df = pd.DataFrame({"ts": T, "latency_ms": [1.0, 2, 3], "sent_at": T.tz_localize("UTC"),
                       "wait": pd.to_timedelta([1, 2, 3], unit="s"), "age": [30, 40, 50],
                       "country": pd.Categorical(["a", "b", "a"]), "note": ["x", "y", "z"],
                       "label_time": T, "model_version": ["v1", "v1", "v2"]})
    r = infer_roles(df)
    assert r["timestamp"] == "ts" and r["label_time"] == "label_time" and r["segment"] == "model_version"
    assert r["features"] == ["age", "country", "note"]
    assert infer_roles(df, features=["age"])["features"] == ["age"]
    with pytest.raises(SchemaError, match="features"):
        infer_roles(df, features=["nope"])


def test_roles_display_escapes_html():
    evil = "<script>alert(1)</script>"
    df = pd.DataFrame({evil: [1.0, 2, 3], "<b>feat</b>": [1, 2, 3]}, index=T)
    r = df.aimon.with_roles(latency=evil).aimon.roles
    assert isinstance(r, Roles) and r["latency"] == evil and r["features"] == ["<b>feat</b>"]
    html = r._repr_html_()
    assert "<script>" not in html and "<b>feat" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;feat&lt;/b&gt;" in html
    text = repr(r)
    assert evil in text and "latency" in text
    table = r.table
    assert table.set_index("role").loc["latency", "column"] == evil
    # the metric itself works with such a column
    assert df.aimon.ops("1h", latency=evil)["latency_max"].tolist() == [3.0]


def test_duplicate_and_unhashable_role_columns_are_schema_errors():
    df = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["latency_ms", "latency_ms", "x"], index=T[:1])
    with pytest.raises(SchemaError, match="latency_ms") as e:
        df.aimon.ops("1h")
    assert "latency=" in str(e.value)
    # duplicated names that play no role do not get in the way
    ok = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["latency_ms", "x", "x"], index=T[:1])
    assert ok.aimon.ops("1h")["latency_max"].tolist() == [1.0]
    with pytest.raises(SchemaError, match="latency="):
        df.aimon.ops("1h", latency=["x"])


def test_not_a_dataframe():
    with pytest.raises(SchemaError, match="DataFrame"):
        infer_roles(np.zeros(3))
